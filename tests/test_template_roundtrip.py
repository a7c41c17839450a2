"""templates export -> edit in a word processor -> build --templates -> the edit is in the document."""

from __future__ import annotations

import docx
from click.testing import CliRunner
from docx.shared import RGBColor

from readydocs.catalogue import ALL_DOCUMENTS
from readydocs.cli import cli


def test_export_edit_build_round_trip(sample_xlsx, tmp_path):
    runner = CliRunner()
    folder = tmp_path / "mine"
    out = runner.invoke(cli, ["templates", "export", str(folder)])
    assert out.exit_code == 0, out.output
    assert sorted(p.name for p in folder.iterdir()) == sorted(d.template for d in ALL_DOCUMENTS)

    # Edit the report as a communications office would: new heading text, a new colour.
    path = folder / "readiness-report.docx"
    d = docx.Document(str(path))
    (heading,) = [p for p in d.paragraphs if p.text == "At a glance"]
    heading.text = "Summary for council"
    d.styles["Heading 1"].font.color.rgb = RGBColor(0x80, 0x00, 0x20)
    d.save(path)
    # The memo is removed: its default must be used.
    (folder / "internal-launch-memo.docx").unlink()

    check = runner.invoke(cli, ["templates", "check", str(folder)])
    assert check.exit_code == 0, check.output
    assert "internal-launch-memo.docx: not in" in check.output

    custom = runner.invoke(cli, ["build", str(sample_xlsx), "-o", str(tmp_path / "custom"), "--templates", str(folder)])
    plain = runner.invoke(cli, ["build", str(sample_xlsx), "-o", str(tmp_path / "plain")])
    assert custom.exit_code == 0 and plain.exit_code == 0, custom.output + plain.output
    made = tmp_path / "custom" / "city-of-riverbend"
    report = docx.Document(str(made / "readiness-report.docx"))
    texts = [p.text for p in report.paragraphs]
    assert "Summary for council" in texts and "At a glance" not in texts
    assert report.styles["Heading 1"].font.color.rgb == RGBColor(0x80, 0x00, 0x20)
    assert "City of Riverbend" in texts  # still filled in
    # The memo (default) and talking points (exported unchanged) are exactly the default build.
    for name in ("internal-launch-memo.docx", "talking-points.docx"):
        assert (made / name).read_bytes() == (tmp_path / "plain" / "city-of-riverbend" / name).read_bytes()
