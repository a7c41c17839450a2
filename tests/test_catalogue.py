"""The document catalogue says what the templates and the built documents carry."""

from __future__ import annotations

import docx

from readydocs.catalogue import ALL_DOCUMENTS, COHORT_REPORT, DOCUMENTS, PLACE_DOCUMENTS
from readydocs.pipeline import build
from readydocs.render import default_templates_dir


def test_every_template_carries_its_records_title_subject_and_keywords():
    assert sorted(p.name for p in default_templates_dir().glob("*.docx")) == sorted(d.template for d in ALL_DOCUMENTS)
    for document in ALL_DOCUMENTS:
        props = docx.Document(str(default_templates_dir() / document.template)).core_properties
        assert (props.title, props.subject, props.keywords) == (document.title, document.subject, document.keywords)


def test_records_are_told_apart_by_id_and_file_name():
    assert len({d.id for d in ALL_DOCUMENTS}) == len({d.filename for d in ALL_DOCUMENTS}) == len(ALL_DOCUMENTS) == 4
    assert COHORT_REPORT not in PLACE_DOCUMENTS


def test_a_build_writes_the_place_documents_titled_from_the_catalogue(sample_xlsx, tmp_path, framework):
    assert DOCUMENTS == (("readiness-report.docx", "Readiness report"), ("internal-launch-memo.docx", "Internal launch memo"),
                         ("talking-points.docx", "Talking points"))
    out = build([sample_xlsx], tmp_path, framework).out_dir
    for document in PLACE_DOCUMENTS:
        props = docx.Document(str(out / document.filename)).core_properties
        assert props.title == f"{document.title}: City of Riverbend"
        assert props.keywords == document.keywords == "Mobility Action Planning; readiness"
