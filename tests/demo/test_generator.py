"""The case generator (`manage.py generate_cases`): the process's states, the database's rules,
the same data for the same commands, and the lists render with it."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.urls import reverse

from vaecos.accounts.models import Role, User
from vaecos.admissibility.models import AdmissibilityRequest, AdmissibilityTransitionLog, Status
from vaecos.audit.models import ReadEvent
from vaecos.cases.models import VaeCase
from vaecos.coaching.models import CommentThread
from vaecos.demo import generator
from vaecos.dossiers.models import Dossier, DossierStatus
from vaecos.evaluation.models import EvaluationSession, JuryMember, Registration
from vaecos.jury.models import Deliberation

TODAY = datetime.date(2026, 6, 16)


def fingerprint() -> dict[str, list]:
    """What was generated, without the ids (the databases' sequences are not rolled back)."""

    def rows(queryset, *fields):
        return sorted(tuple(str(v) for v in row) for row in queryset.values_list(*fields))

    return {
        "users": rows(User.objects.all(), "email", "role", "first_name", "last_name", "gender",
                      "organisation__name", "date_joined"),
        "cases": rows(VaeCase.objects.all(), "candidate__email", "branch__code", "coaching",
                      "coach__email", "created_at"),
        "requests": rows(AdmissibilityRequest.objects.all(), "case__candidate__email", "status",
                         "submitted_at", "complete_on", "decision_due", "decided_on",
                         "validity_end", "implicit"),
        "request_logs": rows(AdmissibilityTransitionLog.objects.all(),
                             "subject__case__candidate__email", "transition", "by__email", "at"),
        "dossiers": rows(Dossier.objects.all(), "case__candidate__email", "status", "updated_at"),
        "sessions": rows(EvaluationSession.objects.all(), "date", "start_time", "place",
                         "video_link"),
        "seats": rows(JuryMember.objects.all(), "session__date", "session__start_time",
                      "user__email", "is_president", "qualified"),
        "registrations": rows(Registration.objects.all(), "case__candidate__email",
                              "session__date", "session__start_time", "status",
                              "transmitted_at", "convened_at"),
        "deliberations": rows(Deliberation.objects.all(), "registration__case__candidate__email",
                              "status", "outcome", "notified_at"),
        "threads": rows(CommentThread.objects.all(), "dossier__case__candidate__email", "section",
                        "opened_at", "resolved_at"),
        "reads": rows(ReadEvent.objects.all(), "user__email", "case__candidate__email", "what",
                      "label", "at", "path"),
    }  # fmt: skip


def generated(count: int, **options) -> dict[str, list]:
    """Generate in a savepoint, look, roll back."""
    with transaction.atomic():
        generator.generate(count, today=TODAY, **options)
        found = fingerprint()
        transaction.set_rollback(True)
    return found


def test_the_same_commands_give_the_same_data(referentiel):
    once = generated(80)
    again = generated(80, batch_size=7)  # batches do not matter

    assert once == again
    assert len(once["users"]) > 80 and len(once["registrations"]) > 0
    with transaction.atomic():
        generator.generate(30, today=TODAY)
        generator.generate(80, today=TODAY)  # grows from 30 to 80 cases
        grown = fingerprint()
        transaction.set_rollback(True)
    assert grown == once
    assert generated(80, seed=7) != once


def test_the_cases_follow_the_process(referentiel):
    result = generator.generate(800, today=TODAY)

    assert (result.before, result.after) == (0, 800) and result.rows > 8000
    assert VaeCase.objects.count() == 800
    # Every state, drafts to expired, now or in the requests' history (a request stays
    # incomplete a few weeks only: few are today).
    statuses = set(AdmissibilityRequest.objects.values_list("status", flat=True))
    reached = set(AdmissibilityTransitionLog.objects.values_list("to_state", flat=True))
    assert statuses | reached == set(Status.values)
    assert set(Status.values) - statuses <= {Status.INCOMPLETE}
    complete = AdmissibilityRequest.objects.filter(status=Status.COMPLETE)
    assert all(r.decision_due and r.complete_on < r.decision_due for r in complete)
    assert Dossier.objects.filter(status=DossierStatus.TRANSMITTED).exists()
    for registration in Registration.objects.filter(transmitted_at__isnull=False):
        assert registration.dossier.case_id == registration.case_id
        assert registration.transmitted_at.date() <= registration.session.date
    for session in EvaluationSession.objects.all():
        assert session.registrations.count() <= session.capacity
        assert session.jury.filter(is_president=True).count() == 1
        assert session.jury.count() == 3
    assert Deliberation.objects.filter(status=Deliberation.Status.NOTIFIED).exists()
    assert ReadEvent.objects.filter(user__role=Role.JURY).exists()
    assert ReadEvent.objects.filter(user__role=Role.COACH).exists()
    assert CommentThread.objects.filter(resolved_at__isnull=True).exists()
    # A request's log follows its states: the last transition leads to its status.
    for request in AdmissibilityRequest.objects.exclude(status=Status.DRAFT)[:50]:
        last = request.transitions.order_by("at", "pk").last()
        assert last.to_state == request.status
    # More cases, not more: nothing to add the second time.
    assert generator.generate(800, today=TODAY).rows == 0


def test_the_command_grows_the_cases_and_opens_the_entry_accounts(referentiel):
    out = io.StringIO()

    call_command("generate_cases", count=40, password="essai-de-charge", stdout=out)

    assert "40 parcours ajoutés" in out.getvalue()
    for email in generator.ENTRY_ACCOUNTS:
        user = User.objects.filter(email=email).first()
        assert user is not None and user.check_password("essai-de-charge"), email
    candidate = User.objects.filter(role=Role.CANDIDATE).first()
    assert not candidate.has_usable_password()
    call_command("generate_cases", count=40, stdout=out)
    assert "Déjà 40 parcours générés" in out.getvalue()


def test_the_command_needs_the_referentiel(db):
    with pytest.raises(CommandError, match="load_referentiel"):
        call_command("generate_cases", count=5, stdout=io.StringIO())


def signed_in(email: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(email=email))
    return client


def test_the_lists_render_with_generated_cases(referentiel):
    generator.generate(300)  # today's dates: upcoming and past sessions, deadlines near
    member = JuryMember.objects.filter(session__registrations__transmitted_at__isnull=False)
    seat = member.select_related("user", "session").first()
    coach = VaeCase.objects.filter(coach__isnull=False).values_list("coach__email", flat=True)
    pages = [
        ("instructeur-1@genere.test", reverse("admissibility:queue"), "Décision au plus tard"),
        ("instructeur-1@genere.test", reverse("evaluation:list"), "Sessions passées"),
        ("instructeur-1@genere.test", reverse("jury:home"), "Session du"),
        ("instructeur-1@genere.test", reverse("coaching:assignments"), "Accompagnateur"),
        (seat.user.email, reverse("jury:home"), "Session du"),
        (seat.user.email, reverse("jury:session", args=[seat.session_id]), "/jury/candidat/"),
        (coach.first(), reverse("coaching:coached"), "Relire"),
        (generator.ADMIN_EMAIL, reverse("audit:journal"), "Page du candidat pour le jury"),
    ]
    for email, url, expected in pages:
        response = signed_in(email).get(url)
        assert response.status_code == 200, url
        assert expected in response.content.decode(), url
