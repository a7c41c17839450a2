"""The checks every Office file readydocs opens goes through first.

A workbook or a Word file is a zip archive of XML parts. Before any library
parses one, it is refused, with one line, when it could make readydocs use
unbounded memory or reach outside the file:

* more than ``MAX_PARTS`` parts, or parts declaring more than
  ``MAX_UNCOMPRESSED_BYTES`` in total, or expanding more than
  ``MAX_COMPRESSION_RATIO``-fold past 10 MB (a zip bomb). Sizes come from the
  zip's directory, so nothing is inflated to find out; Python's zip reader
  never inflates an entry past its declared size (a lying entry fails its CRC
  check), so checking the declared sizes bounds what a parser can be made to
  inflate;
* encrypted entries;
* a DOCTYPE or ENTITY declaration in any XML part (Office never writes one),
  so entity expansion and external entities never reach a parser.

``linked_content`` finds what a Word file would fetch from elsewhere when
opened or converted (linked pictures, linked objects, attached templates,
altChunk, INCLUDETEXT/INCLUDEPICTURE/LINK fields); templates holding any are
refused. Hyperlinks to web pages are ordinary and allowed.
"""

from __future__ import annotations

import io
import mmap
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .docxparts import PACKAGE_RELS_NS, W_NS
from .errors import UnreadableFileError

# A real intake workbook is well under 1 MB and a Word template a few hundred
# KB, so 100 MB leaves room for pasted text and pictures while stopping a zip
# bomb before anything inflates it.
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
# A workbook made by 'readydocs init' has about a dozen parts, a Word document a few dozen.
MAX_PARTS = 1000
_RATIO_FLOOR = 10 * 1024 * 1024
_DTD_MARKERS = tuple(m.encode(enc) for m in ("<!DOCTYPE", "<!ENTITY") for enc in ("utf-8", "utf-16-le", "utf-16-be"))
_XML_PARTS = (".xml", ".rels", ".vml")


@dataclass(frozen=True)
class Kind:
    """How to speak of one kind of Office file in messages."""

    noun: str  # "an intake workbook"
    what: str  # "an Excel workbook": what an encrypted zip is not
    ext: str  # ".xlsx"
    app: str  # "Excel"
    fallback: str  # what to use instead, as a sentence


WORKBOOK = Kind("an intake workbook", "an Excel workbook", ".xlsx", "Excel", "Use the workbook made by 'readydocs init'.")
TEMPLATE = Kind("a Word template", "a Word document", ".docx", "Word",
                "Start again from the templates 'readydocs templates export' writes.")
CHART_WORKBOOK = Kind("a chart\u2019s embedded workbook", "an Excel workbook", ".xlsx", "Excel",
                      "Insert the chart again in Word.")
PLAN = Kind("an action plan", "an Excel workbook", ".xlsx", "Excel", "Move it away and build again.")
DOCUMENT = Kind("a Word document", "a Word document", ".docx", "Word", "Save it again from Word as a .docx document.")


