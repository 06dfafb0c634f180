"""The SVG charts: accessible names and descriptions, every value written as text, bars
proportional to their values, text escaped, colours with enough contrast."""

import re
from xml.etree import ElementTree

import pytest

from vaecos.reporting import charts
from vaecos.reporting.charts import Bar, Row

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)


def texts(root: ElementTree.Element) -> list[str]:
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


def bars_of(root: ElementTree.Element, ident: str) -> list[ElementTree.Element]:
    return [
        r
        for r in root.iter("{http://www.w3.org/2000/svg}rect")
        if r.get("fill", "").startswith(f"url(#{ident}-s") and r.get("height") == str(charts.BAR)
    ]


def test_a_bar_chart_is_named_described_and_writes_each_value():
    svg = charts.bar_chart(
        ident="essai",
        title="Parcours par étape",
        desc="Recevabilité : 30 ; Livret 2 : 15.",
        bars=[Bar("Recevabilité", 30, "30"), Bar("Livret 2", 15, "15"), Bar("Clos", 0, "0")],
    )
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "essai-title essai-desc"
    assert root.find("svg:title", NS).get("id") == "essai-title"
    assert root.find("svg:title", NS).text == "Parcours par étape"
    assert root.find("svg:desc", NS).text == "Recevabilité : 30 ; Livret 2 : 15."
    assert texts(root) == ["Recevabilité", "30", "Livret 2", "15", "Clos", "0"]
    widths = [float(r.get("width")) for r in bars_of(root, "essai")]
    assert widths[0] == pytest.approx(2 * widths[1], abs=0.2) and widths[2] == 0
    assert "style=" not in svg and "<script" not in svg


def test_bars_of_several_series_have_a_legend_and_a_pattern_each():
    svg = charts.bar_chart(
        ident="durees",
        title="Durées",
        desc="…",
        bars=[Bar("A, médiane", 10, "10 jours"), Bar("A, 90e centile", 40, "40 jours", series=1)],
        legend=["Médiane", "90e centile"],
    )
    root = parse(svg)
    assert "Médiane" in texts(root) and "90e centile" in texts(root)
    patterns = root.findall("svg:defs/svg:pattern", NS)
    assert [p.get("id") for p in patterns] == ["durees-s0", "durees-s1"]
    # The second series is striped: told apart without colour.
    assert len(patterns[1].findall("svg:rect", NS)) == 2
    assert [b.get("fill") for b in bars_of(root, "durees")] == [
        "url(#durees-s0)",
        "url(#durees-s1)",
    ]


def test_a_stacked_chart_writes_the_segments_that_fit_and_each_total():
    svg = charts.stacked_chart(
        ident="res",
        title="Décisions",
        desc="…",
        series=["Totale", "Partielle", "Aucune"],
        rows=[Row("juin 2025", [40, 20, 0]), Row("juil. 2025", [1, 0, 59]), Row("août", [0, 0, 0])],
    )
    root = parse(svg)
    found = texts(root)
    assert found[:4] == ["juin 2025", "40", "20", "60"]
    # 1 out of 60 is too narrow to hold its number: the table beside gives it; the total is 60.
    assert found[4:7] == ["juil. 2025", "59", "60"]
    assert found[7:9] == ["août", "0"]
    assert found[-3:] == ["Totale", "Partielle", "Aucune"]
    segments = bars_of(root, "res")
    assert len(segments) == 4  # zero values draw nothing
    assert float(segments[0].get("width")) == pytest.approx(
        2 * float(segments[1].get("width")), abs=0.2
    )


def test_text_is_escaped():
    svg = charts.bar_chart(
        ident="x",
        title="<script>alert(1)</script>",
        desc="a & b",
        bars=[Bar('Branche "<b>"', 1, "1 < 2")],
    )
    assert "<script>" not in svg and "<b>" not in svg
    root = parse(svg)  # still well-formed XML
    assert root.find("svg:title", NS).text == "<script>alert(1)</script>"
    assert texts(root)[0] == 'Branche "<b>"'


def test_an_empty_chart_is_still_valid():
    root = parse(charts.bar_chart(ident="vide", title="Rien", desc="Aucune donnée.", bars=[]))
    assert root.get("role") == "img"
    root = parse(charts.stacked_chart(ident="vide2", title="Rien", desc=".", series=[], rows=[]))
    assert root.get("role") == "img"


@pytest.mark.parametrize(("fill", "pattern"), charts.SERIES)
def test_series_colours_have_enough_contrast(fill, pattern):
    assert charts.contrast(fill, "#ffffff") >= 4.5  # white text inside, and the page around
    assert re.fullmatch(r"#[0-9a-f]{6}", fill)
    assert charts.contrast(charts.TEXT, "#ffffff") >= 4.5
    assert charts.contrast(charts.AXIS, "#ffffff") >= 3


def test_the_dashboard_charts_show_the_figures(referentiel):
    import datetime

    from tests.reporting.test_figures import build_world
    from vaecos.reporting import figures

    build_world(referentiel)
    board = figures.dashboard(
        figures.Filters(None, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
        today=datetime.date(2026, 1, 15),
    )
    found = charts.dashboard_charts(board)
    assert set(found) == {"pipeline", "durations", "outcomes", "blocs", "branches"}
    durations = parse(found["durations"])
    assert texts(durations)[:4] == [
        "Demande → décision, médiane",
        "30 jours",
        "Demande → décision, 90e centile",
        "80 jours",
    ]
    assert "Session → résultat notifié, 90e centile (n = 3) : 30 jours" in (
        durations.find("svg:desc", NS).text
    )
    branches = parse(found["branches"])
    assert texts(branches)[:6] == ["Famille", "2", "1", "1", "1", "5"]
    assert "Maladie : Recevabilité 2, Livret 2 1, Session d'évaluation 1, Clos 0" in (
        branches.find("svg:desc", NS).text
    )
    blocs = parse(found["blocs"])
    assert texts(blocs) == [
        "Bloc I (RNCP35543BC01)", "2 / 3",
        "Bloc II (RNCP35543BC02)", "2 / 3",
        "Bloc III (RNCP35543BC03)", "1 / 3",
        "Bloc IV (RNCP35543BC04)", "1 / 3",
    ]  # fmt: skip
    outcomes = parse(found["outcomes"])
    assert "juin 2025" in texts(outcomes)
