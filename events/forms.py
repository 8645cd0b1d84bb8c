"""Input shapes for the programme pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import Session, SessionKind


class ProgrammeFilterForm(forms.Form):
    soort = forms.ChoiceField(
        label=_("Soort sessie"),
        choices=[("", _("Alle soorten")), *SessionKind.choices],
        required=False,
    )


class SwapForm(forms.Form):
    """Swap the user's place in `from_session` for the session in the URL."""

    from_session = forms.ModelChoiceField(queryset=Session.objects.all(), widget=forms.HiddenInput)
    waitlist_ok = forms.BooleanField(required=False, widget=forms.HiddenInput)
