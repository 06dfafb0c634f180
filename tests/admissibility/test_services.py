"""The admissibility request: pre-checks, every transition, dates, silence means yes, expiry."""

import datetime

import pytest
from django.utils import timezone

from tests.accounts.factories import UserFactory
from tests.admissibility.factories import ExperienceFactory, ready_request
from tests.cases.factories import VaeCaseFactory
from vaecos.admissibility import services
from vaecos.admissibility.models import (
    AdmissibilityRequest,
    AdmissibilityTransitionLog,
    Coverage,
    Nature,
    Status,
)
from vaecos.admissibility.prechecks import precheck
from vaecos.admissibility.workflow import ADMISSIBILITY_WORKFLOW
from vaecos.utils.workflow import InvalidTransition

TODAY = datetime.date(2026, 11, 26)
NOW = timezone.make_aware(datetime.datetime(2026, 11, 26, 10, 0))


@pytest.fixture
def request_(referentiel, candidate):
    return ready_request(referentiel, candidate=candidate)


def gaps_for(request, coverage=Coverage.COVERED):
    return {
        a.pk: (coverage, f"Activité {a.roman}")
        for a in request.case.referentiel_version.activities.all()
    }


def complete(request, candidate, instructor, on=TODAY):
    received = timezone.make_aware(datetime.datetime.combine(on, datetime.time(9)))
    services.request_submit(request=request, by=candidate, now=received)
    return services.request_declare_complete(request=request, by=instructor, on=on)


# --- Pre-checks --------------------------------------------------------------------------------


def test_a_filled_request_can_be_submitted(request_):
    check = precheck(request_, TODAY)

    assert check.can_submit and check.warnings == []
    assert check.total_hours == 1607


def test_less_than_1607_hours_is_a_warning_never_a_block(request_):
    request_.experiences.update(hours=800)

    check = precheck(request_, TODAY)

    assert check.can_submit
    assert check.warnings == [
        "Votre expérience déclarée totalise 800 heures, moins que les 1607 heures (un an à temps "
        "plein) qui servent de repère. Vous pouvez déposer votre demande : le certificateur "
        "appréciera votre expérience."
    ]


def test_the_minimum_is_configurable(request_, settings):
    settings.ADMISSIBILITY_MIN_HOURS = 2000

    assert precheck(request_, TODAY).warnings


def test_missing_fields_future_periods_and_unticked_statements_block(request_):
    request_.birth_city = ""
    request_.sworn_unique = False
    request_.save()
    ExperienceFactory(request=request_, started_on=TODAY + datetime.timedelta(days=3))

    check = precheck(request_, TODAY)

    assert not check.can_submit
    assert "Indiquez la commune de naissance." in check.missing
    assert any("dans le futur" in m for m in check.missing)
    assert any("déclaration sur l'honneur" in m for m in check.missing)


def test_one_request_per_certification_per_calendar_year(referentiel, candidate, request_):
    instructor = UserFactory(instructor=True)
    services.request_submit(request=request_, by=candidate, now=NOW)
    services.request_declare_incomplete(request=request_, by=instructor, missing_items="CV")
    second = ready_request(referentiel, candidate=candidate)

    check = precheck(second, TODAY)

    assert check.blocking == [
        "Vous avez déjà déposé une demande pour cette certification en 2026 : une seule demande "
        "par certification est possible par année civile."
    ]
    with pytest.raises(services.AdmissibilityError):
        services.request_submit(request=second, by=candidate, now=NOW)
    # Next year, the same certification may be asked for again.
    assert precheck(second, datetime.date(2027, 1, 2)).blocking == []


def test_requests_for_blocs_only_are_exempt(referentiel, candidate, request_):
    services.request_submit(request=request_, by=candidate, now=NOW)
    blocs = ready_request(referentiel, candidate=candidate, blocs_only=True)

    assert precheck(blocs, TODAY).blocking == []


