from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Perspective, User
from trialoog.text import formfield_clean


class ProfileForm(forms.ModelForm):
    """Shape of the profile: who you are, what you allow and (optionally) what you need."""

    class Meta:
        model = User
        formfield_callback = formfield_clean
        fields = [
            "name",
            "organisation",
            "function",
            "perspective",
            "consent_photos",
            "consent_contact",
            "consent_listed",
            "consent_needs",
            "diet",
            "access_needs",
        ]
        labels = {
            "name": _("Naam"),
            "organisation": _("Organisatie"),
            "function": _("Functie"),
            "perspective": _("Vanuit welk perspectief doet u mee?"),
            "consent_photos": _("Ik vind het goed dat er foto's van mij gemaakt en gedeeld worden."),
            "consent_contact": _("De organisatie mag mij na het evenement benaderen."),
            "consent_listed": _("Mijn naam en organisatie mogen op de deelnemerslijst."),
            "consent_needs": _(
                "Ik geef toestemming om mijn wensen hieronder te bewaren tot na het evenement."
            ),
            "diet": _("Dieetwensen (niet verplicht)"),
            "access_needs": _("Wat heeft u nodig om goed mee te doen? (niet verplicht)"),
        }
        help_texts = {
            "perspective": _(
                "Politiek: Kamerleden en hun medewerkers. Beleid: ministeries. "
                "Uitvoering: organisaties zoals UWV, SVB, DUO, Belastingdienst en gemeenten."
            ),
            "consent_photos": _("Niet verplicht. U bent ook zonder deze toestemming welkom."),
            "consent_needs": _(
                "Dit zijn gezondheidsgegevens. Wij gebruiken ze alleen voor dit evenement "
                "en verwijderen ze na afloop."
            ),
        }
        widgets = {
            "perspective": forms.RadioSelect,
            "diet": forms.TextInput(attrs={"autocomplete": "off"}),
            "access_needs": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in ("name", "organisation", "perspective"):
            self.fields[field].required = True
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["organisation"].widget.attrs["autocomplete"] = "organization"
        self.fields["function"].widget.attrs["autocomplete"] = "organization-title"
        self.fields["perspective"].choices = Perspective.choices
        if self.instance.is_kamerlid:
            self.fields["perspective"].disabled = True

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("diet") or cleaned.get("access_needs")) and not cleaned.get("consent_needs"):
            self.add_error(
                "consent_needs",
                _("Geef toestemming om uw wensen te bewaren, of laat de wensen leeg."),
            )
        return cleaned


class KamerlidInvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mailadres van het Kamerlid"), max_length=254)


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Ik begrijp dat mijn account en mijn gegevens definitief worden verwijderd."),
        required=True,
    )
