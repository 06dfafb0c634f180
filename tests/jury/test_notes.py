"""Preparation notes are their author's alone."""

from django.urls import reverse

from tests.jury.conftest import signed_in, text
from vaecos.jury.models import PreparationNote


def test_notes_are_seen_by_their_author_only(
    registration, president, member, instructor, administrator
):
    secret = "Penser à l'interroger sur les indus — note privée."
    author = signed_in(member.user)

    response = author.post(reverse("jury:notes_save", args=[registration.pk]), {"text": secret})

    assert response.status_code == 302
    assert PreparationNote.objects.get().member == member.user
    url = reverse("jury:candidate", args=[registration.pk])
    assert secret in text(author.get(url))
    for other in (president.user, instructor, administrator):
        page = text(signed_in(other).get(url))
        assert secret not in page
    # Staff have no notes form; the president has their own, empty.
    assert "Mes notes de préparation" not in text(signed_in(instructor).get(url))
    assert "Mes notes de préparation" in text(signed_in(president.user).get(url))


def test_each_member_keeps_their_own_notes(registration, president, member):
    signed_in(member.user).post(reverse("jury:notes_save", args=[registration.pk]), {"text": "A"})
    signed_in(president.user).post(
        reverse("jury:notes_save", args=[registration.pk]), {"text": "B"}
    )
    signed_in(member.user).post(reverse("jury:notes_save", args=[registration.pk]), {"text": "A2"})

    notes = dict(PreparationNote.objects.values_list("member_id", "text"))

    assert notes == {member.user.pk: "A2", president.user.pk: "B"}
