"""Forms of the coaching pages: declaration, assignment, comments, reopening."""

from typing import Any

from django import forms

from vaecos.accounts.models import Organisation, User
from vaecos.cases.models import Coaching
from vaecos.coaching.services import MAX_COMMENT, MAX_REASON


class DeclarationForm(forms.Form):
    coaching = forms.ChoiceField(
        label="Êtes-vous accompagné dans votre démarche de VAE ?",
        choices=[c for c in Coaching.choices if c[0] != Coaching.UNDECLARED],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choisissez l'une des possibilités proposées.",
            "invalid_choice": "Choisissez l'une des possibilités proposées.",
        },
    )
    organisation = forms.ModelChoiceField(
        label="Organisme d'accompagnement",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="— Choisissez l'organisme —",
        help_text="Seulement si vous êtes accompagné par un autre organisme que l'Institut 4.10.",
        error_messages={"invalid_choice": "Choisissez l'organisme dans la liste."},
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("coaching") == Coaching.OTHER and not data.get("organisation"):
            self.add_error("organisation", "Choisissez votre organisme d'accompagnement.")
        return data


class AssignForm(forms.Form):
    coach = forms.ModelChoiceField(
        label="Accompagnateur",
        queryset=User.objects.none(),
        empty_label="— Choisissez l'accompagnateur —",
        error_messages={
            "required": "Choisissez un accompagnateur.",
            "invalid_choice": "Choisissez un accompagnateur de l'organisme du candidat.",
        },
    )

    def __init__(self, *args: Any, coaches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["coach"]
        field.queryset = coaches  # type: ignore[attr-defined]
        field.label_from_instance = lambda u: f"{u.display_name} ({u.email})"  # type: ignore[attr-defined]


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Commentaire",
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Écrivez votre commentaire avant de l'envoyer."},
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].replace("\x00", "").strip()
        if not body:
            raise forms.ValidationError("Écrivez votre commentaire avant de l'envoyer.")
        return body


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Motif",
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Indiquez le motif de la réouverture."},
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].replace("\x00", "").strip()
        if not reason:
            raise forms.ValidationError("Indiquez le motif de la réouverture.")
        return reason
