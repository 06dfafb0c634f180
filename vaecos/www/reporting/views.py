"""The certifier's dashboard: instructeurs and administrators only (others get a 404, as on the
other staff pages). Bad filters never fail: the form says why in French and the figures are
those of the default filters."""

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from vaecos.accounts.models import User
from vaecos.accounts.roles import is_certifier_staff
from vaecos.deadlines.rules import AT_RISK_DAYS
from vaecos.reporting import charts, figures
from vaecos.www.reporting.forms import DashboardForm


@login_required
@require_GET
def dashboard(http: HttpRequest) -> HttpResponse:
    if not is_certifier_staff(cast(User, http.user)):
        raise Http404("Page introuvable.")
    names = figures.branch_names()
    form = DashboardForm(http.GET if http.GET else None, names=names)
    filters = form.filters()
    board = figures.dashboard(filters, names=names)
    return render(
        http,
        "reporting/dashboard.html",
        {
            "form": form,
            "filters": filters,
            "branch_name": form.branch_name(),
            "board": board,
            "charts": charts.dashboard_charts(board),
            "export_query": urlencode(form.query()),
            "at_risk_days": AT_RISK_DAYS,
        },
        status=400 if form.errors else 200,
    )
