"""Shared helpers for the hostile-input tests: hostile strings, filling cells as Excel would, reading documents back."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from pathlib import Path

import openpyxl

from readydocs.workbook import named_cell

LONG = ("Evidence & notes <long> " * 1400)[:32767 - 12] + " END-OF-CELL"
assert len(LONG) == 32767

# name -> (what the person typed, what the documents must show)
# Control characters are typed the way Excel stores them (_xHHHH_ escapes).
HOSTILE: dict[str, tuple[str, str]] = {
    "markup": ('Smith & Sons <Ltd> "quoted" \'single\' ; semi', 'Smith & Sons <Ltd> "quoted" \'single\' ; semi'),
    "entities typed": ("&amp; &lt;b&gt; &#x41; &nbsp; ]]> <![CDATA[x]]>", "&amp; &lt;b&gt; &#x41; &nbsp; ]]> <![CDATA[x]]>"),
    "control characters": ("Before_x0001_middle_x001F_after_x0008_", "Beforemiddleafter"),
    "vertical tab": ("first line_x000B_second line", "first line\nsecond line"),
    "tabs and breaks": ("col one\tcol two\nsecond line_x000D_\nthird line", "col one\tcol two\nsecond line\nthird line"),
    "emoji and astral": ("Riverbend \U0001F6B2\U0001F3D9\ufe0f \U0001D510\U0001D52C\U0001D51F \U0001F469\U0001F3FD\u200d\U0001F680",
                         "Riverbend \U0001F6B2\U0001F3D9\ufe0f \U0001D510\U0001D52C\U0001D51F \U0001F469\U0001F3FD\u200d\U0001F680"),
    "right to left": ("\u05de\u05d7\u05dc\u05e7\u05ea \u05d4\u05ea\u05d7\u05d1\u05d5\u05e8\u05d4 / \u062f\u0627\u0626\u0631\u0629 \u0627\u0644\u0646\u0642\u0644 (2026)",
                      "\u05de\u05d7\u05dc\u05e7\u05ea \u05d4\u05ea\u05d7\u05d1\u05d5\u05e8\u05d4 / \u062f\u0627\u0626\u0631\u0629 \u0627\u0644\u0646\u0642\u0644 (2026)"),
    "combining marks": ("Cafe\u0301 Nin\u0303o Z\u0351\u0325\u0300algo \u1e9b\u0323", "Cafe\u0301 Nin\u0303o Z\u0351\u0325\u0300algo \u1e9b\u0323"),
    "jinja-looking": ("{{ place.name }} {% if true %}x{% endif %} {# note #} {_{ y }_} {%p if x %} {{", "{{ place.name }} {% if true %}x{% endif %} {# note #} {_{ y }_} {%p if x %} {{"),
    "formula =": ("=SUM(A1:A9)", "=SUM(A1:A9)"),
    "formula +": ("+1 555 0100", "+1 555 0100"),
    "formula -": ("-5% change since 2020", "-5% change since 2020"),
    "formula @": ("@mobility team", "@mobility team"),
    "spaces": ("two  spaces   three    four", "two  spaces   three    four"),
    "longest cell": (LONG, LONG),
}

# Fields that hold one hostile string each, and where it must show.
PLACE = "Town of <Hope> & \"Glory\" \U0001F6B2 \u05e9\u05dc\u05d5\u05dd Cafe\u0301 {{ x }} =1"
ORGANIZATION = "Office of Mobility & Opportunity <OMO> {% raw %} @team \u0645\u0631\u062d\u0628\u0627"
ADVOCATE = "Zo\u00eb O'Brien-N\u00fa\u00f1ez & \"Co\" <lead>\ttab"
ADVOCATE_SHOWN = ADVOCATE


def cell_of(wb, name: str):
    return named_cell(wb, name)


def put(wb, name: str, value) -> None:
    """Set a cell by defined name as a person typing it would: text stays text, even with a leading =."""
    cell = cell_of(wb, name)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def fill_hostile(src: Path, dst: Path, framework) -> dict[str, str]:
    """The sample with every hostile string in a text cell; returns indicator id -> expected evidence text."""
    from readydocs.form import indicator_name

    wb = openpyxl.load_workbook(src)
    put(wb, "profile.municipality_name", PLACE)
    put(wb, "profile.organization_name", ORGANIZATION)
    put(wb, "profile.advocate_name", ADVOCATE)
    put(wb, "profile.sponsor_name", HOSTILE["markup"][0])
    put(wb, "profile.departments", "- Housing & Community <Dev>\n-1 unit pilot\n\u2022 Parks; Recreation\n@Library")
    put(wb, "profile.priorities", "Jobs; =Transit; +Health")
    keys = list(HOSTILE)
    for n in range(1, 6):
        put(wb, f"profile.insight_{n}", HOSTILE[keys[n - 1]][0])
    expected = {}
    for ind, key in zip(framework.indicators, keys * 2):
        put(wb, indicator_name("rating", ind.id), "2 - Starting")
        put(wb, indicator_name("evidence", ind.id), HOSTILE[key][0])
        put(wb, indicator_name("next_step", ind.id), HOSTILE[keys[(keys.index(key) + 3) % len(keys)]][0])
        put(wb, indicator_name("owner", ind.id), "R&D <team>")
        expected[ind.id] = HOSTILE[key][1]
    wb.save(dst)
    return expected


def paragraphs(doc):
    """Every paragraph's text: body, tables (nested too), headers and footers, grouped by where."""
    def walk_cells(tables):
        for t in tables:
            for row in t.rows:
                for c in row.cells:
                    yield from (p.text for p in c.paragraphs)
                    yield from walk_cells(c.tables)

    out = {"body": [p.text for p in doc.paragraphs], "tables": list(walk_cells(doc.tables)), "headers": [], "footers": []}
    for s in doc.sections:
        for part, key in ((s.header, "headers"), (s.footer, "footers"), (s.first_page_header, "headers"),
                          (s.first_page_footer, "footers"), (s.even_page_header, "headers"), (s.even_page_footer, "footers")):
            if not part.is_linked_to_previous:
                out[key] += [p.text for p in part.paragraphs] + list(walk_cells(part.tables))
    return out


