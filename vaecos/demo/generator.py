"""VAE cases in bulk: the lists at the volume of a national certifier (`generate_cases`).

`generate(count)` brings the generated population to `count` cases. Each case follows the process
through time, from its opening (spread over the last four years) to today: the admissibility
request is submitted, sometimes declared incomplete and completed, declared complete, decided
(favourable, unfavourable, or implicitly favourable when the two months passed); a favourable
request opens the Livret 2, which is written (and read and commented by the coach), finalised,
registered to a session, transmitted to its jury (who read it), evaluated and decided; a
favourable admissibility unused for 18 months expires. So the instructeur's queue shows requests
in every status with their deadlines (some close, a few overdue), sessions fill up to their
capacity, and every step leaves the transition log and the reads the audit journal shows.

Fast: the rows are plain dictionaries of column values, their ids given here, written in batches
(COPY on PostgreSQL, executemany on SQLite) in the order of their foreign keys — no model
instance, service, signal, letter, e-mail or file (the lists do not show them); the cases' stage
(vaecos.cases.stages) is then computed by the database, one UPDATE per batch. Every transition
is checked against its workflow's table, the legal dates come from `vaecos.deadlines`, and the
database's constraints hold. What is generated is recognisable by its e-mail domain
(`genere.test`); generated sessions by their creator (`admin@genere.test`).

Deterministic: case number n draws from its own random stream (seed, n); the shared parts
(sessions, their jury, coaches) are allotted in case order, each jury member and coach drawn from
its own stream. The same commands on the same day give the same data, and growing from 1,000 to
100,000 cases gives what 100,000 at once would have given. A jury member sits on about ten
sessions and a coach follows about thirty candidates, whatever the volume.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Count, Max
from django.utils import timezone

from vaecos.accounts.models import Gender, Organisation, Role, User
from vaecos.admissibility.models import (
    AdmissibilityRequest,
    AdmissibilityTransitionLog,
    CurrentSituation,
    EmploymentStatus,
    Experience,
    Nationality,
    Status,
)
from vaecos.admissibility.workflow import ADMISSIBILITY_WORKFLOW
from vaecos.audit.models import ReadEvent
from vaecos.cases import stages
from vaecos.cases.models import Coaching, VaeCase
from vaecos.coaching.models import Comment, CommentThread
from vaecos.deadlines import add_months, get_rule
from vaecos.dossiers.models import Dossier, DossierStatus, DossierTransitionLog
from vaecos.dossiers.workflow import DOSSIER_WORKFLOW
from vaecos.evaluation.models import (
    EvaluationSession,
    JuryMember,
    Registration,
    RegistrationStatus,
    RegistrationTransitionLog,
)
from vaecos.evaluation.workflow import REGISTRATION_WORKFLOW
from vaecos.jury.models import Deliberation, DeliberationTransitionLog, Outcome
from vaecos.jury.workflow import DELIBERATION_WORKFLOW
from vaecos.referentiels.models import Certification, ReferentielVersion
from vaecos.utils.workflow import Workflow

DOMAIN = "genere.test"
ADMIN_EMAIL = f"admin@{DOMAIN}"
# One account per role to log in with (the command's --password): the first of each.
ENTRY_ACCOUNTS = [
    ADMIN_EMAIL,
    f"instructeur-1@{DOMAIN}",
    f"jury-00000@{DOMAIN}",
    f"accompagnateur-00000@{DOMAIN}",
]
INSTRUCTORS = 6
SPAN_DAYS = 4 * 365  # cases opened over the last four years
SESSION_CAPACITY = 12
SESSION_SEARCH_DAYS = 70  # a candidate takes the first session with a place within ten weeks
SESSION_WEEKDAYS = (1, 3)  # Tuesdays and Thursdays
SESSIONS_PER_JURY_BLOCK = 16  # five jury members share sixteen sessions, three per session
JURY_PER_BLOCK = 5
CASES_PER_COACH = 60  # half of them are coached by Institut 4.10: about thirty per coach
BATCH = 5000

# In the order of their foreign keys.
MODELS: list[type[models.Model]] = [
    User,
    VaeCase,
    AdmissibilityRequest,
    Experience,
    AdmissibilityTransitionLog,
    Dossier,
    DossierTransitionLog,
    EvaluationSession,
    JuryMember,
    Registration,
    RegistrationTransitionLog,
    Deliberation,
    DeliberationTransitionLog,
    CommentThread,
    Comment,
    ReadEvent,
]
# Each model with a workflow: the workflow and its log model.
WORKFLOWS: dict[type[models.Model], tuple[Workflow, type[models.Model]]] = {
    AdmissibilityRequest: (ADMISSIBILITY_WORKFLOW, AdmissibilityTransitionLog),
    Dossier: (DOSSIER_WORKFLOW, DossierTransitionLog),
    Registration: (REGISTRATION_WORKFLOW, RegistrationTransitionLog),
    Deliberation: (DELIBERATION_WORKFLOW, DeliberationTransitionLog),
}

WOMEN = [
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Sarah", "Julie", "Laura", "Emma", "Pauline",
    "Marie", "Sophie", "Nadia", "Aurélie", "Élodie", "Sandrine", "Fatou", "Claire", "Céline",
    "Amandine", "Nathalie", "Isabelle", "Karima", "Mélanie", "Audrey", "Émilie", "Virginie",
    "Stéphanie", "Hélène", "Samia", "Océane", "Lucie", "Anaïs", "Justine", "Morgane", "Yasmine",
]  # fmt: skip
MEN = [
    "Thomas", "Nicolas", "Julien", "Karim", "Hugo", "Lucas", "Mehdi", "Antoine", "Maxime",
    "Alexandre", "Kevin", "Romain", "Sébastien", "Jérôme", "Yannick", "Mamadou", "Olivier",
    "Franck", "David", "Cédric", "Bruno", "Théo", "Rachid", "Florian", "Mathieu", "Guillaume",
    "Vincent", "Loïc", "Damien", "Frédéric", "Ahmed", "Benoît", "Arnaud", "Pascal", "Sofiane",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau",
    "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel",
    "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent",
    "Muller", "Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier",
    "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin", "Clément", "Morin",
    "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand", "Duval",
    "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun",
    "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier",
    "Arnaud", "Martinez", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin",
    "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas",
    "Lacroix", "Olivier", "Philippe", "Bourgeois", "Pierre", "Benoît", "Rey", "Leclerc",
    "Payet", "Rolland", "Leclercq", "Guillaume", "Lecomte", "Lopez", "Jean", "Dupuy",
    "Guillot", "Hubert", "Berger", "Carpentier", "Sanchez", "Dupuis", "Moulin", "Louis",
    "Deschamps", "Huet", "Vasseur", "Perez", "Boucher", "Fleury", "Royer", "Klein", "Jacquet",
    "Adam", "Paris", "Poirier", "Marty", "Aubry", "Guyot", "Carré", "Charles", "Renault",
    "Charpentier", "Ménard", "Maillard", "Baron", "Bertin", "Bailly", "Hervé", "Schneider",
    "Fernandez", "Le Gall", "Collet", "Léger", "Bouvier", "Julien", "Prévost", "Millet",
    "Perrot", "Daniel", "Le Roux", "Cousin", "Germain", "Breton", "Besson", "Langlois",
    "Rémy", "Le Goff", "Pelletier", "Lévêque", "Perrier", "Leblanc", "Barré", "Lebrun",
    "Marchal", "Weber", "Mallet", "Hamon", "Boulanger", "Jacob", "Monnier", "Michaud",
    "Rodriguez", "Guichard", "Gillet", "Étienne", "Grondin", "Poulain", "Tessier", "Chevallier",
    "Collin", "Chauvin", "Da Silva", "Bouchet", "Gay", "Lemaître", "Bénard", "Maréchal",
    "Humbert", "Reynaud", "Antoine", "Hoarau", "Perret", "Barthélemy", "Cordier", "Pichon",
    "Lejeune", "Gilbert", "Lamy", "Delaunay", "Pasquier", "Carlier", "Laporte", "Diallo",
    "Nguyen", "Benali", "Haddad", "Traoré", "Mendy", "Bensaïd", "Kaya", "Nguyen Van",
]  # fmt: skip
DEPARTMENTS = [
    "l'Ain", "l'Aisne", "l'Allier", "l'Aude", "l'Aveyron", "la Charente", "la Corrèze",
    "la Côte-d'Or", "la Creuse", "la Dordogne", "la Drôme", "l'Eure", "la Gironde",
    "l'Hérault", "l'Isère", "la Loire", "Loire-Atlantique", "la Manche", "la Marne",
    "la Mayenne", "la Meuse", "la Moselle", "la Nièvre", "l'Oise", "l'Orne", "la Sarthe",
    "la Savoie", "la Somme", "la Vendée", "la Vienne", "l'Yonne", "l'Essonne",
]  # fmt: skip
REGIONS = [
    "Auvergne", "Bourgogne", "Bretagne", "Centre-Val de Loire", "Grand Est", "Limousin",
    "Midi-Pyrénées", "Nord-Pas-de-Calais", "Normandie", "Pays de la Loire", "Picardie",
    "Poitou-Charentes", "Provence-Alpes-Côte d'Azur", "Rhône-Alpes", "Île-de-France",
]  # fmt: skip
# Jury members come from the national bodies and the Carsat: never a candidate's employer.
JURY_ORGANISATIONS = [
    "Caisse nationale des allocations familiales", "Caisse nationale de l'Assurance Maladie",
    "Urssaf Caisse nationale", "Ucanss", "Caisse nationale d'assurance vieillesse",
    "Carsat Bretagne", "Carsat Rhône-Alpes", "Carsat Nord-Picardie", "Carsat Aquitaine",
    "Carsat Centre-Ouest",
]  # fmt: skip
OTHER_COACHING = ["AFPA Transitions", "Greta Atlantique — accompagnement VAE"]
PLACES = [
    "Ucanss, 33 avenue du Maine, 75015 Paris — salle 4.10",
    "Institut 4.10 Lyon, 10 rue de la République, 69002 Lyon — salle B",
    "Institut 4.10 Nantes, 2 rue de Strasbourg, 44000 Nantes — salle du rez-de-chaussée",
    "Institut 4.10 Bordeaux, 15 cours de l'Intendance, 33000 Bordeaux — salle 2",
    "Institut 4.10 Lille, 8 place du Théâtre, 59000 Lille — salle Vauban",
]
ROLES = [
    "Conseiller offres de services", "Technicien conseil", "Agent d'accueil",
    "Gestionnaire conseil", "Conseiller accueil et prestations", "Téléconseiller",
]  # fmt: skip
DIPLOMAS = ["Baccalauréat général", "Baccalauréat STMG", "BTS Assistant de gestion", "CAP", ""]
MISSING = [
    "L'attestation d'emploi de votre employeur.",
    "La copie de votre pièce d'identité en cours de validité.",
    "Le détail des heures de l'expérience déclarée à la rubrique 5.",
]
THREAD_SECTIONS = ["motivation", "context", "attachments", "general", "header"]
COMMENTS = [
    "Précisez le nombre de personnes reçues chaque jour et leurs demandes les plus fréquentes.",
    "Développez ce que vous avez fait vous-même, à la première personne.",
    "La pièce jointe n'est pas anonymisée : retirez le nom de l'allocataire.",
    "Très bien : la situation montre clairement votre analyse.",
    "Reliez cette partie aux compétences du bloc : lesquelles mettez-vous en œuvre ici ?",
]


def _ascii(text: str) -> str:
    flat = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in flat.lower() if c.isalnum())


def _employers() -> list[str]:
    return (
        [f"CAF de {d}" for d in DEPARTMENTS]
        + [f"CPAM de {d}" for d in DEPARTMENTS]
        + [f"Urssaf {r}" for r in REGIONS]
    )


def _days(rng: random.Random, low: int, high: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(low, high))


# --- Rows and how they are written ---------------------------------------------------------------


class Row(dict[str, Any]):
    """One row to write: its columns by attribute name (`id`, `case_id`, `status`…)."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value


