"""Which place a workbook is about, and the folder its documents go to.

A place is its municipality, state and jurisdiction type, compared after
normalising case, character width and spacing: "City of Riverbend" and
"  city of  RIVERBEND " are one place; Springfield, Illinois and Springfield,
Massachusetts are two. Workbooks are pooled only when they name one place,
and an output folder holds one place's documents (its manifest says whose).

The folder name (slug) is safe on every system and distinct for distinct
names: ASCII names give readable slugs, letters that have an ASCII spelling
are transliterated, and a name that loses letters on the way, or is cut to
length, gets a short hash of the whole name so two names never share a slug.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Mapping

MAX_SLUG = 60
HASH_LENGTH = 8

_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
# Latin letters that Unicode does not decompose into an ASCII letter and a mark.
_LATIN_SPELLINGS = str.maketrans({
    "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
    "ł": "l", "Ł": "L", "ı": "i", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "ħ": "h", "Ħ": "H", "ŧ": "t", "Ŧ": "T",
})


def normalise(text: str | None) -> str:
    """Text as compared for identity: NFKC (full-width letters become ordinary ones), case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text or "").casefold().split())


@dataclass(frozen=True)
class PlaceIdentity:
    """A place as typed in its workbook; equality and hashing use the normalised key."""

    municipality: str
    state: str = ""
    jurisdiction_type: str = ""

    FIELDS = (("municipality", "municipality name"), ("state", "state"), ("jurisdiction_type", "jurisdiction type"))

    @property
    def key(self) -> tuple[str, str, str]:
        return normalise(self.municipality), normalise(self.state), normalise(self.jurisdiction_type)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PlaceIdentity) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)

    def differing_field(self, other: "PlaceIdentity") -> tuple[str, str]:
        """(attribute, label) of the first field in which two identities differ."""
        for (attr, label), mine, theirs in zip(self.FIELDS, self.key, other.key):
            if mine != theirs:
                return attr, label
        raise ValueError("the identities are the same")

    def describe(self) -> str:
        """'Springfield, Illinois (City)': for messages."""
        text = self.municipality or "(no municipality name)"
        if self.state:
            text += f", {self.state}"
        if self.jurisdiction_type:
            text += f" ({self.jurisdiction_type})"
        return text

    def as_dict(self) -> dict[str, str]:
        return {"municipality": self.municipality, "state": self.state, "jurisdiction_type": self.jurisdiction_type}

    @classmethod
    def from_dict(cls, data: Any) -> "PlaceIdentity | None":
        """The identity a manifest recorded, or None when it recorded none usable."""
        if not isinstance(data, Mapping) or not isinstance(data.get("municipality"), str):
            return None
        state, kind = (data.get(k) if isinstance(data.get(k), str) else "" for k in ("state", "jurisdiction_type"))
        return cls(data["municipality"], str(state), str(kind))


def _short_hash(text: str, length: int = HASH_LENGTH) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8", "surrogatepass")).hexdigest()[:length]


def slugify(name: str) -> str:
    """A safe, stable, single folder name for a place: lower-case ASCII letters, digits and hyphens, at most MAX_SLUG."""
    spelled = unicodedata.normalize("NFKD", name.translate(_LATIN_SPELLINGS))
    ascii_text = spelled.encode("ascii", "ignore").decode("ascii")
    # A letter or digit with no ASCII spelling (東京, 大阪) is dropped; the hash keeps such names apart.
    lost = any(unicodedata.category(ch)[0] in "LN" for ch in spelled if not ch.isascii())
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not slug:
        # Nothing ASCII to go on (a name in another script, or only emoji): a short, stable hash.
        return "place-" + _short_hash(name, 10)
    room = MAX_SLUG - HASH_LENGTH - 1
    if lost or len(slug) > MAX_SLUG:
        slug = f"{slug[:room].rstrip('-')}-{_short_hash(name)}"
    if slug in _WINDOWS_RESERVED:
        slug = f"{slug}-place"
    return slug
