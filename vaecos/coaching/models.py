"""The coach's review of a Livret 2: comment threads, one or more per section of the dossier.

A thread is opened by the candidate's coach on a section (`section` is a key such as
"motivation", "context", "situation-12" or "attachments"); the coach and the candidate reply;
the candidate resolves it (and may reopen it by replying again).
"""

from django.conf import settings
from django.db import models

from vaecos.dossiers.models import Dossier


class CommentThread(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="comment_threads")
    section = models.CharField("partie du dossier", max_length=40)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField("ouvert le", auto_now_add=True)
    resolved_at = models.DateTimeField("résolu le", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        verbose_name = "fil de commentaires"
        verbose_name_plural = "fils de commentaires"
        ordering = ["dossier", "section", "opened_at", "pk"]
        indexes = [models.Index(fields=["dossier", "section"])]
        constraints = [
            # Resolved means both when and by whom; open means neither.
            models.CheckConstraint(
                condition=models.Q(resolved_at__isnull=True, resolved_by__isnull=True)
                | models.Q(resolved_at__isnull=False, resolved_by__isnull=False),
                name="coaching_thread_resolved_by_and_at",
            ),
        ]

    def __str__(self) -> str:
        return f"Commentaires sur « {self.section} »"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None


class Comment(models.Model):
    thread = models.ForeignKey(CommentThread, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField("commentaire")
    created_at = models.DateTimeField("écrit le", auto_now_add=True)

    class Meta:
        verbose_name = "commentaire"
        verbose_name_plural = "commentaires"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:60]
