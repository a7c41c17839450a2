"""Files that are not what they claim: each gets one line naming the file, exit 2, and nothing written.

The broken files are made here from the sample workbook, except two that need
outside tools (tests/corpus/make_corpus.py): a real encrypted workbook and a
real Excel 97-2003 file.
"""

from __future__ import annotations

import shutil
import struct
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from readydocs.cli import cli
from readydocs.errors import UnreadableFileError
from readydocs.intake import MAX_PARTS, MAX_UNCOMPRESSED_BYTES
from readydocs.zipguard import check_workbook

CORPUS = Path(__file__).resolve().parent / "corpus"
ROOT = Path(__file__).resolve().parents[1]

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n' for i in range(1, 10))
    + "]>\n"
)
XXE = '<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


def _rewrite(src: Path, dst: Path, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> Path:
    """Copy an xlsx, replacing or adding parts."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
        for name, data in add.items():
            zout.writestr(name, data)
    return dst


def _with_prolog(src: Path, part: str, prolog: str, encoding: str = "utf-8") -> bytes:
    """A part of the sample with a DOCTYPE (and entities) put in front of its root element."""
    with zipfile.ZipFile(src) as z:
        xml = z.read(part).decode("utf-8")
    body = xml.split("?>", 1)[1] if xml.startswith("<?xml") else xml
    text = prolog + body
    if encoding != "utf-8":
        text = text.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>')
    return text.encode(encoding)


def _lying_zip(src: Path, dst: Path) -> Path:
    """A zip whose directory says a sheet is 2 KB while it inflates to 40 MB."""
    with zipfile.ZipFile(src) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    big = sheet.replace(b"<sheetData>", b"<sheetData>" + b" " * (40 * 1024 * 1024), 1)
    _rewrite(src, dst, replace={"xl/worksheets/sheet1.xml": big})
    data = bytearray(dst.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    # local file header: sizes at offset 22 (uncompressed at +22), name length at +26
    local = data.find(b"PK\x03\x04")
    while local != -1:
        nlen = struct.unpack_from("<H", data, local + 26)[0]
        if bytes(data[local + 30: local + 30 + nlen]) == name:
            struct.pack_into("<I", data, local + 22, 2048)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:
        nlen = struct.unpack_from("<H", data, central + 28)[0]
        if bytes(data[central + 46: central + 46 + nlen]) == name:
            struct.pack_into("<I", data, central + 24, 2048)
        central = data.find(b"PK\x01\x02", central + 4)
    dst.write_bytes(bytes(data))
    return dst


def _streamed_zeros(dst: Path, src: Path, name: str, size: int) -> Path:
    shutil.copyfile(src, dst)
    chunk = bytes(1 << 20)
    with zipfile.ZipFile(dst, "a", zipfile.ZIP_DEFLATED) as z, z.open(name, "w", force_zip64=True) as fh:
        for _ in range(size // len(chunk)):
            fh.write(chunk)
    return dst


@pytest.fixture(scope="session")
def corpus(tmp_path_factory, _sample_master) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("corpus")
    sample = _sample_master
    files: dict[str, Path] = {}
    files["missing"] = d / "no-such-file.xlsx"
    (d / "folder.xlsx").mkdir()
    files["directory"] = d / "folder.xlsx"
    (d / "empty.xlsx").write_bytes(b"")
    files["empty"] = d / "empty.xlsx"
    (d / "csv.xlsx").write_text("Municipality,Rating\nRiverbend,3\n", "utf-8")
    files["csv renamed"] = d / "csv.xlsx"
    files["docx renamed"] = shutil.copyfile(ROOT / "templates" / "readiness-report.docx", d / "report.xlsx")
    files["legacy xls"] = shutil.copyfile(CORPUS / "legacy.xls", d / "legacy.xls")
    files["legacy xls renamed"] = shutil.copyfile(CORPUS / "legacy.xls", d / "legacy.xlsx")
    files["encrypted"] = shutil.copyfile(CORPUS / "encrypted.xlsx", d / "encrypted.xlsx")
    ct = zipfile.ZipFile(sample).read("[Content_Types].xml").replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
    files["xlsm"] = _rewrite(sample, d / "macro.xlsm", replace={"[Content_Types].xml": ct}, add={"xl/vbaProject.bin": b"\0" * 512})
    files["xlsm renamed"] = shutil.copyfile(files["xlsm"], d / "macro.xlsx")
    whole = sample.read_bytes()
    (d / "truncated.xlsx").write_bytes(whole[: len(whole) // 2])
    files["truncated zip"] = d / "truncated.xlsx"
    (d / "tail-cut.xlsx").write_bytes(whole[:-30])
    files["truncated zip end"] = d / "tail-cut.xlsx"
    (d / "garbage.xlsx").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    files["zip header then garbage"] = d / "garbage.xlsx"
    with zipfile.ZipFile(d / "plain.xlsx", "w") as z:
        z.writestr("notes.txt", "just a zip")
    files["zip, not a workbook"] = d / "plain.xlsx"
    files["zip bomb (size)"] = _streamed_zeros(d / "bomb-size.xlsx", sample, "xl/media/pad.bin", MAX_UNCOMPRESSED_BYTES + (1 << 20))
    files["zip bomb (ratio)"] = _streamed_zeros(d / "bomb-ratio.xlsx", sample, "xl/media/pad.bin", 12 << 20)
    files["zip bomb (lying sizes)"] = _lying_zip(sample, d / "bomb-lying.xlsx")
    with zipfile.ZipFile(d / "parts.xlsx", "w") as z:
        for i in range(MAX_PARTS + 1):
            z.writestr(f"p/{i}.txt", "")
    files["too many parts"] = d / "parts.xlsx"
    with (d / "huge.xlsx").open("wb") as fh:  # sparse: takes no disk space
        fh.write(b"PK\x03\x04")
        fh.truncate(MAX_UNCOMPRESSED_BYTES + 1)
    files["file past the size limit"] = d / "huge.xlsx"
    data = bytearray(sample.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at != -1:  # set the "encrypted" flag of every entry, as a zip tool's password does
        struct.pack_into("<H", data, at + 8, struct.unpack_from("<H", data, at + 8)[0] | 1)
        at = data.find(b"PK\x01\x02", at + 4)
    (d / "zip-password.xlsx").write_bytes(bytes(data))
    files["zip with a password"] = d / "zip-password.xlsx"
    files["billion laughs (workbook.xml)"] = _rewrite(
        sample, d / "laughs.xlsx", replace={"xl/workbook.xml": _with_prolog(sample, "xl/workbook.xml", BILLION_LAUGHS)})
    files["external entity (sheet)"] = _rewrite(
        sample, d / "xxe.xlsx", replace={"xl/worksheets/sheet2.xml": _with_prolog(sample, "xl/worksheets/sheet2.xml", XXE)})
    padded = '<?xml version="1.0"?>\n<!--' + "x" * 200_000 + "-->\n" + XXE.split("\n", 1)[1]
    files["external entity after a long comment"] = _rewrite(
        sample, d / "xxe-padded.xlsx", replace={"xl/worksheets/sheet3.xml": _with_prolog(sample, "xl/worksheets/sheet3.xml", padded)})
    files["entities in UTF-16"] = _rewrite(
        sample, d / "laughs-utf16.xlsx",
        replace={"xl/worksheets/sheet2.xml": _with_prolog(sample, "xl/worksheets/sheet2.xml", BILLION_LAUGHS, "utf-16")})
    files["external entity (relationships)"] = _rewrite(
        sample, d / "xxe-rels.xlsx", replace={"_rels/.rels": _with_prolog(sample, "_rels/.rels", XXE)})
    return files


# (case, words the one line must contain after "Error: <path>: ")
CASES = [
    ("missing", "no such file."),
    ("directory", "is a folder, not a workbook."),
    ("empty", "the file is empty."),
    ("csv renamed", "is not an Excel .xlsx workbook."),
    ("docx renamed", "is a Word document, not an Excel workbook."),
    ("legacy xls", "is a legacy Excel 97-2003 (.xls)"),
    ("legacy xls renamed", "is a legacy Excel 97-2003 (.xls)"),
    ("encrypted", "is a password-protected workbook"),
    ("xlsm", "is a macro-enabled workbook (.xlsm)."),
    ("xlsm renamed", "is a macro-enabled workbook (.xlsm)."),
    ("truncated zip", "the file is damaged (not a complete .xlsx archive)."),
    ("truncated zip end", "the file is damaged (not a complete .xlsx archive)."),
    ("zip header then garbage", "the file is damaged (not a complete .xlsx archive)."),
    ("zip, not a workbook", "is not an Excel .xlsx workbook."),
    ("zip bomb (size)", f"past the {MAX_UNCOMPRESSED_BYTES // (1 << 20)} MB limit for an intake workbook."),
    ("zip bomb (ratio)", "as a zip bomb does; it was not opened."),
    ("zip bomb (lying sizes)", "the file is damaged (not a complete .xlsx archive)."),
    ("too many parts", f"far more than an intake workbook (limit {MAX_PARTS})."),
    ("file past the size limit", f"is larger than the {MAX_UNCOMPRESSED_BYTES // (1 << 20)} MB limit for an intake workbook."),
    ("zip with a password", "is an encrypted zip archive, not an Excel workbook."),
    ("billion laughs (workbook.xml)", "part xl/workbook.xml declares XML entities or a DOCTYPE"),
    ("external entity (sheet)", "part xl/worksheets/sheet2.xml declares XML entities or a DOCTYPE"),
    ("external entity after a long comment", "part xl/worksheets/sheet3.xml declares XML entities or a DOCTYPE"),
    ("entities in UTF-16", "part xl/worksheets/sheet2.xml declares XML entities or a DOCTYPE"),
    ("external entity (relationships)", "part _rels/.rels declares XML entities or a DOCTYPE"),
]
HINTS = {
    "missing": "readydocs init", "directory": "Give the path", "encrypted": "remove the password",
    "legacy xls": "save it as an Excel Workbook (.xlsx)", "xlsm": "Save it as a plain .xlsx workbook",
    "truncated zip": "Use an earlier copy", "zip bomb (size)": "readydocs init",
}


def test_every_case_is_listed(corpus):
    assert {c for c, _ in CASES} == set(corpus)


@pytest.mark.parametrize("case,expected", CASES, ids=[c for c, _ in CASES])
@pytest.mark.parametrize("command", ["validate", "score", "build"])
def test_broken_file_gets_one_line_and_exit_2(corpus, tmp_path, case, expected, command):
    path = corpus[case]
    out = tmp_path / "out"
    args = [command, str(path)] + (["-o", str(out)] if command == "build" else [])
    before = path.read_bytes() if path.is_file() else None
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"Error: {path}: "), lines[0]
    assert expected in lines[0]
    if case in HINTS:
        assert HINTS[case].casefold() in lines[0].casefold()
    assert "Traceback" not in result.output
    assert not out.exists()
    if before is not None:
        assert path.read_bytes() == before


def test_bombs_are_refused_before_anything_is_inflated(corpus, monkeypatch):
    """The size checks use the zip directory alone: no part of a bomb is ever opened."""
    opened = []
    real_open = zipfile.ZipFile.open

    def spy(self, name, *a, **k):
        opened.append(name if isinstance(name, str) else name.filename)
        return real_open(self, name, *a, **k)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    for case in ("zip bomb (size)", "zip bomb (ratio)", "too many parts"):
        opened.clear()
        with pytest.raises(UnreadableFileError):
            check_workbook(corpus[case])
        assert opened == [], case


def test_lying_zip_never_inflates_past_its_declared_size(corpus):
    """Python's zipfile stops at the declared size and fails the CRC: the basis of the size check."""
    with zipfile.ZipFile(corpus["zip bomb (lying sizes)"]) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
        assert info.file_size == 2048
        with pytest.raises(zipfile.BadZipFile), z.open(info) as fh:
            assert len(fh.read()) <= 2048


def test_entity_refusal_does_not_depend_on_the_scan(corpus, monkeypatch, framework):
    """Even past check_workbook, openpyxl parses with defusedxml: the entity is refused, not expanded."""
    import openpyxl

    from readydocs import intake, zipguard

    assert openpyxl.DEFUSEDXML is True
    monkeypatch.setattr(zipguard, "_declares_dtd", lambda zf, info: False)
    with pytest.raises(UnreadableFileError) as info:
        intake.read_intake(corpus["external entity (sheet)"], framework)
    assert "declares XML entities or a DOCTYPE" in str(info.value)
    assert info.value.exit_code == 2


def test_excel_escapes_for_control_characters_are_decoded(sample_xlsx, framework):
    """Excel writes a vertical tab as _x000B_ and a carriage return as _x000D_; they are read as the characters."""
    from readydocs.workbook import set_named_cells
    from readydocs.intake import read_intake

    set_named_cells(sample_xlsx, {
        "profile.departments": "Housing_x000B_Parks_x000D_\nLibrary",
        "profile.priorities": "Keep _x0041_ and _x00e9_ as typed",
    })
    intake = read_intake(sample_xlsx, framework)
    assert intake.profile["departments"].value == "Housing\x0bParks\r\nLibrary"
    assert intake.profile["priorities"].value == "Keep _x0041_ and _x00e9_ as typed"
