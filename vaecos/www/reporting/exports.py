"""CSV exports of the queue, the sessions and the results, for the certifier's staff.

Each view checks who asks (404 for anyone else, as the staff pages do), records the export in
the audit journal (it hands personal data over), and streams the file vaecos.reporting.exports
writes: the rows are read from the database while the file goes out.
"""

from collections.abc import Iterator
from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_GET

from vaecos.accounts.models import User
from vaecos.accounts.roles import is_certifier_staff
from vaecos.audit.services import record_read
from vaecos.reporting import exports


def _staff(http: HttpRequest) -> User:
    user = cast(User, http.user)
    if not is_certifier_staff(user):
        raise Http404("Page introuvable.")
    return user


def _download(
    http: HttpRequest, user: User, *, stem: str, label: str, body: Iterator[bytes]
) -> StreamingHttpResponse:
    # One event for the whole export (not one per case: it would cost a write per row).
    record_read(user, case=None, what="export_csv", label=label, path=http.get_full_path())
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(stem)}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def queue_csv(http: HttpRequest) -> StreamingHttpResponse:
    """The admissibility queue with the queue page's filters (`statut`, `branche`, `q`)."""
    user = _staff(http)
    filters = exports.QueueFilters.from_query(http.GET)
    return _download(
        http,
        user,
        stem="recevabilite",
        label=f"Export CSV des demandes de recevabilité ({filters.describe()})",
        body=exports.lines(exports.QUEUE_HEADER, exports.queue_rows(filters)),
    )


@login_required
@require_GET
def sessions_csv(http: HttpRequest) -> StreamingHttpResponse:
    """The sessions, one row per registration (`branche`, `du`, `au`)."""
    user = _staff(http)
    filters = exports.Filters.from_query(http.GET)
    return _download(
        http,
        user,
        stem="sessions",
        label=f"Export CSV des sessions d'évaluation ({filters.describe()})",
        body=exports.lines(exports.SESSIONS_HEADER, exports.sessions_rows(filters)),
    )


@login_required
@require_GET
def results_csv(http: HttpRequest) -> StreamingHttpResponse:
    """The jury's decisions, one column per bloc (`branche`, `du`, `au`)."""
    user = _staff(http)
    filters = exports.Filters.from_query(http.GET)
    header, rows = exports.results_table(filters)
    return _download(
        http,
        user,
        stem="resultats",
        label=f"Export CSV des résultats des jurys ({filters.describe()})",
        body=exports.lines(header, rows),
    )
