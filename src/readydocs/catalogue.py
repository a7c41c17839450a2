"""The documents readydocs writes, one record each, and the only place they are listed.

A place's build writes PLACE_DOCUMENTS; a cohort batch also writes
COHORT_REPORT. Rendering, the template linter, `templates export`, the
template generator (scripts/make_templates.py) and the tests all read these
records, so adding a document, or renaming one, is one edit here (and its
template).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Document:
    id: str  # what code calls the document: "report", "memo", "talking-points", "cohort-report"
    filename: str  # the file a build writes; its template in templates/ has the same name
    title: str  # the start of the document's title property ("Readiness report: City of Riverbend")
    subject: str  # the template's subject property: what the document is and who it is for
    keywords: str  # the keywords property, of the template and of every document built from it

    @property
    def template(self) -> str:
        """The template's file name, in templates/ or a folder given with --templates."""
        return self.filename


KEYWORDS = "Mobility Action Planning; readiness"

REPORT = Document("report", "readiness-report.docx", "Readiness report",
                  "Mobility Action Planning readiness assessment", KEYWORDS)
MEMO = Document("memo", "internal-launch-memo.docx", "Internal launch memo",
                "Launch of Mobility Action Planning", KEYWORDS)
TALKING_POINTS = Document("talking-points", "talking-points.docx", "Talking points",
                          "Talking points for department heads and elected officials", KEYWORDS)
COHORT_REPORT = Document("cohort-report", "cohort-report.docx", "Cohort readiness report",
                         "Readiness of a cohort of places for Mobility Action Planning", f"{KEYWORDS}; cohort")

PLACE_DOCUMENTS: tuple[Document, ...] = (REPORT, MEMO, TALKING_POINTS)
ALL_DOCUMENTS: tuple[Document, ...] = PLACE_DOCUMENTS + (COHORT_REPORT,)

# (file name, title) of a place's documents, in the order they are built: the shape render.DOCUMENTS has always had.
DOCUMENTS: tuple[tuple[str, str], ...] = tuple((d.filename, d.title) for d in PLACE_DOCUMENTS)
