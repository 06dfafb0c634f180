"""Loading the référentiel from YAML: idempotent, versioned, and strict about what it accepts."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import REFERENTIEL_FILE
from tests.dossiers.factories import dossier_for
from tests.referentiels.files import activity, write_version
from vaecos.dossiers.completeness import dossier_report
from vaecos.dossiers.models import Dossier
from vaecos.referentiels.models import (
    Activity,
    Branch,
    Certification,
    Competence,
    ReferentielVersion,
)

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Certification, ReferentielVersion, Branch, Activity, Competence)
    }


def load(*paths) -> str:
    out = StringIO()
    call_command("load_referentiel", *[str(p) for p in paths], stdout=out)
    return out.getvalue()


def test_loading_twice_changes_nothing():
    first = load(REFERENTIEL_FILE)
    after_first = counts()
    version = ReferentielVersion.objects.get()

    second = load(REFERENTIEL_FILE)

    assert counts() == after_first
    assert ReferentielVersion.objects.get().pk == version.pk
    assert "cqp-cos-2021.yaml : version 2021 chargée." in first
    assert "cqp-cos-2021.yaml : version 2021 déjà à jour." in second


def test_without_arguments_the_command_loads_the_project_folder():
    load()

    assert ReferentielVersion.objects.get().version == "2021"


def test_the_real_file_describes_the_cqp():
    load(REFERENTIEL_FILE)

    version = ReferentielVersion.objects.get()
    assert version.certification.code == "cqp-cos"
    assert version.certification.rncp_code == "RNCP35543"
    assert list(version.branches.values_list("name", flat=True)) == [
        "Famille",
        "Maladie",
        "Recouvrement",
    ]
    assert list(
        version.activities.order_by("number").values_list("roman", "situations_required")
    ) == [("I", 2), ("II", 1), ("III", 2), ("IV", 1)]
    second = version.activities.get(number=2)
    assert second.competences_min_covered == 2
    assert list(second.competences.values_list("code", flat=True)) == [
        "II-1",
        "II-2",
        "II-3",
        "II-4",
        "II-5",
    ]
    assert counts() == {
        "Certification": 1,
        "ReferentielVersion": 1,
        "Branch": 3,
        "Activity": 4,
        "Competence": 5,
    }
    assert {p["key"] for p in version.template_rules["situation_parts"]} == {
        "title",
        "when",
        "description",
        "analysis",
        "actions",
        "rationale",
        "outcome",
    }


def test_the_real_files_advice_lists_words():
    """YAML reads a bare « on » as true: the advice's word lists must still be words."""
    load(REFERENTIEL_FILE)

    advice = ReferentielVersion.objects.get().template_rules["advice"]
    for name in ("first_person_words", "collective_words", "why_markers"):
        assert all(isinstance(word, str) for word in advice[name]), (name, advice[name])
    assert set(advice["collective_words"]) == {"nous", "on"}


def test_a_new_version_loads_beside_the_first_and_dossiers_keep_theirs(referentiel, tmp_path):
    dossier = dossier_for(referentiel)
    before = dossier_report(dossier)

    def stricter(data):
        activity(data, 4)["situations_required"] = 3
        data["template"]["advice"]["min_words"] = 400

    load(write_version(tmp_path, change=stricter))

    assert sorted(ReferentielVersion.objects.values_list("version", flat=True)) == ["2021", "2027"]
    assert Certification.objects.count() == 1
    assert Activity.objects.count() == 8
    new = ReferentielVersion.objects.get(version="2027")
    assert new.activities.get(number=4).situations_required == 3
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert dossier.referentiel_version.version == "2021"
    assert dossier.referentiel_version.activities.get(number=4).situations_required == 1
    assert dossier_report(dossier).problems == before.problems


def test_changing_a_loaded_version_is_refused(referentiel, tmp_path):
    rules_before = referentiel.template_rules
    before = counts()

    def retitle(data):
        activity(data, 1)["title"] = "Un autre intitulé"
        activity(data, 1)["situations_required"] = 5

    with pytest.raises(CommandError, match="la version 2021 est déjà chargée avec un contenu"):
        load(write_version(tmp_path, version="2021", change=retitle))

    assert counts() == before
    referentiel.refresh_from_db()
    assert referentiel.template_rules == rules_before
    assert referentiel.activities.get(number=1).situations_required == 2


def _unknown_part(data):
    data["template"]["situation_parts"].append(
        {"key": "hobbies", "label": "Mes loisirs", "required": True}
    )


def _duplicate_activity(data):
    activity(data, 3)["number"] = 1


def _too_many_competences_to_cover(data):
    activity(data, 2)["competences_min_covered"] = 6


def _min_covered_without_competences(data):
    activity(data, 1)["competences_min_covered"] = 1


def _duplicate_competence(data):
    activity(data, 2)["competences"][1]["code"] = "II-1"


def _no_situation_parts(data):
    data["template"]["situation_parts"] = []


def _unknown_motivation_part(data):
    data["template"]["motivation_required"].append("mon_horoscope")


def _wrong_format(data):
    data["format"] = 2


def _no_activities(data):
    del data["activities"]


def _no_advice(data):
    del data["template"]["advice"]


def _part_without_label(data):
    # Completeness shows each missing part by its label: without one, no dossier page renders.
    del data["template"]["situation_parts"][0]["label"]


def _competence_without_wording(data):
    del activity(data, 2)["competences"][0]["wording"]


def _boolean_among_advice_words(data):
    # What YAML makes of a bare `on`, `oui` or `yes`.
    data["template"]["advice"]["collective_words"] = ["nous", True]


INVALID = {
    "unknown-situation-part": _unknown_part,
    "duplicate-activity-number": _duplicate_activity,
    "min-covered-above-competences": _too_many_competences_to_cover,
    "min-covered-without-competences": _min_covered_without_competences,
    "duplicate-competence-code": _duplicate_competence,
    "no-situation-parts": _no_situation_parts,
    "unknown-motivation-part": _unknown_motivation_part,
    "wrong-format": _wrong_format,
    "no-activities": _no_activities,
    "no-advice": _no_advice,
    "part-without-label": _part_without_label,
    "competence-without-wording": _competence_without_wording,
    "boolean-among-advice-words": _boolean_among_advice_words,
}


@pytest.mark.parametrize("change", INVALID.values(), ids=INVALID.keys())
def test_an_invalid_file_is_refused_and_loads_nothing(tmp_path, change):
    path = write_version(tmp_path, change=change)

    with pytest.raises(CommandError) as refused:
        load(path)

    assert str(refused.value).startswith("cqp-cos-2027.yaml")
    assert counts() == dict.fromkeys(counts(), 0)


def test_an_unreadable_file_is_refused(tmp_path):
    path = tmp_path / "casse.yaml"
    path.write_text("format: 1\nactivities: [\n", encoding="utf-8")

    with pytest.raises(CommandError, match="YAML illisible"):
        load(path)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError):
        load(tmp_path / "absent.yaml")


def test_the_error_message_says_what_is_wrong(tmp_path):
    with pytest.raises(CommandError) as refused:
        load(write_version(tmp_path, change=_too_many_competences_to_cover))

    assert str(refused.value) == (
        "cqp-cos-2027.yaml, activité 2 : 6 compétences à couvrir, mais seulement 5 listées."
    )
