"""The dashboard page: who may open it, its filters (bad ones never fail), the figures and charts
it shows, the export link carrying the filters, a fixed number of queries."""

import datetime
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from tests.accounts.factories import UserFactory
from tests.reporting.test_figures import D, build_world, case_opened, figure_queries

URL = reverse("reporting:dashboard")
UNKNOWN_BRANCH = "Cette branche n&#x27;existe pas : choisissez-en une dans la liste."
REPEATED = "Ce filtre est donné plusieurs fois : donnez-le une seule fois."
YEAR = "?du=2025-01-01&au=2025-12-31"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff(instructor):
    return client_for(instructor)


@pytest.mark.parametrize("role", ["candidate", "coach", "jury_member"])
def test_other_roles_get_a_404_as_on_the_other_staff_pages(role, request):
    user = request.getfixturevalue(role)
    assert client_for(user).get(URL).status_code == 404
    assert client_for(user).get(reverse("admissibility:queue")).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login_page(db):
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_inactive_instructeur_is_refused(db):
    user = UserFactory(instructor=True, is_active=False)
    client = Client()
    client.force_login(user)
    assert client.get(URL).status_code in (302, 404)


@pytest.mark.parametrize("role", ["instructor", "administrator"])
def test_staff_open_it_and_find_it_in_the_menu(role, request, referentiel):
    client = client_for(request.getfixturevalue(role))
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["filters"].start.day == 1  # the default period starts on the 1st
    home = client.get(reverse("www:home")).content.decode()
    assert f'href="{URL}">Tableau de bord</a>' in home


def test_the_candidate_has_no_dashboard_link(candidate):
    home = client_for(candidate).get(reverse("www:home")).content.decode()
    assert "Tableau de bord" not in home


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_figures_of_the_period_and_branch(staff, referentiel):
    build_world(referentiel)
    response = staff.get(URL + YEAR)
    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(html)
    assert "Période affichée : du 1 janvier 2025 au 31 décembre 2025, toutes les branches." in text
    # Pipeline, durations (n, median, p90), outcomes, blocs, branches.
    assert "Recevabilité 4" in text and "Livret 2 2" in text and "Clos 1" in text
    assert "Demande → décision de recevabilité 6 30 j 80 j date de la décision" in text
    assert "Transmission → session d'évaluation 5 45 j 51 j date de la session" in text
    assert "juin 2025 1 1 0 0 0" in text and "sept. 2025 0 0 1 1 0" in text
    assert "Bloc I (RNCP35543BC01) 3 2 67 %" in text
    assert "Famille 2 1 1 1 5" in text and "Maladie 2 1 1 0 4" in text

    response = staff.get(f"{URL}{YEAR}&branche=maladie")
    text = text_of(response.content.decode())
    assert "branche Maladie." in text
    assert "Famille 2 1 1 1 5" not in text
    assert "Demande → décision de recevabilité 3 40 j 80 j" in text


def test_the_export_link_carries_the_filters(staff, referentiel):
    html = staff.get(f"{URL}{YEAR}&branche=maladie").content.decode()
    export = reverse("reporting:export_results")
    assert (
        f'<a href="{export}?branche=maladie&amp;du=2025-01-01&amp;au=2025-12-31">'
        "Exporter les résultats (CSV)</a>"
    ) in html


