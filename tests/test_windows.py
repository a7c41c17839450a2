"""Windows, checked from here: consoles without UTF-8, Windows paths, reserved names, MAX_PATH, LibreOffice's folders."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path, PureWindowsPath

import pytest
from click.testing import CliRunner

from readydocs import office
from readydocs.actionplan import FILENAME as PLAN_FILE
from readydocs.cli import cli
from readydocs.console import HANDLER
from readydocs.places import MAX_SLUG, slugify
from readydocs.errors import UnreadableFileError
from readydocs.handout import Respondent, copy_path
from readydocs.outputs import MANIFEST_NAME, backup_name
from readydocs.paths import typed_path, windows_path_length
from readydocs.catalogue import DOCUMENTS
from readydocs.workbook import set_named_cells

ROOT = Path(__file__).resolve().parents[1]

ODD = "\U0001F6B2 \u201cmaybe\u201d \u6771\u4eac \u2192 caf\u00e9"
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def _run(args, encoding, cwd):
    env = {**os.environ, "PYTHONIOENCODING": encoding, "PYTHONUTF8": "0"}
    return subprocess.run([sys.executable, "-m", "readydocs", *map(str, args)], capture_output=True, cwd=cwd, env=env,
                          timeout=120)


@pytest.fixture
def odd_workbook(sample_xlsx):
    return set_named_cells(sample_xlsx, {"rating.LEAD_1": ODD, "profile.advocate_email": "\U0001F600@x"})


@pytest.mark.parametrize("encoding", ["cp1252", "cp437", "cp850", "ascii"])
def test_a_console_without_utf8_never_crashes(odd_workbook, encoding):
    result = _run(["validate", odd_workbook.name], encoding, odd_workbook.parent)
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr and b"UnicodeEncodeError" not in result.stderr
    if encoding == "cp1252":
        out, err = result.stdout.decode("cp1252"), result.stderr.decode("cp1252")
        # Readable stand-ins: what cp1252 has stays (curly quotes, the accent), the rest becomes plain text or "?".
        assert "LEAD-1: '? \u201cmaybe\u201d ?? -> caf\u00e9' is not on the rating scale." in err
        assert "'?@x' does not look like an email address." in out
    if encoding == "cp437":  # the Command Prompt's code page in the US: no curly quotes at all
        err = result.stderr.decode("cp437")
        assert "LEAD-1: '? \"maybe\" ?? -> caf\u00e9' is not on the rating scale." in err


def test_json_on_such_a_console_loses_nothing(odd_workbook):
    result = _run(["validate", "--json", odd_workbook.name], "cp1252", odd_workbook.parent)
    report = json.loads(result.stdout.decode("ascii"))  # escaped, so plain ASCII
    assert any(ODD in p["message"] for p in report["problems"])


@pytest.mark.parametrize("args", [["docs", "workbook"], ["docs", "templates"], ["--help"], ["score", "SAMPLE"]])
def test_our_own_text_prints_on_cp1252(args, sample_xlsx):
    args = [str(sample_xlsx) if a == "SAMPLE" else a for a in args]
    result = _run(args, "cp1252", sample_xlsx.parent)
    assert result.returncode == 0, result.stderr.decode("cp1252", "replace")
    assert result.stdout


def test_the_fallback_handler_names():
    assert "\u2192 \U0001F6B2 \u2014".encode("ascii", HANDLER) == b"-> ? -"
    assert "caf\u00e9 \u201cx\u201d".encode("ascii", HANDLER) == b'cafe "x"'


# -- paths --------------------------------------------------------------------

@pytest.mark.parametrize("typed", [r"C:\Users\Ana Ruiz\Documents\logo.png", "C:/Users/Ana Ruiz/Documents/logo.png",
                                   r'"C:\Users\Ana Ruiz\Documents\logo.png"', r"c:\Users/Ana Ruiz\Documents/logo.png"])
def test_windows_paths_mean_the_same_file_either_way(typed):
    path = typed_path(typed, windows=True)
    assert PureWindowsPath(str(path)) == PureWindowsPath(r"C:\Users\Ana Ruiz\Documents\logo.png")


@pytest.mark.parametrize("typed", [r"\\cityhall\shared\logo.png", "//cityhall/shared/logo.png",
                                   r"\\?\UNC\cityhall\shared\logo.png", r'"\\cityhall\shared\tpl"'])
@pytest.mark.parametrize("windows", [True, False])
def test_network_paths_are_refused(typed, windows):
    with pytest.raises(UnreadableFileError, match=r"is a network \(UNC\) path"):
        typed_path(typed, windows=windows)


def test_elsewhere_backslashes_are_folders_and_drive_paths_are_named():
    assert typed_path(r"branding\logo.png", windows=False) == Path("branding/logo.png")
    with pytest.raises(UnreadableFileError) as exc:
        typed_path(r"C:\Users\Ana\logo.png", windows=False)
    assert str(exc.value) == (r"C:\Users\Ana\logo.png: is a Windows path (drive C:), and this computer is not running "
                              "Windows. Give the path as this computer names it.")


def test_logo_and_templates_options_take_backslash_paths(sample_xlsx, tmp_path, monkeypatch):
    runner = CliRunner()
    monkeypatch.chdir(tmp_path)
    bad = runner.invoke(cli, ["build", str(sample_xlsx), "--logo", r"\\cityhall\shared\logo.png"])
    assert bad.exit_code == 2
    assert r"\\cityhall\shared\logo.png: is a network (UNC) path" in bad.output
    missing = runner.invoke(cli, ["build", str(sample_xlsx), "--templates", r"my templates\set"])
    assert missing.exit_code == 2 and "my templates/set: no such folder." in missing.output
    Path("my templates/set").mkdir(parents=True)
    ok = runner.invoke(cli, ["build", str(sample_xlsx), "--templates", r"my templates\set", "-o", "out"])
    assert ok.exit_code == 0, ok.output


# -- names and lengths --------------------------------------------------------

def _reserved(name: str) -> bool:
    stem = name.split(".")[0].rstrip(" ").lower()
    return stem in WINDOWS_RESERVED or name != name.rstrip(". ") or any(c in name for c in '<>:"/\\|?*')


@pytest.mark.parametrize("who", ["CON", "nul.", "Com1 ", "lpt9", "AUX..", "prn ", "  con  ", "CON.txt"])
def test_no_output_name_is_reserved_on_windows(who, tmp_path):
    when = dt.datetime(2026, 10, 15, 9, 0)
    names = [f for f, _ in DOCUMENTS] + ["scores.json", PLAN_FILE, MANIFEST_NAME]
    names += [n.replace(".docx", ".pdf") for n in names if n.endswith(".docx")]
    names += [backup_name(tmp_path / n, when).name for n in names]
    names += [slugify(who), copy_path(tmp_path / "intake.xlsx", Respondent(who)).name, copy_path(tmp_path / "CON.xlsx", Respondent("x")).name]
    assert not [n for n in names if _reserved(n)]


def test_output_paths_fit_windows_max_path_under_documents():
    root = r"C:\Users\alexandria.montgomery-whitfield\Documents\readydocs\outputs"
    slug = slugify("Consolidated City and County of " + "Very Long Name " * 20)
    assert len(slug) == MAX_SLUG
    when = dt.datetime(2026, 10, 15, 9, 0)
    longest = max([f for f, _ in DOCUMENTS] + [PLAN_FILE, "scores.json"], key=len)
    stem, suffix = backup_name(Path(longest), when).name.rsplit(".", 1)
    edited = f"{stem}-99.{suffix}"  # the 99th edited copy kept in one second
    temp = f".{edited}.abcdefgh.tmp"  # write_atomic's temporary file beside it
    for name in (longest, edited, temp):
        assert windows_path_length(root, slug, name) < 260, name
    assert windows_path_length(root, slug, temp) == len(root) + 1 + MAX_SLUG + 1 + len(temp)


# -- LibreOffice on Windows ---------------------------------------------------

def _fake_soffice(folder: Path) -> Path:
    exe = folder / "soffice.exe"
    exe.parent.mkdir(parents=True)
    exe.write_bytes(b"MZ")
    exe.chmod(0o755)
    return exe


@pytest.mark.parametrize("var, layout", [
    ("ProgramFiles", "LibreOffice/program"), ("ProgramFiles(x86)", "LibreOffice/program"),
    ("ProgramW6432", "LibreOffice/program"), ("LOCALAPPDATA", "Programs/LibreOffice/program"),
    ("ProgramFiles", "LibreOffice 4/program"),
])
def test_libreoffice_found_in_its_windows_folders(tmp_path, monkeypatch, var, layout):
    exe = _fake_soffice(tmp_path / "D-drive" / layout)
    monkeypatch.delenv("READYDOCS_SOFFICE", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    for other in office.WINDOWS_FOLDERS:
        monkeypatch.delenv(other, raising=False)
    monkeypatch.setenv(var, str(tmp_path / "D-drive"))
    assert office.find_soffice() == str(exe)


def test_windows_environment_names_are_read_as_windows_spells_them(tmp_path):
    exe = _fake_soffice(tmp_path / "LibreOffice" / "program")
    assert office.windows_locations({"PROGRAMFILES": str(tmp_path)})[0] == str(exe)
    assert office.windows_locations({}) == []


def _blocks_after(text: str, heading: str) -> list[str]:
    part = text.split(heading, 1)[1]
    return part.split("```\n", 2)[1].strip().splitlines()


def test_readme_windows_steps_are_exact_for_powershell_and_command_prompt():

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert _blocks_after(readme, "Windows, PowerShell:") == [
        "py -m venv .venv", r".venv\Scripts\Activate.ps1", "pip install .", "readydocs init my-city.xlsx"]
    assert _blocks_after(readme, "Windows, Command Prompt:") == [
        "py -m venv .venv", r".venv\Scripts\activate.bat", "pip install .", "readydocs init my-city.xlsx"]
    assert _blocks_after(readme, "macOS (Terminal):")[:2] == ["python3 -m venv .venv", "source .venv/bin/activate"]


def test_atomic_replace_when_windows_holds_the_file_open(tmp_path, monkeypatch):
    """Windows refuses to replace a file Word or Excel has open; the old file stays and no temporary file is left."""
    from readydocs import outputs
    from readydocs.errors import WriteError

    target = tmp_path / "readiness-report.docx"
    target.write_bytes(b"the edited report")

    def locked(src, dst):
        raise PermissionError(13, "The process cannot access the file because it is being used by another process")

    monkeypatch.setattr(outputs.os, "replace", locked)
    with pytest.raises(WriteError) as exc:
        outputs.write_atomic(target, b"new")
    assert str(exc.value) == (f"{target}: cannot write the file (The process cannot access the file because it is being "
                              "used by another process). Check that the folder can be written to, and close the file if "
                              "it is open in Word or Excel.")
    assert target.read_bytes() == b"the edited report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["readiness-report.docx"]


def test_no_posix_only_calls_in_the_package():

    import ast

    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "src" / "readydocs").rglob("*.py"))
    for call in ("os.getuid", "os.geteuid", "os.symlink", "os.mkfifo", "os.fork", "signal.SIGKILL"):
        assert call not in source, call
    # fcntl (POSIX only) may be imported only where its absence is handled: in a try with `except ImportError`.
    for path in (ROOT / "src" / "readydocs").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        guarded = {id(node) for t in ast.walk(tree) if isinstance(t, ast.Try)
                   and any(isinstance(h.type, ast.Name) and h.type.id == "ImportError" for h in t.handlers)
                   for node in t.body}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if "fcntl" in names:
                    assert id(node) in guarded, f"{path.name}, line {node.lineno}: fcntl imported without a fallback"


def test_without_fcntl_a_folder_is_locked_by_filelock(tmp_path, monkeypatch):
    """Without fcntl (Windows) the lock is filelock's, and it still keeps a second build out."""
    import filelock  # noqa: F401  (loaded first, so it keeps its real lock for the tests after this one)

    from readydocs import outputs

    monkeypatch.setitem(sys.modules, "fcntl", None)  # importing it fails, as on Windows
    release = outputs._hold(tmp_path / ".readydocs-lock", 1.0)
    with pytest.raises(outputs._Busy):
        outputs._hold(tmp_path / ".readydocs-lock", 0.1)
    release()
    outputs._hold(tmp_path / ".readydocs-lock", 0.1)()
