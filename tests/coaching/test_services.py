"""Coaching services: declaration, assignment, threads, finalisation and reopening."""

import pytest
from django.core import mail

from tests.accounts.factories import UserFactory
from tests.dossiers.factories import complete_dossier, dossier_for
from vaecos.accounts.models import Organisation
from vaecos.cases.models import Coaching
from vaecos.coaching import services
from vaecos.coaching.models import CommentThread
from vaecos.coaching.services import CoachingError
from vaecos.dossiers import services as dossier_services
from vaecos.dossiers.models import DossierStatus, DossierTransitionLog
from vaecos.utils.workflow import InvalidTransition

# --- Declaration -----------------------------------------------------------------------------


def test_declaring_institut_410_names_its_organisation(dossier, candidate, institut):
    case = services.coaching_declare(
        case=dossier.case, coaching=Coaching.INSTITUT_410, by=candidate
    )

    case.refresh_from_db()
    assert case.coaching == Coaching.INSTITUT_410
    assert case.coaching_organisation == institut
    assert case.coaching_declared_at is not None


def test_institut_410_cannot_be_declared_before_it_is_configured(dossier, candidate):
    with pytest.raises(CoachingError, match="Institut 4.10 n'est pas encore enregistré"):
        services.coaching_declare(case=dossier.case, coaching=Coaching.INSTITUT_410, by=candidate)

    dossier.case.refresh_from_db()
    assert dossier.case.coaching == Coaching.UNDECLARED


def test_another_organisation_must_be_a_coaching_one_other_than_the_institut(
    dossier, candidate, institut, other_org
):
    employer = Organisation.objects.create(name="CAF de la Gironde")
    for wrong in (None, institut, employer):
        with pytest.raises(CoachingError, match="organisme d'accompagnement"):
            services.coaching_declare(
                case=dossier.case, coaching=Coaching.OTHER, organisation=wrong, by=candidate
            )

    case = services.coaching_declare(
        case=dossier.case, coaching=Coaching.OTHER, organisation=other_org, by=candidate
    )
    assert case.coaching_organisation == other_org


def test_an_unknown_choice_is_refused(dossier, candidate):
    with pytest.raises(CoachingError, match="possibilités proposées"):
        services.coaching_declare(case=dossier.case, coaching="", by=candidate)


def test_changing_organisation_lets_the_coach_go_keeping_it_keeps_them(
    coached, candidate, other_org, coach
):
    services.coaching_declare(case=coached.case, coaching=Coaching.INSTITUT_410, by=candidate)
    coached.case.refresh_from_db()
    assert coached.case.coach == coach

    services.coaching_declare(
        case=coached.case, coaching=Coaching.OTHER, organisation=other_org, by=candidate
    )
    coached.case.refresh_from_db()
    assert coached.case.coach is None


def test_declaring_no_coaching_clears_organisation_and_coach(coached, candidate):
    services.coaching_declare(case=coached.case, coaching=Coaching.NONE, by=candidate)

    coached.case.refresh_from_db()
    assert (coached.case.coaching, coached.case.coaching_organisation, coached.case.coach) == (
        Coaching.NONE,
        None,
        None,
    )


def test_the_declaration_is_frozen_once_the_dossier_is_transmitted(coached, candidate):
    coached.status = DossierStatus.TRANSMITTED
    coached.save()

    with pytest.raises(CoachingError, match="transmis au jury"):
        services.coaching_declare(case=coached.case, coaching=Coaching.NONE, by=candidate)

    coached.case.refresh_from_db()
    assert coached.case.coaching == Coaching.INSTITUT_410


# --- Assignment -------------------------------------------------------------------------------


@pytest.fixture
def declared(dossier, candidate, institut):
    services.coaching_declare(case=dossier.case, coaching=Coaching.INSTITUT_410, by=candidate)
    dossier.case.refresh_from_db()
    return dossier.case


