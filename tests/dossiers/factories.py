import factory

from tests.cases.factories import VaeCaseFactory
from vaecos.dossiers import services
from vaecos.dossiers.models import Dossier, Situation

# A situation written the way the jury expects it: first person, with the reasons.
WRITTEN_PARTS = {
    "title": "Une demande de prime d'activité après une reprise d'emploi",
    "when": "Mars 2025",
    "description": "Je reçois une allocataire qui vient de reprendre un emploi à temps partiel.",
    "analysis": "J'ai consulté son dossier et j'ai vérifié ses ressources du trimestre précédent.",
    "actions": "J'ai fait une simulation avec elle, puis je l'ai guidée pour sa demande en ligne.",
    "rationale": (
        "J'ai choisi de faire la demande avec elle plutôt qu'à sa place, parce que je voulais "
        "qu'elle devienne autonome pour ses prochaines déclarations trimestrielles."
    ),
    "outcome": "Sa demande a été enregistrée et elle a fait sa déclaration seule le mois suivant.",
}


def dossier_for(referentiel_version, candidate=None) -> Dossier:
    """A dossier opened the way the platform opens it (header prefilled, transition logged)."""
    kwargs = {"referentiel_version": referentiel_version}
    if candidate is not None:
        kwargs["candidate"] = candidate
    case = VaeCaseFactory(**kwargs)
    return services.dossier_open(case=case)


class SituationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Situation
        skip_postgeneration_save = True

    activity = factory.LazyAttribute(lambda o: o.dossier.referentiel_version.activities.first())
    position = factory.Sequence(int)
    title = "Une situation"

    class Params:
        # Every part of the situation filled in (the référentiel's required parts).
        written = factory.Trait(**WRITTEN_PARTS)

    @factory.post_generation
    def competences(self, create, extracted, **kwargs):
        """competences=["II-1", "II-2"]: codes of the situation's activity."""
        if create and extracted:
            self.competences.set(self.activity.competences.filter(code__in=extracted))


def complete_dossier(referentiel_version, candidate=None) -> Dossier:
    """A dossier that meets every rule of its référentiel version (ready to be finalised)."""
    dossier = dossier_for(referentiel_version, candidate=candidate)
    dossier.motivation_reasons = "Je veux faire reconnaître mon expérience de conseillère."
    dossier.motivation_strengths = "Mon écoute et ma connaissance de la législation."
    dossier.context = "L'accueil de la caisse, neuf conseillers, un public très varié."
    dossier.save()
    for activity in referentiel_version.activities.prefetch_related("competences"):
        codes = [c.code for c in activity.competences.all()]
        wanted = max(activity.competences_min_covered or 0, 1) if codes else 0
        for _ in range(activity.situations_required):
            SituationFactory(
                dossier=dossier, activity=activity, written=True, competences=codes[:wanted]
            )
    return dossier
