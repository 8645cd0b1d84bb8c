"""The keyed hash under which opinions are stored (realtime/hashing.py)."""

import hashlib
import hmac

import pytest
from django.test import override_settings

from realtime.hashing import voter_hash

SALT = "ab" * 32
OTHER_SALT = "cd" * 32


def test_the_hash_changes_with_the_salt_and_with_the_secret():
    """Neither the salt (in the database) nor the secret (in the settings) alone gives the stored hash."""
    stored = voter_hash("poll", 7, 3, salt=SALT)

    with override_settings(SECRET_KEY="another-secret-of-enough-length-for-the-test-1234567890"):
        other_secret = voter_hash("poll", 7, 3, salt=SALT)

    assert voter_hash("poll", 7, 3, salt=OTHER_SALT) != stored
    assert other_secret != stored
    assert len(stored) == 64


def test_a_destroyed_salt_hashes_nothing():
    """After the purge emptied the salt, no hash can be made, so nothing can be stored or found."""
    with pytest.raises(ValueError):
        voter_hash("poll", 7, 3, salt="")


def test_the_salted_hash_is_one_hmac_over_the_unsalted_one(settings):
    """The contract the salt migration relies on: rows hashed before it can be re-keyed without the person."""
    key = hashlib.sha256(f"trialoog-voter-hash:{settings.SECRET_KEY}".encode()).digest()
    unsalted = hmac.new(key, b"note:7:3", hashlib.sha256).hexdigest()

    rekeyed = hmac.new(bytes.fromhex(SALT), unsalted.encode(), hashlib.sha256).hexdigest()

    assert rekeyed == voter_hash("note", 7, 3, salt=SALT)
