"""Charts drawn on the server as SVG: no script, no external file, readable on paper.

Every chart is an <svg role="img"> with a <title> and a <desc> that states the figures in words,
so screen readers and printouts without colour still carry the numbers. Colours come from
presentation attributes and the classes in static/reports.css (the content security policy
forbids style attributes). Bars are horizontal: Chinese unit names fit on the left.
"""
from __future__ import annotations

import itertools
from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 720
LABEL_WIDTH = 190
VALUE_WIDTH = 120
ROW_HEIGHT = 26
BAR_HEIGHT = 16
TOP = 8
# Colours distinguishable in greyscale print as well: dark, middle, light.
SERIES_COLOURS = ("#1f4e79", "#5b9bd5", "#bdd7ee", "#c55a11", "#f4b183")
TARGET_COLOUR = "#c00000"

_ids = itertools.count(1)


def _svg(height: int, title: str, description: str, body: list[str], css_class: str) -> Markup:
    number = next(_ids)
    title_id, desc_id = f"chart-title-{number}", f"chart-desc-{number}"
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css_class}" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-labelledby="{title_id} {desc_id}" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{title_id}">{escape(title)}</title><desc id="{desc_id}">{escape(description)}</desc>'
        + "".join(body) + "</svg>")


def _label(y: float, text: str) -> str:
    shown = text if len(text) <= 14 else text[:13] + "…"
    return (f'<text class="chart-label" x="{LABEL_WIDTH - 6}" y="{y + BAR_HEIGHT - 3}" text-anchor="end" '
            f'font-size="12" fill="#212529">{escape(shown)}</text>')


def _value(x: float, y: float, text: str) -> str:
    return (f'<text class="chart-value" x="{x + 4:.1f}" y="{y + BAR_HEIGHT - 3}" font-size="12" '
            f'fill="#212529">{escape(text)}</text>')


def _scale(largest: float) -> float:
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    return plot / largest if largest > 0 else 0.0


def bar_chart(items: Sequence[tuple[str, float]], title: str, description: str = "",
              value_format: str = "{:,.0f}") -> Markup:
    """One bar per item: (label, value)."""
    scale = _scale(max((value for _label_text, value in items), default=0))
    body, words = [], []
    for index, (text, value) in enumerate(items):
        y = TOP + index * ROW_HEIGHT
        width = max(value, 0) * scale
        shown = value_format.format(value)
        body += [_label(y, text),
                 f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
                 f'fill="{SERIES_COLOURS[0]}"><title>{escape(text)}: {escape(shown)}</title></rect>',
                 _value(LABEL_WIDTH + width, y, shown)]
        words.append(f"{text} {shown}")
    return _svg(TOP * 2 + len(items) * ROW_HEIGHT, title, description or "; ".join(words), body, "chart-bars")


def progress_bars(items: Sequence[tuple[str, float, float | None]], title: str, description: str = "") -> Markup:
    """Achieved against target per item: (label, achieved, target); a red tick marks the target.

    Items without a target show the achieved figure alone.
    """
    largest = max([max(done, target or 0) for _text, done, target in items] or [0])
    scale = _scale(largest)
    body, words = [], []
    for index, (text, done, target) in enumerate(items):
        y = TOP + index * ROW_HEIGHT
        if target:
            body.append(f'<rect class="chart-track" x="{LABEL_WIDTH}" y="{y}" width="{target * scale:.1f}" '
                        f'height="{BAR_HEIGHT}" fill="#e9ecef" stroke="#adb5bd" stroke-width="0.5"/>')
        width = max(done, 0) * scale
        met = target is None or done >= target
        shown = f"{done:,.0f}" + (f" / {target:,.0f} ({100 * done / target:.0f}%)" if target else "")
        body += [_label(y, text),
                 f'<rect class="chart-bar{" chart-met" if met else ""}" x="{LABEL_WIDTH}" y="{y + 3}" '
                 f'width="{width:.1f}" height="{BAR_HEIGHT - 6}" fill="{SERIES_COLOURS[0]}">'
                 f'<title>{escape(text)}: {escape(shown)}</title></rect>',
                 _value(LABEL_WIDTH + max(width, (target or 0) * scale), y, shown)]
        if target:
            x = LABEL_WIDTH + target * scale
            body.append(f'<line class="chart-target" x1="{x:.1f}" x2="{x:.1f}" y1="{y - 2}" y2="{y + BAR_HEIGHT + 2}" '
                        f'stroke="{TARGET_COLOUR}" stroke-width="2"/>')
        words.append(f"{text} {shown}")
    return _svg(TOP * 2 + len(items) * ROW_HEIGHT, title, description or "; ".join(words), body, "chart-progress")


def stacked_bars(items: Sequence[tuple[str, Sequence[float]]], series: Sequence[str], title: str,
                 description: str = "", as_share: bool = False) -> Markup:
    """One bar per item split into the series' parts; as_share draws each bar as 100%."""
    totals = [sum(max(value, 0) for value in values) for _text, values in items]
    scale = _scale(100.0 if as_share else max(totals, default=0))
    legend_y = TOP + len(items) * ROW_HEIGHT + 8
    body, words = [], []
    for index, ((text, values), total) in enumerate(zip(items, totals)):
        y = TOP + index * ROW_HEIGHT
        x = float(LABEL_WIDTH)
        parts = []
        body.append(_label(y, text))
        for number, (name, value) in enumerate(zip(series, values)):
            amount = (100.0 * value / total if total else 0.0) if as_share else value
            width = max(amount, 0) * scale
            colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
            shown = f"{amount:.0f}%" if as_share else f"{value:,.0f}"
            body.append(f'<rect class="chart-series-{number}" x="{x:.1f}" y="{y}" width="{width:.1f}" '
                        f'height="{BAR_HEIGHT}" fill="{colour}" stroke="#ffffff" stroke-width="0.5">'
                        f'<title>{escape(text)} · {escape(name)}: {escape(shown)}</title></rect>')
            x += width
            parts.append(f"{name} {shown}")
        body.append(_value(x, y, f"{total:,.0f}"))
        words.append(f"{text}: " + ", ".join(parts))
    x = float(LABEL_WIDTH)
    for number, name in enumerate(series):
        colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
        body.append(f'<rect x="{x:.1f}" y="{legend_y}" width="12" height="12" fill="{colour}" stroke="#495057" '
                    f'stroke-width="0.5"/><text x="{x + 16:.1f}" y="{legend_y + 11}" font-size="12" '
                    f'fill="#212529">{escape(name)}</text>')
        x += 24 + 13 * len(name) + 20
    return _svg(legend_y + 22, title, description or "; ".join(words), body, "chart-stacked")
