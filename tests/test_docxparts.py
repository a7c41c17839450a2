"""The parts of a Word file, as every module that walks them lists them (docxparts.story_parts)."""

from __future__ import annotations

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT

from readydocs.docxparts import paragraphs, parts, story_parts


def _document_with_headers(tmp_path):
    d = docx.Document()
    d.add_paragraph("Body text")
    d.sections[0].header.paragraphs[0].text = "Header text"
    d.sections[0].footer.paragraphs[0].text = "Footer text"
    path = tmp_path / "parts.docx"
    d.save(path)
    return docx.Document(str(path))


def test_body_then_headers_then_footers(tmp_path):
    d = _document_with_headers(tmp_path)
    assert [label for label, _ in story_parts(d)] == ["body", "header", "footer"]
    texts = {label: [p.text for p in paragraphs(root)] for label, root in parts(d)}
    assert texts == {"body": ["Body text"], "header": ["Header text"], "footer": ["Footer text"]}


def test_a_header_used_twice_is_listed_once_and_an_outside_link_not_at_all(tmp_path):
    d = _document_with_headers(tmp_path)
    header = next(rel.target_part for rel in d.part.rels.values() if rel.reltype == RT.HEADER)
    d.part.rels.add_relationship(RT.HEADER, header, "rId900")  # the same header on first pages too
    d.part.rels.add_relationship(RT.HEADER, "http://example.org/header.xml", "rId901", is_external=True)
    assert [label for label, _ in story_parts(d)] == ["body", "header", "footer"]
    d.sections[0].different_first_page_header_footer = True
    d.part.rels.add_relationship(RT.HEADER, d.sections[0].first_page_header.part, "rId902")
    assert [label for label, _ in story_parts(d)] == ["body", "header 1", "header 2", "footer"]