def test_the_default_export_link_carries_the_default_period(staff, referentiel):
    html = staff.get(URL).content.decode()
    start, end = staff.get(URL).context["filters"].start, staff.get(URL).context["filters"].end
    assert f"?du={start.isoformat()}&amp;au={end.isoformat()}" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?du=pas-une-date", "Saisissez une date valide."),
        ("?du=2025-02-30", "Saisissez une date valide."),
        ("?du=2025-12-31&au=2025-01-01", "La fin de la période doit suivre son début."),
        ("?du=1900-01-01", "Choisissez une date entre 2000 et 2100."),
        ("?au=9999-12-31", "Choisissez une date entre 2000 et 2100."),
        ("?du=2000-01-01&au=2099-01-01", "La période ne peut dépasser 10 ans."),
        ("?du=99999-01-01", "Saisissez une date valide."),
        ("?du=2025-01-01%00", "Saisissez une date valide."),
        ("?du=%00", "Saisissez une date valide."),
        ("?branche=abc", UNKNOWN_BRANCH),
        ("?branche=Famille", UNKNOWN_BRANCH),  # a name, not a code
        ("?branche=1", UNKNOWN_BRANCH),  # a pk, not a code
        ("?branche=99999999999999999999999", UNKNOWN_BRANCH),
        ("?branche=famille%00", UNKNOWN_BRANCH),
        ("?branche=%00", UNKNOWN_BRANCH),
        ("?branche=" + "x" * 5000, UNKNOWN_BRANCH),
        ("?branche=%D9%A1%F0%9F%98%80", UNKNOWN_BRANCH),
        ("?branche=famille&branche=maladie", REPEATED),
        ("?branche=famille&branche=famille", REPEATED),
        ("?du=2025-01-01&du=2025-02-01", REPEATED),
        ("?au=2025-12-31&au=2025-12-31&branche=famille", REPEATED),
    ],
)
def test_bad_filters_show_a_french_message_and_the_default_figures(
    staff, referentiel, query, message
):
    response = staff.get(URL + query)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert "Les filtres n'ont pas pu être appliqués" in html
    default = response.context["form"].defaults
    assert response.context["filters"] == default


def test_the_branch_choices_are_the_codes_named_as_in_the_latest_version(staff, referentiel):
    from tests.reporting.test_figures import second_version

    later = second_version(referentiel)
    case_opened(referentiel, "maladie", D(2025, 3, 1))
    case_opened(later, "maladie", D(2025, 4, 1))
    case_opened(later, "retraite", D(2025, 4, 1))

    html = staff.get(URL).content.decode()
    select = re.search(r'<select name="branche"[^>]*>(.*?)</select>', html, re.S)
    assert select is not None
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))
    assert options == [
        ("", "Toutes les branches"),
        ("famille", "Famille"),
        ("retraite", "Retraite"),
        ("maladie", "Assurance maladie"),
        ("recouvrement", "Recouvrement"),
    ]
    response = staff.get(URL + YEAR + "&branche=maladie")
    assert response.status_code == 200
    assert response.context["filters"].branch == "maladie"
    assert response.context["board"].pipeline.total == 2  # both versions' branch
    assert "branche Assurance maladie." in text_of(response.content.decode())
    chosen = re.search(r'<option value="maladie"[^>]*>', response.content.decode())
    assert chosen is not None and "selected" in chosen.group(0)


def test_unknown_parameters_are_ignored(staff, referentiel):
    assert staff.get(URL + "?page=3&statut=x").status_code == 200


def test_an_empty_branch_means_every_branch(staff, referentiel):
    response = staff.get(URL + YEAR + "&branche=")
    assert response.status_code == 200
    assert response.context["filters"].branch is None


def test_a_post_is_refused(staff):
    assert staff.post(URL).status_code == 405


def test_the_deadline_lists_link_to_pages_staff_may_open(staff, referentiel):
    from tests.reporting.test_figures import request_for
    from vaecos.admissibility.models import Status

    today = datetime.date.today()
    case = case_opened(referentiel, "famille", today)
    request = request_for(
        case,
        Status.COMPLETE,
        today - datetime.timedelta(70),
        decision_due=today - datetime.timedelta(3),
    )
    html = staff.get(URL).content.decode()
    link = reverse("admissibility:instruct", args=[request.pk])
    assert f'<a href="{link}">{case.candidate.display_name}</a>' in html
    assert staff.get(link).status_code == 200


