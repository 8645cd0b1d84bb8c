from django import forms
from django.utils.translation import gettext_lazy as _

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
    q = CleanCharField(label=_("Onderwerp"), required=False, max_length=200)
    van = forms.DateField(
        label=_("Vanaf datum"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    tot = forms.DateField(
        label=_("Tot en met datum"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
