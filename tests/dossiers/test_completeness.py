"""Completeness of a Livret 2: the rules come from the référentiel, never from the code.

`evaluate` is compared with a small independent oracle on generated référentiels and dossiers;
examples then pin the writing advice, the organisation's context and the real référentiel.
"""

import os
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.cases.factories import VaeCaseFactory
from tests.dossiers.factories import SituationFactory, complete_dossier, dossier_for
from tests.referentiels.files import activity, real_data, write_version
from vaecos.dossiers import services
from vaecos.dossiers.completeness import (
    SITUATION_PART_NAMES,
    ActivityRule,
    DossierData,
    SituationData,
    Status,
    dossier_report,
    evaluate,
)
from vaecos.dossiers.models import Dossier, Situation
from vaecos.referentiels.loader import load_file

HEADER_KEYS = ("last_name", "first_name", "branch")
MOTIVATION_KEYS = ("motivation_reasons", "motivation_strengths")
TEMPLATE_PART_KEYS = ("title", "when", "description", "analysis", "actions", "rationale", "outcome")
OWN_CONTEXT_LABEL = "Contexte propre à la situation"
COMPETENCES_LABEL = "Compétences mises en œuvre"
REAL_RULES = real_data()["template"]


# --- Generated référentiels and dossiers -----------------------------------------------------

texts = st.sampled_from(["", "   ", "\n\t", "Un texte.", "  J'ai agi.  "])


def blank(text: str | None) -> bool:
    return not (text or "").strip()


@st.composite
def scenarios(draw):
    numbers = draw(st.lists(st.integers(1, 6), min_size=1, max_size=4, unique=True))
    activities = []
    for number in numbers:
        codes = draw(st.lists(st.sampled_from([f"{number}-{i}" for i in range(1, 6)]), unique=True))
        activities.append(
            ActivityRule(
                number=number,
                roman=f"R{number}",
                title=f"Activité {number}",
                situations_required=draw(st.integers(0, 3)),
                competences_min_covered=draw(st.none() | st.integers(0, len(codes))),
                competence_codes=tuple(codes),
            )
        )
    part_keys = draw(st.lists(st.sampled_from(TEMPLATE_PART_KEYS), min_size=1, unique=True))
    rules = {
        "header_required": draw(st.lists(st.sampled_from(HEADER_KEYS), unique=True)),
        "motivation_required": draw(st.lists(st.sampled_from(MOTIVATION_KEYS), unique=True)),
        "context_required": draw(st.booleans()),
        "situation_parts": [
            {"key": key, "label": f"Partie « {key} »", "required": draw(st.booleans())}
            for key in part_keys
        ],
        "situation_min_competences": draw(st.integers(0, 2)),
        "advice": REAL_RULES["advice"],  # advice only warns: it never changes completeness
    }
    all_codes = [c for a in activities for c in a.competence_codes] + ["Z-1"]
    situations = [
        SituationData(
            id=index,
            # 99: a situation of an activity the référentiel does not have (ignored).
            activity_number=draw(st.sampled_from([*numbers, 99])),
            included=draw(st.booleans()),
            context_mode=draw(st.sampled_from(["general", "own"])),
            parts={name: draw(texts) for name in SITUATION_PART_NAMES},
            competence_codes=frozenset(draw(st.lists(st.sampled_from(all_codes), max_size=4))),
        )
        for index in range(draw(st.integers(0, 8)))
    ]
    data = DossierData(
        header={key: draw(texts) for key in HEADER_KEYS},
        motivation={key: draw(texts) for key in MOTIVATION_KEYS},
        context=draw(texts),
        situations=situations,
    )
    return rules, activities, data


# --- The oracle: the rules of the Livret 2 template, written as plainly as possible ----------


@dataclass
class ActivityVerdict:
    included: int
    missing_situations: int
    # For every situation of the activity, in order: the labels of what it still lacks.
    situation_missing: list[list[str]]
    situation_started: list[bool]
    situation_included: list[bool]
    covered: int
    coverage_short: bool

    @property
    def incomplete_included(self) -> int:
        return sum(
            1
            for m, inc in zip(self.situation_missing, self.situation_included, strict=True)
            if inc and m
        )

    @property
    def complete(self) -> bool:
        return (
            not self.missing_situations and not self.incomplete_included and not self.coverage_short
        )

    @property
    def problem_count(self) -> int:
        return bool(self.missing_situations) + self.incomplete_included + self.coverage_short

    @property
    def status(self) -> Status:
        if self.complete:
            return Status.COMPLETE
        # Started: one of its situations in the dossier is written in part, or needs nothing.
        started = any(
            (written or not missing) and included
            for written, missing, included in zip(
                self.situation_started,
                self.situation_missing,
                self.situation_included,
                strict=True,
            )
        )
        return Status.IN_PROGRESS if started else Status.NOT_STARTED


