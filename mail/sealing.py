"""
Seal and open an email's content for the outbox (Fernet, with the keys in OUTBOX_KEY).

The first key seals and every key opens, so OUTBOX_KEY can be rotated as
"new,old" until the emails sealed under the old key have gone out.
"""

import json

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _keys() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.OUTBOX_KEY.split(",")])


def outbox_seal(content: dict) -> str:
    """Encrypt and authenticate an email's content (body, HTML, attachments) for the outbox."""
    return _keys().encrypt(json.dumps(content).encode()).decode()


def outbox_open(sealed: str) -> dict:
    """The content `outbox_seal` sealed; raises cryptography's InvalidToken under a wrong key."""
    return json.loads(_keys().decrypt(sealed.encode()))
