"""Template helpers of the coaching: what the Livret 2 pages show about finalisation."""

from django import template

from vaecos.coaching import services
from vaecos.dossiers.models import Dossier

register = template.Library()


@register.simple_tag
def finalized_at(dossier: Dossier):  # type: ignore[no-untyped-def]
    """When the dossier was declared final, or None: `{% finalized_at dossier as on %}`."""
    return services.finalized_at(dossier)


@register.simple_tag
def open_thread_count(dossier: Dossier) -> int:
    return services.open_thread_count(dossier)
