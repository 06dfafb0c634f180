"""Forms of the sessions pages: a session, a jury seat, a case to register, a transmission."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from vaecos.accounts.models import Role, User
from vaecos.cases.models import VaeCase
from vaecos.evaluation.models import EvaluationSession
from vaecos.referentiels.models import Branch, ReferentielVersion

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class VersionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.certification.name} — version {obj.version}"


class BranchChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} (version {obj.referentiel_version.version})"


class SessionForm(forms.ModelForm):
    referentiel_version = VersionChoice(
        label="Certification (version du référentiel)",
        queryset=ReferentielVersion.objects.select_related("certification").order_by(
            "certification__name", "-valid_from"
        ),
        empty_label=None,
    )
    branch = BranchChoice(
        label="Branche",
        queryset=Branch.objects.select_related("referentiel_version").order_by(
            "referentiel_version__valid_from", "position"
        ),
        required=False,
        empty_label="Toutes les branches",
        help_text="Laissez « Toutes les branches » pour ouvrir la session à tous les candidats.",
    )
    capacity = forms.IntegerField(label="Nombre de places", min_value=1, max_value=500)
    duration_minutes = forms.IntegerField(
        label="Durée de l'entretien (minutes)",
        min_value=10,
        max_value=480,
        initial=60,
        help_text="Durée prévue pour chaque candidat.",
    )

    class Meta:
        model = EvaluationSession
        fields = [
            "referentiel_version",
            "branch",
            "date",
            "start_time",
            "duration_minutes",
            "place",
            "video_link",
            "capacity",
            "practical_details",
        ]
        widgets = {
            "date": DATE,
            "start_time": TIME,
            "place": forms.Textarea(attrs={"rows": 2}),
            "practical_details": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "place": "Adresse complète de la salle. Indiquez un lieu, un lien de "
            "visioconférence, ou les deux.",
            "practical_details": "Accès, accueil, documents à apporter… Repris dans la "
            "convocation.",
        }

    def __init__(self, *args: Any, today: datetime.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()

    def clean_date(self) -> datetime.date | None:
        value = self.cleaned_data.get("date")
        changed = self.instance.pk is None or value != self.instance.date
        if value and changed and value < self.today:
            raise forms.ValidationError(
                "La date de la session est passée : choisissez une date à venir."
            )
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        place, link = (data.get("place") or "").strip(), (data.get("video_link") or "").strip()
        if not place and not link and "video_link" not in self.errors:
            self.add_error("place", "Indiquez un lieu ou un lien de visioconférence, ou les deux.")
        version, branch = data.get("referentiel_version"), data.get("branch")
        if version and branch and branch.referentiel_version_id != version.pk:
            self.add_error("branch", "Cette branche n'appartient pas à la version choisie.")
        return data


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        organisation = f" — {obj.organisation.name}" if obj.organisation_id else ""
        return f"{obj.display_name}{organisation}"


class MemberAddForm(forms.Form):
    user = MemberChoice(
        label="Membre du jury", queryset=User.objects.none(), empty_label="— Choisissez —"
    )
    qualified = forms.BooleanField(
        label="Qualifié pour la certification",
        required=False,
        help_text="Titulaire de la certification ou professionnel expérimenté du métier.",
    )
    is_president = forms.BooleanField(label="Président(e) du jury", required=False)

    def __init__(self, *args: Any, session: EvaluationSession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            User.objects.filter(role=Role.JURY, is_active=True)
            .exclude(jury_seats__session=session)
            .select_related("organisation")
            .order_by("last_name", "first_name", "email")
        )


class CaseChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        branch = f" — {obj.branch.name}" if obj.branch_id else ""
        return f"{obj.candidate.display_name}{branch}"


class RegisterCaseForm(forms.Form):
    case = CaseChoice(
        label="Candidat", queryset=VaeCase.objects.none(), empty_label="— Choisissez —"
    )

    def __init__(self, *args: Any, cases: list[VaeCase] | QuerySet[VaeCase], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["case"])
        chosen = (
            cases
            if isinstance(cases, QuerySet)
            else VaeCase.objects.filter(pk__in=[c.pk for c in cases])
        )
        field.queryset = chosen.select_related("candidate", "branch").order_by(
            "candidate__last_name", "candidate__first_name", "pk"
        )


class SessionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        branch = obj.branch.name if obj.branch_id else "toutes branches"
        return f"{obj.date:%d/%m/%Y} à {obj.start_time:%H:%M} ({branch})"


class TransmitForm(forms.Form):
    session = SessionChoice(
        label="Session d'évaluation",
        queryset=EvaluationSession.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )

    def __init__(self, *args: Any, sessions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions  # type: ignore[attr-defined]
