"""Reading generated documents back the way a reviewer would: all visible text, in order."""

from __future__ import annotations

from pathlib import Path

import docx


def paragraphs(path: Path) -> list[tuple[str, str]]:
    """(style name, text) for each body paragraph."""
    d = docx.Document(str(path))
    return [(p.style.name, p.text) for p in d.paragraphs]


def table_rows(path: Path, index: int = 0) -> list[list[str]]:
    d = docx.Document(str(path))
    return [[c.text for c in row.cells] for row in d.tables[index].rows]


def all_text(path: Path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        parts += [c.text for row in t.rows for c in row.cells]
    for s in d.sections:
        parts += [p.text for p in s.header.paragraphs] + [p.text for p in s.footer.paragraphs]
    return "\n".join(parts)


def section(path: Path, heading: str, level: str = "Heading 1") -> list[str]:
    """Texts of paragraphs after a heading up to the next heading of the same level."""
    out, inside = [], False
    for style, text in paragraphs(path):
        if style == level:
            if inside:
                break
            inside = text == heading
            continue
        if inside:
            out.append(text)
    return out