class Table:
    """How the rows of one model are written: every column, the model's defaults for the
    columns a row leaves out."""

    def __init__(self, model: type[models.Model]) -> None:
        quote = connection.ops.quote_name
        self.fields = list(model._meta.concrete_fields)
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.attnames = [f.attname for f in self.fields]
        self.table = quote(model._meta.db_table)
        self.columns = ", ".join(quote(str(f.column)) for f in self.fields)

    def write(self, rows: list[Row]) -> None:
        defaults, attnames = self.defaults, self.attnames
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                sql = f"COPY {self.table} ({self.columns}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row([row.get(a, defaults[a]) for a in attnames])
                return
            placeholders = ", ".join(["%s"] * len(self.fields))
            cursor.executemany(
                # Names from the models' metadata, quoted; the values are parameters.
                f"INSERT INTO {self.table} ({self.columns}) VALUES ({placeholders})",  # noqa: S608
                [
                    [f.get_db_prep_save(row.get(f.attname, defaults[f.attname]), connection)
                     for f in self.fields]
                    for row in rows
                ],
            )  # fmt: skip


class Batch:
    """Rows to write, by model; each gets the next id of its table."""

    def __init__(self, ids: dict[type[models.Model], int]) -> None:
        self.ids = ids
        self.rows: dict[type[models.Model], list[Row]] = {model: [] for model in MODELS}

    def add(self, model: type[models.Model], **values: Any) -> Row:
        self.ids[model] += 1
        row = Row(id=self.ids[model], **values)
        self.rows[model].append(row)
        return row

    def write(self, tables: dict[type[models.Model], Table]) -> int:
        for model in MODELS:
            if self.rows[model]:
                tables[model].write(self.rows[model])
        return sum(len(rows) for rows in self.rows.values())


