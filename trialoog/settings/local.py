"""Settings for the embedded demo: SQLite and the in-memory channel layer unless configured."""

from trialoog.env import env_bool

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
