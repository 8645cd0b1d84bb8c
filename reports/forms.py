import datetime as dt

from django import forms
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from reports.kennisbank import KennisbankFilters
from trialoog.text import CleanCharField


class ApproveForm(forms.Form):
    summary = CleanCharField(
        label=_("Samenvatting voor de kennisbank"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    topics = CleanCharField(
        label=_("Onderwerpen"),
        required=False,
        max_length=300,
        help_text=_("Trefwoorden, gescheiden door komma's. Hierop kan men zoeken in de kennisbank."),
    )


class KennisbankSearchForm(forms.Form):
    """
    The kennisbank's search and filters, all optional, read from the query string.

    The choices come from `reports.kennisbank.kennisbank_choices`, passed in,
    so rendering and validating the form runs no query of its own.
    """

    q = CleanCharField(
        label=_("Zoekwoorden"),
        required=False,
        max_length=200,
        help_text=_("Bijvoorbeeld: vereenvoudiging, gegevens delen, toeslagen."),
    )
    event = forms.ChoiceField(label=_("Evenement"), required=False)
    organisatie = forms.ChoiceField(label=_("Organisatie"), required=False)
    soort = forms.ChoiceField(label=_("Soort sessie"), required=False)
    thema = forms.ChoiceField(label=_("Thema"), required=False)
    van = forms.DateField(
        label=_("Vanaf datum"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    tot = forms.DateField(
        label=_("Tot en met datum"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    FIELD_CHOICES = {"event": "event", "organisatie": "organisation", "soort": "kind", "thema": "theme"}

    def __init__(self, *args, choices: dict[str, list[tuple[str, str]]], **kwargs):
        super().__init__(*args, **kwargs)
        for field, key in self.FIELD_CHOICES.items():
            self.fields[field].choices = [("", _("Alle"))] + list(choices[key])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("van"), cleaned.get("tot")
        if start and end and start > end:
            self.add_error("tot", _("Deze datum ligt voor de vanaf-datum. Kies een latere datum."))
        return cleaned

    def query_string(self, *, without: str = "") -> str:
        """The valid, non-empty input as a query string (no page number), optionally without one field."""
        data = getattr(self, "cleaned_data", {})
        pairs = [
            (name, self.data[name])
            for name in self.fields
            if name != without and data.get(name) and self.data.get(name)
        ]
        return urlencode(pairs)

    def active_filters(self) -> list[dict]:
        """Each filter in use: its label, the value as shown, and the query string without it."""
        data = getattr(self, "cleaned_data", {})
        active = []
        for name, field in self.fields.items():
            value = data.get(name)
            if not value:
                continue
            if isinstance(field, forms.ChoiceField):
                shown = dict(field.choices).get(value, value)
            elif isinstance(value, dt.date):
                shown = date_format(value, "j F Y")
            else:
                shown = value
            active.append({"label": field.label, "value": shown, "without": self.query_string(without=name)})
        return active

    def filters(self) -> KennisbankFilters:
        """The valid part of the input as filters: a field with an error filters nothing (call is_valid first)."""
        data = getattr(self, "cleaned_data", {})
        return KennisbankFilters(
            query=data.get("q", ""),
            event=data.get("event", ""),
            organisation=data.get("organisatie", ""),
            kind=data.get("soort", ""),
            theme=data.get("thema", ""),
            date_from=data.get("van"),
            date_to=data.get("tot"),
        )
