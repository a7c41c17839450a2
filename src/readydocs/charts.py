"""The condition-score charts: the data of the templates' native charts, and a picture for --chart-image.

A default build fills the native Word charts the templates hold
(docxchart.py) with ``native_chart_data``: no drawing happens in readydocs,
and matplotlib is not imported. ``build --chart-image`` instead draws a PNG
with matplotlib's Agg canvas (no pyplot, no display), for tools that cannot
show native charts; matplotlib is then an optional extra
(``pip install 'readydocs[images]'``).

For the picture, everything but the bars and their labels (axes, condition names, ticks, band
labels) is the same for every place scored against one framework, so it is
drawn once per process and kept as a bitmap; each chart then restores that
bitmap and draws only its own bars (matplotlib's blitting). In a cohort batch
this is most of the chart's cost saved.

Imports inside functions: matplotlib and Pillow are the optional `images` extra,
loaded only when --chart-image asks for a picture.
"""

from __future__ import annotations

import io
import textwrap
from functools import lru_cache
from typing import Any, Sequence

from .docxchart import ChartData, Series
from .errors import MissingExtraError
from .summary import ConditionSummary, RoundComparison, Summary
from .wording import format_date, half_up

# One colour per band position, best first; status words are printed beside every
# bar too, so colour is never the only way to read the chart.
BAND_COLOURS = ("1B7F6B", "D9A21B", "C0504D", "7F7F7F")
_BAND_COLOURS = tuple("#" + c.lower() for c in BAND_COLOURS)
_EARLIER = "#9fb7bd"
_TEXT = "#202020"
_MUTED = "#404040"
_WIDTH_IN = 7.2
# 130 dpi over the 165 mm the chart spans in the report is about 150 pixels per
# inch of paper: sharp in print, and a third fewer pixels to draw and encode.
_DPI = 130


def chart_png(conditions: Sequence[dict[str, Any]], bands: Sequence[dict[str, Any]],
              baseline: Sequence[dict[str, Any]] | None = None) -> bytes:
    """A horizontal bar chart of condition scores (0-100) with band thresholds; PNG bytes.

    ``conditions`` and ``bands`` are the template context's lists (name, score,
    status; label, min). ``baseline``, when given, adds an earlier round as thinner bars.
    """
    names = tuple(c["name"] for c in conditions)
    band_key = tuple((b["label"], b["min"]) for b in bands)
    frame = _frame(names, band_key, bool(baseline))
    return frame.draw(conditions, baseline)


@lru_cache(maxsize=8)
def _frame(names: tuple[str, ...], bands: tuple[tuple[str, int], ...], with_baseline: bool) -> "_Frame":
    return _Frame(names, bands, with_baseline)


