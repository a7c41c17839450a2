"""The documentation pages, shipped inside the package so pip users have them too.

`readydocs docs TOPIC` prints one; messages that point to documentation say
`readydocs docs TOPIC` rather than a path into a source checkout. The wheel
carries the repository's docs/*.md as readydocs/docs (pyproject.toml); a
source checkout reads docs/ directly.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import ReadydocsError


class UnknownTopicError(ReadydocsError):
    """`readydocs docs` was asked for a page that does not exist."""

    exit_code = 2


def docs_dir() -> Path:
    """The folder of pages: inside the installed package, or the repository's docs/."""
    packaged = Path(str(resources.files("readydocs"))) / "docs"
    if packaged.is_dir() and any(packaged.glob("*.md")):
        return packaged
    return Path(__file__).resolve().parents[2] / "docs"


def topics() -> list[str]:
    return sorted(p.stem for p in docs_dir().glob("*.md"))


def title(topic: str) -> str:
    """A page's first heading, without the #."""
    for line in page(topic).splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return topic


def page(topic: str) -> str:
    """The text of one page; the topic is a page name such as "workbook" (docs/workbook.md)."""
    name = topic.strip().lower().removesuffix(".md").removeprefix("docs/")
    available = topics()
    if name not in available:
        raise UnknownTopicError(f"There is no documentation page '{topic}'.",
                                f"The pages are: {', '.join(available)}.")
    return (docs_dir() / f"{name}.md").read_text(encoding="utf-8")
