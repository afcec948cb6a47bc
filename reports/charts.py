"""Server-rendered SVG charts: no script, no CDN, readable on a 360 px phone.

Horizontal bars, one per row, labels above their bar so that long Kazakh or Russian names need
no room at the side; the page shows the same numbers as a table next to each chart.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from itertools import count

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from volunteer_net.numbers import number_text

WIDTH = 320
ROW = 34
# Two rows of legend: side by side, "Тіркелгендер (ай соңындағы)" ran over the second colour's box and
# its name was cut at the chart's edge, in Russian and English too.
LEGEND = 34
_ids = count(1)


def _fmt(value: Decimal | int | float) -> str:
    # A bar's label is read at a glance: tenths at most, thousands grouped, and the decimal
    # separator of the page's language, as in the table under the chart.
    if isinstance(value, Decimal) and value % 1:
        value = value.quantize(Decimal("0.1"))
    return number_text(value, grouped=True)


def bar_chart(
    title: str,
    rows: Sequence[tuple[str, Decimal | int]],
    *,
    second: Sequence[tuple[str, Decimal | int]] | None = None,
    legend: tuple[str, str] | None = None,
) -> SafeString:
    """Bars for `rows` (label, value); with `second`, a second bar per row (e.g. active beside
    registered), each with its number, and `legend` naming the two series above the bars. The
    chart is an image for screen readers, its table carries the data."""
    chart_id = f"chart-{next(_ids)}"
    peak = max([float(v) for _, v in rows] + [float(v) for _, v in (second or [])] + [1.0])
    row = ROW + 12 if second else ROW
    top = LEGEND if second and legend else 0
    height = top + row * len(rows) + 8
    parts: list[str] = [
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-labelledby="{}" '
            'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMinYMin meet">'
            '<title id="{}">{}</title>',
            WIDTH,
            height,
            chart_id,
            chart_id,
            title,
        )
    ]
    if top and legend:
        # Which colour is which: without it a second, unlabelled bar was a guess.
        parts.append(
            format_html(
                '<g class="chart-legend"><rect x="0" y="2" width="10" height="10" class="chart-bar"></rect>'
                '<text x="14" y="11" class="chart-label">{}</text>'
                '<rect x="0" y="18" width="10" height="10" class="chart-bar-2"></rect>'
                '<text x="14" y="27" class="chart-label">{}</text></g>',
                legend[0],
                legend[1],
            )
        )
    bar_max = WIDTH - 70
    for i, (label, value) in enumerate(rows):
        y = top + i * row
        w = 0 if peak == 0 else max(0.0, float(value) / peak * bar_max)
        parts.append(
            f'<text x="0" y="{y + 11}" class="chart-label">{escape(label)}</text>'
            f'<rect x="0" y="{y + 15}" width="{w:.1f}" height="{10 if second else 14}" class="chart-bar"></rect>'
            f'<text x="{w + 4:.1f}" y="{y + (24 if second else 26)}" class="chart-value">{escape(_fmt(value))}</text>'
        )
        if second:
            value2 = second[i][1]
            w2 = max(0.0, float(value2) / peak * bar_max)
            parts.append(
                f'<rect x="0" y="{y + 28}" width="{w2:.1f}" height="8" class="chart-bar-2"></rect>'
                f'<text x="{w2 + 4:.1f}" y="{y + 36}" class="chart-value">{escape(_fmt(value2))}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 — every label is escaped above
