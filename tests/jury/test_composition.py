"""The composition check the procès-verbal states (D. 6412-6)."""

from tests.jury.factories import jury_session, transmitted
from vaecos.jury.composition import composition_checks


def test_a_complete_jury_meets_every_rule(referentiel, registration, session_jury):
    checks = composition_checks(session_jury[0], registration.case)

    assert [c.ok for c in checks] == [True] * 5


def test_a_lone_unqualified_member_without_president_is_reported(referentiel):
    session, jury = jury_session(referentiel, members=2)
    jury[0].delete()  # the president (qualified, a woman) leaves
    registration = transmitted(referentiel, session)
    # The remaining member coached the candidate.
    registration.case.coach = jury[1].user
    registration.case.save()

    checks = {c.label: c for c in composition_checks(session, registration.case)}

    assert not checks["Au moins deux membres"].ok
    assert not checks["Au moins un membre qualifié pour la certification"].ok
    assert checks["Un président"].detail == "aucun président désigné"
    assert checks["Représentation équilibrée des femmes et des hommes"].detail == "0 femme, 1 homme"
    conflict = checks["Aucun membre lié au candidat ou l'ayant accompagné"]
    assert not conflict.ok and "a accompagné" in conflict.detail
