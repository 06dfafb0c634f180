"""The stage stored on each case (vaecos.cases.stages) follows its parts as they change.

The suite's safety net (tests/conftest.py, `_stages_kept`) checks after every test that the
stored stage equals the computed one; these tests follow one case through the process, and the
ways to repair a stage that something wrote around the models."""

import datetime
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.admissibility.factories import AdmissibilityRequestFactory
from tests.cases.factories import VaeCaseFactory
from tests.evaluation.factories import (
    EvaluationSessionFactory,
    RegistrationFactory,
    favourable_case,
)
from vaecos.admissibility.models import Status
from vaecos.admissibility.workflow import ADMISSIBILITY_WORKFLOW
from vaecos.cases import stages
from vaecos.cases.models import Step, VaeCase
from vaecos.dossiers.models import Dossier, DossierStatus
from vaecos.evaluation.models import RegistrationStatus
from vaecos.jury.models import Deliberation, Outcome


def stage_of(case: VaeCase) -> str:
    return VaeCase.objects.values_list("stage", flat=True).get(pk=case.pk)


def test_a_case_s_stage_follows_it_through_the_process(referentiel, instructor):
    case = VaeCaseFactory(referentiel_version=referentiel)
    assert stage_of(case) == "recevabilite:aucune"

    request = AdmissibilityRequestFactory(case=case)
    assert stage_of(case) == "recevabilite:brouillon"
    today = timezone.localdate()
    request.submitted_at = timezone.now()
    request.complete_on = today
    request.decision_due = today + datetime.timedelta(days=61)
    request.decided_on = today
    request.validity_end = today + datetime.timedelta(days=548)
    request.status = Status.COMPLETE
    request.save()
    assert stage_of(case) == "recevabilite:complete"
    ADMISSIBILITY_WORKFLOW.apply(request, "decide_favourable", by=instructor)
    assert stage_of(case) == "recevabilite:recevable"

    dossier = Dossier.objects.create(case=case, attempt=1)
    assert stage_of(case) == "livret2:en_cours"
    dossier.status = DossierStatus.FINAL
    dossier.save()
    assert stage_of(case) == "livret2:finalise"

    session = EvaluationSessionFactory(referentiel_version=referentiel)
    registration = RegistrationFactory(case=case, session=session, dossier=dossier)
    # Registered, not transmitted yet: still writing the Livret 2.
    assert stage_of(case) == "livret2:finalise"
    registration.transmitted_at = timezone.now()
    registration.status = RegistrationStatus.CONVENED
    registration.save()
    assert stage_of(case) == "evaluation:convoque"

    deliberation = Deliberation.objects.create(registration=registration, outcome=Outcome.PARTIAL)
    assert stage_of(case) == "evaluation:brouillon"
    deliberation.status = Deliberation.Status.NOTIFIED
    deliberation.notified_at = timezone.now()
    deliberation.save()
    # A partial validation notified: back to the Livret 2, for another attempt.
    dossier.status = DossierStatus.TRANSMITTED
    dossier.save()
    assert stage_of(case) == "livret2:transmis"

    second = Dossier.objects.create(case=case, attempt=2)
    later = EvaluationSessionFactory(
        referentiel_version=referentiel, date=session.date + datetime.timedelta(days=90)
    )
    again = RegistrationFactory(
        case=case, session=later, dossier=second, transmitted_at=timezone.now()
    )
    assert stage_of(case) == "evaluation:inscrit"
    Deliberation.objects.create(
        registration=again,
        outcome=Outcome.TOTAL,
        status=Deliberation.Status.NOTIFIED,
        notified_at=timezone.now(),
    )
    assert stage_of(case) == "clos:totale"
    assert case.step == Step.CLOSED


def test_deleting_a_part_recomputes_the_stage(referentiel):
    case = favourable_case(referentiel)
    registration = RegistrationFactory(
        case=case,
        session=EvaluationSessionFactory(referentiel_version=referentiel),
        dossier=case.dossiers.get(),
        transmitted_at=timezone.now(),
    )
    assert stage_of(case).startswith("evaluation:")
    registration.delete()
    assert stage_of(case).startswith("livret2:")


def test_a_change_recomputes_its_own_case_only_in_one_update(referentiel):
    case = VaeCaseFactory(referentiel_version=referentiel)
    other = VaeCaseFactory(referentiel_version=referentiel)
    VaeCase.objects.filter(pk=other.pk).update(stage="clos:totale")  # drifted on purpose
    with CaptureQueriesContext(connection) as queries:
        AdmissibilityRequestFactory(case=case)
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert stage_of(case) == "recevabilite:brouillon"
    assert stage_of(other) == "clos:totale"
    stages.refresh(VaeCase.objects.filter(pk=other.pk))


def test_refresh_stages_repairs_every_case(referentiel):
    cases = [VaeCaseFactory(referentiel_version=referentiel) for _ in range(3)]
    AdmissibilityRequestFactory(case=cases[0], status=Status.SUBMITTED, submitted_at=timezone.now())
    VaeCase.objects.update(stage="clos:totale")
    out = StringIO()
    call_command("refresh_stages", stdout=out)
    assert [stage_of(c) for c in cases] == [
        "recevabilite:deposee",
        "recevabilite:aucune",
        "recevabilite:aucune",
    ]
    assert out.getvalue() == "Étape recalculée pour 3 parcours.\n"


def test_the_migration_computes_the_stage_with_the_historical_models(referentiel):
    """The migration that adds the column fills it from the models as they were then."""
    case = VaeCaseFactory(referentiel_version=referentiel)
    AdmissibilityRequestFactory(case=case, status=Status.SUBMITTED, submitted_at=timezone.now())
    VaeCase.objects.update(stage="recevabilite:aucune")
    state = MigrationLoader(connection).project_state(("cases", "0005_vaecase_stage"))
    historical = state.apps
    assert stages.refresh(historical.get_model("cases", "VaeCase").objects.all()) == 1
    assert stage_of(case) == "recevabilite:deposee"


def test_saving_a_case_loaded_earlier_keeps_the_stage_the_database_computed(referentiel):
    case = VaeCaseFactory(referentiel_version=referentiel)
    stale = VaeCase.objects.get(pk=case.pk)
    AdmissibilityRequestFactory(case=case)
    assert stale.stage == "recevabilite:aucune"
    stale.coaching = "aucun"
    stale.save()
    stale.save(update_fields=["stage", "coaching"])
    assert stage_of(case) == "recevabilite:brouillon"
    assert VaeCase.objects.get(pk=case.pk).coaching == "aucun"


def test_the_suite_wide_check_sees_database_tests(request, db):
    """tests/conftest.py's `_stages_kept` knows a database test by pytest-django's private
    `_django_db_helper` fixture. Were a new pytest-django to rename it, the check would stop
    silently: this test fails instead."""
    assert "_django_db_helper" in request.fixturenames
    assert "_stages_kept" in request.fixturenames