@dataclass
class Verdict:
    header_missing: list[str]
    motivation_missing: list[str]
    context_missing: bool
    activities: list[ActivityVerdict] = field(default_factory=list)

    @property
    def is_complete(self) -> bool:
        return (
            not self.header_missing
            and not self.motivation_missing
            and not self.context_missing
            and all(a.complete for a in self.activities)
        )

    @property
    def problem_count(self) -> int:
        return (
            len(self.header_missing)
            + len(self.motivation_missing)
            + self.context_missing
            + sum(a.problem_count for a in self.activities)
        )


def oracle(rules, activities, data) -> Verdict:
    included = [s for s in data.situations if s.included]
    verdict = Verdict(
        header_missing=[k for k in rules["header_required"] if blank(data.header.get(k))],
        motivation_missing=[
            k for k in rules["motivation_required"] if blank(data.motivation.get(k))
        ],
        # The organisation's context is written once, for the situations that happened there.
        context_missing=rules["context_required"]
        and blank(data.context)
        and (not included or any(s.context_mode == "general" for s in included)),
    )
    for act in activities:
        mine = [s for s in data.situations if s.activity_number == act.number]
        chosen = [s for s in mine if s.included]
        missing = []
        for situation in mine:
            labels = [
                p["label"]
                for p in rules["situation_parts"]
                if p["required"] and blank(situation.parts.get(p["key"]))
            ]
            if situation.context_mode == "own" and blank(situation.parts.get("own_context")):
                labels.append(OWN_CONTEXT_LABEL)
            # An activity that lists competences: each situation shows some of them.
            shown = situation.competence_codes & set(act.competence_codes)
            if act.competence_codes and len(shown) < rules["situation_min_competences"]:
                labels.append(COMPETENCES_LABEL)
            missing.append(labels)
        covered = set(act.competence_codes) & {c for s in chosen for c in s.competence_codes}
        verdict.activities.append(
            ActivityVerdict(
                included=len(chosen),
                missing_situations=max(0, act.situations_required - len(chosen)),
                situation_missing=missing,
                situation_started=[any(not blank(v) for v in s.parts.values()) for s in mine],
                situation_included=[s.included for s in mine],
                covered=len(covered),
                coverage_short=bool(act.competences_min_covered)
                and len(covered) < act.competences_min_covered,
            )
        )
    return verdict


@settings(max_examples=int(os.environ.get("ORACLE_EXAMPLES", 100)), deadline=None, database=None)
@given(scenarios())
def test_evaluate_agrees_with_the_oracle(scenario):
    rules, activities, data = scenario

    report = evaluate(rules=rules, activities=activities, data=data)
    expected = oracle(rules, activities, data)

    assert report.is_complete == expected.is_complete
    assert len(report.problems) == expected.problem_count
    header, motivation, context = report.sections
    assert len(header.problems) == len(expected.header_missing)
    assert (header.status == Status.COMPLETE) == (not expected.header_missing)
    assert len(motivation.problems) == len(expected.motivation_missing)
    assert (context.status == Status.COMPLETE) == (not expected.context_missing)
    assert [a.number for a in report.activities] == [a.number for a in activities]
    for got, want in zip(report.activities, expected.activities, strict=True):
        assert got.included == want.included
        assert got.competences_covered == want.covered
        assert [sorted(s.missing) for s in got.situations] == [
            sorted(m) for m in want.situation_missing
        ]
        assert [s.status for s in got.situations] == [
            Status.COMPLETE if not m else (Status.IN_PROGRESS if started else Status.NOT_STARTED)
            for m, started in zip(want.situation_missing, want.situation_started, strict=True)
        ]
        assert got.complete == sum(
            1
            for m, inc in zip(want.situation_missing, want.situation_included, strict=True)
            if inc and not m
        )
        assert len(got.problems) == want.problem_count
        missing_problem = [p for p in got.problems if "manquante" in p]
        assert bool(missing_problem) == bool(want.missing_situations)
        if want.missing_situations:
            assert f"{want.missing_situations} situation" in missing_problem[0]
        assert got.status == want.status
    assert report.done_count == sum(1 for _, _, status in report.tasks if status == Status.COMPLETE)
    assert report.percent == round(100 * report.done_count / len(report.tasks))


