"""Charts as inline SVG, drawn on the server: no script, no style element or attribute (the site's
content security policy forbids both), only SVG presentation attributes.

Each chart is an image with a title and a description (role="img"); the page shows the same
figures in a table beside it, which is what assistive technologies read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

INK = "#1a1a1a"
GRID = "#c8c8c8"
BAR = "#095797"
LATE = "#a00000"
TARGET = "#7a4a00"
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


@dataclass(frozen=True)
class Bar:
    label: str  # under the bar
    value: float | None  # None: nothing to draw (no data)
    text: str  # over the bar
    part: float = 0.0  # a highlighted part of the bar (from its base)
    hint: str = ""  # the bar's own tooltip


def _text(x: float, y: float, content: str, *, anchor: str = "middle", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{INK}" {FONT}{extra}>'
        f"{escape(content)}</text>"
    )


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    maximum: float,
    ticks: Sequence[tuple[float, str]],
    target: tuple[float, str] | None = None,
    legend: Sequence[tuple[str, str]] = (),
) -> SafeString:
    """Vertical bars over a labelled scale from 0 to `maximum`, with an optional target line."""
    width, height = 720, 260
    left, right, top, bottom = 56, 16, 28 if legend else 16, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    scale = plot_h / maximum if maximum > 0 else 0.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    for value, label in ticks:
        y = top + plot_h - value * scale
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(_text(left - 6, y + 4, label, anchor="end"))
    slot = plot_w / max(len(bars), 1)
    bar_w = max(4.0, min(48.0, slot * 0.62))
    for i, bar in enumerate(bars):
        cx = left + slot * (i + 0.5)
        parts.append(_text(cx, height - bottom + 16, bar.label))
        if bar.value is None:
            parts.append(_text(cx, top + plot_h - 4, "—"))
            continue
        h = bar.value * scale
        y = top + plot_h - h
        hint = f"<title>{escape(bar.hint)}</title>" if bar.hint else ""
        parts.append(
            f'<rect x="{cx - bar_w / 2:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
            f'fill="{BAR}">{hint}</rect>'
        )
        if bar.part:
            ph = bar.part * scale
            parts.append(
                f'<rect x="{cx - bar_w / 2:.1f}" y="{top + plot_h - ph:.1f}" width="{bar_w:.1f}" '
                f'height="{ph:.1f}" fill="{LATE}"/>'
            )
        parts.append(_text(cx, y - 4, bar.text))
    if target is not None:
        value, label = target
        y = top + plot_h - value * scale
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="{TARGET}" stroke-width="2" stroke-dasharray="6 4"/>'
        )
        parts.append(
            _text(width - right - 2, y - 5, label, anchor="end", extra=' font-weight="600"')
        )
    x = left
    for color, label in legend:
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{color}"/>')
        parts.append(_text(x + 18, 16, label, anchor="start"))
        x += 28 + 7 * len(label)
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)
