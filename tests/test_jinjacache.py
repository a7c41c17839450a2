"""Template parts prepared on disk (jinjacache.py): used when the text is the same, never when it is not.

Each build here runs in a fresh process, as a person's builds do, so nothing
is served from the process's memory; the cache folder is the test's own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from readydocs import jinjacache

BUILD = """
import sys
from pathlib import Path
from readydocs import jinjacache
jinjacache.FOLDER = {folder!r}
if {no_compiling!r}:
    from readydocs.sandbox import TemplateSandbox
    def refuse(*a, **k):
        raise AssertionError("compiled a template part")
    TemplateSandbox.compile = refuse
    TemplateSandbox._parse = refuse
from readydocs.cli import main
sys.argv = ["readydocs", "build", {workbook!r}, "-o", {out!r}, "--templates", {templates!r}, "--force"]
main()
"""


def _build(folder: Path, workbook: Path, out: Path, templates: Path, no_compiling: bool = False):
    code = BUILD.format(folder=str(folder), workbook=str(workbook), out=str(out), templates=str(templates),
                        no_compiling=no_compiling)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)


def _template(folder: Path, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    d = docx.Document()
    d.add_paragraph("{{ place.name }}")
    d.add_paragraph(text)
    d.save(folder / "talking-points.docx")
    return folder / "talking-points.docx"


def _body(out: Path) -> list[str]:
    return [p.text for p in docx.Document(str(out / "city-of-riverbend" / "talking-points.docx")).paragraphs]


def test_a_second_build_prepares_nothing_again(sample_xlsx, tmp_path):
    cache, templates, out = tmp_path / "cache", tmp_path / "templates", tmp_path / "out"
    _template(templates, "Level: {{ overall.label }}")
    # With nothing kept, a build that may not compile fails: the check below can fail.
    refused = _build(cache, sample_xlsx, out, templates, no_compiling=True)
    assert refused.returncode != 0 and "compiled a template part" in refused.stderr
    first = _build(cache, sample_xlsx, out, templates)
    assert first.returncode == 0, first.stderr
    kept = sorted(p.name for p in cache.iterdir())
    assert kept and all(name.endswith(".bin") for name in kept)
    again = _build(cache, sample_xlsx, out, templates, no_compiling=True)
    assert again.returncode == 0, again.stderr
    assert _body(out) == ["City of Riverbend", "Level: Ready while strengthening named conditions"]


def test_a_template_changed_on_disk_never_renders_from_the_cache(sample_xlsx, tmp_path):
    """Same file name, same size, same modification time: only the text differs, and the new text is what renders."""
    cache, templates, out = tmp_path / "cache", tmp_path / "templates", tmp_path / "out"
    path = _template(templates, "Level: {{ overall.label }}")
    assert _build(cache, sample_xlsx, out, templates).returncode == 0
    assert _body(out)[1] == "Level: Ready while strengthening named conditions"
    info = path.stat()
    _template(templates, "Lever: {{ overall.average_text }} of 100")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    changed = _build(cache, sample_xlsx, out, templates)
    assert changed.returncode == 0, changed.stderr
    assert _body(out)[1] == "Lever: 62 of 100"  # the sample's average, 62.35


def test_an_unsafe_template_is_refused_from_the_cache_as_when_compiled(sample_xlsx, tmp_path):
    """The sandbox's checks run when the code runs, so code kept on disk is refused exactly as fresh code is."""
    cache, templates, out = tmp_path / "cache", tmp_path / "templates", tmp_path / "out"
    path = _template(templates, "Before {{ ''.__class__.__mro__ }} after")
    first = _build(cache, sample_xlsx, out, templates)
    second = _build(cache, sample_xlsx, out, templates, no_compiling=True)
    for run in (first, second):
        assert run.returncode == 1
        assert run.stderr.splitlines()[-1].startswith(f"Error: {path}, paragraph 2, \u201cBefore ")
        assert "access to attribute '__class__' of 'str' object is unsafe" in run.stderr
    assert first.stderr == second.stderr
    assert not out.exists()


@pytest.mark.parametrize("damage", ["garbage", "empty", "swapped"])
def test_a_damaged_or_swapped_entry_is_ignored(sample_xlsx, tmp_path, damage):
    cache, templates, out = tmp_path / "cache", tmp_path / "templates", tmp_path / "out"
    _template(templates, "Level: {{ overall.label }}")
    assert _build(cache, sample_xlsx, out, templates).returncode == 0
    entries = sorted(cache.iterdir(), key=lambda p: p.stat().st_size)
    if damage == "swapped":  # each entry holds another text's preparation
        blobs = [p.read_bytes() for p in entries]
        for p, blob in zip(entries, blobs[1:] + blobs[:1]):
            p.write_bytes(blob)
    else:
        for p in entries:
            p.write_bytes(b"" if damage == "empty" else b"\xe3not marshal data" * 50)
    refused = _build(cache, sample_xlsx, tmp_path / "other", templates, no_compiling=True)
    assert refused.returncode != 0 and "compiled a template part" in refused.stderr
    again = _build(cache, sample_xlsx, out, templates)
    assert again.returncode == 0, again.stderr
    assert _body(out) == ["City of Riverbend", "Level: Ready while strengthening named conditions"]


def test_a_folder_that_cannot_be_written_only_costs_time(sample_xlsx, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    templates, out = tmp_path / "templates", tmp_path / "out"
    _template(templates, "Level: {{ overall.label }}")
    run = _build(blocker / "cache", sample_xlsx, out, templates)
    assert run.returncode == 0, run.stderr
    assert _body(out)[1] == "Level: Ready while strengthening named conditions"


def test_entries_are_bounded_in_number_size_and_total(tmp_path, monkeypatch):
    monkeypatch.setattr(jinjacache, "FOLDER", str(tmp_path / "cache"))
    monkeypatch.setattr(jinjacache, "MAX_ENTRIES", 3)
    for n in range(6):
        jinjacache.store("patched", f"text {n}", f"value {n}")
        path = Path(jinjacache.FOLDER) / jinjacache._key("patched", f"text {n}")[0]
        os.utime(path, ns=(n * 10**9, n * 10**9))  # one second apart, oldest first
    jinjacache.store("patched", "text 6", "value 6")
    assert len(list(Path(jinjacache.FOLDER).iterdir())) == 3
    assert [jinjacache.load("patched", f"text {n}") for n in range(7)] == [None] * 4 + ["value 4", "value 5", "value 6"]
    # Another kind of entry for the same text is another entry.
    assert jinjacache.load("compiled", "text 6") is None

    jinjacache.store("patched", "big", "x" * (jinjacache.MAX_ENTRY_BYTES + 1))
    assert jinjacache.load("patched", "big") is None

    monkeypatch.setattr(jinjacache, "MAX_ENTRIES", 64)
    monkeypatch.setattr(jinjacache, "MAX_TOTAL_BYTES", 25_000)
    for n in range(5):
        jinjacache.store("patched", f"long {n}", "y" * 10_000)
    sizes = [p.stat().st_size for p in Path(jinjacache.FOLDER).iterdir()]
    assert sum(sizes) <= 25_000 and jinjacache.load("patched", "long 4") == "y" * 10_000
