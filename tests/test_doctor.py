"""readydocs doctor: the facts a support email needs, each on its own line."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from importlib import metadata

from click.testing import CliRunner

from readydocs import __version__, office
from readydocs.cli import cli
from readydocs.doctor import PACKAGES


def _lines(result) -> dict[str, str]:
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in result.output.splitlines()) if v}


def test_reports_versions_office_folder_and_console(tmp_path, monkeypatch):
    monkeypatch.setattr(office, "find_soffice", lambda: "/opt/lo/soffice")
    monkeypatch.setattr(office, "version", lambda path, timeout=30: "LibreOffice 7.4.7.2" if path == "/opt/lo/soffice" else None)
    result = CliRunner().invoke(cli, ["doctor", "-o", str(tmp_path)])
    assert result.exit_code == 0
    lines = _lines(result)
    assert lines["readydocs"] == __version__
    assert lines["Python"].startswith(f"{platform.python_version()} ({platform.python_implementation()}, {sys.executable})")
    for name in PACKAGES:
        assert lines[name] == metadata.version(name), name
    assert lines["LibreOffice"] == "LibreOffice 7.4.7.2, at /opt/lo/soffice."
    assert lines["Output folder"] == f"{tmp_path.resolve()} can be written."
    assert lines["Console encoding"].startswith("utf-8 (shows curly quotes")
    assert result.output.splitlines()[-1] == "No problems found."
    assert list(tmp_path.iterdir()) == []  # the write test leaves nothing behind


def test_reports_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.setattr(office, "find_soffice", lambda: None)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = CliRunner().invoke(cli, ["doctor", "-o", str(blocker / "outputs")])
    lines = _lines(result)
    assert lines["LibreOffice"].startswith("not found (needed only for --pdf). Install LibreOffice")
    assert lines["Output folder"] == f"{(blocker / 'outputs').resolve()} cannot be made: {blocker.resolve()} is a file, not a folder."
    assert result.output.splitlines()[-1] == "2 problems found."
    new = CliRunner().invoke(cli, ["doctor", "-o", str(tmp_path / "not" / "yet")])
    assert _lines(new)["Output folder"] == f"{(tmp_path / 'not' / 'yet').resolve()} does not exist yet; it can be made (in {tmp_path.resolve()})."
    assert not (tmp_path / "not").exists()


def test_names_the_console_encoding_people_actually_have(tmp_path):
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    out = subprocess.run([sys.executable, "-m", "readydocs", "doctor", "-o", str(tmp_path)], capture_output=True, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Console encoding: cp1252 (shows curly quotes, dashes and accents)." in out.stdout.decode("cp1252")
    ascii_only = subprocess.run([sys.executable, "-c", "import sys; sys.stdout.reconfigure(encoding='ascii'); "
                                 "from readydocs.doctor import console_finding; print(console_finding().line())"],
                                capture_output=True, text=True, timeout=60)
    assert ascii_only.stdout.strip() == ("Console encoding: ascii (cannot show every character; readydocs prints plain "
                                         "stand-ins for those it lacks).")


def test_doctor_does_not_load_the_renderers(tmp_path):
    code = ("import sys\nfrom click.testing import CliRunner\nfrom readydocs.cli import cli\n"
            f"r = CliRunner().invoke(cli, ['doctor', '-o', {str(tmp_path)!r}])\n"
            "print(sorted(m for m in ('docx', 'docxtpl', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stderr
