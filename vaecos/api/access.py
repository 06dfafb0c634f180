"""What a token's user may read through the API: the same rules as the web pages.

The certifier's staff (instructeurs, administrators) read everything. A jury member reads the
sessions they sit on and, in them, the candidates whose dossier reached the jury, except those
they may not sit for (D. 6412-6: vaecos.jury.permissions.conflict), and their results.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from vaecos.accounts.models import Role, User
from vaecos.accounts.roles import is_certifier_staff
from vaecos.admissibility.models import AdmissibilityRequest, Status
from vaecos.cases.models import VaeCase
from vaecos.evaluation.composition import experience_organisations
from vaecos.evaluation.models import EvaluationSession, Registration
from vaecos.jury import permissions as jury_permissions
from vaecos.jury.models import Deliberation


def jury_registration_ids(user: User) -> list[int]:
    """The registrations a jury member reaches: transmitted, on a session they sit on, and no
    conflict with the candidate. Bounded by their sessions; three queries whatever their size."""
    if user.role != Role.JURY or not user.is_active:
        return []
    rows = list(
        Registration.objects.filter(session__jury__user=user, transmitted_at__isnull=False)
        .select_related("case__candidate")
        .order_by("pk")
    )
    organisations = (
        experience_organisations({r.case.candidate_id for r in rows}, timezone.localdate())
        if user.organisation_id is not None
        else {}
    )
    return [
        r.pk
        for r in rows
        if jury_permissions.conflict(user, r, organisations.get(r.case.candidate_id)) is None
    ]


class Scope:
    """The rows one user may read, computed once per request."""

    def __init__(self, user: User) -> None:
        self.user = user
        self.staff = is_certifier_staff(user)
        self._ids: list[int] | None = None

    @property
    def registration_ids(self) -> list[int]:
        if self._ids is None:
            self._ids = [] if self.staff else jury_registration_ids(self.user)
        return self._ids

    def registrations(self) -> QuerySet[Registration]:
        if self.staff:
            return Registration.objects.all()
        return Registration.objects.filter(pk__in=self.registration_ids)

    def cases(self) -> QuerySet[VaeCase]:
        if self.staff:
            return VaeCase.objects.all()
        return VaeCase.objects.filter(
            pk__in=Registration.objects.filter(pk__in=self.registration_ids).values("case_id")
        )

    def sessions(self) -> QuerySet[EvaluationSession]:
        if self.staff:
            return EvaluationSession.objects.all()
        if self.user.role == Role.JURY and self.user.is_active:
            return EvaluationSession.objects.filter(jury__user=self.user)
        return EvaluationSession.objects.none()

    def admissibility_requests(self) -> QuerySet[AdmissibilityRequest]:
        # As on the web: the instructeurs' business, drafts being the candidate's alone.
        if self.staff:
            return AdmissibilityRequest.objects.exclude(status=Status.DRAFT)
        return AdmissibilityRequest.objects.none()

    def deliberations(self) -> QuerySet[Deliberation]:
        decided = Deliberation.objects.exclude(status=Deliberation.Status.DRAFT)
        if self.staff:
            return decided
        return decided.filter(registration_id__in=self.registration_ids)
