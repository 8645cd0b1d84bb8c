"""
Text that people type, without the characters nobody means to type.

A pasted U+0001 is invisible on screen but not in the places text goes
next: XML 1.0 (the frab schedule, XLSX, ODS) forbids it, openpyxl refuses
it, and a PDF shows a box. So every form field for free text uses
`CleanCharField`, which removes C0 and C1 control characters, DEL, lone
surrogates and the noncharacters U+FFFE and U+FFFF. Multi-line fields keep
tab and newline (a carriage return becomes a newline); single-line fields
turn tab and newline into a space, so words on either side stay apart.

Rows stored before this (or written by a script) can still hold such
characters, so the exports pass their text through `text_clean` as well.
"""

import re
from typing import Any

from django import forms
from django.db import models

# Never allowed: C0 except tab and newline, DEL, C1, lone surrogates, U+FFFE and U+FFFF.
_UNWANTED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile("\r\n?")
_SINGLE_LINE_SPACES = re.compile("[\t\n\r]+")


def text_clean(value: str, *, multiline: bool = True) -> str:
    """
    Return `value` without control characters, lone surrogates and U+FFFE/U+FFFF.

    With `multiline`, tab and newline stay and CR LF or CR becomes a newline;
    without it, each run of tabs and line breaks becomes one space.
    """
    if multiline:
        value = _LINE_BREAKS.sub("\n", value)
    else:
        value = _SINGLE_LINE_SPACES.sub(" ", value)
    return _UNWANTED.sub("", value)


def text_clean_deep(value: Any) -> Any:
    """`text_clean` applied to every string inside nested dicts, lists and tuples (for export documents)."""
    if isinstance(value, str):
        return text_clean(value)
    if isinstance(value, dict):
        return {key: text_clean_deep(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(text_clean_deep(item) for item in value)
    return value


class CleanCharField(forms.CharField):
    """
    A CharField for free text: control characters are removed before the usual checks.

    The field is multi-line when its widget is a Textarea, unless
    `multiline` says otherwise. Removal comes before stripping and before
    the length and required checks, so text of only control characters
    counts as empty.
    """

    def __init__(self, *, multiline: bool | None = None, **kwargs):
        super().__init__(**kwargs)
        self.multiline = isinstance(self.widget, forms.Textarea) if multiline is None else multiline

    def to_python(self, value):
        if isinstance(value, str):
            value = text_clean(value, multiline=self.multiline)
        return super().to_python(value)


def _is_free_text(db_field: models.Field) -> bool:
    # Exact types only: EmailField, SlugField and URLField keep their own form fields and validators.
    return type(db_field) in (models.CharField, models.TextField) and not db_field.choices


def formfield_clean(db_field: models.Field, **kwargs) -> forms.Field | None:
    """
    The form field for a model field, with `CleanCharField` for free text.

    Use it as a ModelForm's `Meta.formfield_callback`.
    """
    if _is_free_text(db_field):
        kwargs.setdefault("form_class", CleanCharField)
    return db_field.formfield(**kwargs)


class CleanTextAdminMixin:
    """For a ModelAdmin or inline: every free-text model field gets a `CleanCharField` in its form."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if _is_free_text(db_field):
            kwargs.setdefault("form_class", CleanCharField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)
