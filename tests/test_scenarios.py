"""Every scenario in tests/scenarios/ reads true: golden facts and sentences, and checks over every paragraph."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "scenarios"))

import corpus  # noqa: E402

from readydocs.framework import load_framework  # noqa: E402

DOCS = {"report": "readiness-report.docx", "memo": "internal-launch-memo.docx", "talking": "talking-points.docx"}
BASE, SCENARIOS = corpus.load()
IDS = [s["id"] for s in SCENARIOS]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every scenario built once: id -> (BuildResult, {doc key: [texts]})."""
    framework = load_framework()
    root = tmp_path_factory.mktemp("scenarios")
    out = {}
    for spec in SCENARIOS:
        result = corpus.build_scenario(spec, BASE, framework, root / spec["id"])
        assert result.assessment.valid, (spec["id"], [p.line() for p in result.assessment.report.errors])
        out[spec["id"]] = (result, {key: texts(result.out_dir / name) for key, name in DOCS.items()})
    return out


def texts(path: Path) -> list[tuple[str, str]]:
    """(style, text) of every body paragraph, table cell paragraph, header and footer paragraph."""
    d = docx.Document(str(path))
    out = [(p.style.name, p.text) for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            for cell in row.cells:
                out += [("cell", p.text) for p in cell.paragraphs]
    for s in d.sections:
        out += [("header", p.text) for p in s.header.paragraphs] + [("footer", p.text) for p in s.footer.paragraphs]
    return out


def test_corpus_has_the_cases_the_issue_names():
    assert len(SCENARIOS) >= 10
    assert {"all-in-place", "none-in-place", "leadership-low", "marlow", "all-dont-know", "edge-ready",
            "edge-strengthen", "sample", "three-disagree", "logo-baseline", "town-no-sponsor"} <= set(IDS)


@pytest.mark.parametrize("sid", IDS)
def test_verdict_and_counts(built, sid):
    spec = next(s for s in SCENARIOS if s["id"] == sid)
    expect = spec["expect"]
    result, _ = built[sid]
    summary = json.loads((result.out_dir / "scores.json").read_text(encoding="utf-8"))
    assert summary["overall"]["level"] == expect["level"]
    average = summary["overall"]["average"]
    assert (None if average is None else int(average + 0.5)) == (None if expect["average"] == "none" else expect["average"])
    statuses = [c["status"] for c in summary["conditions"]]
    got = {"in_place": statuses.count("in-place"), "developing": statuses.count("developing"),
           "not_in_place": statuses.count("not-in-place"), "insufficient": statuses.count("insufficient")}
    want = dict(expect["counts"])
    gaps = want.pop("gaps")
    assert got == want
    # Information gaps: indicators nobody could rate, the same number in the report's list and its table.
    report = result.out_dir / DOCS["report"]
    d = docx.Document(str(report))
    paras = [(p.style.name, p.text) for p in d.paragraphs]
    start = paras.index(("Heading 1", "Information gaps"))
    listed = []
    for style, text in paras[start + 1:]:
        if style.startswith("Heading 1"):
            break
        if style == "List Bullet":
            listed.append(text)
    assert len(listed) == gaps
    table = d.tables[0]
    unrated = sum(int(row.cells[3].text.split(" of ")[1]) - int(row.cells[3].text.split(" of ")[0]) for row in table.rows[1:])
    assert unrated == gaps


@pytest.mark.parametrize("sid", IDS)
def test_key_sentences(built, sid):
    spec = next(s for s in SCENARIOS if s["id"] == sid)
    _, docs = built[sid]
    for key in DOCS:
        paras = [t for _, t in docs[key]]
        for wanted in spec["expect"].get(key, []):
            assert any(wanted in t for t in paras), f"{sid} {key}: no paragraph contains {wanted!r}"
    everything = "\n".join(t for key in DOCS for _, t in docs[key])
    for unwanted in spec["expect"].get("absent", []):
        assert unwanted not in everything, f"{sid}: {unwanted!r} appears"


@pytest.mark.parametrize("sid", IDS)
def test_validation_warnings(built, sid):
    spec = next(s for s in SCENARIOS if s["id"] == sid)
    result, _ = built[sid]
    codes = {p.code for p in result.assessment.report.warnings}
    for code in ("few-ratings", "no-sponsor"):
        assert (code in codes) == (code in spec["expect"].get("warnings", [])), (sid, code, codes)


# --- Sentence checks over every paragraph of every document of every scenario ---

_CONDITION_NAMES = [c.name.lower() for c in load_framework().conditions]
_ONE_ARE = re.compile(r"\b(?:1|one)(?: of (?:the )?\w+)? (?:\w+ )?\w+ (?:are|were|have)\b", re.IGNORECASE)
_DIGIT_COUNT = re.compile(r"\b[0-9] (?:of \w+ )?(?:conditions?|areas?|indicators?|respondents?|people|priorities|ratings?)\b")
_DOUBLED = re.compile(r"\b(\w+) \1\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\bNone\b|\{\{|\}\}|\{%|%\}|\u2014 out of|\bnan\b|\bTrue\b|\bFalse\b|\bzero\b")


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\u201c])", text) if s]