def xml_text_runs(path: Path) -> list[str]:
    """The raw text of every <w:t> in the document, headers and footers (before any reader interprets it)."""
    runs = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("word/") and name.endswith(".xml"):
                from lxml import etree

                root = etree.fromstring(z.read(name))
                runs += [t.text or "" for t in root.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t")]
    return runs


_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def normalise_pdf_text(text: str) -> str:
    """pdftotext output and typed text, compared fairly: NFC, no bidi marks, no whitespace.

    pdftotext re-flows lines and drops or moves the space where right-to-left
    text meets left-to-right text, so the PDF check compares the characters in
    order; the exact spacing is checked in the .docx itself. Characters outside
    the Basic Multilingual Plane (emoji, mathematical letters) and their joiners
    and variation selectors are left out: whether a PDF carries them depends on
    the fonts installed where LibreOffice runs, not on readydocs (the .docx
    check covers them exactly).
    """
    text = _BIDI.sub("", unicodedata.normalize("NFC", text))
    text = _FONT_DEPENDENT.sub("", text)
    return "".join(text.split())


_FONT_DEPENDENT = re.compile("[\U00010000-\U0010ffff\u200d\ufe0e\ufe0f]")


_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def in_pdf(expected: str, pdf_text: str) -> bool:
    """Whether text a person typed shows in pdftotext's output of a document.

    Text mixing right-to-left and left-to-right runs comes out of pdftotext in
    visual order (runs swapped, brackets mirrored), so for it each word must be
    there; any other text must be there in order.
    """
    text = normalise_pdf_text(pdf_text)
    if not _RTL.search(expected):
        return normalise_pdf_text(expected) in text
    words = [normalise_pdf_text(w.strip("()[]")) for w in expected.split()]
    return all(w in text for w in words if w)


def with_footnote(path: Path, text: str) -> Path:
    """The template at ``path`` with one footnote holding ``text`` (python-docx cannot add footnotes)."""
    data = {i.filename: zipfile.ZipFile(path).read(i) for i in zipfile.ZipFile(path).infolist()}
    data["[Content_Types].xml"] = data["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/word/footnotes.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>'))
    data["word/_rels/document.xml.rels"] = data["word/_rels/document.xml.rels"].replace(b"</Relationships>", (
        b'<Relationship Id="rIdFootnotes" Target="footnotes.xml" '
        b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"/></Relationships>'))
    data["word/footnotes.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:footnote w:id="1">'
        f'<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:footnote></w:footnotes>').encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, content in data.items():
            z.writestr(name, content)
    return path
