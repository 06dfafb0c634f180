"""The jury's shared grid: per bloc and per competence, created on the first save; two members
saving at once never overwrite each other silently."""

from django.urls import reverse

from tests.dossiers.factories import SituationFactory
from tests.jury.conftest import signed_in, text
from tests.jury.factories import vote
from tests.jury.forms import form_data
from vaecos.jury import services
from vaecos.jury.models import Deliberation, GridEntry


def _keys(registration):
    blocs = services.blocs_to_assess(registration)
    first = blocs[0]
    second = next(a for a in blocs if a.competences.exists())
    return first, second


def test_the_grid_has_a_line_per_bloc_and_per_competence_of_activity_two(registration, member):
    page = text(signed_in(member.user).get(reverse("jury:candidate", args=[registration.pk])))

    for activity in registration.case.referentiel_version.activities.all():
        assert f"Bloc {activity.bloc_code} – {activity.title}" in page
    two = registration.case.referentiel_version.activities.get(number=2)
    for competence in two.competences.all():
        assert f"{competence.code} – {competence.wording}" in page
    assert page.count("Compétence non couverte par le dossier : elle est évaluée à l'oral.") == 5
    # Reading the page writes nothing.
    assert not Deliberation.objects.exists()


def test_a_competence_covered_by_the_dossier_says_so(registration, member):
    two = registration.case.referentiel_version.activities.get(number=2)
    SituationFactory(dossier=registration.dossier, activity=two, competences=["II-1", "II-4"])

    page = text(signed_in(member.user).get(reverse("jury:candidate", args=[registration.pk])))

    assert page.count("Compétence couverte par une situation du dossier.") == 2
    assert page.count("Compétence non couverte par le dossier") == 3


def test_saving_the_grid_creates_the_lines_and_records_who(registration, member):
    client = signed_in(member.user)
    url = reverse("jury:candidate", args=[registration.pk])
    action = reverse("jury:grid_save", args=[registration.pk])
    first, _ = _keys(registration)
    data = form_data(client.get(url), action)
    data[f"a{first.pk}-assessment"] = "acquis"
    data[f"a{first.pk}-observation"] = "Situations riches et bien analysées."

    response = client.post(action, data)

    assert response.status_code == 302
    entry = GridEntry.objects.get(activity=first, competence=None)
    assert (entry.assessment, entry.version, entry.updated_by) == ("acquis", 1, member.user)
    # Lines nobody touched are not written.
    assert GridEntry.objects.count() == 1
    page = text(client.get(url))
    assert "Situations riches et bien analysées." in page
    assert f"Modifié par {member.user.display_name}" in page


def test_two_members_saving_at_once_lose_nothing(registration, president, member):
    first, second = _keys(registration)
    url = reverse("jury:candidate", args=[registration.pk])
    action = reverse("jury:grid_save", args=[registration.pk])
    alice, bob = signed_in(president.user), signed_in(member.user)
    # Both open the page: the same versions are loaded.
    alice_data = form_data(alice.get(url), action)
    bob_data = form_data(bob.get(url), action)
    alice_data[f"a{first.pk}-assessment"] = "acquis"
    alice_data[f"a{first.pk}-observation"] = "Texte de la présidente."
    bob_data[f"a{first.pk}-assessment"] = "a_verifier"
    bob_data[f"a{first.pk}-observation"] = "Texte du membre, à ne pas perdre."
    bob_data[f"a{second.pk}-observation"] = "Autre ligne du membre."

    first_save = alice.post(action, alice_data)
    second_save = bob.post(action, bob_data)

    assert first_save.status_code == 302
    assert second_save.status_code == 200
    page = text(second_save)
    # Who changed it and when; their text; and Bob's unsaved text, still in the form.
    assert f"{president.user.display_name} a modifié cette ligne le" in page
    assert "Texte de la présidente." in page
    resent = form_data(second_save, action)
    assert resent[f"a{first.pk}-observation"] == "Texte du membre, à ne pas perdre."
    assert resent[f"a{first.pk}-assessment"] == "a_verifier"
    # Alice's line is untouched, Bob's other line is saved.
    line = GridEntry.objects.get(activity=first, competence=None)
    assert (line.observation, line.version, line.updated_by) == (
        "Texte de la présidente.",
        1,
        president.user,
    )
    other = GridEntry.objects.get(activity=second, competence=None)
    assert other.observation == "Autre ligne du membre."
    # Saving again from the page shown is a deliberate choice: it goes through.
    third = bob.post(action, resent)
    assert third.status_code == 302
    line.refresh_from_db()
    assert (line.observation, line.version) == ("Texte du membre, à ne pas perdre.", 2)