def typed_texts(spec: dict) -> list[str]:
    """Everything the scenario types into its workbooks: printed as typed, so exempt from the quote check."""
    if spec.get("sample"):
        from readydocs.sample import SAMPLE_EVIDENCE, SAMPLE_FOLLOW_UP, SAMPLE_PROFILE

        return sorted([str(v) for v in SAMPLE_PROFILE.values()] + list(SAMPLE_EVIDENCE.values())
                      + [str(f["next_step"]).rstrip(".") for f in SAMPLE_FOLLOW_UP.values()], key=len, reverse=True)
    texts = [str(v) for v in {**BASE["profile"], **spec.get("profile", {})}.values()]
    texts += list(spec.get("notes", {}).values())
    for person in spec.get("respondents", []):
        texts += [str(v) for v in person.get("profile", {}).values()] + list(person.get("notes", {}).values())
    return sorted((t for t in texts if t), key=len, reverse=True)


def problems(paragraphs: list[tuple[str, str]], typed: list[str] = ()) -> list[str]:
    """What reads wrong. Quotes typed in the workbook are the writer's; our own words use curly ones only."""
    found = []
    for style, text in paragraphs:
        if style == "List Bullet" and not text.strip():
            found.append("empty bullet")
        if style not in ("cell", "header", "footer") and _DIGIT_COUNT.search(text):
            found.append(f"a count under ten in digits: {text!r}")
        if _ONE_ARE.search(text):
            found.append(f"singular with plural verb: {text!r}")
        if re.search(r"rated\s+\W?not enough information", text, re.IGNORECASE):
            found.append(f"rated not enough information: {text!r}")
        m = _DOUBLED.search(text)
        if m and not m.group(1).isdigit():
            found.append(f"doubled word {m.group(1)!r}: {text!r}")
        if _PLACEHOLDER.search(text):
            found.append(f"placeholder: {text!r}")
        for sentence in sentences(text):
            named = sum(1 for name in _CONDITION_NAMES if name in sentence.lower())
            if named > 3:
                found.append(f"{named} conditions in one sentence: {sentence!r}")
    ours = []
    for _, text in paragraphs:
        for t in typed:
            for line in t.split("\n"):
                text = text.replace(line, "")
        ours.append(text)
    all_text = "".join(ours)
    if re.search("[\u2018\u2019\u201c\u201d]", all_text) and re.search("['\"]", all_text):
        straight = [t for t in ours if re.search("['\"]", t)]
        found.append(f"straight and curly quotes mixed: {straight[:2]!r}")
    return found


@pytest.mark.parametrize("sid", IDS)
def test_every_paragraph_reads_right(built, sid):
    spec = next(s for s in SCENARIOS if s["id"] == sid)
    _, docs = built[sid]
    for key, paras in docs.items():
        assert problems(paras, typed_texts(spec)) == [], f"{sid} {key}"


def test_the_sentence_checks_catch_what_they_look_for():
    bad = [("List Bullet", ""), ("Normal", "1 of 9 conditions are in place."),
           ("Normal", "Staff buy-in is rated not enough information."), ("Normal", "the the plan"),
           ("Normal", "Average score \u2014 out of 100."), ("Normal", "Owner: None"),
           ("Normal", "We start with zero of nine conditions in place."),
           ("Normal", "We will strengthen 4 areas as we go."),
           ("Normal", "Leadership commitment, organizational capacity, data gathering and analysis and "
                      "cross-sector partnerships need work."),
           ("Normal", "It\u2019s \u201cready\u201d but it's not.")]
    for paragraph in bad:
        assert problems([paragraph]), paragraph
    good = [("Normal", "One of nine conditions is in place, and two are developing."), ("Normal", "Meet at 10 10 Main St.")]
    assert problems(good) == []


# --- Layout, as LibreOffice lays the pages out (skipped without it) ---

needs_office = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                                  reason="LibreOffice (soffice) and pdftotext (poppler-utils) are not installed")


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


@needs_office
@pytest.mark.parametrize("sid", ["logo-baseline", "three-disagree", "marlow"])
def test_pages_laid_out_as_meant(built, sid):
    from readydocs.pdf import to_pdf

    result, _ = built[sid]
    to_pdf([result.out_dir / name for name in DOCS.values()])
    report = _pages(result.out_dir / "readiness-report.pdf")
    # The chart is kept with its caption, and both stay on the first page.
    assert "Figure 1. Score of each readiness condition" in report[0]
    talking = _pages(result.out_dir / "talking-points.pdf")
    # One page per audience.
    assert len(talking) == 2
    assert "For department heads" in talking[0] and "For elected officials" not in talking[0]
    assert "For elected officials" in talking[1] and "Are we ready?" in talking[1]
    memo = _pages(result.out_dir / "internal-launch-memo.pdf")
    signer = result.assessment.responses[0].profile.sponsor_name
    closing = next(p for p in memo if "With thanks," in p)
    assert closing.index("With thanks,") < closing.rindex(signer)
