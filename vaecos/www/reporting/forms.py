"""The dashboard's filters: a branch and a period (parameters shared with the CSV exports, the
admissibility queue and the API: `branche`, a branch code; `du` and `au`, ISO dates)."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from vaecos.reporting.figures import BranchNames, Filters, branch_names, default_period

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FIRST_YEAR, LAST_YEAR = 2000, 2100
LONGEST_YEARS = 10


PARAMETERS = ("branche", "du", "au")


class DashboardForm(forms.Form):
    branche = forms.ChoiceField(
        label="Branche",
        required=False,
        error_messages={
            "invalid_choice": "Cette branche n'existe pas : choisissez-en une dans la liste."
        },
    )
    du = forms.DateField(
        label="Du",
        required=False,
        widget=DATE,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Saisissez une date valide."},
    )
    au = forms.DateField(
        label="Au",
        required=False,
        widget=DATE,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={"invalid": "Saisissez une date valide."},
    )

    def __init__(
        self,
        data: Any = None,
        *,
        today: datetime.date | None = None,
        names: BranchNames | None = None,
    ) -> None:
        """`names`: figures.branch_names(), read here if not given. The choices of `branche`
        are the branch codes, named as in the latest version of the référentiel."""
        start, end = default_period(today)
        self.defaults = Filters(branch=None, start=start, end=end)
        # Only the parameters of this form: the others (a page number…) are ignored. One given
        # twice is an error (which one would apply?), not a silent choice of the last.
        self.repeated: list[str] = []
        if data is not None:
            if hasattr(data, "getlist"):
                self.repeated = [name for name in PARAMETERS if len(data.getlist(name)) > 1]
            data = {name: data.get(name, "") for name in PARAMETERS}
        super().__init__(data, initial={"du": start, "au": end})
        if names is None:
            names = branch_names()
        self.branch_names = {code: name for code, (_, name) in names.items()}
        self.fields["branche"].choices = [  # type: ignore[attr-defined]
            ("", "Toutes les branches"),
            *self.branch_names.items(),
        ]
        for name, field in self.fields.items():
            css = "form-select" if name == "branche" else "form-control"
            field.widget.attrs["class"] = css

    def full_clean(self) -> None:
        super().full_clean()
        # Rendered by hand (no "valid" state for a filter): the fields in error are marked.
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"

    def _year(self, name: str) -> datetime.date | None:
        value = self.cleaned_data.get(name)
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise forms.ValidationError(
                f"Choisissez une date entre {FIRST_YEAR} et {LAST_YEAR}.", code="year"
            )
        return value

    def clean_du(self) -> datetime.date | None:
        return self._year("du")

    def clean_au(self) -> datetime.date | None:
        return self._year("au")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.repeated:
            self.add_error(name, "Ce filtre est donné plusieurs fois : donnez-le une seule fois.")
        start = data.get("du") or self.defaults.start
        end = data.get("au") or self.defaults.end
        if "du" in data and "au" in data:
            if start > end:
                self.add_error("au", "La fin de la période doit suivre son début.")
            elif (end - start).days > 366 * LONGEST_YEARS:
                self.add_error("au", f"La période ne peut dépasser {LONGEST_YEARS} ans.")
        return data

    def filters(self) -> Filters:
        """The figures' filters: the form's when valid, the defaults otherwise."""
        if not self.is_bound or not self.is_valid():
            return self.defaults
        data = self.cleaned_data
        return Filters(
            branch=data.get("branche") or None,
            start=data.get("du") or self.defaults.start,
            end=data.get("au") or self.defaults.end,
        )

    def query(self) -> dict[str, str]:
        """The filters applied, as the parameters of the CSV export's link."""
        filters = self.filters()
        params = {"du": filters.start.isoformat(), "au": filters.end.isoformat()}
        if filters.branch is not None:
            params = {"branche": filters.branch, **params}
        return params

    def branch_name(self) -> str:
        """The name of the branch the figures are about; empty for all branches."""
        branch = self.filters().branch
        if branch is None:
            return ""
        return self.branch_names.get(branch, branch)