class _Frame:
    """The static part of the chart for one list of conditions and bands, drawn once."""

    def __init__(self, names: tuple[str, ...], bands: tuple[tuple[str, int], ...], with_baseline: bool):
        try:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure
        except ImportError:
            raise MissingExtraError("--chart-image draws the chart with matplotlib, which is not installed.",
                                     "Install it with: pip install 'readydocs[images]' (or leave out --chart-image "
                                     "for native, editable charts).") from None

        n = len(names)
        height_in = 0.42 * n + 1.3
        self.fig = Figure(figsize=(_WIDTH_IN, height_in), dpi=_DPI)
        self.canvas = FigureCanvasAgg(self.fig)
        # Fixed margins (long names wrap onto two lines) keep the layout stable
        # from place to place, which is what lets the background be reused.
        self.fig.subplots_adjust(left=0.34, right=0.98, bottom=0.75 / height_in, top=1 - 0.3 / height_in)
        ax = self.ax = self.fig.add_subplot(111)
        self.ys = list(range(n))[::-1]
        # Room above the first bar for the band labels.
        top_room = 0.9
        self.bar_height = 0.38 if with_baseline else 0.62
        self.colours = {label: _BAND_COLOURS[min(i, len(_BAND_COLOURS) - 1)] for i, (label, _) in enumerate(bands)}
        ax.set_yticks(self.ys)
        ax.set_yticklabels(["\n".join(textwrap.wrap(name, 32)) for name in names],
                           fontsize=8.5, linespacing=1.0)
        ax.set_xlim(0, 125)
        ax.set_xticks([0, 25, 50, 75, 100])
        ax.set_ylim(-0.7, n - 1 + top_room + 0.5)
        ax.set_xlabel("Score (0\u2013100)", fontsize=8.5)
        ax.tick_params(axis="x", labelsize=8)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        for band_label, minimum in bands:
            if minimum > 0:
                ax.text(minimum + 0.8, n - 0.55, f"{band_label}\n\u2265 {minimum}", fontsize=7, ha="left", va="bottom",
                        color=_MUTED, linespacing=1.0)
        # Threshold lines go over the bars and under the score labels, so they are
        # drawn with each chart, not in the background.
        self.lines = [ax.axvline(minimum, color=_MUTED, linestyle="--", linewidth=0.8, animated=True)
                      for _, minimum in bands if minimum > 0]
        # One bar and one label per row (and per round), made once and updated for
        # each chart: matplotlib keeps a text's layout while its text is unchanged,
        # and most labels ("83  In place") recur from place to place.
        box = {"facecolor": "white", "edgecolor": "none", "pad": 0.6}
        h = self.bar_height
        self.rows: list[tuple[Any, Any, Any, Any]] = []  # bar, label, earlier bar, earlier label
        for y in self.ys:
            now_y, was_y = (y + h / 2, y - h / 2) if with_baseline else (y, y)
            bar = ax.barh(now_y, 0, height=h, animated=True).patches[0]
            label = ax.text(0, now_y, "", va="center", ha="left", fontsize=8, color=_TEXT, bbox=box, animated=True)
            earlier = ax.barh(was_y, 0, height=h, color=_EARLIER, animated=True).patches[0] if with_baseline else None
            earlier_label = (ax.text(0, was_y, "", va="center", ha="left", fontsize=7, color=_MUTED, bbox=box,
                                     animated=True) if with_baseline else None)
            self.rows.append((bar, label, earlier, earlier_label))
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)

    def draw(self, conditions: Sequence[dict[str, Any]], baseline: Sequence[dict[str, Any]] | None) -> bytes:
        from PIL import Image

        bars: list[Any] = []
        labels: list[Any] = []
        earlier_by_id = {b["id"]: b.get("score") for b in baseline} if baseline else {}
        for (bar, label, earlier_bar, earlier_label), c in zip(self.rows, conditions):
            score = c["score"]
            if score is None:
                label.set_text(c["status"])
                label.set_x(1)
                label.set_color(_MUTED)
                label.set_style("italic")
            else:
                bar.set_width(score)
                bar.set_facecolor(self.colours.get(c["status"], "#bfbfbf"))
                bars.append(bar)
                label.set_text(f"{score}  {c['status']}")
                label.set_x(min(score + 1.2, 101))
                label.set_color(_TEXT)
                label.set_style("normal")
            labels.append(label)
            earlier = earlier_by_id.get(c["id"])
            if earlier_bar is not None and earlier is not None:
                earlier_bar.set_width(earlier)
                earlier_label.set_text(f"{earlier} earlier")
                earlier_label.set_x(min(earlier + 1.2, 101))
                bars.append(earlier_bar)
                labels.append(earlier_label)
        self.canvas.restore_region(self.background)
        for artist in bars + self.lines + labels:
            self.ax.draw_artist(artist)
        width, height = self.canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), bytes(self.canvas.buffer_rgba()), "raw", "RGBA", 0, 1)
        buf = io.BytesIO()
        # No metadata: the PNG, and so the document, is identical between builds.
        # Level 3 compresses this chart within 1% of the default, in two thirds of the time.
        image.convert("RGB").save(buf, format="PNG", dpi=(_DPI, _DPI), compress_level=3)
        return buf.getvalue()