# --- Writing advice ----------------------------------------------------------------------------

ONE_ACTIVITY = [ActivityRule(number=1, roman="I", title="Accueillir", situations_required=1)]

GOOD_SITUATION = {
    "title": "Une reprise d'emploi",
    "when": "Mars 2025",
    "description": "Je reçois une allocataire qui vient de reprendre un emploi. " * 12,
    "analysis": "J'ai consulté son dossier et vérifié ses ressources du trimestre. " * 12,
    "actions": "J'ai fait une simulation avec elle puis je l'ai guidée en ligne. " * 12,
    "rationale": (
        "J'ai choisi de faire la demande avec elle plutôt qu'à sa place, parce que je voulais "
        "qu'elle devienne autonome pour ses prochaines déclarations trimestrielles."
    ),
    "outcome": "Sa demande a été enregistrée et elle a déclaré seule le mois suivant.",
}


def warnings_for(rules=None, included=True, **parts) -> list[str]:
    situation = SituationData(
        activity_number=1, included=included, parts={**GOOD_SITUATION, **parts}
    )
    report = evaluate(
        rules=rules or REAL_RULES,
        activities=ONE_ACTIVITY,
        data=DossierData(situations=[situation]),
    )
    return report.warnings


def test_a_well_written_situation_gets_no_advice():
    assert warnings_for() == []


def test_a_short_situation_is_told_its_length():
    short = dict.fromkeys(GOOD_SITUATION, "") | {
        "title": "Un appel",
        "rationale": "J'ai rappelé la personne parce que son dossier était incomplet et bloqué.",
    }

    (warning,) = [w for w in warnings_for(**short) if "mots" in w]

    assert "environ 15 mots" in warning
    assert "au moins 250" in warning


def test_a_situation_written_with_nous_and_on_is_told_to_say_je():
    collective = "Nous avons reçu la personne, on a vérifié le dossier, nous avons appelé. " * 10

    warnings = warnings_for(description=collective, analysis="", actions="")

    assert any("« nous » ou « on »" in w for w in warnings)


def test_a_few_nous_among_many_je_are_fine():
    mixed = "Nous étions deux à l'accueil ; j'ai reçu la personne et j'ai vérifié son dossier."

    assert warnings_for(description=GOOD_SITUATION["description"] + mixed) == []


@pytest.mark.parametrize(
    "rationale",
    [
        "",
        "J'ai fait comme d'habitude.",
        # Long enough, but no reason given.
        "J'ai ouvert le dossier, j'ai lu les pièces, j'ai saisi la déclaration, puis j'ai "
        "imprimé le récapitulatif et je l'ai remis à la personne à la fin du rendez-vous.",
    ],
    ids=["empty", "too-short", "no-reason"],
)
def test_a_rationale_without_reasons_is_flagged(rationale):
    warnings = warnings_for(rationale=rationale)

    assert any("Pourquoi j'ai agi ainsi" in w for w in warnings)


def test_a_reason_given_with_a_typographic_apostrophe_counts():
    """Word processors and phones type ’ (U+2019): « c’est pourquoi » is a reason too."""
    rationale = (
        "La personne risquait de perdre ses droits si elle ne déclarait pas à temps, c’est "
        "pourquoi j’ai pris le temps de lui montrer chaque écran de la déclaration en ligne."
    )

    assert warnings_for(rationale=rationale) == []


def test_a_word_that_merely_contains_a_marker_is_not_a_reason():
    """« car » is a reason; « carte », « caractère » or « cartable » are not."""
    rationale = (
        "J'ai demandé sa carte vitale, j'ai vérifié le caractère complet du dossier, j'ai "
        "scanné les pièces et j'ai enregistré la demande dans l'outil de gestion."
    )

    assert any("Pourquoi j'ai agi ainsi" in w for w in warnings_for(rationale=rationale))


def test_advice_is_not_given_on_a_situation_left_out_of_the_dossier():
    assert warnings_for(included=False, rationale="", description="Nous. " * 5) == []


def test_advice_thresholds_come_from_the_referentiel():
    short = {"description": "J'ai reçu la personne et j'ai vérifié son dossier avec elle."}
    strict = {**REAL_RULES, "advice": {**REAL_RULES["advice"], "min_words": 10_000}}
    lenient = {**REAL_RULES, "advice": {**REAL_RULES["advice"], "min_words": 10}}

    assert any("au moins 10000" in w for w in warnings_for(rules=strict))
    assert not any("mots" in w for w in warnings_for(rules=lenient, **short))