def check_archive(path: Path, kind: Kind, data: bytes | None = None) -> tuple[set[str], bytes]:
    """Refuse an archive that is unsafe to open; return its part names and its [Content_Types].xml.

    ``data``: the archive itself, when it is inside another file (a chart's
    embedded workbook) or already read; ``path`` then only names it in messages.
    """
    limit_mb = MAX_UNCOMPRESSED_BYTES // (1024 * 1024)
    if (len(data) if data is not None else path.stat().st_size) > MAX_UNCOMPRESSED_BYTES:
        raise UnreadableFileError(f"{path}: is larger than the {limit_mb} MB limit for {kind.noun}.", kind.fallback)
    try:
        with zipfile.ZipFile(io.BytesIO(data) if data is not None else path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_PARTS:
                raise UnreadableFileError(f"{path}: holds {len(infos)} parts, far more than {kind.noun} (limit {MAX_PARTS}).",
                                          kind.fallback)
            names = {i.filename for i in infos}
            total = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if total > MAX_UNCOMPRESSED_BYTES:
                raise UnreadableFileError(
                    f"{path}: expands to {total // (1024 * 1024)} MB, past the {limit_mb} MB limit for {kind.noun}.",
                    kind.fallback)
            if total > _RATIO_FLOOR and total / packed > MAX_COMPRESSION_RATIO:
                raise UnreadableFileError(
                    f"{path}: expands {total // packed}-fold, to {total // (1024 * 1024)} MB, as a zip bomb does; it was not opened.",
                    kind.fallback)
            if any(i.flag_bits & 0x1 for i in infos):
                raise UnreadableFileError(f"{path}: is an encrypted zip archive, not {kind.what}.",
                                          f"Open it in {kind.app} or LibreOffice and save it as {kind.ext} without a password.")
            content_types = zf.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
            for info in infos:
                if info.filename.endswith(_XML_PARTS) and _declares_dtd(zf, info):
                    raise UnreadableFileError(
                        f"{path}: part {info.filename} declares XML entities or a DOCTYPE, which {kind.app} never writes; "
                        "it was not opened.",
                        f"Open it in {kind.app} or LibreOffice and save it again as {kind.ext}, or {_lower_first(kind.fallback)}")
    except UnreadableFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError, KeyError):
        raise UnreadableFileError(f"{path}: the file is damaged (not a complete {kind.ext} archive).",
                                  f"Use an earlier copy, or save it again from {kind.app}.")
    return names, content_types


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def declares_dtd(xml: bytes) -> bool:
    """True when XML (in UTF-8 or UTF-16) declares a DOCTYPE or entities, which Office never writes."""
    return any(m in xml for m in _DTD_MARKERS)


def _declares_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    overlap = max(len(m) for m in _DTD_MARKERS) - 1
    tail = b""
    with zf.open(info) as part:
        while chunk := part.read(1 << 16):
            window = tail + chunk
            if any(m in window for m in _DTD_MARKERS):
                return True
            tail = window[-overlap:]
    return False


_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_docx(path: Path, kind: Kind = DOCUMENT) -> set[str]:
    """A Word .docx file, safe to hand to python-docx; its part names."""
    path = Path(path)
    if not path.is_file():
        raise UnreadableFileError(f"{path}: no such file." if not path.exists() else f"{path}: is not a file.",
                                  "Check the file name.")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise UnreadableFileError(f"{path}: cannot be read ({exc.strerror or exc}).", "Check the file's permissions.")
    if head == _OLE_SIGNATURE:
        raise UnreadableFileError(f"{path}: is a password-protected or an old Word 97-2003 (.doc) file, not a .docx document.",
                                  "Open it in Word or LibreOffice and save it as a Word document (.docx) without a password.")
    if not head.startswith(b"PK"):
        raise UnreadableFileError(f"{path}: is not a Word .docx document{' (the file is empty)' if not head else ''}.",
                                  "Give a .docx file saved from Word or LibreOffice.")
    names, _ = check_archive(path, kind)
    if "word/document.xml" not in names:
        other = " (it is an Excel workbook)" if "xl/workbook.xml" in names else ""
        raise UnreadableFileError(f"{path}: is not a Word .docx document{other}: it has no word/document.xml part.",
                                  "Give a .docx file saved from Word or LibreOffice.")
    return names


# Relationship types a document may point outside itself with: a hyperlink opens in a browser
# when someone clicks it; nothing else is fetched when the file is opened or converted.
_EXTERNAL_ALLOWED = ("/hyperlink",)
# Fields that pull content from another file or program when updated.
_LINK_FIELDS = re.compile(r"^\s*(INCLUDETEXT|INCLUDEPICTURE|INCLUDE|LINK|DDEAUTO|DDE|IMPORT|DATABASE)\b", re.IGNORECASE)
_W = f"{{{W_NS}}}"
_REL = f"{{{PACKAGE_RELS_NS}}}Relationship"


