from django.db import transaction

from vaecos.accounts.models import Role, User
from vaecos.cases.models import VaeCase
from vaecos.referentiels.models import Branch, ReferentielVersion


class CaseError(Exception):
    pass


@transaction.atomic
def case_open(
    *, candidate: User, referentiel_version: ReferentielVersion, branch: Branch | None = None
) -> VaeCase:
    if candidate.role != Role.CANDIDATE:
        raise CaseError("Seul un candidat peut ouvrir un parcours VAE.")
    if branch is not None and branch.referentiel_version_id != referentiel_version.pk:
        raise CaseError("La branche n'appartient pas à cette version du référentiel.")
    return VaeCase.objects.create(
        candidate=candidate, referentiel_version=referentiel_version, branch=branch
    )
