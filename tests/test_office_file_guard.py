"""Every Word file readydocs opens (build --templates, templates check, check-docs) goes through the zip guard,
and templates that would fetch content from elsewhere are refused."""

from __future__ import annotations

import struct
import time
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from readydocs.cli import cli
from readydocs.render import default_templates_dir

REPORT = "readiness-report.docx"


def _zip(dst: Path, entries: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip written by hand from (name, raw deflate data, uncompressed size, crc) entries."""
    local, central = bytearray(), bytearray()
    for name, data, size, crc in entries:
        n = name.encode()
        offset = len(local)
        local += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(n), 0) + n + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
                               len(n), 0, 0, 0, 0, 0, offset) + n
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central), len(local), 0)
    dst.write_bytes(bytes(local) + bytes(central) + end)
    return dst


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    """The default report with a document.xml that really inflates to 2 GB, in a file of about 2 MB.

    The 2 GB are 2,048 copies of one compressed megabyte: a full flush makes each copy an
    independent piece of the same deflate stream, so the file is made in a second.
    """
    src = zipfile.ZipFile(default_templates_dir() / REPORT)
    entries = [(i.filename, _deflate(src.read(i)), i.file_size, zlib.crc32(src.read(i)))
               for i in src.infolist() if i.filename != "word/document.xml"]
    block = b" " * (1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    copies = 2048
    crc = 0
    for _ in range(copies):
        crc = zlib.crc32(block, crc)
    stream = piece * copies + zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    entries.append(("word/document.xml", stream, copies * len(block), crc))
    path = _zip(tmp_path_factory.mktemp("bomb") / REPORT, entries)
    assert path.stat().st_size < 3 * 1024 * 1024
    assert zipfile.ZipFile(path).getinfo("word/document.xml").file_size == 2 * 1024 ** 3
    return path


def _run(args: list[str]):
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = CliRunner().invoke(cli, args)
        took = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, took, peak


def test_the_bomb_is_real(bomb):
    """Reading a little of it shows it inflates (the guard must never get this far)."""
    with zipfile.ZipFile(bomb) as z, z.open("word/document.xml") as fh:
        assert fh.read(1 << 20) == b" " * (1 << 20)


@pytest.mark.parametrize("command", ["build", "check", "check-docs"])
def test_zip_bomb_refused_in_one_line_quickly_and_small(bomb, sample_xlsx, tmp_path, command):
    args = {"build": ["build", str(sample_xlsx), "-o", str(tmp_path / "out"), "--templates", str(bomb.parent)],
            "check": ["templates", "check", str(bomb.parent)],
            "check-docs": ["check-docs", str(bomb)]}[command]
    result, took, peak = _run(args)
    assert result.exit_code in (1, 2), result.output
    reason = "expands to 2048 MB, past the 100 MB limit for a "
    lines = [line for line in result.output.splitlines() if reason in line]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    if command == "check":
        assert lines[0].startswith(f"{REPORT}: expands to 2048 MB") and lines[0].endswith("[not-a-template]")
        assert result.exit_code == 1
    else:
        assert lines[0].startswith(f"Error: {bomb}: expands to 2048 MB")
    assert not (tmp_path / "out").exists()
    assert took < (30 if command == "build" else 10), took  # build reads and scores the workbook first
    assert peak < 100 * 1024 * 1024, f"{peak / 1e6:.0f} MB"


def _linked(tmp_path: Path, how: str) -> Path:
    d = docx.Document(str(default_templates_dir() / REPORT))
    part = d.part
    para = d.add_paragraph("Linked: ")
    if how == "image":
        rid = part.relate_to("http://example.invalid/pixel.png", RT.IMAGE, is_external=True)
        para._p.append(OxmlElement("w:r"))
        para.runs[-1]._r.append(OxmlElement("w:t"))
        # A picture whose blip links (r:link) to the web address instead of embedding it.
        para.runs[-1]._r.append(_linked_picture(rid))
    elif how == "altChunk":
        part.relate_to("http://example.invalid/chunk.html",
                       "http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk", is_external=True)
    elif how == "oleObject":
        part.relate_to("file:///etc/passwd", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject",
                       is_external=True)
    elif how == "attachedTemplate":
        d.part._settings_part.relate_to("http://example.invalid/normal.dotm",
                                  "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate",
                                  is_external=True)
    elif how.startswith("field:"):
        _field(para, how.split(":", 1)[1])
    elif how == "hyperlink":
        rid = part.relate_to("https://www.example.org/guide", RT.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), rid)
        run = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = "the planning guide"
        run.append(t)
        link.append(run)
        para._p.append(link)
    path = tmp_path / "tpl" / REPORT
    path.parent.mkdir(exist_ok=True)
    d.save(path)
    return path


def _linked_picture(rid: str):
    from docx.oxml import parse_xml

    return parse_xml(
        '<w:drawing xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<wp:inline><wp:extent cx="9525" cy="9525"/><wp:docPr id="901" name="pixel" descr="A pixel"/>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic>'
        '<pic:nvPicPr><pic:cNvPr id="0" name="pixel.png"/><pic:cNvPicPr/></pic:nvPicPr>'
        f'<pic:blipFill><a:blip r:link="{rid}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
        '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="9525" cy="9525"/></a:xfrm><a:prstGeom prst="rect"/></pic:spPr>'
        '</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing>')


def _field(para, code: str) -> None:
    """A complex field, its instruction split over two runs as Word often writes it."""
    def run(child):
        r = OxmlElement("w:r")
        r.append(child)
        para._p.append(r)

    for kind, text in (("begin", None), (None, code[:9]), (None, code[9:]), ("separate", None), (None, "shown"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif kind is None and text != "shown":
            el = OxmlElement("w:instrText")
            el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = text
        run(el)


@pytest.mark.parametrize("how, part, what", [
    ("image", "word/_rels/document.xml.rels", "a linked image at http://example.invalid/pixel.png"),
    ("altChunk", "word/_rels/document.xml.rels", "an embedded chunk of another document (altChunk, http://example.invalid/chunk.html)"),
    ("oleObject", "word/_rels/document.xml.rels", "a linked oleObject at file:///etc/passwd"),
    ("attachedTemplate", "word/_rels/settings.xml.rels", "a linked attachedTemplate at http://example.invalid/normal.dotm"),
    ('field: INCLUDEPICTURE "http://example.invalid/a.png" \\d', "word/document.xml", "a INCLUDEPICTURE field"),
    ('field: INCLUDETEXT "C:\\\\secret.docx"', "word/document.xml", "a INCLUDETEXT field"),
    ('field: LINK Excel.Sheet.12 "C:\\\\book.xlsx" "Sheet1!R1C1"', "word/document.xml", "a LINK field"),
])
def test_template_with_linked_content_is_refused(sample_xlsx, tmp_path, how, part, what):
    path = _linked(tmp_path, how)
    check = CliRunner().invoke(cli, ["templates", "check", str(path.parent)])
    assert check.exit_code == 1
    found = [line for line in check.output.splitlines() if "[linked-content]" in line]
    assert len(found) == 1, check.output
    assert found[0].startswith(f"{REPORT}: part {part} holds {what}")
    built = CliRunner().invoke(cli, ["build", str(sample_xlsx), "-o", str(tmp_path / "out"), "--templates", str(path.parent)])
    assert built.exit_code == 1
    line, = built.stderr.splitlines()
    assert line.startswith(f"Error: {path}: part {part} holds {what}")
    assert not (tmp_path / "out").exists()


def test_hyperlinks_to_web_pages_stay_allowed(sample_xlsx, tmp_path):
    path = _linked(tmp_path, "hyperlink")
    check = CliRunner().invoke(cli, ["templates", "check", str(path.parent)])
    assert check.exit_code == 0, check.output
    built = CliRunner().invoke(cli, ["build", str(sample_xlsx), "-o", str(tmp_path / "out"), "--templates", str(path.parent)])
    assert built.exit_code == 0, built.output
    d = docx.Document(str(tmp_path / "out" / "city-of-riverbend" / REPORT))
    assert any(r.target_ref == "https://www.example.org/guide" for r in d.part.rels.values() if r.is_external)


def _damaged(tmp_path: Path) -> Path:
    src = zipfile.ZipFile(default_templates_dir() / REPORT)
    path = tmp_path / "tpl" / REPORT
    path.parent.mkdir(exist_ok=True)
    with zipfile.ZipFile(path, "w") as z:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data[: len(data) // 2]  # cut off mid-way, as a failed copy leaves it
            z.writestr(info, data)
    return path


def test_damaged_template_says_which_part_is_broken(sample_xlsx, tmp_path):
    path = _damaged(tmp_path)
    built = CliRunner().invoke(cli, ["build", str(sample_xlsx), "-o", str(tmp_path / "out"), "--templates", str(path.parent)])
    assert built.exit_code == 1
    line, = built.stderr.splitlines()
    assert line.startswith(f"Error: {path}: is damaged: part word/document.xml is not well-formed XML (")
    assert line.endswith("Open it in Word or LibreOffice and save it again as .docx, or use an earlier copy.")
    check = CliRunner().invoke(cli, ["templates", "check", str(path.parent)])
    assert check.exit_code == 1
    assert f"{REPORT}: is damaged: part word/document.xml is not well-formed XML (" in check.output
    docs = CliRunner().invoke(cli, ["check-docs", str(path)])
    assert docs.exit_code == 2
    assert docs.stderr.startswith(f"Error: {path}: is damaged: part word/document.xml is not well-formed XML (")


@pytest.mark.parametrize("content, message", [
    (b"", "is not a Word .docx document (the file is empty)."),
    (b"Municipality,Rating\n", "is not a Word .docx document."),
    ("xlsx", "is not a Word .docx document (it is an Excel workbook): it has no word/document.xml part."),
    ("dtd", "part word/document.xml declares XML entities or a DOCTYPE, which Word never writes; it was not opened."),
])
def test_not_a_template_is_one_clear_line(sample_xlsx, tmp_path, content, message):
    path = tmp_path / "tpl" / REPORT
    path.parent.mkdir()
    if content == "xlsx":
        path.write_bytes(sample_xlsx.read_bytes())
    elif content == "dtd":
        src = zipfile.ZipFile(default_templates_dir() / REPORT)
        with zipfile.ZipFile(path, "w") as z:
            for info in src.infolist():
                data = src.read(info)
                if info.filename == "word/document.xml":
                    data = data.replace(b"?>", b'?><!DOCTYPE w [<!ENTITY e SYSTEM "file:///etc/passwd">]>', 1)
                z.writestr(info, data)
    else:
        path.write_bytes(content)
    built = CliRunner().invoke(cli, ["build", str(sample_xlsx), "-o", str(tmp_path / "out"), "--templates", str(path.parent)])
    assert built.exit_code == 1
    line, = built.stderr.splitlines()
    assert line.startswith(f"Error: {path}: {message}")
    check = CliRunner().invoke(cli, ["templates", "check", str(path.parent)])
    assert f"{REPORT}: {message}" in check.output and check.exit_code == 1


def test_check_docs_checks_every_file_and_names_the_unreadable_ones(bomb, sample_xlsx, tmp_path):
    good = default_templates_dir() / "talking-points.docx"
    result = CliRunner().invoke(cli, ["check-docs", str(sample_xlsx), str(bomb), str(good)])
    assert result.exit_code == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert [line.split(": ")[1] for line in errors] == [str(sample_xlsx), str(bomb)]
    assert "is not a Word .docx document (it is an Excel workbook)" in errors[0]
    assert "expands to 2048 MB" in errors[1]
    assert result.stderr.splitlines()[-1] == "2 of 3 files could not be checked."
    # The readable file after them was still checked.
    assert str(good) in result.stdout
