"""Templates from elsewhere: a template reaching for Python internals, or misbehaving, fails with one line and writes nothing."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from readydocs.cli import cli
from readydocs.sandbox import environment


def _template(folder: Path, body: str, header: str | None = None, name: str = "talking-points.docx") -> Path:
    folder.mkdir(exist_ok=True)
    d = docx.Document()
    if header is not None:
        d.sections[0].header.paragraphs[0].text = header
    d.add_paragraph("{{ place.name }}")
    d.add_paragraph(body)
    d.save(folder / name)
    return folder / name


@pytest.mark.parametrize("expr,reason", [
    ("{{ ''.__class__ }}", "access to attribute '__class__' of 'str' object is unsafe"),
    ("{{ ''.__class__.__mro__ }}", "access to attribute '__class__' of 'str' object is unsafe"),
    ("{{ place.__class__.__mro__[1].__subclasses__() }}", "access to attribute '__class__' of 'dict' object is unsafe"),
    ("{{ place.name.format.__globals__ }}", "is unsafe"),
    ("{{ tool.__init__ }}", "is unsafe"),
    ("{{ chart.__dict__ }}", "names starting with \u201c_\u201d reach into the program"),
    ("{% for i in range(10**6) %}{% endfor %}", "larger than MAX_RANGE (100000)"),
    ("{{ 'x' * 10**9 }}", "too large for a document"),
    ("{{ 10 ** 1000000 }}", "a number this large is not allowed"),
])
def test_unsafe_template_fails_naming_it_and_writes_nothing(sample_xlsx, tmp_path, expr, reason):
    templates = tmp_path / "templates"
    path = _template(templates, f"Before {expr} after")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(sample_xlsx), "-o", str(out), "--templates", str(templates)])
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert [line for line in lines if line.startswith("Error:")] == lines[-1:]
    # The template's second paragraph holds the expression.
    assert lines[-1].startswith(f"Error: {path}, paragraph 2, \u201cBefore ")
    assert reason in lines[-1]
    assert "Traceback" not in result.output
    assert not out.exists()


def test_unsafe_expression_in_a_header_is_refused_too(sample_xlsx, tmp_path):
    templates = tmp_path / "templates"
    path = _template(templates, "fine", header="{{ place.organization.__class__.__base__ }}", name="readiness-report.docx")
    result = CliRunner().invoke(cli, ["build", str(sample_xlsx), "-o", str(tmp_path / "out"), "--templates", str(templates)])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].startswith(f"Error: {path}, header paragraph 1, \u201c{{{{ place.organization.__class__")
    assert "the template tried something not allowed" in result.stderr.splitlines()[-1]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("expr,words", [
    ("{{ 1 / 0 }}", "ZeroDivisionError"),
    ("{{ place.name|safe }}", "do not use |safe"),  # raw "&" and "<" from the workbook would break the XML
    ("{{ no_such_variable }}", "\u201cno_such_variable\u201d is not a variable readydocs provides."),
    ("{{ place.nickname }}", "\u201cnickname\u201d is not a field of place. Did you mean \u201cname\u201d?"),
    ("{% if %}", "template syntax error"),
])
def test_broken_template_is_one_line_exit_1(sample_xlsx, tmp_path, expr, words):
    from readydocs.workbook import set_named_cells

    set_named_cells(sample_xlsx, {"profile.municipality_name": "Smith & <Sons>"})
    templates = tmp_path / "templates"
    path = _template(templates, expr)
    result = CliRunner().invoke(cli, ["build", str(sample_xlsx), "-o", str(tmp_path / "out"), "--templates", str(templates)])
    assert result.exit_code == 1, result.output
    last = result.stderr.splitlines()[-1]
    assert last.startswith((f"Error: {path}: ", f"Error: {path}, paragraph ")) and words in last, last
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_sandbox_still_allows_ordinary_template_work():
    env = environment()
    out = env.from_string("{{ 'ab' * 3 }} {{ 2 ** 10 }} {{ items|length }} {{ name|upper }} {% for i in range(3) %}{{ i }}{% endfor %}").render(
        items=[1, 2], name="a&b")
    assert out == "ababab 1024 2 A&amp;B 012"


@pytest.mark.parametrize("source", [
    "{{ place.name }}",  # a key
    "{{ place.items() | list | length }}",  # a dict's own method, allowed
    "{{ place.keys }}",  # a method not allowed: unsafe, as before
    "{{ place.__class__ }}",  # an attribute every object has: unsafe
    "{{ place.missing }}",  # neither: undefined
    "{{ place.name.upper() }}",  # text's own method
])
def test_dict_keys_are_looked_up_as_jinja_looks_them_up(source):
    """The sandbox's quick lookup of a dict's keys gives what Jinja's own getattr gives, or the same error."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    from readydocs.sandbox import TemplateSandbox

    context = {"place": {"name": "Ciudad de C\u00f3rdoba", "items": "a key named like a method"}}

    def outcome(env):
        try:
            return env.from_string(source).render(context)
        except Exception as exc:  # noqa: BLE001 - the error itself is compared
            return f"{type(exc).__name__}: {exc}"

    ours = environment()
    jinja_own = environment()
    jinja_own.getattr = lambda obj, attribute: ImmutableSandboxedEnvironment.getattr(jinja_own, obj, attribute)
    assert type(ours).getattr is TemplateSandbox.getattr
    assert outcome(ours) == outcome(jinja_own)