def test_three_certifications_a_year_at_most(referentiel, candidate, request_, settings):
    settings.ADMISSIBILITY_MAX_CERTIFICATIONS_PER_YEAR = 1
    services.request_submit(request=request_, by=candidate, now=NOW)
    from vaecos.referentiels.models import Certification

    other = Certification.objects.create(
        code="gc", name="CQP Gestionnaire conseil", rncp_code="RNCP0", certifier="Ucanss"
    )
    version = referentiel.__class__.objects.create(
        certification=other,
        version="1",
        valid_from=datetime.date(2021, 1, 1),
        source_file="x",
        source_sha256="0",
    )
    second = ready_request(version, candidate=candidate)

    assert precheck(second, TODAY).blocking == [
        "Vous avez déjà déposé des demandes pour 1 certifications en 2026 : 1 au plus sont "
        "possibles par année civile."
    ]


# --- Transitions -------------------------------------------------------------------------------


def test_the_whole_path_with_its_dates_and_log(request_, candidate, instructor):
    services.request_submit(request=request_, by=candidate, now=NOW)
    services.request_declare_incomplete(request=request_, by=instructor, missing_items="Le CV.")
    services.request_submit(request=request_, by=candidate, now=NOW + datetime.timedelta(days=5))
    services.request_declare_complete(
        request=request_, by=instructor, on=datetime.date(2026, 12, 31)
    )
    services.request_decide(
        request=request_,
        by=instructor,
        favourable=True,
        gaps=gaps_for(request_),
        recommendations="Une formation aux outils numériques.",
        on=datetime.date(2027, 1, 15),
    )

    request_.refresh_from_db()
    assert request_.status == Status.FAVOURABLE
    assert request_.submitted_at == NOW  # the first receipt date is kept
    # 31 December + 2 months = 28 February 2027 (a Sunday): shifted to Monday 1 March.
    assert request_.decision_due == datetime.date(2027, 3, 1)
    assert request_.validity_end == datetime.date(2028, 7, 15)
    assert request_.gap_analysis.count() == request_.case.referentiel_version.activities.count()
    log = list(request_.transitions.values_list("transition", "from_state", "to_state", "by"))
    assert log == [
        ("submit", "brouillon", "deposee", candidate.pk),
        ("declare_incomplete", "deposee", "incomplete", instructor.pk),
        ("resubmit", "incomplete", "deposee", candidate.pk),
        ("declare_complete", "deposee", "complete", instructor.pk),
        ("decide_favourable", "complete", "recevable", instructor.pk),
    ]


def test_an_unfavourable_decision_needs_its_reasons(request_, candidate, instructor):
    complete(request_, candidate, instructor)

    with pytest.raises(services.AdmissibilityError, match="motivée"):
        services.request_decide(
            request=request_,
            by=instructor,
            favourable=False,
            gaps=gaps_for(request_, Coverage.NOT_COVERED),
        )
    services.request_decide(
        request=request_,
        by=instructor,
        favourable=False,
        gaps=gaps_for(request_, Coverage.NOT_COVERED),
        reasons="Expérience sans rapport direct avec l'accueil des usagers.",
    )

    request_.refresh_from_db()
    assert request_.status == Status.UNFAVOURABLE and request_.validity_end is None


def test_the_gap_analysis_covers_every_activity(request_, candidate, instructor):
    complete(request_, candidate, instructor)
    partial = dict(list(gaps_for(request_).items())[:2])

    with pytest.raises(services.AdmissibilityError, match="chaque activité"):
        services.request_decide(request=request_, by=instructor, favourable=True, gaps=partial)

    request_.refresh_from_db()
    assert request_.status == Status.COMPLETE and not request_.gap_analysis.exists()


def test_two_decisions_at_once_record_one(request_, candidate, instructor):
    complete(request_, candidate, instructor)
    other = UserFactory(instructor=True)
    stale = AdmissibilityRequest.objects.get(pk=request_.pk)
    services.request_decide(
        request=request_, by=instructor, favourable=True, gaps=gaps_for(request_)
    )

    with pytest.raises(InvalidTransition, match="la demande est « Recevable »"):
        services.request_decide(
            request=stale, by=other, favourable=False, gaps=gaps_for(stale), reasons="Non."
        )

    request_.refresh_from_db()
    assert request_.decided_by == instructor
    assert request_.transitions.filter(transition__startswith="decide").count() == 1