def chart_alt_text(conditions: Sequence[ConditionSummary]) -> str:
    """What the chart shows, in words, for screen readers."""
    parts = [f"{c.name} {c.score} ({c.status})" if c.score is not None else f"{c.name}: {c.status}" for c in conditions]
    return "Bar chart of readiness scores out of 100: " + "; ".join(parts) + "."


# The data a template's chart can name (readydocs:NAME): each condition's score, and the
# earlier round against this one (only when there is an earlier round).
CHART_NAMES = ("conditions", "rounds")


def native_chart_data(summary: Summary) -> dict[str, ChartData]:
    """The data for each chart marker a template may use, by name (``readydocs:conditions``, ...).

    The charts and their workbooks carry the scores as scores.json does (to two
    decimals); data labels formatted "0" show the same whole numbers as the tables.
    """
    bands = summary.framework.bands
    position = {b.label: i for i, b in enumerate(bands)}
    mins = tuple(float(half_up(b.min) or 0) for b in bands)
    conditions = summary.conditions
    # A condition without a score has no bar; its label says why, so no one reads the gap as zero.
    names = tuple(c.name if c.score is not None else f"{c.name} ({c.status[:1].lower()}{c.status[1:]})" for c in conditions)
    now = tuple(None if c.result.score is None else round(c.result.score, 2) for c in conditions)
    now_bands = tuple(None if v is None else position.get(c.status) for c, v in zip(conditions, now))
    charts = {"conditions": ChartData(
        categories=names, series=(Series("Score", now, now_bands),), band_mins=mins, band_colours=BAND_COLOURS,
        title="Condition scores", alt=chart_alt_text(conditions))}
    baseline = summary.baseline
    if baseline is not None:
        rows = {ch.condition.id: ch for ch in baseline.conditions}
        earlier = tuple(rows[c.id].earlier if c.id in rows else None for c in conditions)
        earlier_bands = tuple(None if rows.get(c.id) is None or rows[c.id].earlier is None
                              else position.get(rows[c.id].earlier_status) for c in conditions)
        when = format_date(baseline.date) or "the earlier assessment"
        charts["rounds"] = ChartData(
            categories=names,
            series=(Series(f"Earlier ({when})", earlier, earlier_bands),
                    Series(f"This round ({format_date(summary.assessment_date) or 'now'})", now, now_bands)),
            band_mins=mins, band_colours=BAND_COLOURS, title="Condition scores then and now",
            alt=rounds_alt_text(baseline))
    return charts


def rounds_alt_text(baseline: RoundComparison) -> str:
    """What the then-and-now chart shows, in words, for screen readers."""
    parts = [f"{ch.condition.name} {_shown(ch.earlier)} then, {_shown(ch.condition.score)} now" for ch in baseline.conditions]
    when = format_date(baseline.date) or "the earlier assessment"
    return f"Bar chart of readiness scores out of 100 in the round of {when} and in this one: " + "; ".join(parts) + "."


def picture_charts(summary: Summary) -> tuple[bytes, str, dict[str, bytes]]:
    """For --chart-image: the report's picture and its alt text, and a picture for each chart marker."""
    bands = [{"label": b.label, "min": half_up(b.min)} for b in summary.framework.bands]
    conditions = [{"id": c.id, "name": c.name, "score": c.score, "status": c.status} for c in summary.conditions]
    baseline = summary.baseline
    rounds = None if baseline is None else [{"id": ch.condition.id, "score": ch.earlier} for ch in baseline.conditions]
    chart = chart_png(conditions, bands, baseline=rounds)
    alt = chart_alt_text(summary.conditions)
    if baseline is not None:
        parts = [f"{ch.condition.name} {_shown(ch.earlier)}" for ch in baseline.conditions]
        alt += (f" Thinner bars show the earlier round of {format_date(baseline.date) or 'the earlier assessment'}: "
                + "; ".join(parts) + ".")
    pictures = {"conditions": chart_png(conditions, bands)}
    if rounds is not None:
        pictures["rounds"] = chart
    return chart, alt, pictures


def _shown(score: int | None) -> str:
    return "\u2014" if score is None else str(score)