def linked_content(path: Path) -> list[tuple[str, str]]:
    """(part, what) for everything in a checked .docx that refers to content outside the file."""
    from lxml import etree  # Word files only: checking a workbook (validate) never loads lxml

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    found: list[tuple[str, str]] = []
    with zipfile.ZipFile(path) as zf:
        for name in sorted(zf.namelist()):
            if name.endswith(".rels"):
                root = etree.fromstring(zf.read(name), parser)
                for rel in root.iter(_REL):
                    rtype = (rel.get("Type") or "").rsplit("/", 1)[-1]
                    target = rel.get("Target") or ""
                    if rtype == "aFChunk":
                        found.append((name, f"an embedded chunk of another document (altChunk, {target})"))
                    elif (rel.get("TargetMode") or "").lower() == "external" and not (rel.get("Type") or "").endswith(_EXTERNAL_ALLOWED):
                        found.append((name, f"a linked {rtype} at {target}"))
            elif name.startswith("word/") and name.endswith(".xml"):
                data = zf.read(name)
                if b"instrText" not in data and b"fldSimple" not in data:
                    continue
                for field in _field_codes(etree.fromstring(data, parser)):
                    m = _LINK_FIELDS.match(field)
                    if m:
                        found.append((name, f"a {m.group(1).upper()} field ({' '.join(field.split())[:80]})"))
    return found


def _field_codes(root) -> list[str]:
    """Every field's instruction text: simple fields, and complex ones put together from their runs."""
    codes = [el.get(f"{_W}instr") or "" for el in root.iter(f"{_W}fldSimple")]
    current: list[str] | None = None
    for el in root.iter(f"{_W}fldChar", f"{_W}instrText"):
        if el.tag == f"{_W}instrText":
            if current is not None:
                current.append(el.text or "")
            continue
        kind = el.get(f"{_W}fldCharType")
        if kind == "begin":
            current = []
        elif current is not None:
            codes.append("".join(current))
            current = None
    if current:
        codes.append("".join(current))
    return codes


def damaged(path: Path, kind: Kind, exc: Exception) -> UnreadableFileError:
    """The error for a checked .docx that python-docx still could not open: which part is broken, when one is."""
    from lxml import etree  # Word files only, as above

    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    try:
        with zipfile.ZipFile(path) as zf:
            for name in sorted(zf.namelist()):
                if not name.endswith(_XML_PARTS):
                    continue
                try:
                    etree.fromstring(zf.read(name), parser)
                except etree.XMLSyntaxError as bad:
                    detail = " ".join(str(bad).split())[:100]
                    return UnreadableFileError(f"{path}: is damaged: part {name} is not well-formed XML ({detail}).",
                                               f"Open it in {kind.app} or LibreOffice and save it again as {kind.ext}, "
                                               "or use an earlier copy.")
    except (zipfile.BadZipFile, OSError):
        pass
    detail = " ".join(str(exc).split())[:100]
    return UnreadableFileError(f"{path}: is damaged or incomplete: {kind.app} parts are missing or wrong "
                               f"({type(exc).__name__}{': ' + detail if detail else ''}).",
                               f"Open it in {kind.app} or LibreOffice and save it again as {kind.ext}, or use an earlier copy.")


def open_docx(path: Path, kind: Kind = DOCUMENT):
    """A python-docx Document, after every check above; one UnreadableFileError line otherwise."""
    import docx  # python-docx is slow to import and only commands that open a Word file need it

    check_docx(path, kind)
    try:
        return docx.Document(str(path))
    except Exception as exc:  # python-docx raises many kinds for a broken package
        raise damaged(path, kind, exc) from exc


# --------------------------------------------------------------------------
# The intake workbook

_MACRO_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
_STRICT_NAMESPACE = b"http://purl.oclc.org/ooxml/spreadsheetml/main"  # in a Strict Open XML workbook's root tag
# A workbook up to this size is read from disk once, and checked and read from those bytes;
# a larger one (a padded file, which the checks may refuse) is read from the file part by part.
HELD_BYTES = 4 * 1024 * 1024