def test_a_double_click_on_submit_submits_once(request_, candidate):
    services.request_submit(request=request_, by=candidate, now=NOW)

    with pytest.raises(InvalidTransition):
        services.request_submit(request=request_, by=candidate, now=NOW)

    assert request_.transitions.filter(transition="submit").count() == 1


@pytest.mark.parametrize(
    ("state", "name"),
    [
        (Status.DRAFT, "declare_complete"),
        (Status.DRAFT, "decide_favourable"),
        (Status.SUBMITTED, "decide_unfavourable"),
        (Status.INCOMPLETE, "declare_complete"),
        (Status.COMPLETE, "submit"),
        (Status.FAVOURABLE, "decide_unfavourable"),
        (Status.UNFAVOURABLE, "expire"),
        (Status.EXPIRED, "decide_favourable"),
    ],
)
def test_forbidden_transitions_change_nothing(request_, state, name):
    request_.status = state
    with pytest.raises(InvalidTransition, match="impossible : la demande est"):
        ADMISSIBILITY_WORKFLOW.apply(request_, name, by=None)
    assert not AdmissibilityTransitionLog.objects.exists()


def test_every_allowed_transition_is_in_the_table():
    table = {
        (t.name, s, t.target)
        for t in ADMISSIBILITY_WORKFLOW.transitions.values()
        for s in t.sources
    }

    assert table == {
        ("submit", Status.DRAFT, Status.SUBMITTED),
        ("declare_incomplete", Status.SUBMITTED, Status.INCOMPLETE),
        ("resubmit", Status.INCOMPLETE, Status.SUBMITTED),
        ("declare_complete", Status.SUBMITTED, Status.COMPLETE),
        ("decide_favourable", Status.COMPLETE, Status.FAVOURABLE),
        ("decide_unfavourable", Status.COMPLETE, Status.UNFAVOURABLE),
        ("decide_implicitly", Status.COMPLETE, Status.FAVOURABLE),
        ("expire", Status.FAVOURABLE, Status.EXPIRED),
    }


# --- Silence means yes, expiry, renewal --------------------------------------------------------


def test_silence_means_yes_on_the_day_after_the_deadline_and_only_once(
    request_, candidate, instructor
):
    complete(request_, candidate, instructor, on=datetime.date(2026, 9, 10))
    due = AdmissibilityRequest.objects.get(pk=request_.pk).decision_due
    assert due == datetime.date(2026, 11, 10)

    assert services.requests_decide_implicitly(due) == []  # the deadline day itself: not yet
    decided = services.requests_decide_implicitly(due + datetime.timedelta(days=1))
    again = services.requests_decide_implicitly(due + datetime.timedelta(days=2))

    request_.refresh_from_db()
    assert [r.pk for r in decided] == [request_.pk] and again == []
    assert request_.status == Status.FAVOURABLE and request_.implicit
    assert request_.decided_on == due
    assert request_.validity_end == datetime.date(2028, 5, 10)
    last = request_.transitions.last()
    assert (last.transition, last.by) == ("decide_implicitly", None)


def test_a_decided_request_is_never_decided_again_by_silence(request_, candidate, instructor):
    complete(request_, candidate, instructor, on=datetime.date(2026, 9, 10))
    services.request_decide(
        request=request_,
        by=instructor,
        favourable=False,
        gaps=gaps_for(request_),
        reasons="Non.",
        on=datetime.date(2026, 10, 1),
    )

    assert services.requests_decide_implicitly(datetime.date(2027, 1, 1)) == []