class Charts(HTMLParser):
    """The page's SVG charts: their attributes, titles and descriptions, texts."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: list[dict] = []
        self.inside: str | None = None
        self.styles: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.styles.append(tag)
        if tag == "svg":
            self.charts.append({"attrs": attrs, "title": "", "desc": "", "texts": []})
        elif tag in ("title", "desc", "text") and self.charts:
            self.inside = tag
            if tag != "text":
                self.charts[-1][f"{tag}_id"] = attrs.get("id")

    def handle_endtag(self, tag):
        self.inside = None

    def handle_data(self, data):
        if self.inside == "text":
            self.charts[-1]["texts"].append(data)
        elif self.inside in ("title", "desc"):
            self.charts[-1][self.inside] += data


def test_the_charts_are_accessible_svg_beside_their_tables(staff, referentiel):
    build_world(referentiel)
    html = staff.get(URL + YEAR).content.decode()
    parser = Charts()
    parser.feed(html)
    assert parser.styles == []  # no inline style (CSP)
    assert "<script" not in html.split("<main", 1)[1]
    assert len(parser.charts) == 5
    for chart in parser.charts:
        assert chart["attrs"]["role"] == "img"
        assert chart["attrs"]["aria-labelledby"] == f"{chart['title_id']} {chart['desc_id']}"
        assert chart["title"] and chart["desc"]
    by_id = {c["attrs"]["data-vaecos-chart"]: c for c in parser.charts}
    assert by_id["graphique-etapes"]["texts"] == [
        "Recevabilité", "4", "Livret 2", "2", "Session d'évaluation", "2", "Clos", "1",
    ]  # fmt: skip
    assert (
        "Demande → décision de recevabilité, médiane (n = 6) : 30 jours"
        in by_id["graphique-durees"]["desc"]
    )
    assert (
        "juin 2025 : Validation totale 1, Validation partielle 1, Aucune validation 0"
        in by_id["graphique-resultats"]["desc"]
    )
    assert "2 / 3" in by_id["graphique-blocs"]["texts"]
    assert html.count("<caption") >= 6
    assert 'scope="row"' in html and 'scope="col"' in html


def test_the_page_takes_the_same_number_of_queries_whatever_the_data(
    staff, referentiel, django_assert_num_queries
):
    # Session and user (2), the branches of the form (1), the figures.
    with django_assert_num_queries(3 + figure_queries()):
        staff.get(URL + YEAR)
    build_world(referentiel)
    for index in range(5):
        case_opened(referentiel, "maladie", D(2025, 3, 1 + index))
    with django_assert_num_queries(3 + figure_queries()):
        response = staff.get(URL + YEAR)
    assert response.context["board"].pipeline.total == 14


class Tables(HTMLParser):
    """The page's tables: caption → rows, each row the texts of its cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.caption: str | None = None
        self.rows: list[list[str]] = []
        self.cell: str | None = None
        self.in_caption = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.caption, self.rows = "", []
        elif tag == "caption":
            self.in_caption = True
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self.in_caption = False
        elif tag in ("th", "td") and self.cell is not None:
            self.rows[-1].append(" ".join(self.cell.split()))
            self.cell = None
        elif tag == "table":
            self.tables[" ".join((self.caption or "").split())] = self.rows

    def handle_data(self, data):
        if self.in_caption:
            self.caption = (self.caption or "") + data
        elif self.cell is not None:
            self.cell += data


def test_the_outcome_tables_show_the_counts(staff, referentiel):
    build_world(referentiel)
    html = staff.get(URL + YEAR).content.decode()
    parser = Tables()
    parser.feed(html)
    header = ["Totale", "Partielle", "Aucune", "Absent", "Excusé"]

    by_month = parser.tables["Décisions notifiées par mois de session"]
    assert by_month[0] == ["Période", *header]
    assert ["juin 2025", "1", "1", "0", "0", "0"] in by_month
    assert ["sept. 2025", "0", "0", "1", "1", "0"] in by_month
    assert by_month[-1] == ["Total", "1", "1", "1", "1", "0"]
    assert len(by_month) == 1 + 12 + 1
    by_branch = parser.tables["Décisions notifiées des sessions de la période, par branche"]
    assert by_branch == [
        ["Branche", *header],
        ["Famille", "1", "1", "0", "0", "0"],
        ["Maladie", "0", "0", "1", "1", "0"],
    ]
    # The total row stands out; the others do not.
    outcomes = html.split('id="resultats"', 1)[1].split("</section>", 1)[0]
    body, total_row = outcomes.split("<tfoot>", 1)
    assert total_row.count('class="text-end fw-bold"') == 5
    assert "fw-bold" not in body
