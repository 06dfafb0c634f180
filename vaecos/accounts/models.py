from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models


class Role(models.TextChoices):
    CANDIDATE = "candidat", "Candidat"
    COACH = "accompagnateur", "Accompagnateur"
    INSTRUCTOR = "instructeur", "Instructeur (Ucanss)"
    JURY = "jury", "Membre du jury"
    ADMIN = "administrateur", "Administrateur"


class Gender(models.TextChoices):
    WOMAN = "F", "Femme"
    MAN = "M", "Homme"


class Organisation(models.Model):
    """An organisation people belong to: a coaching body (Institut 4.10 or another) or an
    employer (a CAF, a CPAM…). Coaches belong to their coaching organisation; candidates and jury
    members to their employer, which the jury's conflict check compares."""

    name = models.CharField("nom", max_length=200, unique=True)
    is_institut_410 = models.BooleanField(
        "Institut 4.10",
        default=False,
        help_text="L'institut de formation de la branche : ses accompagnateurs transmettent "
        "eux-mêmes les dossiers au jury.",
    )
    coaches = models.BooleanField("organisme d'accompagnement VAE", default=False)

    class Meta:
        verbose_name = "organisme"
        verbose_name_plural = "organismes"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> "User":
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("role", Role.ADMIN)
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person using the platform; they log in with their e-mail address."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("adresse électronique", unique=True)
    role = models.CharField("rôle", max_length=20, choices=Role.choices, default=Role.CANDIDATE)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name="organisme",
    )
    # Used for the balance between women and men of a jury (Code du travail D. 6412-6).
    gender = models.CharField("sexe", max_length=1, choices=Gender.choices, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    objects = UserManager()  # type: ignore[misc, assignment]

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            # Only administrators reach the Django admin.
            models.CheckConstraint(
                condition=models.Q(is_staff=False) | models.Q(role="administrateur"),
                name="accounts_user_staff_is_admin",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def save(self, *args: object, **kwargs: object) -> None:
        self.email = self.email.lower()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_candidate(self) -> bool:
        return self.role == Role.CANDIDATE

    @property
    def is_coach(self) -> bool:
        return self.role == Role.COACH

    @property
    def is_instructor(self) -> bool:
        return self.role == Role.INSTRUCTOR

    @property
    def is_jury_member(self) -> bool:
        return self.role == Role.JURY

    @property
    def is_administrator(self) -> bool:
        return self.role == Role.ADMIN