def test_a_favourable_admissibility_expires_after_its_validity(request_, candidate, instructor):
    complete(request_, candidate, instructor)
    services.request_decide(
        request=request_, by=instructor, favourable=True, gaps=gaps_for(request_)
    )
    end = AdmissibilityRequest.objects.get(pk=request_.pk).validity_end

    assert services.requests_expire(end) == []
    assert len(services.requests_expire(end + datetime.timedelta(days=1))) == 1
    assert services.requests_expire(end + datetime.timedelta(days=2)) == []
    request_.refresh_from_db()
    assert request_.status == Status.EXPIRED


def test_after_expiry_extension_or_renewal_depends_on_the_referentiel(request_, referentiel):
    nature, why = services.next_nature(request_)

    assert nature == Nature.EXTENSION and "version 2021" in why
    newer = referentiel.__class__.objects.create(
        certification=referentiel.certification,
        version="2026",
        valid_from=datetime.date(2026, 4, 20),
        source_file="x",
        source_sha256="0",
    )
    nature, why = services.next_nature(request_)
    assert nature == Nature.RENEWAL and f"2021 → {newer.version}" in why


def test_one_request_in_progress_per_case(request_, candidate):
    with pytest.raises(services.AdmissibilityError, match="déjà en cours"):
        services.request_open(case=request_.case, by=candidate)
    fresh = services.request_open(
        case=VaeCaseFactory(
            referentiel_version=request_.case.referentiel_version, candidate=candidate
        ),
        by=candidate,
    )
    assert fresh.status == Status.DRAFT and fresh.email == candidate.email


def test_a_favourable_decision_opens_the_livret_2_workspace_once(request_, candidate, instructor):
    complete(request_, candidate, instructor)
    assert not request_.case.dossiers.exists()

    services.request_decide(
        request=request_, by=instructor, favourable=True, gaps=gaps_for(request_)
    )

    assert request_.case.dossiers.count() == 1
    assert request_.case.step == "livret2"


def test_silence_means_yes_opens_the_workspace_too(request_, candidate, instructor):
    complete(request_, candidate, instructor, on=datetime.date(2026, 9, 10))

    services.requests_decide_implicitly(datetime.date(2026, 12, 1))

    assert request_.case.dossiers.count() == 1


def test_an_unfavourable_decision_opens_nothing(request_, candidate, instructor):
    complete(request_, candidate, instructor)
    services.request_decide(
        request=request_, by=instructor, favourable=False, gaps=gaps_for(request_), reasons="Non."
    )

    assert not request_.case.dossiers.exists()


def test_a_refusal_after_the_deadline_is_refused_silence_has_decided(
    request_, candidate, instructor
):
    complete(request_, candidate, instructor, on=datetime.date(2026, 9, 10))

    with pytest.raises(services.AdmissibilityError, match="réputée recevable"):
        services.request_decide(
            request=request_,
            by=instructor,
            favourable=False,
            gaps=gaps_for(request_),
            reasons="Trop tard.",
            on=datetime.date(2026, 11, 12),
        )

    request_.refresh_from_db()
    assert request_.status == Status.COMPLETE


def test_one_failing_request_does_not_stop_the_others(referentiel, instructor, monkeypatch):
    first, second = (ready_request(referentiel, candidate=UserFactory()) for _ in range(2))
    for request in (first, second):
        complete(request, request.case.candidate, instructor, on=datetime.date(2026, 9, 10))
    real = services._notify

    def failing(request, kind, **kwargs):
        if request.pk == first.pk:
            raise RuntimeError("imprimante en panne")
        return real(request, kind, **kwargs)

    monkeypatch.setattr(services, "_notify", failing)

    decided = services.requests_decide_implicitly(datetime.date(2026, 12, 1))

    assert [r.pk for r in decided] == [second.pk]
    first.refresh_from_db()
    assert first.status == Status.COMPLETE  # rolled back, tried again at the next run


def test_deadline_rules_follow_the_settings(request_, candidate, instructor, settings):
    settings.DEADLINE_RULES = {"ADMISSIBILITY_DECISION_DUE": {"amount": 3}}

    complete(request_, candidate, instructor, on=datetime.date(2026, 9, 10))

    request_.refresh_from_db()
    assert request_.decision_due == datetime.date(2026, 12, 10)
