"""Shape of every room action. The same form serves the HTML POST and the WebSocket frame."""

from django import forms
from django.utils.translation import gettext_lazy as _

from realtime.models import QUESTION_MAX_LENGTH


class QuestionAskForm(forms.Form):
    text = forms.CharField(
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
