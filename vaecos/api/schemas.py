"""What the API reads and writes. Personal data: only the candidate's names, which the
certifier's systems need to match a case; no address, telephone or birth data."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, AwareDatetime


def _storable(value: str) -> str:
    """Text the database can keep: PostgreSQL refuses NUL, and no encoding takes a lone
    surrogate."""
    if "\x00" in value:
        raise ValueError("NUL character not allowed")
    try:
        value.encode()
    except UnicodeEncodeError:
        raise ValueError("invalid Unicode text") from None
    return value


# Every text the API receives, in a body or a query string.
Text = Annotated[str, AfterValidator(_storable)]


def _in_utc(value: datetime.datetime) -> datetime.datetime:
    try:
        return value.astimezone(datetime.UTC)
    except OverflowError:
        raise ValueError("date out of range") from None


# A moment the API receives: with its offset (ISO 8601), within the range the database keeps.
Moment = Annotated[AwareDatetime, AfterValidator(_in_utc)]


class Person(Schema):
    first_name: str
    last_name: str


class BranchOut(Schema):
    code: str
    name: str


class CaseDates(Schema):
    created: datetime.datetime
    admissibility_submitted: datetime.datetime | None
    admissibility_decided: datetime.date | None
    admissibility_validity_end: datetime.date | None
    transmitted: datetime.datetime | None
    session_date: datetime.date | None
    decision_notified: datetime.datetime | None


class CaseRegistration(Schema):
    id: int
    session_id: int
    session_date: datetime.date
    status: str = Field(description="inscrit, convoque, evalue, absent, excuse")
    transmitted_at: datetime.datetime | None
    convened_at: datetime.datetime | None
    deliberation_status: str | None = Field(
        description="brouillon, delibere, signe, notifie (null : pas de délibération)"
    )
    outcome: str | None = Field(description="totale, partielle, aucune, absent, excuse")


class CaseOut(Schema):
    id: int
    candidate: Person
    branch: BranchOut | None
    certification: str
    referentiel_version: str
    step: str = Field(description="recevabilite, livret2, evaluation, clos")
    admissibility_status: str | None = Field(
        description="Statut de la dernière demande de recevabilité : deposee, incomplete, "
        "complete, recevable, non_recevable, expiree (null : aucune demande déposée)"
    )
    admissibility_request_id: int | None
    dates: CaseDates
    registrations: list[CaseRegistration]


class GapOut(Schema):
    activity: int = Field(description="Numéro de l'activité dans le référentiel (1 à 4)")
    activity_title: str
    coverage: str = Field(description="couverte, partielle, non_couverte")
    comment: str


class ActivityOut(Schema):
    number: int
    roman: str
    title: str


class AdmissibilityOut(Schema):
    id: int
    case_id: int
    candidate: Person
    branch: BranchOut | None
    nature: str = Field(description="premiere, renouvellement, prolongation")
    status: str = Field(
        description="deposee, incomplete, complete, recevable, non_recevable, expiree"
    )
    submitted_at: datetime.datetime | None
    complete_on: datetime.date | None
    decision_due: datetime.date | None
    decided_on: datetime.date | None
    implicit: bool
    validity_end: datetime.date | None
    decision_reasons: str
    recommendations: str
    gaps: list[GapOut]
    activities: list[ActivityOut] = Field(
        description="Les activités du référentiel du parcours : l'analyse des écarts d'une "
        "décision les couvre toutes."
    )


class SessionRegistration(Schema):
    id: int
    case_id: int
    candidate: Person
    status: str = Field(description="inscrit, convoque, evalue, absent, excuse")
    registered_at: datetime.datetime
    transmitted_at: datetime.datetime | None
    convened_at: datetime.datetime | None


class SessionOut(Schema):
    id: int
    date: datetime.date
    start_time: str = Field(
        pattern=r"^[0-2][0-9]:[0-5][0-9]$", description="Heure de début, heure de Paris (HH:MM)"
    )
    duration_minutes: int
    branch: BranchOut | None
    certification: str
    referentiel_version: str
    capacity: int
    registrations: list[SessionRegistration]


class BlocOut(Schema):
    code: str
    activity: int
    title: str
    validated: bool
    votes_for: int
    votes_against: int
    casting_vote: bool


class ResultOut(Schema):
    id: int
    registration_id: int
    case_id: int
    candidate: Person
    branch: BranchOut | None
    session_id: int
    session_date: datetime.date
    status: str = Field(description="delibere, signe, notifie")
    outcome: str = Field(description="totale, partielle, aucune, absent, excuse")
    casting_vote_used: bool
    reasons: str
    competences_to_prove: str
    deliberated_at: datetime.datetime | None
    signed_at: datetime.datetime | None
    notified_at: datetime.datetime | None
    blocs: list[BlocOut]


class VoteOut(Schema):
    activity: int
    code: str
    validated: bool


class VotesOut(Schema):
    registration_id: int
    votes: list[VoteOut]


# --- Pages -------------------------------------------------------------------------------------


class Page(Schema):
    count: int
    next: str | None
    previous: str | None


class CasePage(Page):
    results: list[CaseOut]


class AdmissibilityPage(Page):
    results: list[AdmissibilityOut]


class SessionPage(Page):
    results: list[SessionOut]


class ResultPage(Page):
    results: list[ResultOut]


# --- Writing -----------------------------------------------------------------------------------

TEXT = 50_000


class GapIn(Schema):
    activity: int = Field(ge=1, le=99, description="Numéro de l'activité (1 à 4)")
    coverage: Literal["couverte", "partielle", "non_couverte"]
    comment: Text = Field("", max_length=TEXT)


class AdmissibilityDecisionIn(Schema):
    favourable: bool = Field(description="true : recevable ; false : non recevable (motivée)")
    reasons: Text = Field("", max_length=TEXT, description="Motifs, obligatoires si non recevable")
    recommendations: Text = Field("", max_length=TEXT, description="Préconisations de formation")
    gaps: list[GapIn] = Field(
        max_length=99, description="L'analyse des écarts : une ligne par activité du référentiel"
    )


class VoteIn(Schema):
    activity: int = Field(ge=1, le=99, description="Numéro de l'activité (du bloc)")
    validated: bool


class VotesIn(Schema):
    votes: list[VoteIn] = Field(min_length=1, max_length=99)


class JuryDecisionIn(Schema):
    mode: Literal["votes", "absent", "excuse"] = Field(
        description="votes : selon les votes du jury ; absent ou excuse : candidat absent ou excusé"
    )
    reasons: Text = Field("", max_length=TEXT)
    competences_to_prove: Text = Field(
        "", max_length=TEXT, description="Obligatoire pour une validation partielle"
    )