# --- What cases share ----------------------------------------------------------------------------


@dataclass
class Slot:
    """A generated session and its places taken."""

    id: int
    date: dt.date
    capacity: int
    number: int  # order of creation among the generated sessions: gives its jury
    used: int


class World:
    """What cases share: organisations, staff, sessions with their places left, the next ids."""

    def __init__(self, version: ReferentielVersion, seed: int, today: dt.date) -> None:
        self.version = version
        self.seed = seed
        self.today = today
        self.tz = timezone.get_current_timezone()
        self.branches = [b.pk for b in version.branches.order_by("position", "pk")]
        self.decision_due = get_rule("ADMISSIBILITY_DECISION_DUE")
        self.validity_end = get_rule("ADMISSIBILITY_VALIDITY_END")
        self.transmission_latest = get_rule("TRANSMISSION_LATEST")
        self.employer_names = {self._organisation(name): name for name in _employers()}
        self.employers = list(self.employer_names)
        self.jury_organisations = [self._organisation(name) for name in JURY_ORGANISATIONS]
        institut = Organisation.objects.filter(is_institut_410=True).order_by("pk").first()
        if institut is None:
            institut = Organisation.objects.create(
                name="Institut 4.10", is_institut_410=True, coaches=True
            )
        self.institut = institut.pk
        self.other_coaching = [self._organisation(name, coaches=True) for name in OTHER_COACHING]
        self.admin = self._account(ADMIN_EMAIL, "Alex", "Administrateur", Role.ADMIN)
        names = random.Random(f"{seed}-instructors")
        self.instructors = [
            self._account(
                f"instructeur-{k}@{DOMAIN}",
                names.choice(WOMEN + MEN),
                names.choice(LAST_NAMES),
                Role.INSTRUCTOR,
            )
            for k in range(1, INSTRUCTORS + 1)
        ]
        self.ids = {
            model: model._default_manager.aggregate(top=Max("pk"))["top"] or 0 for model in MODELS
        }
        self.jury = self._indexed("jury")
        self.coaches = self._indexed("accompagnateur")
        self.slots: dict[dt.date, list[Slot]] = {}
        self.session_count = 0
        sessions = (
            EvaluationSession.objects.filter(created_by=self.admin)
            .annotate(used=Count("registrations"))
            .order_by("pk")
            .values_list("pk", "date", "capacity", "used")
        )
        for pk, day, capacity, used in sessions:
            self._slot(pk, day, capacity, used)

    @staticmethod
    def _organisation(name: str, *, coaches: bool = False) -> int:
        found, _ = Organisation.objects.get_or_create(name=name, defaults={"coaches": coaches})
        return found.pk

    def _account(self, email: str, first: str, last: str, role: str) -> int:
        found = User.objects.filter(email=email).first()
        if found is None:
            found = User.objects.create(
                email=email,
                first_name=first,
                last_name=last,
                role=role,
                is_staff=role == Role.ADMIN,
                is_superuser=role == Role.ADMIN,
                password="!",  # unusable until the command sets one
                date_joined=self.at(self.today - dt.timedelta(days=SPAN_DAYS + 30), 9),
            )
        return found.pk

    @staticmethod
    def _indexed(prefix: str) -> dict[int, int]:
        found = {}
        rows = User.objects.filter(email__startswith=f"{prefix}-", email__endswith=f"@{DOMAIN}")
        for pk, email in rows.values_list("pk", "email"):
            number = email.split("@")[0].rsplit("-", 1)[1]
            if number.isdigit():
                found[int(number)] = pk
        return found

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def _person(self, batch: Batch, prefix: str, k: int, role: str, organisation: int) -> int:
        rng = random.Random(f"{self.seed}-{prefix}-{k}")
        woman = k % 2 == 0
        row = batch.add(
            User,
            email=f"{prefix}-{k:05d}@{DOMAIN}",
            first_name=rng.choice(WOMEN if woman else MEN),
            last_name=rng.choice(LAST_NAMES),
            role=role,
            organisation_id=organisation,
            gender=Gender.WOMAN if woman else Gender.MAN,
            password="!",
            date_joined=self.at(self.today - dt.timedelta(days=SPAN_DAYS + 30), 9),
        )
        return int(row.id)

    def jury_member(self, batch: Batch, k: int) -> int:
        if k not in self.jury:
            organisation = self.jury_organisations[k % len(self.jury_organisations)]
            self.jury[k] = self._person(batch, "jury", k, Role.JURY, organisation)
        return self.jury[k]

    def coach(self, batch: Batch, k: int) -> int:
        if k not in self.coaches:
            self.coaches[k] = self._person(batch, "accompagnateur", k, Role.COACH, self.institut)
        return self.coaches[k]

    # --- sessions -------------------------------------------------------------------------

    def _slot(self, pk: int, day: dt.date, capacity: int, used: int) -> Slot:
        slot = Slot(pk, day, capacity, self.session_count, used)
        self.session_count += 1
        self.slots.setdefault(day, []).append(slot)
        return slot

    def _takes(self, day: dt.date, registered: dt.date) -> bool:
        """Registrations are open until the latest day of transmission."""
        return self.transmission_latest.apply(day) >= registered

    def seat_for(
        self, batch: Batch, registered: dt.date, start: dt.date, until: dt.date
    ) -> Slot | None:
        """The first session from `start` to `until` with a place left, or a new one on the
        first session day from `start` (None when that is after `until`)."""
        for offset in range(SESSION_SEARCH_DAYS):
            day = start + dt.timedelta(days=offset)
            if day > until:
                break
            for slot in self.slots.get(day, ()):
                if slot.used < slot.capacity and self._takes(day, registered):
                    return slot
        day = start
        while day.weekday() not in SESSION_WEEKDAYS:
            day += dt.timedelta(days=1)
        if day > until or not self._takes(day, registered):
            return None
        number = self.session_count
        rng = random.Random(f"{self.seed}-session-{number}")
        remote = rng.random() < 0.2
        created = self.at(day - dt.timedelta(days=120), 10)
        session = batch.add(
            EvaluationSession,
            referentiel_version_id=self.version.pk,
            date=day,
            start_time=dt.time(9 if number % 3 else 14, 0),
            place="" if remote else rng.choice(PLACES),
            video_link=f"https://visio.{DOMAIN}/session-{number}" if remote else "",
            capacity=SESSION_CAPACITY,
            practical_details="Présentez-vous quinze minutes avant l'heure de votre passage.",
            created_by_id=self.admin,
            created_at=created,
        )
        slot = self._slot(session.id, day, SESSION_CAPACITY, 0)
        for seat, member in enumerate(self.members(batch, slot)):
            batch.add(
                JuryMember,
                session_id=session.id,
                user_id=member,
                is_president=seat == 0,
                qualified=seat < 2,
                added_by_id=self.admin,
                added_at=created,
            )
        return slot

    def members(self, batch: Batch, slot: Slot) -> list[int]:
        """The session's jury, president first: three of its block's five members."""
        block = slot.number // SESSIONS_PER_JURY_BLOCK
        return [
            self.jury_member(batch, block * JURY_PER_BLOCK + (slot.number + seat) % JURY_PER_BLOCK)
            for seat in range(3)
        ]


