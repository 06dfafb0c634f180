"""Run a service action from a view: its refusal becomes the French error message."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from vaecos.utils.errors import ActionRefused


def act(http: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Run `action`; on success show `success`, on a refusal show its message. True if done."""
    try:
        action()
    except ActionRefused as exc:
        messages.error(http, exc.message)
        return False
    messages.success(http, success)
    return True
