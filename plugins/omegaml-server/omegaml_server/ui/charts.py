"""Small SVG charts rendered on the server (no JavaScript): bars for histograms and counts, lines for scores.

Every label is escaped; the result is ``markupsafe.Markup`` to place in a template.
"""
from __future__ import annotations

from typing import Sequence

from markupsafe import Markup, escape


def _number(value: float) -> str:
    return f"{value:.4g}"


def bar_chart(labels: Sequence[str], values: Sequence[float], title: str, width: int = 240,
              height: int = 80) -> Markup:
    """Vertical bars, one per value, with each bar's label and value as its tooltip (``<title>``)."""
    values = [float(v) for v in values]
    top = max(values, default=0) or 1.0
    step = width / max(len(values), 1)
    bars = []
    for i, (label, value) in enumerate(zip(labels, values)):
        h = 0 if value <= 0 else max(1.0, (height - 2) * value / top)
        bars.append(f'<rect x="{i * step + 0.5:.1f}" y="{height - h:.1f}" width="{max(step - 1, 1):.1f}" '
                    f'height="{h:.1f}"><title>{escape(label)}: {escape(_number(value))}</title></rect>')
    return Markup(f'<svg class="chart bars" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
                  f'width="{width}" height="{height}"><title>{escape(title)}</title>{"".join(bars)}</svg>')


def line_chart(points: Sequence[tuple[str, float]], title: str, width: int = 480, height: int = 160) -> Markup:
    """A line through ``(label, value)`` points in order, with a dot and tooltip per point and the value range."""
    values = [float(v) for _, v in points]
    if not values:
        return Markup("")
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    pad = 8
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    xy = [(pad + i * step, height - pad - (height - 2 * pad) * (v - lo) / span) for i, v in enumerate(values)]
    path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(xy))
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3"><title>{escape(label)}: {escape(_number(v))}</title>'
                   f'</circle>' for (x, y), (label, v) in zip(xy, points))
    axis = (f'<text x="{pad}" y="{pad + 4}" class="axis">{escape(_number(hi))}</text>'
            f'<text x="{pad}" y="{height - 2}" class="axis">{escape(_number(lo))}</text>')
    return Markup(f'<svg class="chart line" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
                  f'width="{width}" height="{height}"><title>{escape(title)}</title><path d="{path}"/>{dots}{axis}'
                  f'</svg>')
