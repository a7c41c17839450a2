"""Template lint: one broken template per problem, each with the message a person would see."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from readydocs.cli import cli
from readydocs.lint import lint_folder, lint_template
from readydocs.render import default_templates_dir
from readydocs.variables import reference

REPORT = "readiness-report.docx"


@pytest.fixture(scope="module")
def ref():
    return reference()


def _with_paragraphs(tmp_path: Path, texts: list[str], name: str = REPORT) -> tuple[Path, int]:
    """The default template with paragraphs appended; returns the path and the first new paragraph's number."""
    d = docx.Document(str(default_templates_dir() / name))
    first = len(list(d.element.body.iter(qn("w:p")))) + 1
    for t in texts:
        d.add_paragraph(t)
    path = tmp_path / name
    d.save(path)
    return path, first


def _one(problems):
    assert len(problems) == 1, [p.line() for p in problems]
    return problems[0]


def test_default_templates_are_clean(ref):
    problems, notes = lint_folder(None)
    assert problems == [] and notes == []


@pytest.mark.parametrize("texts, offset, code, fragment", [
    (["{{ place.name + }}"], 0, "syntax-error", "template syntax error: unexpected 'end of print statement'"),
    (["{% if sponsor.given %}Signed"], 0, "syntax-error", "the {% if %} started here is never closed"),
    (["{%p for c in conditions %}", "{{ c.name }}"], 0, "syntax-error", "the {% for %} started here is never closed"),
    (["{% endif %}"], 0, "syntax-error", "Encountered unknown tag 'endif'"),
    (["Prepared for {{ plaec.name }}"], 0, "unknown-variable", "\u201cplaec\u201d is not a variable readydocs provides. Did you mean \u201cplace\u201d?"),
    (["Prepared for {{ place.nmae }}"], 0, "unknown-variable", "\u201cplace.nmae\u201d: \u201cnmae\u201d is not a field of place. Did you mean \u201cname\u201d?"),
    (["{%p for c in conditions %}", "{{ c.name }} scored {{ c.scroe }}", "{%p endfor %}"], 1, "unknown-variable",
     "\u201cc.scroe\u201d: \u201cscroe\u201d is not a field of each item of conditions. Did you mean \u201cscore\u201d?"),
    (["{% for n in conditions[0].notes %}{{ n.txt }}{% endfor %}"], 0, "unknown-variable",
     "\u201cn.txt\u201d: \u201ctxt\u201d is not a field of each item of conditions[].notes. Did you mean \u201ctext\u201d?"),
    (["{{ place.name|uppercase }}"], 0, "unknown-filter", "there is no filter named \u201cuppercase\u201d. Did you mean \u201cupper\u201d?"),
    (["{% if place.name is nothing %}x{% endif %}"], 0, "unknown-test", "there is no test named \u201cnothing\u201d"),
    (["Prepared for {{ place.", "name }}"], 0, "unclosed-tag", "has no closing \u201c}}\u201d in this paragraph"),
    (["{% if overall.id == \u2018strengthen\u2019 %}Soon{% endif %}"], 0, "smart-quote", "contains curly quotes (\u2018 \u2019)"),
    (["{%p if sponsor.given %} Signed by the sponsor", "x", "{%p endif %}"], 0, "text-beside-p-tag",
     "\u201cSigned by the sponsor\u201d shares a paragraph with a {%p %} tag"),
])
def test_each_broken_template_gives_one_problem(tmp_path, ref, texts, offset, code, fragment):
    path, first = _with_paragraphs(tmp_path, texts)
    p = _one(lint_template(path, ref))
    assert (p.template, p.part, p.paragraph, p.code) == (REPORT, "body", first + offset, code)
    assert fragment in p.message
    assert p.text == " ".join(texts[offset].split())
    assert p.line().startswith(f"{REPORT}, paragraph {first + offset}, \u201c")
    assert p.line().endswith(f"[{code}]")


def test_tag_split_across_runs_that_rendering_repairs_is_not_a_problem(tmp_path, ref):
    d = docx.Document(str(default_templates_dir() / REPORT))
    para = d.add_paragraph("Prepared for {{ pla")
    para.add_run("ce.na").bold = True
    para.add_run("me }} today")
    path = tmp_path / REPORT
    d.save(path)
    assert lint_template(path, ref) == []


def test_tag_split_into_a_hyperlink_cannot_be_repaired(tmp_path, ref):
    d = docx.Document(str(default_templates_dir() / REPORT))
    para = d.add_paragraph("Prepared for {{ place.")
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), "top")
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "name }}"
    run.append(t)
    link.append(run)
    para._p.append(link)
    path = tmp_path / REPORT
    d.save(path)
    p = _one(lint_template(path, ref))
    assert p.code == "split-tag" and "cannot repair" in p.message
    assert p.text == "Prepared for {{ place.name }}"


def test_problem_in_a_header_and_in_a_table_cell_say_where(tmp_path, ref):
    d = docx.Document(str(default_templates_dir() / REPORT))
    d.sections[0].header.paragraphs[-1].text = "{{ place.orgnization }}"
    table = d.tables[0]
    cell_para = table.rows[2].cells[1].paragraphs[0]
    cell_para.text = "{{ c.score_txt }}"
    path = tmp_path / REPORT
    d.save(path)
    problems = lint_template(path, ref)
    assert sorted((p.part, p.paragraph is not None, p.where, p.code) for p in problems) == [
        ("body", True, "table 1, row 3, cell 2", "unknown-variable"),
        ("header", True, "", "unknown-variable"),
    ]
    header, cell = sorted(p.line() for p in problems)
    assert "(table 1, row 3, cell 2)" in cell and "Did you mean \u201cscore_text\u201d?" in cell
    assert header.startswith(f"{REPORT}, header paragraph 4, \u201c{{{{ place.orgnization }}}}\u201d")
    assert "Did you mean \u201corganization\u201d?" in header


def test_not_a_docx_is_one_problem(tmp_path, ref):
    path = tmp_path / REPORT
    path.write_text("not a Word file")
    p = _one(lint_template(path, ref))
    assert p.code == "not-a-template" and p.paragraph is None


def test_cli_check_exit_codes_and_output(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(cli, ["templates", "check"])
    assert ok.exit_code == 0 and "No problems found." in ok.output

    folder = tmp_path / "mine"
    folder.mkdir()
    _with_paragraphs(folder, ["{{ place.nmae }}"])
    (folder / "Talking Points.docx").write_bytes((default_templates_dir() / "talking-points.docx").read_bytes())
    bad = runner.invoke(cli, ["templates", "check", str(folder)])
    assert bad.exit_code == 1
    assert "internal-launch-memo.docx: not in" in bad.output and "the default template is used" in bad.output
    assert "Talking Points.docx: not used." in bad.output
    assert f"{REPORT}, paragraph " in bad.output and "[unknown-variable]" in bad.output

    missing = runner.invoke(cli, ["templates", "check", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2
