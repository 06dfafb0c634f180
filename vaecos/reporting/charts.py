"""Charts drawn on the server as inline SVG, accessible without JavaScript or inline styles
(the Content Security Policy forbids both): `role="img"` named by its <title> and described by
its <desc> (which states every value), values written as text beside or inside the bars, series
told apart by a pattern and the legend as well as by colour, and colours dark enough for white
text (4.5:1) and for the bars against the page (3:1). Each chart goes with a data table in the
page; the table is the reference, the chart a reading aid.

Everything written into the SVG is escaped (format_html).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from vaecos.reporting.figures import Dashboard

WIDTH = 640
ROW = 30  # height of one bar's line
BAR = 20  # height of a bar
TOP = 8
FONT = 13
CHAR = 7.2  # average width of a character at FONT, for the label column
TEXT = "#212529"
AXIS = "#6c757d"
# (fill, pattern): dark fills, white text inside them reaches 4.5:1.
SERIES = [
    ("#1f4e8c", "solid"),
    ("#9c4200", "diagonal"),
    ("#1e6b3a", "vertical"),
    ("#6b2f8a", "cross"),
    ("#4d4d4d", "horizontal"),
]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as written beside the bar
    series: int = 0


@dataclass(frozen=True)
class Row:
    """One stacked bar: its label and one value per series."""

    label: str
    values: list[int]


def _luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""
    high, low = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _join(parts: list[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _stripe(width: int, height: int) -> SafeString:
    return format_html(
        '<rect width="{}" height="{}" fill="#000" fill-opacity="0.3"/>', width, height
    )


def _patterns(ident: str, count: int) -> SafeString:
    """One <pattern> per series: the fill, with darker stripes (none for the first)."""
    shapes = {
        "solid": [],
        "diagonal": [_stripe(3, 8)],
        "vertical": [_stripe(2, 8)],
        "cross": [_stripe(2, 8), _stripe(8, 2)],
        "horizontal": [_stripe(8, 2)],
    }
    parts = []
    for index in range(count):
        fill, kind = SERIES[index % len(SERIES)]
        parts.append(
            format_html(
                '<pattern id="{}-s{}" width="8" height="8" patternUnits="userSpaceOnUse" '
                'patternTransform="rotate({})"><rect width="8" height="8" fill="{}"/>{}</pattern>',
                ident,
                index,
                45 if kind == "diagonal" else 0,
                fill,
                _join(shapes[kind]),
            )
        )
    return format_html("<defs>{}</defs>", _join(parts))


def _svg(ident: str, title: str, desc: str, height: int, body: SafeString) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="vaecos-chart" role="img" '
        'aria-labelledby="{0}-title {0}-desc" viewBox="0 0 {1} {2}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" font-family="system-ui, sans-serif" '
        'font-size="{3}" data-vaecos-chart="{0}">'
        '<title id="{0}-title">{4}</title><desc id="{0}-desc">{5}</desc>{6}</svg>',
        ident,
        WIDTH,
        height,
        FONT,
        title,
        desc,
        body,
    )


def _label_width(labels: list[str]) -> int:
    longest = max((len(label) for label in labels), default=0)
    return min(int(longest * CHAR) + 16, WIDTH // 2)


def _legend(ident: str, names: list[str], y: int) -> tuple[SafeString, int]:
    """The legend, one swatch and name per series, wrapped on as many lines as needed."""
    items = []
    x, line = 0, 0
    for index, name in enumerate(names):
        width = 24 + int(len(name) * CHAR) + 24
        if x and x + width > WIDTH:
            x, line = 0, line + 1
        top = y + line * 24
        items.append(
            format_html(
                '<rect x="{}" y="{}" width="16" height="16" fill="url(#{}-s{})"/>'
                '<text x="{}" y="{}" fill="{}">{}</text>',
                x,
                top,
                ident,
                index,
                x + 22,
                top + 13,
                TEXT,
                name,
            )
        )
        x += width
    return _join(items), (line + 1) * 24 if names else 0


def bar_chart(
    *, ident: str, title: str, desc: str, bars: list[Bar], legend: list[str] | None = None
) -> SafeString:
    """Horizontal bars, one per line: the label on the left, the value written after the bar.
    `legend` names the series when the bars belong to several."""
    labels = [bar.label for bar in bars]
    left = _label_width(labels)
    area = WIDTH - left - 90
    top = max((bar.value for bar in bars), default=0)
    scale = area / top if top > 0 else 0
    rows = []
    for index, bar in enumerate(bars):
        y = TOP + index * ROW
        width = max(bar.value * scale, 0)
        rows.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="url(#{}-s{})"/>'
                '<text x="{}" y="{}" fill="{}" font-weight="bold">{}</text>',
                left - 8,
                y + BAR - 5,
                TEXT,
                bar.label,
                left,
                y,
                f"{width:.1f}",
                BAR,
                ident,
                bar.series,
                f"{left + width + 6:.1f}",
                y + BAR - 5,
                TEXT,
                bar.text,
            )
        )
    height = TOP + len(bars) * ROW
    axis = format_html(
        '<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}" stroke-width="1"/>',
        left,
        TOP - 4,
        height,
        AXIS,
    )
    names = legend or []
    key, key_height = _legend(ident, names, height + 10)
    series = max([bar.series for bar in bars] + [len(names) - 1, 0]) + 1
    body = _join([_patterns(ident, series), axis, *rows, key])
    return _svg(ident, title, desc, height + (key_height + 14 if names else 8), body)


def stacked_chart(
    *, ident: str, title: str, desc: str, series: list[str], rows: list[Row]
) -> SafeString:
    """Horizontal stacked bars, one per row, a segment per series (in the legend's order),
    each segment's value written inside it when it fits, the row's total after the bar."""
    left = _label_width([row.label for row in rows])
    area = WIDTH - left - 70
    top = max((sum(row.values) for row in rows), default=0)
    scale = area / top if top > 0 else 0
    parts = []
    for index, row in enumerate(rows):
        y = TOP + index * ROW
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>',
                left - 8,
                y + BAR - 5,
                TEXT,
                row.label,
            )
        )
        x = float(left)
        for number, value in enumerate(row.values):
            if value <= 0:
                continue
            width = value * scale
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="url(#{}-s{})" '
                    'stroke="#ffffff" stroke-width="1"/>',
                    f"{x:.1f}",
                    y,
                    f"{width:.1f}",
                    BAR,
                    ident,
                    number,
                )
            )
            text = str(value)
            if width >= len(text) * CHAR + 8:
                parts.append(
                    format_html(
                        '<text x="{}" y="{}" text-anchor="middle" fill="#ffffff" '
                        'font-weight="bold">{}</text>',
                        f"{x + width / 2:.1f}",
                        y + BAR - 5,
                        text,
                    )
                )
            x += width
        parts.append(
            format_html(
                '<text x="{}" y="{}" fill="{}" font-weight="bold">{}</text>',
                f"{x + 6:.1f}",
                y + BAR - 5,
                TEXT,
                sum(row.values),
            )
        )
    height = TOP + len(rows) * ROW
    axis = format_html(
        '<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}" stroke-width="1"/>',
        left,
        TOP - 4,
        height,
        AXIS,
    )
    key, key_height = _legend(ident, series, height + 10)
    body = _join([_patterns(ident, len(series)), axis, *parts, key])
    return _svg(ident, title, desc, height + key_height + 14, body)


def describe(pairs: list[tuple[str, object]]) -> str:
    """A chart's description: every label with its value, in reading order."""
    return " ; ".join(f"{label} : {value}" for label, value in pairs) + "."


# --- The dashboard's charts ---------------------------------------------------------------------


def _days(value: int | None) -> str:
    if value is None:
        return "—"
    return f"{value} jour" if value in (0, 1) else f"{value} jours"


def dashboard_charts(board: Dashboard) -> dict[str, SafeString]:
    """One chart per figure of the dashboard, keyed by figure."""
    from vaecos.cases.models import Step

    steps = board.pipeline.steps
    pipeline = bar_chart(
        ident="graphique-etapes",
        title="Parcours par étape",
        desc=describe([(s.step.label, s.total) for s in steps]),
        bars=[Bar(s.step.label, s.total, str(s.total)) for s in steps],
    )
    bars = []
    pairs: list[tuple[str, object]] = []
    for duration in board.durations:
        for series, (name, value) in enumerate(
            (("médiane", duration.median), ("90e centile", duration.p90))
        ):
            bars.append(Bar(f"{duration.short}, {name}", value or 0, _days(value), series=series))
            pairs.append((f"{duration.label}, {name} (n = {duration.n})", _days(value)))
    durations = bar_chart(
        ident="graphique-durees",
        title="Durée de chaque étape, en jours",
        desc=describe(pairs),
        bars=bars,
        legend=["Médiane", "90e centile"],
    )
    evaluated = OUTCOME_SERIES
    outcome_rows = [
        Row(period.label, [period.counts[value] for value, _ in evaluated])
        for period in board.outcomes.periods
    ]
    outcomes = stacked_chart(
        ident="graphique-resultats",
        title="Décisions du jury par "
        + ("mois" if board.outcomes.unit == "month" else "trimestre"),
        desc=describe(
            [
                (
                    row.label,
                    ", ".join(
                        f"{label} {n}" for (_, label), n in zip(evaluated, row.values, strict=True)
                    ),
                )
                for row in outcome_rows
            ]
        ),
        series=[label for _, label in evaluated],
        rows=outcome_rows,
    )
    blocs = bar_chart(
        ident="graphique-blocs",
        title="Blocs validés par les jurys",
        desc=describe(
            [(f"Bloc {b.roman}", f"{b.validated} validés sur {b.assessed}") for b in board.blocs]
        ),
        bars=[
            Bar(
                f"Bloc {b.roman} ({b.code})" if b.code else f"Bloc {b.roman}",
                b.validated,
                f"{b.validated} / {b.assessed}",
            )
            for b in board.blocs
        ],
    )
    branch_rows = [
        Row(branch.name, [branch.counts[step.value] for step in Step])
        for branch in board.pipeline.branches
    ]
    branches = stacked_chart(
        ident="graphique-branches",
        title="Parcours par branche et par étape",
        desc=describe(
            [
                (
                    row.label,
                    ", ".join(
                        f"{step.label} {n}" for step, n in zip(Step, row.values, strict=True)
                    ),
                )
                for row in branch_rows
            ]
        ),
        series=[step.label for step in Step],
        rows=branch_rows,
    )
    return {
        "pipeline": pipeline,
        "durations": durations,
        "outcomes": outcomes,
        "blocs": blocs,
        "branches": branches,
    }


OUTCOME_SERIES = [
    ("totale", "Validation totale"),
    ("partielle", "Validation partielle"),
    ("aucune", "Aucune validation"),
]
