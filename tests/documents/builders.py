"""A Livret 2 with distinct, recognisable text in every part, for the document tests."""

from vaecos.dossiers import fields as dossier_fields
from vaecos.dossiers import services
from vaecos.dossiers.models import ContextMode, Dossier

SITUATION_PARTS = ("title", "when", "description", "analysis", "actions", "rationale", "outcome")


def write(dossier: Dossier, key: str, text: str, by) -> None:
    revisions = services.current_revisions(dossier)
    services.field_save(
        dossier=dossier, field_key=key, text=text, base_revision=revisions.get(key, 0), by=by
    )


def written_dossier(dossier: Dossier, by, *, per_activity: dict[int, int] | None = None) -> dict:
    """Fill every part with text naming where it belongs; returns {field key: text}."""
    texts: dict[str, str] = {}
    version = dossier.referentiel_version
    dossier.branch = version.branches.get(code="famille")
    dossier.save(update_fields=["branch"])
    for name, text in {
        "last_name": "Lefèvre",
        "first_name": "Anaïs",
        "motivation_reasons": "Raisons de la motivation, premier paragraphe.\n\nSecond paragraphe des raisons.",
        "motivation_strengths": "Atouts au regard du CQP :\n- l'écoute\n- la législation",
        "context": "Contexte général de l'organisme : une caisse d'allocations familiales.",
    }.items():
        key = dossier_fields.dossier_key(name)
        write(dossier, key, text, by)
        texts[key] = text
    counts = per_activity or {a.number: a.situations_required for a in version.activities.all()}
    for activity in version.activities.order_by("number"):
        for ordinal in range(1, counts.get(activity.number, 0) + 1):
            situation = services.situation_add(dossier=dossier, activity=activity, by=by)
            codes = list(activity.competences.values_list("pk", flat=True)[:2])
            own = activity.number == 3 and ordinal == 2
            services.situation_update_options(
                dossier=dossier,
                situation=situation,
                by=by,
                competence_ids=codes,
                context_mode=ContextMode.OWN if own else ContextMode.GENERAL,
            )
            names = SITUATION_PARTS + (("own_context",) if own else ())
            for name in names:
                key = dossier_fields.situation_key(situation.pk, name)
                text = f"{name} de la situation {ordinal} de l'activité {activity.roman}."
                if name == "when":
                    text = f"Mars 202{ordinal}"
                write(dossier, key, text, by)
                texts[key] = text
    dossier.refresh_from_db()
    return texts