def check_workbook(path: Path) -> bytes | Path:
    """Refuse, with one line each, files that are not an .xlsx workbook we can open safely.

    Returns where to read the workbook from: its bytes (up to HELD_BYTES), or its path.
    """
    if not path.exists():
        raise UnreadableFileError(f"{path}: no such file.", "Check the path, or create a workbook with 'readydocs init'.")
    if path.is_dir():
        raise UnreadableFileError(f"{path}: is a folder, not a workbook.", "Give the path of the .xlsx file inside it.")
    try:
        with path.open("rb") as fh:
            data = fh.read(max(HELD_BYTES + 1, 8))  # at least the signature
    except OSError as exc:
        raise UnreadableFileError(f"{path}: cannot be read ({exc.strerror}).", "Check the file's permissions.")
    if not data:
        raise UnreadableFileError(f"{path}: the file is empty.", "Save the workbook again from Excel, or create one with 'readydocs init'.")
    if data.startswith(_OLE_SIGNATURE):
        _refuse_ole(path)
    if not data.startswith(b"PK"):
        raise UnreadableFileError(f"{path}: is not an Excel .xlsx workbook.", "Open it in Excel or LibreOffice and save it as .xlsx.")
    source = data if len(data) <= HELD_BYTES else path
    names, content_types = check_archive(path, WORKBOOK, data if source is data else None)
    mimetype = _first_bytes(path, source, "mimetype", 100) if "mimetype" in names else b""
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise UnreadableFileError(f"{path}: is a Word document, not an Excel workbook.", "Give the intake .xlsx file.")
        if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            raise UnreadableFileError(f"{path}: is a LibreOffice spreadsheet (.ods), not an Excel workbook.",
                                      "In LibreOffice choose File > Save As, set the file type to Excel 2007-365 (.xlsx), "
                                      "keep the current format when asked, and give that file.")
        raise UnreadableFileError(f"{path}: is not an Excel .xlsx workbook.", "Open it in Excel or LibreOffice and save it as .xlsx.")
    if _MACRO_TYPE.encode() in content_types:
        raise UnreadableFileError(f"{path}: is a macro-enabled workbook (.xlsm).", "Save it as a plain .xlsx workbook (Excel: File > Save As > Excel Workbook).")
    # Strict files use other namespaces throughout: without this they would read as a workbook with no sheets.
    if _STRICT_NAMESPACE in _first_bytes(path, source, "xl/workbook.xml", 4096):
        raise UnreadableFileError(
            f"{path}: is saved as a \"Strict Open XML Spreadsheet\", a variant of .xlsx that readydocs cannot read.",
            "In Excel choose File > Save As and pick \"Excel Workbook (.xlsx)\" as the file type, then give that file.")
    return source


def _first_bytes(path: Path, source: bytes | Path, name: str, limit: int) -> bytes:
    """The first bytes of one part of a workbook check_archive has passed (``source``: its bytes or its path)."""
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as zf, zf.open(name) as part:
            return part.read(limit)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError, KeyError):
        raise UnreadableFileError(f"{path}: the file is damaged (not a complete .xlsx archive).", "Use an earlier copy, or save it again from Excel.")


def _refuse_ole(path: Path) -> None:
    """An OLE compound file: an encrypted workbook (Office wraps those in OLE) or a legacy .xls."""

    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        encrypted = mm.find("EncryptedPackage".encode("utf-16-le")) != -1
    if encrypted:
        raise UnreadableFileError(f"{path}: is a password-protected workbook; readydocs cannot open encrypted files.",
                                  "Open it in Excel, remove the password (File > Info > Protect Workbook > Encrypt with Password), and save it.")
    raise UnreadableFileError(f"{path}: is a legacy Excel 97-2003 (.xls) or other old Office file, not an .xlsx workbook.",
                              "Open it in Excel or LibreOffice and save it as an Excel Workbook (.xlsx).")
