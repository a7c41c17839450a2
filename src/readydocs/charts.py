"""The condition-score chart, drawn with matplotlib's Agg canvas (no pyplot, no display)."""

from __future__ import annotations

import io
from typing import Any, Sequence

# One colour per band position, best first; status words are printed beside every
# bar too, so colour is never the only way to read the chart.
_BAND_COLOURS = ("#1b7f6b", "#d9a21b", "#c0504d", "#7f7f7f")
_NO_SCORE = "#bfbfbf"


def chart_png(conditions: Sequence[dict[str, Any]], bands: Sequence[dict[str, Any]],
              baseline: Sequence[dict[str, Any]] | None = None, dpi: int = 150) -> bytes:
    """A horizontal bar chart of condition scores (0-100) with band thresholds; PNG bytes.

    ``conditions`` and ``bands`` are the template context's lists (name, score,
    status; label, min). ``baseline``, when given, adds an earlier round as thin bars.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    names = [c["name"] for c in conditions]
    n = len(names)
    fig = Figure(figsize=(7.2, 0.42 * n + 1.3), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(111)
    band_colour = {b["label"]: _BAND_COLOURS[min(i, len(_BAND_COLOURS) - 1)] for i, b in enumerate(bands)}
    ys = list(range(n))[::-1]
    height = 0.38 if baseline else 0.62
    for y, c in zip(ys, conditions):
        score = c["score"]
        off = height / 2 if baseline else 0
        if score is None:
            ax.text(1, y + off, c["status"], va="center", ha="left", fontsize=8, color="#404040", style="italic")
            continue
        ax.barh(y + off, score, height=height, color=band_colour.get(c["status"], _NO_SCORE))
        ax.text(min(score + 1.2, 101), y + off, f"{score}  {c['status']}", va="center", ha="left", fontsize=8, color="#202020")
    if baseline:
        by_id = {b["id"]: b for b in baseline}
        for y, c in zip(ys, conditions):
            earlier = by_id.get(c["id"], {}).get("score")
            if earlier is not None:
                ax.barh(y - height / 2, earlier, height=height, color="#9fb7bd")
                ax.text(min(earlier + 1.2, 101), y - height / 2, f"{earlier} earlier", va="center", ha="left", fontsize=7, color="#404040")
    for b in bands:
        if b["min"] > 0:
            ax.axvline(b["min"], color="#404040", linestyle="--", linewidth=0.8)
            ax.text(b["min"] + 0.8, n - 0.35, f"{b['label']} \u2265 {b['min']}", fontsize=7, ha="left", va="bottom", color="#404040")
    ax.set_yticks(ys)
    ax.set_yticklabels(names, fontsize=8.5)
    ax.set_xlim(0, 125)
    ax.set_xticks([0, 25, 50, 75, 100])
    ax.set_ylim(-0.7, n + 0.2)
    ax.set_xlabel("Score (0\u2013100)", fontsize=8.5)
    ax.tick_params(axis="x", labelsize=8)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    buf = io.BytesIO()
    # Fixed metadata keeps the PNG, and so the document, identical between builds.
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def chart_alt_text(conditions: Sequence[dict[str, Any]]) -> str:
    """What the chart shows, in words, for screen readers."""
    parts = [f"{c['name']} {c['score']} ({c['status']})" if c["score"] is not None else f"{c['name']}: {c['status']}"
             for c in conditions]
    return "Bar chart of readiness scores out of 100: " + "; ".join(parts) + "."
