from django import template

register = template.Library()


@register.filter
def pluriel(value: object, suffix: str = "s") -> str:
    """French plural: 0 and 1 are singular (« 0 situation retenue »), Django's pluralize is not."""
    try:
        count = len(value) if isinstance(value, list | tuple | set | dict) else int(value)  # type: ignore[call-overload, arg-type]
    except (TypeError, ValueError):
        return ""
    return suffix if count > 1 else ""


@register.filter
def may_transmit(user: object, case: object) -> bool:
    """Whether `user` is the one who transmits `case`'s dossier (vaecos.evaluation.permissions)."""
    from vaecos.evaluation.permissions import may_transmit as rule

    return rule(user, case)  # type: ignore[arg-type]
