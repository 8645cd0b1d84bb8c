"""Input shapes for an event's back-office pages. The services hold the rules; these only read the input."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from events.models import (
    Event,
    Room,
    RoomAccess,
    Session,
    SessionKind,
    SessionStatus,
    SessionTeamInvitation,
    Theme,
)
from events.services.programme import EVENT_FIELDS, session_times

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def errors_onto(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (the rest above the form)."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class EventForm(forms.ModelForm):
    class Meta:
        model = Event
        fields = list(EVENT_FIELDS)
        widgets = {"date": DATE, "end_date": DATE, "registration_closes_at": DATETIME}

    def _post_clean(self):
        # The service runs the model's full_clean(); the form only reads the input.
        pass


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "capacity", "position"]

    def _post_clean(self):
        pass


class SessionForm(forms.Form):
    """A session's fields, with its time as a day of the event and two wall-clock times."""

    title = forms.CharField(label=_("Titel"), max_length=200)
    kind = forms.ChoiceField(label=_("Soort"), choices=SessionKind.choices)
    status = forms.ChoiceField(
        label=_("Status"), choices=SessionStatus.choices[:2], initial=SessionStatus.DRAFT
    )
    day = forms.TypedChoiceField(label=_("Dag"), coerce=forms.DateField().to_python)
    starts_at = forms.TimeField(label=_("Begint om"), widget=TIME)
    ends_at = forms.TimeField(label=_("Eindigt om"), widget=TIME)
    room = forms.ModelChoiceField(label=_("Zaal"), queryset=Room.objects.none())
    capacity = forms.IntegerField(
        label=_("Capaciteit"),
        min_value=1,
        required=False,
        help_text=_("Leeg laten voor de capaciteit van de zaal."),
    )
    reserved_politiek = forms.IntegerField(label=_("Gereserveerd voor politiek"), min_value=0, initial=0)
    reserved_beleid = forms.IntegerField(label=_("Gereserveerd voor beleid"), min_value=0, initial=0)
    reserved_uitvoering = forms.IntegerField(label=_("Gereserveerd voor uitvoering"), min_value=0, initial=0)
    reserved_until = forms.DateTimeField(
        label=_("Reservering vervalt op"),
        required=False,
        widget=DATETIME,
        help_text=_("Daarna zijn gereserveerde plaatsen open voor iedereen."),
    )
    signup_open = forms.BooleanField(label=_("Inschrijven open"), required=False, initial=True)
    chatham_house = forms.BooleanField(
        label=_("Chatham House-regel"),
        required=False,
        help_text=_("Inhoud mag gebruikt worden, maar exports noemen nooit namen."),
    )
    room_access = forms.ChoiceField(label=_("Toegang tot de live zaal"), choices=RoomAccess.choices)
    themes = forms.ModelMultipleChoiceField(
        label=_("Thema's"), queryset=Theme.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(
        label=_("Beschrijving"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    host_organisation = forms.CharField(label=_("Organiserende organisatie"), max_length=200, required=False)

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields["room"].queryset = Room.objects.filter(event=event)
        self.fields["day"].choices = [(day.isoformat(), day.strftime("%d-%m-%Y")) for day in event.days]

    @staticmethod
    def initial_for(session: Session) -> dict:
        tz = session.event.tz
        start, end = session.starts_at.astimezone(tz), session.ends_at.astimezone(tz)
        initial = {name: getattr(session, name) for name in SessionForm.base_fields if hasattr(session, name)}
        initial.update(
            day=start.date().isoformat(),
            starts_at=start.time(),
            ends_at=end.time(),
            room=session.room_id,
            themes=list(session.themes.all()),
            reserved_until=session.reserved_until.astimezone(tz) if session.reserved_until else None,
        )
        if initial["status"] == SessionStatus.CANCELLED:
            initial["status"] = SessionStatus.DRAFT
        return initial

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("starts_at") and data.get("ends_at"):
            data["starts_at"], data["ends_at"] = session_times(
                event=self.event, day=data["day"], start=data["starts_at"], end=data["ends_at"]
            )
        return data

    def session_data(self) -> dict:
        """The cleaned input as Session fields, for `session_save`."""
        data = dict(self.cleaned_data)
        data.pop("day")
        data.pop("themes")
        return data


class PhasesForm(forms.Form):
    phases = forms.CharField(
        label=_("Fases van de live zaal"),
        widget=forms.Textarea(attrs={"rows": 7}),
        required=False,
        help_text=_("Eén fase per regel: titel | vraag aan de zaal. De vraag mag u weglaten."),
    )


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("Zoek op naam of e-mailadres"), min_length=2, max_length=100)


class TeamChangeForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(choices=SessionTeamInvitation.Role.choices, widget=forms.HiddenInput)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mailadres"))
    role = forms.ChoiceField(label=_("Als"), choices=SessionTeamInvitation.Role.choices)


class CloneForm(forms.Form):
    name = forms.CharField(label=_("Naam van het nieuwe evenement"), max_length=200)
    slug = forms.SlugField(
        label=_("Korte naam"),
        help_text=_("Deel van het adres: /korte-naam/. Kleine letters, cijfers en streepjes."),
    )
    acronym = forms.CharField(label=_("Acroniem"), max_length=40)
    date = forms.DateField(label=_("Eerste dag"), widget=DATE)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Bestand (CSV of schedule.json)"),
        help_text=_(
            "CSV met dezelfde kolommen als de download, of een schedule.json in het frab/c3voc-formaat."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 2 * 1024 * 1024:
            raise ValidationError(_("Het bestand is groter dan 2 MB."))
        raw = upload.read()
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise ValidationError(_("Dit bestand is geen tekst (CSV of JSON)."))
