"""What every transition log shares (the workflows of vaecos/utils/workflow.py write them)."""

from django.conf import settings
from django.db import models


class TransitionLog(models.Model):
    """One applied transition: who, when, from, to, why. A concrete log adds its `subject`
    (the object whose state changed) and its own Meta (names, ordering)."""

    transition = models.CharField(max_length=50)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    # None: the platform itself (scheduled checks).
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, null=True)
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.transition} : {self.from_state or '—'} → {self.to_state}"
