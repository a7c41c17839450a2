"""A template can reach nothing but data: what it sees, what it may call, and what it can never touch."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn

from hostile import with_footnote
from readydocs.cli import cli
from readydocs.form import indicator_name
from readydocs.lint import lint_template
from readydocs.pipeline import build
from readydocs.catalogue import DOCUMENTS
from readydocs.render import _safe_template_class, default_templates_dir
from readydocs.workbook import set_named_cells


PLAIN = (str, int, float, bool, type(None), dt.date, dt.datetime, dict, list)


def _impure(value, path="context"):
    """Every place in a context holding something other than plain data."""
    if type(value) not in PLAIN:
        return [f"{path}: {type(value).__name__}"]
    out = []
    if isinstance(value, dict):
        for k, v in value.items():
            if type(k) is not str:
                out.append(f"{path} key {k!r}: {type(k).__name__}")
            out += _impure(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _impure(v, f"{path}[{i}]")
    return out


def _png(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (300, 100), "#0b4f5c").save(path, format="PNG")
    return path


def test_every_document_sees_only_plain_data(sample_xlsx, tmp_path, framework, monkeypatch):
    """Three respondents, a logo and a baseline: every part of every document is filled from plain data only."""
    seen: list[tuple[str, dict]] = []
    cls = _safe_template_class()
    original = cls.render_xml_part

    def recording(self, src_xml, part, context, jinja_env=None):
        seen.append((f"{self.source.name} {part.partname}", context))
        return original(self, src_xml, part, context, jinja_env)

    monkeypatch.setattr(cls, "render_xml_part", recording)
    logo = _png(tmp_path / "logo.png")
    second = set_named_cells(sample_xlsx, {"profile.respondent_name": "Budget office"}, tmp_path / "second.xlsx")
    third = set_named_cells(sample_xlsx, {"profile.respondent_name": "Parks", indicator_name("rating", "LEAD-1"): 1}, tmp_path / "third.xlsx")
    earlier = set_named_cells(sample_xlsx, {"profile.assessment_date": dt.datetime(2026, 3, 1)}, tmp_path / "earlier.xlsx")
    alone = build([sample_xlsx], tmp_path / "alone", framework)
    assert len(alone.written) == 5 and len(seen) >= 3 * 3  # body, header and footer of each document
    for where, context in seen:
        assert _impure(context) == [], where
        assert type(context["chart"]) is str and context["logo"] == ""
    seen.clear()
    # With --chart-image the chart is a picture placeholder too; without it, empty text (native charts).
    result = build([sample_xlsx, second, third], tmp_path / "out", framework, logo=logo, baseline=earlier,
                   chart_image=True)
    assert result.assessment.valid and len(result.written) == 5
    documents = {name.split()[0] for name, _ in seen}
    assert documents == {f for f, _ in DOCUMENTS}
    assert len(seen) >= 3 * 3
    for where, context in seen:
        assert _impure(context) == [], where
        assert len(context["respondents"]) == 3 and context["baseline"]["given"]
        # The pictures are placeholders: text, with nothing to call.
        assert type(context["chart"]) is str and context["chart"].startswith("readydocs-picture-chart-")
        assert type(context["logo"]) is str and context["logo"].startswith("readydocs-picture-logo-")
    # ...and each placeholder became its picture, with its alt text, where the template put it.
    report = docx.Document(str(result.out_dir / "readiness-report.docx"))
    body = [p for p in report.element.body.iter(qn("wp:docPr"))]
    # The default report's native charts (conditions, then rounds) became pictures, each with its alt text.
    assert [p.get("title") for p in body] == ["Condition scores", "Condition scores then and now"]
    assert body[0].get("descr").startswith("Bar chart of readiness scores out of 100: Leadership commitment ")
    assert body[1].get("descr").startswith("Bar chart of readiness scores out of 100 in the round of March 1, 2026")
    header = list(report.sections[0].header._element.iter(qn("wp:docPr")))
    assert [p.get("descr") for p in header] == ["Logo of City of Riverbend Office of the City Manager"]
    for d in (report, docx.Document(str(result.out_dir / "talking-points.docx"))):
        xml = d.element.xml + "".join(s.header._element.xml + s.footer._element.xml for s in d.sections)
        assert "readydocs-picture" not in xml


def _template(folder: Path, *paragraphs: str, name: str = "talking-points.docx", title: str | None = None) -> Path:
    folder.mkdir(exist_ok=True)
    d = docx.Document()
    d.add_paragraph("{{ place.name }}")
    for text in paragraphs:
        d.add_paragraph(text)
    if title is not None:
        d.core_properties.title = title
    d.save(folder / name)
    return folder / name


def _build(sample_xlsx, tmp_path, templates: Path, *extra: str):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(sample_xlsx), "-o", str(out), "--templates", str(templates), *extra])
    return result, out


# The reproductions from the issue: through chart (once a docxtpl image holding the live template) a
# template could render its properties unsandboxed, write any file, or read any file into the document.
@pytest.mark.parametrize("expr", [
    "{{ chart.tpl.render_properties({}) }}",
    "{{ chart.tpl.save('EVIL') }}",
    "{{ chart.tpl.docx.save('EVIL') }}",
    "{{ chart.tpl.write_xml('EVIL') }}",
    "{{ chart.tpl.replace_pic('x.png', '/etc/passwd') }}",
    "{{ logo.tpl.save('EVIL') }}",
])
def test_picture_variables_hold_nothing_to_call(sample_xlsx, tmp_path, monkeypatch, expr):
    monkeypatch.chdir(tmp_path)
    path = _template(tmp_path / "tpl", f"Here: {expr}")
    result, out = _build(sample_xlsx, tmp_path, tmp_path / "tpl")
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert lines[0].startswith(f"Error: {path}, paragraph 2, \u201cHere: {{{{ ")
    assert "is a picture; put" in lines[0] and lines[0].endswith("[not-allowed]")
    assert not (tmp_path / "EVIL").exists() and not out.exists()
    # templates check says the same before anyone builds.
    problems = lint_template(path)
    assert [(p.paragraph, p.code) for p in problems] == [(2, "not-allowed")]


def test_template_tags_in_properties_are_reported_and_never_rendered(sample_xlsx, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "RAN"
    evil = f"{{{{ cycler.__init__.__globals__.os.system('touch {marker}') }}}}"
    path = _template(tmp_path / "tpl", "fine", title=evil)
    problems = lint_template(path)
    assert [(p.part, p.code) for p in problems] == [("properties", "template-in-properties")]
    assert problems[0].line().startswith("talking-points.docx: the document properties (title) hold template tags.")
    check = CliRunner().invoke(cli, ["templates", "check", str(tmp_path / "tpl")])
    assert check.exit_code == 1 and "[template-in-properties]" in check.output
    result, out = _build(sample_xlsx, tmp_path, tmp_path / "tpl")
    assert result.exit_code == 0, result.output
    assert not marker.exists()
    assert docx.Document(str(out / "city-of-riverbend" / "talking-points.docx")).core_properties.title == \
        "Talking points: City of Riverbend"


def test_docxtpl_never_renders_properties(sample_xlsx, tmp_path, monkeypatch, framework):
    from docxtpl import DocxTemplate

    def refuse(*a, **k):
        raise AssertionError("render_properties ran")

    monkeypatch.setattr(DocxTemplate, "render_properties", refuse)
    result = build([sample_xlsx], tmp_path / "out", framework)
    assert len(result.written) == 5


def test_properties_past_word_limit_are_shortened_not_a_crash(sample_xlsx, tmp_path, framework):
    """Names are capped by validation (text-too-long); a property can still be long from elsewhere (a framework
    file's title is the subject): Word's 255-character limit shortens it at a word break instead of crashing."""
    import datetime as dt

    from readydocs.context import build_context

    from readydocs.summary import summarise
    from readydocs.assessment import as_of, assess, score_assessment
    from readydocs.render import DocumentProps, render_document

    assessment = assess([sample_xlsx], framework)
    context = build_context(summarise(assessment.responses, score_assessment(assessment), framework, as_of=as_of(assessment)))
    long = ("Readiness for Mobility Action Planning in " + "Riverbend and Lakeside " * 14)[:300]
    props = DocumentProps(title=f"Readiness report: {long}", subject=long, author="Dana Whitfield", language="en-US",
                          keywords="Mobility Action Planning; readiness", when=dt.datetime(2026, 10, 15, 9))
    data = render_document(default_templates_dir() / "readiness-report.docx", context, props)
    cp = docx.Document(io.BytesIO(data)).core_properties
    for shown, full in ((cp.title, props.title), (cp.subject, props.subject)):
        assert len(shown) <= 255 and shown.endswith("\u2026")
        assert full.startswith(shown[:-1]) and full[len(shown) - 1] == " "  # cut at a word break
    assert cp.author == "Dana Whitfield"  # short text is kept exactly as given


@pytest.mark.parametrize("text, fragment", [
    ("{{ place.name.format(1) }}", "templates may call only capitalize, endswith, lower, lstrip, rstrip, split, "
                                   "startswith, strip, title, upper on text"),
    ("{{ place.name.center(10**9) }}", "templates may call only"),
    ("{{ place.name.__class__ }}", "names starting with \u201c_\u201d reach into the program"),
    ("{{ overall.average.bit_length() }}", "overall.average is a single value, with no fields or methods"),
    ("{% for c in conditions %}{{ c.score.real }}{% endfor %}", "conditions.score is a single value"),
    ("{{ cycler.__init__.__globals__ }}", "names starting with \u201c_\u201d"),
    ("{{ range.start }}", "range is one of Jinja's helpers; templates may call it but not reach into it"),
    ("{{ chart.tpl.save('x') }}", "chart is a picture; put \u201c{{ chart }}\u201d on its own"),
    ("{% include 'other.xml' %}", "a template cannot include, import or extend another file"),
    ("{% import 'macros.xml' as m %}", "a template cannot include, import or extend another file"),
    ("{{ chart|upper }}", "\u201cchart|upper\u201d: chart is a picture; a filter would turn it into text."),
])
def test_lint_flags_calls_and_attributes_outside_the_data(tmp_path, text, fragment):
    path = _template(tmp_path / "tpl", "Fine: {{ place.name|upper }} {{ place.name.upper() }}", text)
    problems = lint_template(path)
    assert len(problems) == 1, [p.line() for p in problems]
    p = problems[0]
    assert (p.paragraph, p.code) == (3, "not-allowed")
    assert fragment in p.message


@pytest.mark.parametrize("text", [
    "{{ place.name.upper() }} {{ place.name.strip().title() }} {{ place.name.startswith('City') }}",
    "{% for k, v in place.items() %}{{ k }}{% endfor %} {{ place.get('name') }}",
    "{% set ns = namespace(n=0) %}{% for c in conditions %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}",
    "{% for c in conditions %}{{ loop.index }}{{ c.name.split()|first }}{% endfor %}",
    "{% for g in conditions|groupby('status') %}{{ g.grouper }}: {{ g.list|length }}{% endfor %}",
])
def test_lint_and_sandbox_allow_plain_text_methods(sample_xlsx, tmp_path, text):
    path = _template(tmp_path / "tpl", text)
    assert lint_template(path) == []
    result, out = _build(sample_xlsx, tmp_path, tmp_path / "tpl")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("text, fragment", [
    ("{% include '/etc/passwd' %}", "a template cannot include, import or extend another file."),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "the template calls itself too deeply"),
])
def test_build_refuses_other_files_and_endless_recursion_in_one_line(sample_xlsx, tmp_path, text, fragment):
    path = _template(tmp_path / "tpl", text)
    result, out = _build(sample_xlsx, tmp_path, tmp_path / "tpl")
    assert result.exit_code == 1
    line, = result.stderr.splitlines()
    assert line.startswith(f"Error: {path}, paragraph 2, ") and fragment in line
    assert not out.exists()


def test_placeholder_outside_the_text_is_refused(sample_xlsx, tmp_path):
    """A placeholder changed by a filter would leave its text in the document: refused, naming the part."""
    path = _template(tmp_path / "tpl", "{{ chart|lower|upper }}")
    result, out = _build(sample_xlsx, tmp_path, tmp_path / "tpl", "--chart-image")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: {path}, the document body: a picture placeholder ({{{{ chart }}}}) is not in the plain text of a "
        "paragraph, or was changed by a filter. Put {{ chart }} or {{ logo }} on its own in a paragraph of the body, "
        "a header or a footer, with nothing after the name."]
    assert not out.exists()


@pytest.mark.parametrize("text, message", [
    ("{{ chart }}", "footnotes: a picture placeholder ({{ chart }}) is not in the plain text of a paragraph"),
    ("{{ 'x'|center(10**9) }}", "footnotes, \u201c{{ 'x'|center(10**9) }}\u201d: the center filter's result would be"),
])
def test_footnotes_are_filled_in_the_same_sandbox(sample_xlsx, tmp_path, text, message):
    path = with_footnote(_template(tmp_path / "tpl", "fine"), text)
    result, out = _build(sample_xlsx, tmp_path, path.parent, "--chart-image")
    assert result.exit_code == 1
    line, = result.stderr.splitlines()
    assert line.startswith(f"Error: {path}, {message}"), line
    assert not out.exists()


def test_picture_placed_mid_paragraph_keeps_the_text_around_it(sample_xlsx, tmp_path):
    path = _template(tmp_path / "tpl", "Before {{ chart }} after", name="talking-points.docx")
    result, out = _build(sample_xlsx, tmp_path, path.parent, "--chart-image")
    assert result.exit_code == 0, result.output
    d = docx.Document(str(out / "city-of-riverbend" / "talking-points.docx"))
    para = d.paragraphs[1]
    assert para.text == "Before  after"
    runs = para._p.findall(qn("w:r"))
    assert [bool(r.findall(qn("w:drawing"))) for r in runs] == [False, True, False]
    assert len(d.inline_shapes) == 1 and d.inline_shapes[0]._inline.docPr.get("title") == "Condition scores"


def test_default_templates_render_with_room_to_spare(sample_xlsx, tmp_path, framework, monkeypatch):
    """The limits are far from what the bundled templates need (so no real template meets them)."""
    from readydocs import sandbox

    used = []
    real = sandbox.limits

    def measuring(time_limit=None):
        cm = real(time_limit)

        class Wrap:
            def __enter__(self):
                cm.__enter__()
                self.budget = sandbox._budget.get()

            def __exit__(self, *exc):
                used.append(self.budget.max_operations - self.budget.left)
                return cm.__exit__(*exc)

        return Wrap()

    monkeypatch.setattr(sandbox, "limits", measuring)
    build([sample_xlsx], tmp_path / "out", framework)
    assert len(used) == 3
    assert max(used) * 100 < sandbox.DEFAULT_TIME_LIMIT * sandbox.OPERATIONS_PER_SECOND, used
