"""The reference for `readydocs build`: the script a user might write instead.

Loads the workbook with openpyxl and renders the same three templates with
docxtpl from a prepared context: no validation, no scoring, no chart, no
safety checks. bench.py compares a real build with this.

usage: python bench/naive.py WORKBOOK CONTEXT.json TEMPLATES_DIR OUT_DIR
"""

import json
import sys
from pathlib import Path

import openpyxl
from docxtpl import DocxTemplate

workbook, context_file, templates, out = (Path(a) for a in sys.argv[1:5])
wb = openpyxl.load_workbook(workbook, data_only=True)
context = json.loads(context_file.read_text(encoding="utf-8"))

out.mkdir(parents=True, exist_ok=True)
for name in ("readiness-report.docx", "internal-launch-memo.docx", "talking-points.docx"):
    tpl = DocxTemplate(templates / name)
    tpl.render(dict(context, chart="", logo=""), autoescape=True)
    tpl.save(out / name)
