"""Password rules with Dutch wording that a person can act on."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule, with a hint that says how to make a long password you can remember."""

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(
                _("Dit wachtwoord is te kort. Gebruik minstens %(min_length)d tekens.")
                % {"min_length": self.min_length},
                code="password_too_short",
                params={"min_length": self.min_length},
            )

    def get_help_text(self):
        return _(
            "Kies een wachtwoord van minstens %(min_length)d tekens. "
            "Een zin van een paar woorden is makkelijk te onthouden en moeilijk te raden."
        ) % {"min_length": self.min_length}
