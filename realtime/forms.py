"""Shape of every room action. The same form serves the HTML POST and the WebSocket frame."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Perspective
from realtime.models import QUESTION_MAX_LENGTH, Action, Note
from trialoog.text import CleanCharField


class QuestionAskForm(forms.Form):
    text = CleanCharField(
        label=_("Uw vraag"),
        max_length=QUESTION_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": QUESTION_MAX_LENGTH}),
        error_messages={
            "required": _("Typ eerst een vraag."),
            "max_length": _("Een vraag mag maximaal %(limit_value)d tekens hebben (nu %(show_value)d)."),
        },
    )
    show_name = forms.BooleanField(label=_("Toon mijn naam bij de vraag"), required=False)


class QuestionRefForm(forms.Form):
    question = forms.IntegerField(min_value=1, error_messages={"required": _("Welke vraag?")})


class QuestionEditForm(QuestionRefForm):
    text = QuestionAskForm.base_fields["text"]


class ModerateForm(QuestionRefForm):
    action = forms.ChoiceField(
        choices=[(a, a) for a in ("approve", "reject", "hide", "answer", "reopen")],
    )


class PinForm(forms.Form):
    question = forms.IntegerField(min_value=1, required=False)


class ToggleForm(forms.Form):
    enabled = forms.BooleanField(required=False)


def form_errors(form: forms.Form) -> str:
    """All errors of a form as one readable sentence list."""
    return " ".join(str(message) for messages in form.errors.values() for message in messages)


class _RadioSelectList(forms.RadioSelect):
    """Radio buttons for a list-valued field: the one chosen value arrives as a one-item list."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return data.getlist(name)
        value = data.get(name)
        return value if isinstance(value, list) or value is None else [value]


class PollVoteForm(forms.Form):
    """A vote: one option id (single choice, scale) or several (multiple choice)."""

    poll = forms.IntegerField(min_value=1)
    choices = forms.TypedMultipleChoiceField(
        coerce=int,
        error_messages={
            "required": _("Kies een antwoord."),
            "invalid_choice": _("Kies een van de antwoorden."),
        },
    )

    def __init__(self, *args, poll=None, **kwargs):
        super().__init__(*args, **kwargs)
        if poll is not None:
            self.fields["choices"].choices = [(o.pk, o.label) for o in poll.options.all()]
            self.fields["choices"].widget = (
                forms.CheckboxSelectMultiple() if poll.kind == "multiple" else _RadioSelectList()
            )
            self.fields["choices"].label = poll.text


class PollCreateForm(forms.Form):
    text = CleanCharField(label=_("Vraag of stelling"), max_length=300)
    kind = forms.ChoiceField(
        label=_("Soort"),
        choices=[
            ("scale", _("Stelling: oneens–eens (5 punten)")),
            ("single", _("Eén keuze")),
            ("multiple", _("Meerdere keuzes")),
        ],
        initial="scale",
    )
    options = CleanCharField(
        label=_("Antwoorden (één per regel; niet nodig bij een stelling)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    show_live = forms.BooleanField(label=_("Uitslag live tonen tijdens het stemmen"), required=False)

    def clean_options(self):
        value = self.cleaned_data["options"]
        return [line.strip() for line in value.splitlines() if line.strip()]


class PollRefForm(forms.Form):
    poll = forms.IntegerField(min_value=1)


class NoteAddForm(forms.Form):
    kind = forms.ChoiceField(label=_("Soort notitie"), choices=[])
    text = CleanCharField(
        label=_("Notitie"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        error_messages={
            "required": _("Typ eerst een tekst."),
            "max_length": _("Een notitie mag maximaal %(limit_value)d tekens hebben (nu %(show_value)d)."),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Note.Kind.choices


class NoteRefForm(forms.Form):
    note = forms.IntegerField(min_value=1)


class NoteReactForm(NoteRefForm):
    reaction = forms.ChoiceField(
        choices=[
            ("recognise", _("Herken ik")),
            ("agree", _("Eens")),
            ("disagree", _("Oneens")),
            ("", _("Geen")),
        ],
        required=False,
    )


class NoteEditForm(NoteRefForm):
    text = NoteAddForm.base_fields["text"]


class NoteMergeForm(NoteRefForm):
    into = forms.IntegerField(min_value=1, label=_("Samenvoegen met notitie"))


class ActionForm(forms.Form):
    action_id = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    what = CleanCharField(label=_("Wat moet er gebeuren?"), max_length=300)
    owner_name = CleanCharField(label=_("Eigenaar"), max_length=150)
    owner_organisation = CleanCharField(label=_("Organisatie"), max_length=150, required=False)
    perspective = forms.ChoiceField(label=_("Perspectief"), required=False, choices=[])
    due_date = forms.DateField(
        label=_("Klaar op"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    status = forms.ChoiceField(label=_("Status"), choices=[], initial="open")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["perspective"].choices = [("", "—"), *Perspective.choices]
        self.fields["status"].choices = Action.Status.choices


class PhaseRefForm(forms.Form):
    phase = forms.IntegerField(min_value=1, required=False)


class PhaseForm(PhaseRefForm):
    title = CleanCharField(label=_("Fase"), max_length=120)
    prompt = CleanCharField(label=_("Vraag aan de zaal"), max_length=400, required=False)


class ProjectorModeForm(forms.Form):
    mode = forms.ChoiceField(
        choices=[
            ("questions", _("Vragen")),
            ("poll", _("Peiling")),
            ("notes", _("Notities")),
            ("actions", _("Acties")),
        ]
    )