def test_a_referentiel_without_advice_gives_no_advice():
    rules = {**REAL_RULES, "advice": {}}

    assert warnings_for(rules=rules, rationale="Voilà.", description="Nous. " * 20) == []


# --- The organisation's context ----------------------------------------------------------------


def context_problems(*modes: str, context: str = "", included: bool = True, required=True):
    situations = [
        SituationData(activity_number=1, context_mode=mode, included=included, parts=GOOD_SITUATION)
        for mode in modes
    ]
    report = evaluate(
        rules={**REAL_RULES, "context_required": required},
        activities=ONE_ACTIVITY,
        data=DossierData(context=context, situations=situations),
    )
    return report.sections[2].problems


def test_the_context_is_required_when_a_situation_happened_in_the_organisation():
    assert context_problems("general")
    assert context_problems("own", "general")


def test_the_context_is_not_required_when_every_situation_has_its_own():
    assert context_problems("own", "own") == []


def test_a_situation_left_out_does_not_require_the_context():
    # The only situations in the general context are not in the dossier; the one kept is "own".
    situations = [
        SituationData(activity_number=1, context_mode="general", included=False),
        SituationData(activity_number=1, context_mode="own", parts=GOOD_SITUATION),
    ]
    report = evaluate(
        rules=REAL_RULES, activities=ONE_ACTIVITY, data=DossierData(situations=situations)
    )
    assert report.sections[2].problems == []


def test_a_written_context_or_a_referentiel_without_context_is_fine():
    assert context_problems("general", context="L'accueil de la caisse.") == []
    assert context_problems("general", required=False) == []


def test_a_situation_in_its_own_context_must_describe_it():
    situation = SituationData(activity_number=1, context_mode="own", parts=GOOD_SITUATION)

    report = evaluate(
        rules=REAL_RULES, activities=ONE_ACTIVITY, data=DossierData(situations=[situation])
    )

    assert report.activities[0].situations[0].missing == [OWN_CONTEXT_LABEL]


# --- The real référentiel, through the database ------------------------------------------------


@pytest.fixture
def activity_two(referentiel):
    return referentiel.activities.get(number=2)


def activity_report(dossier, number):
    return next(a for a in dossier_report(dossier).activities if a.number == number)


def test_activity_two_needs_two_of_its_five_competences(referentiel, activity_two):
    dossier = dossier_for(referentiel)
    SituationFactory(dossier=dossier, activity=activity_two, written=True, competences=["II-1"])

    report = activity_report(dossier, 2)

    assert (report.competences_covered, report.competences_min, report.competences_total) == (
        1,
        2,
        5,
    )
    assert report.status == Status.IN_PROGRESS
    assert report.problems == [
        "Activité II : vos situations doivent couvrir au moins 2 des 5 compétences "
        "(1 cochée pour l'instant)."
    ]


def test_activity_two_with_two_competences_is_complete(referentiel, activity_two):
    dossier = dossier_for(referentiel)
    SituationFactory(
        dossier=dossier, activity=activity_two, written=True, competences=["II-1", "II-4"]
    )

    report = activity_report(dossier, 2)

    assert report.competences_covered == 2
    assert report.problems == []
    assert report.status == Status.COMPLETE


def test_activity_two_competences_of_a_situation_left_out_do_not_count(referentiel, activity_two):
    dossier = dossier_for(referentiel)
    SituationFactory(dossier=dossier, activity=activity_two, written=True, competences=["II-1"])
    SituationFactory(
        dossier=dossier,
        activity=activity_two,
        written=True,
        included=False,
        competences=["II-2", "II-3"],
    )

    assert activity_report(dossier, 2).competences_covered == 1


def test_a_new_dossier_lists_every_part_to_write(referentiel):
    report = dossier_report(dossier_for(referentiel))

    assert not report.is_complete
    assert [s.key for s in report.sections] == ["header", "motivation", "context"]
    # The header is prefilled from the account and the case's branch.
    assert report.sections[0].status == Status.COMPLETE
    assert [(a.roman, a.required, a.status) for a in report.activities] == [
        ("I", 2, Status.NOT_STARTED),
        ("II", 1, Status.NOT_STARTED),
        ("III", 2, Status.NOT_STARTED),
        ("IV", 1, Status.NOT_STARTED),
    ]
    assert "Activité I : 2 situations manquantes (0 sur 2 exigées)." in report.problems
    assert "Activité II : 1 situation manquante (0 sur 1 exigée)." in report.problems


