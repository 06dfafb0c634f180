"""Forms of the admissibility request (candidate) and of its instruction (instructeur)."""

import datetime

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from vaecos.admissibility.models import (
    AdmissibilityRequest,
    Coverage,
    Experience,
    SupportingKind,
)
from vaecos.referentiels.models import Activity, Branch

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class IdentityForm(forms.ModelForm):
    """Rubriques 1 to 4 of the Cerfa 12818: nature, civil status, situation, education."""

    class Meta:
        model = AdmissibilityRequest
        # The nature of the request is the platform's (first, or after an expiry renewal or
        # extension); requests for blocs only come with the jury's partial validations.
        fields = [
            "birth_name",
            "usage_name",
            "first_names",
            "sex",
            "birth_date",
            "birth_city",
            "birth_department",
            "birth_country",
            "nationality",
            "address",
            "phone_home",
            "phone_mobile",
            "email",
            "current_situation",
            "current_situation_details",
            "disabled_worker",
            "last_class",
            "highest_diploma",
            "other_certifications",
            "short_trainings",
        ]
        widgets = {
            "birth_date": DATE,
            "address": forms.Textarea(attrs={"rows": 3}),
            "current_situation_details": forms.Textarea(attrs={"rows": 2}),
            "other_certifications": forms.Textarea(attrs={"rows": 3}),
            "short_trainings": forms.Textarea(attrs={"rows": 3}),
        }

    branch = forms.ModelChoiceField(
        label="Branche",
        queryset=Branch.objects.none(),
        required=False,
        empty_label="— Choisissez votre branche —",
        help_text="La branche de la Sécurité sociale où s'exerce votre expérience.",
    )

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        case = self.instance.case
        self.fields["branch"].queryset = case.referentiel_version.branches.all()  # type: ignore[attr-defined]
        self.fields["branch"].initial = case.branch_id
        # The branch comes right after the nature of the request, as on the Cerfa.
        self.order_fields(["branch"])

    def clean_birth_date(self) -> datetime.date | None:
        value = self.cleaned_data.get("birth_date")
        if value and value >= timezone.localdate():
            raise forms.ValidationError("La date de naissance doit être passée.")
        if value and value.year < 1900:
            raise forms.ValidationError("Vérifiez l'année de naissance.")
        return value


class SwornForm(forms.ModelForm):
    class Meta:
        model = AdmissibilityRequest
        fields = [
            "sworn_no_ban",
            "sworn_accurate",
            "sworn_unique",
            "sworn_three_max",
            "signed_at_place",
        ]
        labels = {
            "sworn_no_ban": (
                "Je ne fais pas l'objet d'une mesure pénale ou administrative d'interdiction de "
                "présentation devant un jury d'examen ou de validation des acquis de l'expérience."
            ),
            "sworn_accurate": "Je certifie que toutes les informations fournies sont exactes.",
            "sworn_unique": (
                "Je certifie que la présente candidature constitue l'unique demande pour cette "
                "certification pour la même année civile."
            ),
            "sworn_three_max": (
                "Je m'engage à ne pas présenter plus de trois candidatures à la VAE pour des "
                "certifications différentes durant la présente année civile."
            ),
        }


class ExperienceForm(forms.ModelForm):
    class Meta:
        model = Experience
        fields = [
            "role",
            "organisation",
            "organisation_address",
            "status",
            "started_on",
            "ended_on",
            "hours",
            "activities_done",
            "activities",
        ]
        widgets = {
            "started_on": DATE,
            "ended_on": DATE,
            "organisation_address": forms.Textarea(attrs={"rows": 2}),
            "activities_done": forms.Textarea(attrs={"rows": 5}),
            "activities": forms.CheckboxSelectMultiple,
        }
        labels = {"started_on": "Date de début", "ended_on": "Date de fin"}
        help_texts = {
            "ended_on": "Laissez vide si cette expérience est en cours.",
            "hours": "Le nombre total d'heures, même approximatif (un an à temps plein : 1 607 h).",
            "activities": "Les activités du référentiel que cette expérience vous a fait exercer.",
        }

    def __init__(self, *args, activities=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        field = self.fields["activities"]
        field.queryset = activities if activities is not None else Activity.objects.none()  # type: ignore[attr-defined]
        field.label_from_instance = lambda a: f"{a.roman} – {a.title}"  # type: ignore[attr-defined]
        hours = self.fields["hours"]
        hours.validators += [MinValueValidator(1), MaxValueValidator(200_000)]

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean() or {}
        start, end = data.get("started_on"), data.get("ended_on")
        today = timezone.localdate()
        if start and start > today:
            self.add_error("started_on", "La date de début ne peut pas être dans le futur.")
        if start and start.year < 1950:
            self.add_error("started_on", "Vérifiez l'année de début : elle est antérieure à 1950.")
        if end and end > today:
            self.add_error("ended_on", "La date de fin ne peut pas être dans le futur.")
        if start and end and end < start:
            self.add_error("ended_on", "La date de fin doit suivre la date de début.")
        hours = data.get("hours")
        if start and hours:
            days = ((end or today) - start).days + 1
            if hours > days * 24:
                self.add_error("hours", f"{hours} heures ne tiennent pas dans {days} jour(s).")
        return data


class SupportingKindForm(forms.Form):
    """The kind of a supporting document being added (the file itself is checked by the
    service, with the Livret 2's rules and messages)."""

    type = forms.ChoiceField(
        label="Type de pièce",
        choices=[("", "Choisissez le type de la pièce")] + SupportingKind.choices,
        error_messages={
            "required": "Indiquez le type de la pièce (pièce d'identité, attestation, diplôme…).",
            "invalid_choice": "Indiquez le type de la pièce (pièce d'identité, attestation, "
            "diplôme…).",
        },
    )


class IncompleteForm(forms.Form):
    missing_items = forms.CharField(
        label="Ce qui manque à la demande",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Une pièce ou une information par ligne ; le candidat recevra cette liste.",
        max_length=5000,
    )


class CompleteForm(forms.Form):
    on = forms.DateField(label="Date à laquelle la demande est complète", widget=DATE)

    def clean_on(self) -> datetime.date:
        value = self.cleaned_data["on"]
        if value > timezone.localdate():
            raise forms.ValidationError("Cette date ne peut pas être dans le futur.")
        return value


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Décision",
        choices=[("recevable", "Recevable"), ("non_recevable", "Non recevable")],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label="Motifs", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=10_000
    )
    recommendations = forms.CharField(
        label="Préconisations de formation complémentaire",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=10_000,
    )

    def __init__(self, *args, activities=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.activities = list(activities)
        for activity in self.activities:
            self.fields[f"coverage_{activity.pk}"] = forms.ChoiceField(
                label=f"Activité {activity.roman} – {activity.title}",
                choices=Coverage.choices,
                widget=forms.RadioSelect,
            )
            self.fields[f"comment_{activity.pk}"] = forms.CharField(
                label=f"Commentaire sur l'activité {activity.roman}",
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
                max_length=5000,
            )

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean() or {}
        if data.get("decision") == "non_recevable" and not (data.get("reasons") or "").strip():
            self.add_error("reasons", "Une décision de non-recevabilité doit être motivée.")
        return data

    def gaps(self) -> dict[int, tuple[str, str]]:
        return {
            a.pk: (self.cleaned_data[f"coverage_{a.pk}"], self.cleaned_data[f"comment_{a.pk}"])
            for a in self.activities
        }

    def activity_fields(self):  # type: ignore[no-untyped-def]
        return [(self[f"coverage_{a.pk}"], self[f"comment_{a.pk}"]) for a in self.activities]
