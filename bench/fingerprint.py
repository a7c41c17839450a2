"""What a build writes, as one hash per part: to show that speed work changes no output.

    python bench/fingerprint.py > before.txt     # before a change
    python bench/fingerprint.py > after.txt      # after it
    diff before.txt after.txt                    # empty when nothing a reader sees changed

For the sample and a few variants of it (every rating at one level, two
respondents, a rebuild over a plan people edited) it builds the outputs and
prints a line per item: each XML part of each document (the bytes inside the
zip, so a different compression or zip layout does not count but any change to
content does), scores.json, and for the action plan what a reader of the
workbook sees through openpyxl (cell values, fonts, fills, borders, alignment,
protection, number formats; row heights and column widths; data validations;
sheet protection, filter, frozen panes, print set-up; document properties),
since the plan's XML differs between writers. The manifest is compared
without its file hashes, and each case is built a second time over the first
to check that a rebuild writes the same bytes. `--dump NAME` prints the
plan's description in full instead of its hash, to see what differs.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path


def _h(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:16]


def _colour(c) -> object:
    if c is None:
        return None
    if c.type == "rgb":  # the alpha byte is ignored by spreadsheet programs (writers put 00 or FF there)
        return ("rgb", str(c.rgb)[-6:], c.tint)
    return (c.type, c.theme if c.type == "theme" else c.indexed, c.tint)


def _font(f) -> object:
    return (f.name, f.sz, bool(f.b), bool(f.i), f.u, bool(f.strike), _colour(f.color))


def _fill(f) -> object:
    if f.fill_type is None:
        return None
    return (f.fill_type, _colour(f.fgColor))


def _side(s) -> object:
    return (s.style, _colour(s.color)) if s is not None and s.style else None


def _cell(c) -> object:
    a, p = c.alignment, c.protection
    value = c.value.isoformat() if hasattr(c.value, "isoformat") else c.value
    return {"value": value, "font": _font(c.font), "fill": _fill(c.fill),
            "border": [_side(getattr(c.border, s)) for s in ("left", "right", "top", "bottom")],
            "alignment": (a.horizontal, a.vertical, bool(a.wrap_text)), "locked": bool(p.locked),
            "hidden": bool(p.hidden), "number_format": c.number_format}


def describe_plan(path: Path) -> dict:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    out: dict = {"sheets": wb.sheetnames}
    props = wb.properties
    out["properties"] = {k: str(getattr(props, k)) for k in ("title", "subject", "creator", "lastModifiedBy",
                                                                "created", "modified")}
    ws = wb.worksheets[0]
    # Cells up to one row and column past the used range: the first cell that is not the plan's is checked too.
    out["cells"] = {f"{c.coordinate}": _cell(c) for row in ws.iter_rows(min_row=1, max_row=ws.max_row + 1,
                                                                           max_col=ws.max_column + 1) for c in row}
    out["widths"] = {k: d.width for k, d in sorted(ws.column_dimensions.items()) if d.customWidth}
    out["heights"] = {k: d.height for k, d in sorted(ws.row_dimensions.items()) if d.height is not None}
    out["validations"] = sorted(
        [dv.type, dv.operator, dv.formula1, dv.formula2, str(dv.sqref), bool(dv.allow_blank), bool(dv.showErrorMessage),
         dv.errorTitle, dv.error, dv.errorStyle, bool(dv.showDropDown), bool(dv.showInputMessage), dv.promptTitle,
         dv.prompt] for dv in ws.data_validations.dataValidation)
    p = ws.protection
    out["protection"] = {k: bool(getattr(p, k)) for k in (
        "sheet", "objects", "scenarios", "formatCells", "formatRows", "formatColumns", "insertColumns", "insertRows",
        "insertHyperlinks", "deleteColumns", "deleteRows", "selectLockedCells", "selectUnlockedCells", "sort",
        "autoFilter", "pivotTables")} | {"password": p.password}
    out["view"] = {"freeze": ws.freeze_panes, "filter": ws.auto_filter.ref, "print_titles": ws.print_title_rows,
                   "orientation": ws.page_setup.orientation, "fit_width": ws.page_setup.fitToWidth or 1,  # 1 when left out
                   "fit_height": ws.page_setup.fitToHeight,
                   "fit_to_page": bool(ws.sheet_properties.pageSetUpPr and ws.sheet_properties.pageSetUpPr.fitToPage)}
    wb.close()
    return out


def fingerprint(out_dir: Path, label: str, dump: str | None) -> list[str]:
    lines = []
    for path in sorted(out_dir.iterdir()):
        if path.is_dir():
            continue  # a cohort's place folders are fingerprinted on their own
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as z:
                for name in sorted(z.namelist()):
                    lines.append(f"{label} {path.name}:{name} {_h(z.read(name))}")
        elif path.suffix == ".xlsx":
            plan = describe_plan(path)
            name = path.name
            if ".edited-" in name:  # the copy kept of a plan edited here: named and saved at the clock's time
                name, plan["properties"] = "edited copy of the plan", None
            text = json.dumps(plan, sort_keys=True, indent=1, default=str)
            if dump == label and name == path.name:
                print(text)
            lines.append(f"{label} {name} {_h(text)}")
        elif path.name == ".readydocs-manifest.json":
            # Its hashes are of whole files, zip layout included: the files' contents are compared above.
            manifest = json.loads(path.read_text(encoding="utf-8"))
            manifest["files"] = sorted(manifest["files"])
            lines.append(f"{label} {path.name} {_h(json.dumps(manifest, sort_keys=True))}")
        else:
            lines.append(f"{label} {path.name} {_h(path.read_bytes())}")
    return lines


def scenarios(tmp: Path):
    """(label, workbooks, edit the plan before a second build?, earlier round or None) for each case."""
    from readydocs.framework import load_framework
    from readydocs.workbook import rate_every_indicator, write_intake

    fw = load_framework()
    sample = write_intake(tmp / "sample.xlsx", fw, sample=True)
    yield "sample", [sample], False, None
    for value in (1, 3, "4 - Fully in place"):
        yield f"all-{str(value)[0]}", [rate_every_indicator(sample, fw, value, tmp / f"all-{str(value)[0]}.xlsx")], False, None
    second = tmp / "two" / "b.xlsx"
    second.parent.mkdir()
    shutil.copyfile(sample, tmp / "two" / "a.xlsx")
    rate_every_indicator(sample, fw, "2 - Starting", second)
    yield "two-respondents", [tmp / "two" / "a.xlsx", second], False, None
    yield "edited-plan", [sample], True, None
    # Every declarative scenario of tests/scenarios/ (several respondents, logos, an earlier round).
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "scenarios"))
    import corpus

    base, specs = corpus.load()
    for spec in specs:
        made = corpus.workbooks(spec, base, fw, tmp / "scenarios" / spec["id"])
        yield f"scenario-{spec['id']}", made["paths"], False, made["baseline"]


def edit_plan(path: Path) -> None:
    import datetime as dt

    import openpyxl

    from readydocs.actionplan import FIRST_ROW

    wb = openpyxl.load_workbook(path)
    ws = wb["Action plan"]
    ws.cell(row=FIRST_ROW, column=5, value="Dana Whitfield")
    ws.cell(row=FIRST_ROW, column=7, value="In progress")
    ws.cell(row=FIRST_ROW + 1, column=8, value="Waiting on HR")
    ws.cell(row=FIRST_ROW + 2, column=6, value=dt.date(2027, 3, 1))
    for col, value in enumerate(("Organizational capacity", None, "Our own extra step", None, "Sam", None,
                                 "On hold", "added by hand"), 1):
        ws.cell(row=FIRST_ROW + 40, column=col, value=value)
    wb.save(path)


def cohort(tmp: Path, fw, dump: str | None) -> list[str]:
    """A batch of the single-respondent scenarios, each renamed into its own place, compared with each other."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "scenarios"))
    import corpus

    from readydocs.batch import run_batch

    base, specs = corpus.load()
    inputs = tmp / "cohort-in"
    for n, spec in enumerate(s for s in specs if not s.get("respondents") and not s.get("sample")):
        spec = {**spec, "profile": {**spec.get("profile", {}), "municipality_name": f"Town {n + 1:02d}"}}
        made = corpus.workbooks(spec, base, fw, inputs / spec["id"])
        for path in made["paths"]:
            path.rename(inputs / f"{spec['id']}.xlsx")
    out = tmp / "cohort-out"
    run_batch([inputs], out, fw, jobs=1, benchmark=True)
    lines = fingerprint(out, "cohort", dump)
    for folder in sorted(p for p in out.iterdir() if p.is_dir()):
        lines += fingerprint(folder, f"cohort/{folder.name}", dump)
    return [line for line in lines if "batch-report.json" not in line]  # it records the run's timings


def main(argv: list[str]) -> int:
    from readydocs.framework import load_framework
    from readydocs.pipeline import build

    dump = argv[argv.index("--dump") + 1] if "--dump" in argv else None
    fw = load_framework()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for label, paths, edit, earlier in scenarios(tmp):
            out_root = tmp / "out" / label
            result = build(paths, out_root, fw, baseline=earlier)
            if edit:
                edit_plan(result.out_dir / "readiness-action-plan.xlsx")
                result = build(paths, out_root, fw, baseline=earlier)
            for line in fingerprint(result.out_dir, label, dump):
                if dump is None:
                    print(line)
            first = {p.name: p.read_bytes() for p in result.out_dir.iterdir()}
            again = build(paths, out_root, fw, baseline=earlier)
            second = {p.name: p.read_bytes() for p in again.out_dir.iterdir()}
            if dump is None:
                print(f"{label} rebuild byte-identical: {first == second}")
        for line in cohort(tmp, fw, dump):
            if dump is None:
                print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
