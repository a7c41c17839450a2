"""The floor for `readydocs build`: only the library work a build cannot avoid.

Imports docxtpl, openpyxl and matplotlib, loads the workbook, draws a bar
chart and renders the same three templates with a prepared context (no
validation, no scoring, no safety checks). bench.py compares a real build to this.

usage: python bench/floor.py WORKBOOK CONTEXT.json TEMPLATES_DIR OUT_DIR
"""

import io
import json
import sys
from pathlib import Path

import openpyxl
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

workbook, context_file, templates, out = (Path(a) for a in sys.argv[1:5])
wb = openpyxl.load_workbook(workbook, data_only=True)
context = json.loads(context_file.read_text(encoding="utf-8"))

fig = Figure(figsize=(7.2, 5))
FigureCanvasAgg(fig)
ax = fig.add_subplot(111)
ax.barh([c["name"] for c in context["conditions"]], [c["score"] or 0 for c in context["conditions"]])
png = io.BytesIO()
fig.savefig(png, format="png", dpi=150)

out.mkdir(parents=True, exist_ok=True)
for name in ("readiness-report.docx", "internal-launch-memo.docx", "talking-points.docx"):
    tpl = DocxTemplate(templates / name)
    ctx = dict(context, chart=InlineImage(tpl, io.BytesIO(png.getvalue()), width=Mm(165)))
    tpl.render(ctx, autoescape=True)
    tpl.save(out / name)