# --- One case ------------------------------------------------------------------------------------


class CaseWriter:
    """Draws case number n and adds its rows: one path through the process, up to today."""

    def __init__(self, world: World, batch: Batch, n: int) -> None:
        self.w = world
        self.batch = batch
        self.n = n
        self.rng = random.Random(f"{world.seed}-case-{n}")
        self.instructor = world.instructors[n % len(world.instructors)]

    def at(self, day: dt.date, hour: int | None = None) -> dt.datetime:
        hour = self.rng.randint(8, 17) if hour is None else hour
        return self.w.at(day, hour, self.rng.randint(0, 59))

    def step(self, obj: Row, model: type[models.Model], name: str, day: dt.date, by: int | None,
             reason: str = "") -> None:  # fmt: skip
        """What Workflow.apply does, in memory: the new state and its log row."""
        workflow, log = WORKFLOWS[model]
        transition = workflow.transitions[name]
        assert obj.status in transition.sources, (name, obj.status)
        self.batch.add(log, subject_id=obj.id, transition=name, from_state=obj.status,
                       to_state=transition.target, by_id=by, reason=reason, at=self.at(day))  # fmt: skip
        obj.status = transition.target

    def created(self, obj: Row, model: type[models.Model], name: str, day: dt.date,
                by: int | None, reason: str = "") -> None:  # fmt: skip
        """The log row of an object's creation (the services write it, outside the table)."""
        _, log = WORKFLOWS[model]
        self.batch.add(log, subject_id=obj.id, transition=name, from_state="",
                       to_state=obj.status, by_id=by, reason=reason, at=self.at(day))  # fmt: skip

    def read(self, who: tuple[int, str], day: dt.date, what: str, label: str, path: str,
             target: int, dossier: int | None = None) -> None:  # fmt: skip
        """A read for the audit journal (none in the future)."""
        if day <= self.w.today:
            self.batch.add(ReadEvent, at=self.at(day), user_id=who[0], user_role=who[1],
                           case_id=self.case.id, dossier_id=dossier, what=what, label=label,
                           object_id=str(target), path=path.format(pk=target))  # fmt: skip

    def add(self) -> None:
        rng, w = self.rng, self.w
        opened = w.today - _days(rng, 0, SPAN_DAYS)
        woman = rng.random() < 0.72  # the branch's front-line jobs are mostly held by women
        first, last = rng.choice(WOMEN if woman else MEN), rng.choice(LAST_NAMES)
        employer = rng.choice(w.employers)
        self.candidate = self.batch.add(
            User,
            email=f"{_ascii(first)}.{_ascii(last)}.{self.n}@{DOMAIN}",
            first_name=first,
            last_name=last,
            role=Role.CANDIDATE,
            organisation_id=employer,
            gender=Gender.WOMAN if woman else Gender.MAN,
            password="!",
            date_joined=self.at(opened),
        )
        weights = [45, 40, 15, *([10] * len(w.branches))][: len(w.branches)]
        self.case = self.batch.add(
            VaeCase,
            candidate_id=self.candidate.id,
            referentiel_version_id=w.version.pk,
            branch_id=rng.choices(w.branches, weights=weights)[0] if w.branches else None,
            coaching=Coaching.UNDECLARED,
            coach_id=None,
            created_at=self.at(opened),
        )
        self.coaching(opened)
        self.admissibility(opened, employer)

    def coaching(self, opened: dt.date) -> None:
        rng, case = self.rng, self.case
        draw = rng.random()
        declared = opened + _days(rng, 0, 10)
        if draw < 0.5:
            case.coaching = Coaching.INSTITUT_410
            case.coaching_organisation_id = self.w.institut
            # Staff assign a coach within a few weeks of the declaration.
            if declared + dt.timedelta(days=21) <= self.w.today:
                case.coach_id = self.w.coach(self.batch, self.n // CASES_PER_COACH)
        elif draw < 0.62:
            case.coaching = Coaching.OTHER
            case.coaching_organisation_id = self.w.other_coaching[self.n % len(OTHER_COACHING)]
        elif draw < 0.9:
            case.coaching = Coaching.NONE
        else:
            return  # not declared yet
        case.coaching_declared_at = self.at(min(declared, self.w.today))

    def admissibility(self, opened: dt.date, employer: int) -> None:
        rng, w, today = self.rng, self.w, self.w.today
        candidate = self.candidate
        instructor = (self.instructor, Role.INSTRUCTOR)
        request = self.batch.add(
            AdmissibilityRequest,
            case_id=self.case.id,
            status=Status.DRAFT,
            birth_name=candidate.last_name.upper(),
            first_names=candidate.first_name,
            sex=candidate.gender,
            birth_date=dt.date(1965, 1, 1) + _days(rng, 0, 35 * 365),
            birth_city="Nantes",
            birth_country="France",
            nationality=Nationality.FRENCH,
            address="[adresse fictive générée]",
            email=candidate.email,
            current_situation=CurrentSituation.EMPLOYED,
            highest_diploma=rng.choice(DIPLOMAS),
            sworn_no_ban=True,
            sworn_accurate=True,
            sworn_unique=True,
            sworn_three_max=True,
            signed_at_place="Nantes",
            created_at=self.at(opened),
        )
        self.batch.add(
            Experience,
            request_id=request.id,
            role=rng.choice(ROLES),
            organisation=w.employer_names[employer],
            status=EmploymentStatus.EMPLOYEE,
            started_on=opened - _days(rng, 3 * 365, 15 * 365),
            hours=rng.randint(2_000, 20_000),
            activities_done="Accueil, information sur les droits, démarches en ligne.",
        )
        label, path = "Demande de recevabilité (instruction)", "/recevabilite/{pk}/instruction/"
        submitted = opened + _days(rng, 2, 40)
        if submitted > today:
            return  # still a draft
        request.submitted_at = self.at(submitted)
        self.step(request, AdmissibilityRequest, "submit", submitted, candidate.id)
        received = submitted
        if rng.random() < 0.2:
            incomplete = submitted + _days(rng, 3, 15)
            if incomplete > today:
                return
            request.missing_items = rng.choice(MISSING)
            self.read(instructor, incomplete, "admissibility_request", label, path, request.id)
            self.step(request, AdmissibilityRequest, "declare_incomplete", incomplete,
                      self.instructor, request.missing_items)  # fmt: skip
            received = incomplete + _days(rng, 4, 40)
            if received > today:
                return
            self.step(request, AdmissibilityRequest, "resubmit", received, candidate.id)
        complete = received + _days(rng, 1, 21)
        if complete > today:
            return
        request.complete_on = complete
        request.decision_due = w.decision_due.apply(complete)
        self.read(instructor, complete, "admissibility_request", label, path, request.id)
        self.step(request, AdmissibilityRequest, "declare_complete", complete, self.instructor)
        decided = complete + _days(rng, 7, 70)
        # Two months of silence make the request admissible; the checks see it within days.
        implicit = decided > request.decision_due
        if implicit:
            decided = request.decision_due + _days(rng, 1, 3)
        if decided > today:
            return  # under instruction (a few are already past their date)
        request.decided_on, request.implicit = decided, implicit
        if implicit:
            request.validity_end = w.validity_end.apply(decided)
            self.step(request, AdmissibilityRequest, "decide_implicitly", decided, None)
        elif rng.random() < 0.85:
            request.validity_end = w.validity_end.apply(decided)
            request.decided_by_id = self.instructor
            request.recommendations = "Un module sur les outils numériques de la branche."
            self.step(request, AdmissibilityRequest, "decide_favourable", decided, self.instructor)
        else:
            request.decided_by_id = self.instructor
            request.decision_reasons = "Expérience sans rapport direct avec le métier visé."
            self.step(request, AdmissibilityRequest, "decide_unfavourable", decided,
                      self.instructor, request.decision_reasons)  # fmt: skip
            return
        self.dossier(request, decided)

    def expire(self, request: Row) -> None:
        """A favourable admissibility the case did not use before its end."""
        if request.validity_end < self.w.today:
            end = request.validity_end + dt.timedelta(days=1)
            self.step(request, AdmissibilityRequest, "expire", end, None)

    def dossier(self, request: Row, opened: dt.date) -> None:
        rng, today = self.rng, self.w.today
        candidate, case = self.candidate, self.case
        dossier = self.batch.add(
            Dossier,
            case_id=case.id,
            status=DossierStatus.IN_PROGRESS,
            last_name=candidate.last_name,
            first_name=candidate.first_name,
            branch_id=case.branch_id,
            motivation_reasons="Faire reconnaître l'expérience acquise à l'accueil du public.",
            created_at=self.at(opened),
            updated_at=self.at(opened),
        )
        self.created(dossier, Dossier, "open", opened, request.get("decided_by_id"))
        self.review(dossier, opened)
        final = opened + _days(rng, 45, 420)
        if rng.random() < 0.12:
            final = request.validity_end + dt.timedelta(days=1)  # given up: never finalised
        if final > today or final > request.validity_end:
            dossier.updated_at = self.at(min(today, final))
            self.expire(request)
            return
        dossier.updated_at = self.at(final)
        self.step(dossier, Dossier, "finalize", final, candidate.id)
        registered = final + _days(rng, 1, 15)
        if registered <= today:
            self.registration(request, dossier, registered)

    def review(self, dossier: Row, opened: dt.date) -> None:
        """The coach's reading and comments (Institut 4.10 candidates with a coach)."""
        coach = self.case.coach_id
        if coach is None:
            return
        rng, today = self.rng, self.w.today
        for _ in range(rng.randint(1, 4)):
            self.read((coach, Role.COACH), opened + _days(rng, 7, 300), "review",
                      "Livret 2 (relecture)", "/accompagnement/livret2/{pk}/", dossier.id,
                      dossier.id)  # fmt: skip
        for _ in range(rng.randint(0, 3)):
            day = opened + _days(rng, 10, 250)
            if day > today:
                continue
            resolved = day + _days(rng, 2, 40)
            done = resolved <= today and rng.random() < 0.7
            thread = self.batch.add(
                CommentThread,
                dossier_id=dossier.id,
                section=rng.choice(THREAD_SECTIONS),
                opened_by_id=coach,
                opened_at=self.at(day),
                resolved_at=self.at(resolved) if done else None,
                resolved_by_id=self.candidate.id if done else None,
            )
            self.batch.add(Comment, thread_id=thread.id, author_id=coach,
                           body=rng.choice(COMMENTS), created_at=thread.opened_at)  # fmt: skip

    def registration(self, request: Row, dossier: Row, registered: dt.date) -> None:
        rng, w, today = self.rng, self.w, self.w.today
        start = add_months(registered, 1) + _days(rng, 1, 30)
        # The admissibility must still be valid on the session's date.
        slot = w.seat_for(self.batch, registered, start, request.validity_end)
        if slot is None:
            self.expire(request)
            return
        slot.used += 1
        case = self.case
        by_coach = case.coaching == Coaching.INSTITUT_410 and case.coach_id is not None
        registration = self.batch.add(
            Registration,
            session_id=slot.id,
            case_id=case.id,
            status=RegistrationStatus.REGISTERED,
            registered_by_id=self.candidate.id if by_coach else self.instructor,
            registered_at=self.at(registered),
        )
        self.created(registration, Registration, "register", registered,
                     registration.registered_by_id,
                     f"Inscription à la session du {slot.date:%d/%m/%Y}")  # fmt: skip
        latest = w.transmission_latest.apply(slot.date)
        transmitted = registered + _days(rng, 0, max(0, (latest - registered).days))
        if transmitted <= today:
            transmitter = case.coach_id if by_coach else self.instructor
            registration.dossier_id = dossier.id
            registration.transmitted_at = self.at(transmitted)
            registration.transmitted_by_id = transmitter
            dossier.updated_at = registration.transmitted_at
            self.step(dossier, Dossier, "transmit", transmitted, transmitter)
        convened = max(registered, slot.date - _days(rng, 21, 30))
        if convened <= today:
            registration.convened_at = self.at(convened)
            self.step(registration, Registration, "convene", convened, self.instructor)
        if registration.get("transmitted_at") is None:
            return
        members = w.members(self.batch, slot)
        for member in members:
            self.read((member, Role.JURY), slot.date - _days(rng, 1, 20), "jury_candidate",
                      "Page du candidat pour le jury", "/jury/candidat/{pk}/",
                      registration.id, dossier.id)  # fmt: skip
        if slot.date <= today:
            self.deliberation(registration, slot.date, members)

    def deliberation(self, registration: Row, day: dt.date, members: list[int]) -> None:
        rng, today = self.rng, self.w.today
        deliberation = self.batch.add(
            Deliberation,
            registration_id=registration.id,
            status=Deliberation.Status.DRAFT,
        )
        if day >= today:
            return  # today's session: the grid is being filled
        draw = rng.random()
        if draw < 0.06:
            outcome, name = Outcome.ABSENT, "mark_absent"
        elif draw < 0.1:
            outcome, name = Outcome.EXCUSED, "mark_excused"
        else:
            weights = [65, 25, 10]
            outcome = rng.choices([Outcome.TOTAL, Outcome.PARTIAL, Outcome.NONE], weights)[0]
            name = "evaluate"
        president = members[0]
        self.step(registration, Registration, name, day, president)
        deliberation.outcome = outcome
        deliberation.deliberated_at, deliberation.deliberated_by_id = self.at(day, 17), president
        self.step(deliberation, Deliberation, "deliberate", day, president)
        signed = day + _days(rng, 0, 4)
        if signed > today:
            return
        deliberation.signed_at = self.at(signed)
        self.step(deliberation, Deliberation, "sign", signed, members[-1])
        notified = signed + _days(rng, 0, 3)
        if notified <= today:
            deliberation.notified_at = self.at(notified)
            self.step(deliberation, Deliberation, "notify", notified, None)


# --- The command's entry point -------------------------------------------------------------------


def generated_count() -> int:
    return User.objects.filter(role=Role.CANDIDATE, email__endswith=f"@{DOMAIN}").count()


def referentiel_version() -> ReferentielVersion:
    certification = Certification.objects.order_by("pk").first()
    version = certification.current_version() if certification else None
    if version is None:
        raise LookupError(
            "Aucun référentiel n'est chargé : lancez d'abord « manage.py load_referentiel »."
        )
    return version


@dataclass(frozen=True)
class Generated:
    before: int
    after: int
    rows: int


def generate(
    count: int,
    *,
    seed: int = 2026,
    today: dt.date | None = None,
    batch_size: int = BATCH,
    progress: Callable[[int, int], None] | None = None,
) -> Generated:
    """Bring the generated cases to `count` (nothing is removed when there are more)."""
    before = generated_count()
    if before >= count:
        return Generated(before, before, 0)
    version = referentiel_version()
    world = World(version, seed, today or timezone.localdate())
    tables = {model: Table(model) for model in MODELS}
    written = 0
    for start in range(before, count, batch_size):
        batch = Batch(world.ids)
        for n in range(start, min(start + batch_size, count)):
            CaseWriter(world, batch, n).add()
        with transaction.atomic():
            written += batch.write(tables)
            # The rows bypassed the models: their cases' stage is computed here, in one UPDATE.
            cases = [row.id for row in batch.rows[VaeCase]]
            stages.refresh(VaeCase.objects.filter(pk__gte=cases[0], pk__lte=cases[-1]))
        if progress is not None:
            progress(min(start + batch_size, count), count)
    # The tables' sequences go on after the ids given here.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), MODELS):
            cursor.execute(sql)
    return Generated(before, count, written)
