"""The audit log: everything for administrators, their own cases for a candidate."""

from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from vaecos.accounts.models import User
from vaecos.audit import journal as audit_journal
from vaecos.audit.journal import Entry

PAGE_SIZE = 50


def _user(http: HttpRequest) -> User:
    return cast(User, http.user)


def _case_pk(raw: str) -> int | None:
    try:
        number = int(raw)
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


@login_required
@require_GET
def journal(http: HttpRequest) -> HttpResponse:
    if not _user(http).is_administrator:
        raise Http404("Page introuvable.")
    case_raw = http.GET.get("parcours", "").strip()[:20]
    email = http.GET.get("courriel", "").strip()[:254]
    entries = audit_journal.journal(case_pk=_case_pk(case_raw), email=email)
    page: Page[Entry] = Paginator(entries, PAGE_SIZE).get_page(http.GET.get("page"))
    current = {"parcours": case_raw, "courriel": email}
    querystring = urlencode({key: value for key, value in current.items() if value})
    return render(
        http,
        "audit/journal.html",
        {"page": page, "current": current, "querystring": querystring},
    )


@login_required
@require_GET
def mine(http: HttpRequest) -> HttpResponse:
    user = _user(http)
    if not user.is_candidate:
        raise Http404("Page réservée aux candidats.")
    entries = audit_journal.journal_of_candidate(user)
    page: Page[Entry] = Paginator(entries, PAGE_SIZE).get_page(http.GET.get("page"))
    return render(http, "audit/mine.html", {"page": page, "querystring": ""})