def test_a_complete_dossier_meets_every_rule(referentiel):
    report = dossier_report(complete_dossier(referentiel))

    assert report.problems == []
    assert report.is_complete
    assert report.percent == 100


# --- Nothing is hard-coded -------------------------------------------------------------------


def test_changed_template_rules_change_the_report(referentiel):
    dossier = complete_dossier(referentiel)
    # The factory's situations are short: the real référentiel advises 250 words.
    assert any("au moins 250" in w for w in dossier_report(dossier).warnings)

    referentiel.template_rules["advice"]["min_words"] = 10
    referentiel.template_rules["situation_parts"][1]["label"] = "Date de la situation"
    referentiel.save()
    Situation.objects.filter(dossier=dossier, activity__number=4).update(when="")

    report = dossier_report(Dossier.objects.get(pk=dossier.pk))
    assert not any("mots" in w for w in report.warnings)
    fourth = report.activities[3]
    assert fourth.situations[0].missing == ["Date de la situation"]
    (problem,) = report.problems
    assert problem.startswith("Activité IV, situation 1 ")
    assert "Date de la situation" in problem


def test_a_second_version_with_other_requirements_applies_to_its_own_dossiers(
    referentiel, tmp_path
):
    def one_situation_for_activity_one(data):
        activity(data, 1)["situations_required"] = 1
        activity(data, 2)["competences_min_covered"] = 1

    v2027 = load_file(write_version(tmp_path, change=one_situation_for_activity_one)).version
    on_2021, on_2027 = dossier_for(referentiel), dossier_for(v2027)
    for dossier, version in ((on_2021, referentiel), (on_2027, v2027)):
        SituationFactory(dossier=dossier, activity=version.activities.get(number=1), written=True)
        SituationFactory(
            dossier=dossier,
            activity=version.activities.get(number=2),
            written=True,
            competences=["II-1"],
        )

    assert activity_report(on_2021, 1).problems == [
        "Activité I : 1 situation manquante (1 sur 2 exigées)."
    ]
    assert activity_report(on_2027, 1).problems == []
    assert activity_report(on_2021, 2).status == Status.IN_PROGRESS
    assert activity_report(on_2027, 2).status == Status.COMPLETE


def test_the_situation_page_shows_what_is_missing(client, candidate, dossier, referentiel):
    situation = SituationFactory(
        dossier=dossier, activity=referentiel.activities.get(number=2), written=True, rationale=""
    )
    client.force_login(candidate)

    response = client.get(f"/livret2/{dossier.pk}/situation/{situation.pk}/")

    page = response.content.decode()
    assert "Reste à compléter :" in page
    assert "<li>Pourquoi j&#x27;ai agi ainsi</li>" in page
    assert "<li>Compétences mises en œuvre</li>" in page


def test_a_situation_written_with_on_is_told_to_say_je_too():
    """« On » is as collective as « nous » (the référentiel lists both)."""
    collective = "On a reçu la personne, on a vérifié le dossier, on a appelé la caisse. " * 10

    warnings = warnings_for(description=collective, analysis="", actions="")

    assert any("« nous » ou « on »" in w for w in warnings)


def test_a_long_title_is_shortened_on_a_word_in_the_problems():
    title = (
        "Une demande de prime d'activité après une reprise d'emploi à temps partiel chez un "
        "employeur du bassin nazairien"
    )
    situation = SituationData(
        activity_number=1, parts={**GOOD_SITUATION, "when": "", "title": title}
    )

    report = evaluate(
        rules=REAL_RULES, activities=ONE_ACTIVITY, data=DossierData(situations=[situation])
    )

    (problem,) = report.activities[0].problems
    assert problem.startswith(
        "Activité I, situation 1 « Une demande de prime d'activité après une reprise d'emploi… » : "
    )
    assert "Quand" in problem


def test_a_dossier_without_a_branch_asks_for_it(referentiel, candidate):
    case = VaeCaseFactory(candidate=candidate, referentiel_version=referentiel, branch=None)
    dossier = services.dossier_open(case=case)

    header = dossier_report(dossier).sections[0]
    assert header.problems == ["En-tête : « Branche » est à remplir."]
    assert header.status == Status.IN_PROGRESS  # the names are prefilled

    services.dossier_set_branch(
        dossier=dossier, branch=referentiel.branches.get(code="famille"), by=candidate
    )
    header = dossier_report(Dossier.objects.get(pk=dossier.pk)).sections[0]
    assert (header.problems, header.status) == ([], Status.COMPLETE)
