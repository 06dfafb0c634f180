"""API tokens (created and revoked by administrators in the admin) and the request counters
that rate-limit them.

A token acts as its user: the API applies the same permissions and services as the web pages.
Only the SHA-256 digest of the secret is stored; the secret is shown once, at creation.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from vaecos.accounts.models import Role

# The accounts that may hold a token: the certifier's staff and the jury.
API_ROLES = (Role.INSTRUCTOR, Role.ADMIN, Role.JURY)


class Scope(models.TextChoices):
    READ = "lecture", "Lecture"
    WRITE = "ecriture", "Lecture et écriture"


class ApiToken(models.Model):
    name = models.CharField(
        "nom", max_length=100, help_text="À quoi sert ce jeton (ex. : « SIRH — export nocturne »)."
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        verbose_name="compte utilisé",
        limit_choices_to={"role__in": API_ROLES, "is_active": True},
        help_text="L'API agit au nom de ce compte, avec ses droits (instructeur, "
        "administrateur ou membre du jury).",
    )
    scope = models.CharField(
        "portée",
        max_length=20,
        choices=Scope.choices,
        default=Scope.READ,
        help_text="L'écriture comprend la lecture.",
    )
    # The first characters of the secret: enough to recognise a token in a list, too few to use.
    prefix = models.CharField("début du jeton", max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
        verbose_name="créé par",
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    expires_at = models.DateTimeField(
        "expire le", null=True, blank=True, help_text="Vide : le jeton n'expire pas."
    )
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
        verbose_name="révoqué par",
    )
    last_used_at = models.DateTimeField(
        "dernière utilisation", null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | models.Q(revoked_by__isnull=False),
                name="api_token_revoked_has_author",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == Scope.WRITE

    def refusal(self, now: object = None) -> str:
        """Why this token may not be used now (a code of errors.TOKEN_REFUSALS), or ""."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return "token_revoked"
        if self.expires_at is not None and self.expires_at <= now:  # type: ignore[operator]
            return "token_expired"
        if not self.user.is_active or self.user.role not in API_ROLES:
            return "token_user_not_allowed"
        return ""


class RateCounter(models.Model):
    """Requests counted per key (a token, or an address whose requests fail to authenticate)
    and time window: in the database, so that every application server counts the same."""

    key = models.CharField(max_length=80)
    window_start = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "compteur de requêtes de l'API"
        verbose_name_plural = "compteurs de requêtes de l'API"
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="api_rate_unique"),
        ]
        indexes = [models.Index(fields=["window_start"], name="api_rate_window")]

    def __str__(self) -> str:
        return f"{self.key} @ {self.window_start:%H:%M} : {self.hits}"
