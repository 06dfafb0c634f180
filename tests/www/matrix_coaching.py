"""Authorization rules of the coaching (accompagnement) pages, and the part of the
matrix's world they need. Imported by test_authorization_matrix.py.

The other candidate's case becomes coached by world.users["coach"] (Institut 4.10), and their
dossier gains an attachment and a comment thread: the coach's pages point at it. The matrix's
owner is not that candidate, so they get a 404 there like any other stranger; the other
candidate, whose dossier it is, reads it and answers.
"""

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

# Values for URL arguments this module's URLs use, by argument name, from the world.
URL_KWARGS: dict[str, Callable[[SimpleNamespace], Any]] = {
    # The owner's own case (their declaration); coach pages override it with the coached case.
    "case_pk": lambda world: world.dossier.case.pk,
    "thread_pk": lambda world: world.coached_thread.pk,
}


def _rules() -> dict[str, Any]:
    # Imported here: test_authorization_matrix imports this module before defining these, and
    # reads RULES (below, through __getattr__) only once they exist.
    from .test_authorization_matrix import (
        NOT_FOUND,
        OK,
        ROLES,
        TO_LOGIN,
        Expect,
        Rule,
        owner_only,
        staff_only,
    )

    coached_pk = {"pk": lambda world: world.coached_dossier.pk}
    review = "/accompagnement/livret2/{coached_dossier.pk}/"

    def only(method: str, allowed: dict[str, Expect], **extra: Any) -> Rule:
        """Those in `allowed` get their answer; every other signed-in role a 404."""
        expected = dict.fromkeys(ROLES, NOT_FOUND) | {"anonymous": TO_LOGIN} | allowed
        return Rule(method, expected, **extra)

    readers = {"other_candidate": OK, "coach": OK, "instructor": OK, "admin": OK}
    return {
        # The coach's candidates: coaches only.
        "coaching:coached": only("GET", {"coach": OK}),
        # The candidate declares their own coaching.
        "coaching:declare": owner_only("GET", OK),
        # The certifier's staff assign coaches.
        "coaching:assignments": staff_only("GET", OK),
        "coaching:assign": Rule(
            "GET",
            staff_only("GET", OK).expected,
            kwargs={"case_pk": lambda world: world.coached_dossier.case.pk},
        ),
        # The review of the coached candidate's Livret 2: that candidate, their coach and the
        # staff (read only); the matrix's owner is a stranger here.
        "coaching:review": only("GET", readers, kwargs=coached_pk),
        "coaching:attachment": only(
            "GET",
            readers,
            kwargs=coached_pk | {"attachment_pk": lambda world: world.coached_attachment.pk},
        ),
        "coaching:thread_open": only(
            "POST",
            {"coach": Expect(302)},
            kwargs=coached_pk,
            data=lambda world: {"section": "motivation", "body": "Développez vos atouts."},
        ),
        "coaching:thread_reply": only(
            "POST",
            dict.fromkeys(
                ("other_candidate", "coach"), Expect(302, review + "#fil-{coached_thread.pk}")
            ),
            data=lambda world: {"body": "Une précision."},
        ),
        # Resolving is the coached candidate's alone.
        "coaching:thread_resolve": only(
            "POST", {"other_candidate": Expect(302, review + "#fil-{coached_thread.pk}")}
        ),
        # The coach asks for a reopening; the dossier is in progress, so it is refused with a
        # message and back to the review.
        "coaching:reopen_request": only(
            "POST",
            {"coach": Expect(302, review)},
            kwargs=coached_pk,
            data=lambda world: {"reason": "La situation IV est à reprendre."},
        ),
        # The Livret 2's status: the owner finalises (refused here: incomplete), staff reopen.
        "dossiers:finalize": owner_only("POST", Expect(302, "/livret2/{dossier.pk}/")),
        "dossiers:reopen": staff_only("GET", OK),
    }


_cache: dict[str, Any] = {}


def __getattr__(name: str) -> Any:
    if name == "RULES":
        if "rules" not in _cache:
            _cache["rules"] = _rules()
        return _cache["rules"]
    raise AttributeError(name)


def extend_world(world: SimpleNamespace) -> None:
    """Add the objects this module's rules need to the matrix's world (inside its transaction)."""
    from tests.files import png_bytes, upload
    from vaecos.accounts.models import Organisation
    from vaecos.cases.models import Coaching
    from vaecos.coaching.models import Comment, CommentThread
    from vaecos.dossiers import services
    from vaecos.dossiers.models import Dossier

    institut = Organisation.objects.filter(is_institut_410=True).first()
    if institut is None:
        institut = Organisation.objects.create(
            name="Institut 4.10", is_institut_410=True, coaches=True
        )
    coach = world.users["coach"]
    coach.organisation = institut
    coach.save()
    coached_candidate = world.users["other_candidate"]
    dossier = Dossier.objects.get(case__candidate=coached_candidate)
    case = dossier.case
    case.coaching, case.coaching_organisation, case.coach = Coaching.INSTITUT_410, institut, coach
    case.save()
    world.coached_dossier = dossier
    world.coached_attachment = services.attachment_add(
        dossier=dossier,
        upload=upload("cv.png", png_bytes(), "image/png"),
        kind="cv",
        by=coached_candidate,
    )
    world.coached_thread = CommentThread.objects.create(
        dossier=dossier, section="context", opened_by=coach
    )
    Comment.objects.create(thread=world.coached_thread, author=coach, body="Précisez le service.")