def test_a_line_changed_elsewhere_but_untouched_here_is_not_a_conflict(
    registration, president, member
):
    first, second = _keys(registration)
    url = reverse("jury:candidate", args=[registration.pk])
    action = reverse("jury:grid_save", args=[registration.pk])
    alice, bob = signed_in(president.user), signed_in(member.user)
    alice_data = form_data(alice.get(url), action)
    bob_data = form_data(bob.get(url), action)
    alice_data[f"a{first.pk}-observation"] = "La présidente écrit ici."
    bob_data[f"a{second.pk}-observation"] = "Le membre écrit là."

    alice.post(action, alice_data)
    response = bob.post(action, bob_data)

    assert response.status_code == 302
    assert GridEntry.objects.get(activity=first).observation == "La présidente écrit ici."
    assert GridEntry.objects.get(activity=second, competence=None).observation == (
        "Le membre écrit là."
    )


def test_the_service_refuses_a_stale_version(registration, president, member):
    first, _ = _keys(registration)
    change = services.GridChange(first.pk, None, "acquis", "A", version=0)
    services.grid_save(registration=registration, by=president.user, changes=[change])

    result = services.grid_save(
        registration=registration,
        by=member.user,
        changes=[services.GridChange(first.pk, None, "non_acquis", "B", version=0)],
    )

    assert result.saved == 0
    assert result.conflicts[0].entry.observation == "A"
    assert result.conflicts[0].change.observation == "B"


def test_the_grid_is_frozen_once_deliberated(registration, president, member):
    first, _ = _keys(registration)
    vote(registration, president, True, True, True, True)
    vote(registration, member, True, True, True, True)
    services.deliberation_decide(registration=registration, by=president.user, mode="votes")
    client = signed_in(member.user)

    page = client.get(reverse("jury:candidate", args=[registration.pk]))
    response = client.post(
        reverse("jury:grid_save", args=[registration.pk]),
        {f"a{first.pk}-assessment": "acquis", f"a{first.pk}-version": "0"},
        follow=True,
    )

    assert "Enregistrer la grille" not in text(page)
    assert "La grille ne peut plus être modifiée" in text(response)
    assert not GridEntry.objects.exists()


def test_junk_in_the_grid_is_refused_without_error(registration, member):
    first, _ = _keys(registration)
    client = signed_in(member.user)

    response = client.post(
        reverse("jury:grid_save", args=[registration.pk]),
        {f"a{first.pk}-assessment": "génial", f"a{first.pk}-version": "-é"},
        follow=True,
    )

    assert response.status_code == 200
    assert "Choisissez une appréciation de la liste." in text(response)
    assert not GridEntry.objects.exists()


def test_observations_refused_are_given_back_never_cut(registration, member):
    """Too long (or the grid frozen meanwhile): nothing is stored and the member's text comes
    back on the page in full; it is never silently shortened."""
    first, _ = _keys(registration)
    long_text = "Très bonne analyse de la situation. " * 2_000  # 72,000 characters

    response = signed_in(member.user).post(
        reverse("jury:grid_save", args=[registration.pk]),
        {f"a{first.pk}-assessment": "acquis", f"a{first.pk}-observation": long_text},
    )

    assert response.status_code == 400
    assert "la limite est de 50000" in text(response)
    assert long_text.strip() in text(response)
    assert not GridEntry.objects.exists()


def test_private_notes_refused_are_kept_on_the_page(registration, member):
    long_text = "Questions à poser sur l'activité IV. " * 2_000

    response = signed_in(member.user).post(
        reverse("jury:notes_save", args=[registration.pk]), {"text": long_text}
    )

    assert response.status_code == 400
    assert long_text.strip() in text(response)
