"""Who may download which document of a Livret 2 (checked per object by every view)."""

from enum import StrEnum

from vaecos.accounts.models import Role, User
from vaecos.dossiers.models import Dossier


class Kind(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    BUNDLE = "bundle"


def allowed_kinds(user: User, dossier: Dossier) -> frozenset[Kind]:
    """The candidate and the certifier's staff get every document; the candidate's own coach
    reads the Livret 2 (PDF or Word) to review it. Jury members get the bundle of their session
    once it is transmitted (jury issue)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    case = dossier.case
    if user.role == Role.CANDIDATE and case.candidate_id == user.pk:
        return frozenset(Kind)
    if user.role in (Role.INSTRUCTOR, Role.ADMIN):
        return frozenset(Kind)
    if user.role == Role.COACH and case.coach_id == user.pk:
        return frozenset({Kind.PDF, Kind.DOCX})
    return frozenset()


def can_download(user: User, dossier: Dossier, kind: Kind) -> bool:
    return kind in allowed_kinds(user, dossier)