def test_staff_assign_a_coach_of_the_declared_organisation_and_both_are_told(
    declared, coach, instructor, candidate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.coach_assign(case=declared, coach=coach, by=instructor)

    declared.refresh_from_db()
    assert declared.coach == coach
    assert sorted(m.to[0] for m in mail.outbox) == sorted([coach.email, candidate.email])
    to_coach = next(m for m in mail.outbox if m.to == [coach.email])
    assert candidate.display_name in to_coach.subject
    assert "Mes candidats" in to_coach.body


def test_only_eligible_coaches_are_offered(declared, coach, other_org):
    UserFactory(coach=True, organisation=other_org)
    UserFactory(coach=True, organisation=declared.coaching_organisation, is_active=False)

    assert list(services.eligible_coaches(declared)) == [coach]


@pytest.mark.parametrize(
    "case_setup, coach_setup, message",
    [
        ("undeclared", "ok", "n'a pas déclaré d'accompagnement"),
        ("none", "ok", "n'a pas déclaré d'accompagnement"),
        ("institut", "other_org", "n'appartient pas à l'organisme"),
        ("institut", "no_org", "n'appartient pas à l'organisme"),
        ("institut", "inactive", "n'est pas un accompagnateur actif"),
        ("institut", "instructor", "n'est pas un accompagnateur actif"),
    ],
)
def test_an_assignment_that_does_not_fit_is_refused_with_its_reason(
    dossier, candidate, institut, other_org, instructor, case_setup, coach_setup, message
):
    case = dossier.case
    if case_setup == "institut":
        services.coaching_declare(case=case, coaching=Coaching.INSTITUT_410, by=candidate)
    elif case_setup == "none":
        services.coaching_declare(case=case, coaching=Coaching.NONE, by=candidate)
    coach = {
        "ok": lambda: UserFactory(coach=True, organisation=institut),
        "other_org": lambda: UserFactory(coach=True, organisation=other_org),
        "no_org": lambda: UserFactory(coach=True),
        "inactive": lambda: UserFactory(coach=True, organisation=institut, is_active=False),
        "instructor": lambda: UserFactory(instructor=True, organisation=institut),
    }[coach_setup]()

    with pytest.raises(CoachingError, match=message):
        services.coach_assign(case=case, coach=coach, by=instructor)

    case.refresh_from_db()
    assert case.coach is None
    assert mail.outbox == []


def test_only_staff_assign(declared, coach):
    with pytest.raises(CoachingError):
        services.coach_assign(case=declared, coach=coach, by=coach)


# --- Threads ----------------------------------------------------------------------------------


def test_a_thread_lives_opened_answered_resolved_reopened(
    coached, coach, candidate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        thread = services.thread_open(
            dossier=coached, section="motivation", body="Précisez votre projet.", by=coach
        )
    assert [m.to for m in mail.outbox] == [[candidate.email]]
    assert "Précisez votre projet." in mail.outbox[0].body
    assert "« Motivation »" in mail.outbox[0].body
    assert services.open_thread_count(coached) == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.thread_reply(thread=thread, body="C'est fait.", by=candidate)
        services.thread_resolve(thread=thread, by=candidate)
    assert [m.to for m in mail.outbox[1:]] == [[coach.email], [coach.email]]
    thread.refresh_from_db()
    assert thread.is_resolved and thread.resolved_by == candidate
    assert services.open_thread_count(coached) == 0

    with django_capture_on_commit_callbacks(execute=True):
        services.thread_reply(thread=thread, body="Pas tout à fait.", by=coach)
    thread.refresh_from_db()
    assert not thread.is_resolved and thread.resolved_by is None
    assert [c.body for c in thread.comments.all()] == [
        "Précisez votre projet.",
        "C'est fait.",
        "Pas tout à fait.",
    ]
    assert mail.outbox[-1].to == [candidate.email]


def test_a_thread_on_a_situation_of_the_dossier(coached, coach):
    situation = dossier_services.situation_add(
        dossier=coached, activity=coached.referentiel_version.activities.get(number=1), by=coach
    )

    thread = services.thread_open(
        dossier=coached, section=f"situation-{situation.pk}", body="Le contexte ?", by=coach
    )

    assert thread.section == f"situation-{situation.pk}"


def test_a_thread_on_a_section_that_does_not_exist_is_refused(
    coached, coach, referentiel, other_candidate
):
    theirs = dossier_for(referentiel, candidate=other_candidate)
    foreign = dossier_services.situation_add(
        dossier=theirs, activity=referentiel.activities.get(number=1), by=other_candidate
    )
    for section in ("inconnue", f"situation-{foreign.pk}", "situation-x", ""):
        with pytest.raises(CoachingError, match="n'existe pas"):
            services.thread_open(dossier=coached, section=section, body="Oui", by=coach)
    assert not CommentThread.objects.exists()


@pytest.mark.parametrize("body", ["", "   ", "\x00", "x" * (services.MAX_COMMENT + 1)])
def test_an_empty_or_huge_comment_is_refused(coached, coach, body):
    with pytest.raises(CoachingError):
        services.thread_open(dossier=coached, section="context", body=body, by=coach)
    assert not CommentThread.objects.exists()


def test_only_the_candidates_coach_comments_and_only_the_candidate_resolves(
    coached, coach, candidate, institut, instructor
):
    stranger = UserFactory(coach=True, organisation=institut)
    with pytest.raises(CoachingError):
        services.thread_open(dossier=coached, section="context", body="Bonjour", by=stranger)
    with pytest.raises(CoachingError):
        services.thread_open(dossier=coached, section="context", body="Bonjour", by=candidate)
    thread = services.thread_open(dossier=coached, section="context", body="Bonjour", by=coach)
    for someone in (stranger, instructor):
        with pytest.raises(CoachingError):
            services.thread_reply(thread=thread, body="Moi aussi", by=someone)
    for someone in (coach, instructor):
        with pytest.raises(CoachingError, match="Seul le candidat"):
            services.thread_resolve(thread=thread, by=someone)
    services.thread_resolve(thread=thread, by=candidate)
    with pytest.raises(CoachingError, match="déjà"):
        services.thread_resolve(thread=thread, by=candidate)


def test_comments_close_once_the_dossier_is_transmitted(coached, coach, candidate):
    thread = services.thread_open(dossier=coached, section="context", body="Bonjour", by=coach)
    coached.status = DossierStatus.TRANSMITTED
    coached.save()

    with pytest.raises(CoachingError, match="transmis"):
        services.thread_open(dossier=coached, section="context", body="Encore", by=coach)
    with pytest.raises(CoachingError, match="transmis"):
        services.thread_reply(thread=thread, body="Réponse", by=candidate)


def test_an_inactive_coach_loses_access(coached, coach):
    coach.is_active = False
    coach.save()
    with pytest.raises(CoachingError):
        services.thread_open(dossier=coached, section="context", body="Bonjour", by=coach)


# --- Finalising and reopening ---------------------------------------------------------------


def test_an_incomplete_dossier_cannot_be_finalised(coached, candidate):
    with pytest.raises(InvalidTransition, match="ne respecte pas encore les règles"):
        services.dossier_finalize(dossier=coached, by=candidate)

    coached.refresh_from_db()
    assert coached.status == DossierStatus.IN_PROGRESS
    assert mail.outbox == []


@pytest.fixture
def complete(referentiel, candidate, coach, institut):
    dossier = complete_dossier(referentiel, candidate=candidate)
    case = dossier.case
    case.coaching, case.coaching_organisation, case.coach = Coaching.INSTITUT_410, institut, coach
    case.save()
    return dossier


def test_a_complete_dossier_is_finalised_frozen_and_the_coach_told(
    complete, candidate, coach, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_finalize(dossier=complete, by=candidate)

    complete.refresh_from_db()
    assert complete.status == DossierStatus.FINAL
    log = DossierTransitionLog.objects.filter(subject=complete).last()
    assert (log.transition, log.from_state, log.to_state, log.by) == (
        "finalize",
        DossierStatus.IN_PROGRESS,
        DossierStatus.FINAL,
        candidate,
    )
    assert services.finalized_at(complete) == log.at
    assert [m.to for m in mail.outbox] == [[coach.email]]
    assert "finalisé" in mail.outbox[0].subject
    # Frozen: the editor refuses to write.
    with pytest.raises(dossier_services.DossierError, match="n'est plus modifiable"):
        dossier_services.field_save(
            dossier=complete,
            field_key="dossier.context",
            text="Autre chose",
            base_revision=0,
            by=candidate,
        )


def test_only_the_candidate_finalises(complete, coach):
    with pytest.raises(CoachingError):
        services.dossier_finalize(dossier=complete, by=coach)


def test_staff_reopen_with_a_reason_kept_in_the_log(
    complete, candidate, coach, instructor, django_capture_on_commit_callbacks
):
    services.dossier_finalize(dossier=complete, by=candidate)
    for blank in ("", "   "):
        with pytest.raises(CoachingError, match="motif"):
            services.dossier_reopen(dossier=complete, reason=blank, by=instructor)
    with pytest.raises(CoachingError):
        services.dossier_reopen(dossier=complete, reason="Parce que", by=coach)

    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_reopen(
            dossier=complete, reason="La situation IV est à reprendre.", by=instructor
        )

    complete.refresh_from_db()
    assert complete.status == DossierStatus.IN_PROGRESS
    assert services.finalized_at(complete) is None
    log = DossierTransitionLog.objects.filter(subject=complete).last()
    assert (log.transition, log.by, log.reason) == (
        "reopen",
        instructor,
        "La situation IV est à reprendre.",
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([candidate.email, coach.email])
    assert all("La situation IV est à reprendre." in m.body for m in mail.outbox)


def test_a_dossier_in_progress_cannot_be_reopened(coached, instructor):
    with pytest.raises(InvalidTransition, match="rouvrir le dossier"):
        services.dossier_reopen(dossier=coached, reason="Motif", by=instructor)


def test_the_coach_requests_a_reopening_from_the_active_instructeurs(
    complete, candidate, coach, instructor, django_capture_on_commit_callbacks
):
    UserFactory(instructor=True, is_active=False)
    with pytest.raises(CoachingError, match="seul un dossier finalisé"):
        services.dossier_reopen_request(dossier=complete, reason="À revoir", by=coach)
    services.dossier_finalize(dossier=complete, by=candidate)
    with pytest.raises(CoachingError):
        services.dossier_reopen_request(dossier=complete, reason="À revoir", by=candidate)

    with django_capture_on_commit_callbacks(execute=True):
        thread = services.dossier_reopen_request(
            dossier=complete, reason="La situation IV est à reprendre.", by=coach
        )

    assert thread.section == "general"
    assert "La situation IV est à reprendre." in thread.comments.get().body
    to_instructor = [m for m in mail.outbox if m.to == [instructor.email]]
    assert len(to_instructor) == 1
    assert "réouverture" in to_instructor[0].subject
    assert {m.to[0] for m in mail.outbox} == {instructor.email, candidate.email}
    complete.refresh_from_db()
    assert complete.status == DossierStatus.FINAL  # only staff reopen


def test_a_refused_action_sends_nothing(coached, coach, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CoachingError):
        services.thread_open(dossier=coached, section="nulle-part", body="Bonjour", by=coach)
    assert mail.outbox == []
