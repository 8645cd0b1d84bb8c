"""
Logging without secrets: request paths with tokens redacted, for the request log and Django's own.

Kept free of Django imports that need the app registry, because LOGGING
loads the filter before the apps are ready.
"""

import logging
import re

# URL keyword arguments that carry a secret: the calendar feed and projector tokens, Kamerlid
# invitations, allauth's email confirmation and password reset keys.
SECRET_URL_KWARGS = frozenset({"token", "key", "uidb36", "uidb64"})
# Any other path segment that looks like a token is redacted too, for paths that match no URL
# pattern or patterns added later: 20+ characters of the base64url, hex or signing alphabets with
# an upper-case letter, "_" or ":", or with a digit in a run of 16 letters and digits (the words
# of a slug are shorter).
TOKEN_ALPHABET = re.compile(r"[A-Za-z0-9_\-:]{20,}")
REDACTED = "[redacted]"


def _looks_like_token(part: str) -> bool:
    if not TOKEN_ALPHABET.fullmatch(part):
        return False
    return bool(re.search(r"[A-Z_:]", part) or (re.search(r"\d", part) and re.search(r"[a-z0-9]{16}", part)))


def redacted_path(request) -> str:
    """
    The request's path without its query string, every segment that holds a secret replaced by [redacted].

    A segment holds a secret when it is or contains the value of a secret
    URL argument (so "<uidb36>-<key>" goes as a whole) or looks like a token.
    Characters that are not printable (line breaks, control characters) are
    written as escapes.
    """
    match = getattr(request, "resolver_match", None)
    secrets = [
        value
        for name, value in (match.kwargs.items() if match is not None else ())
        if name in SECRET_URL_KWARGS and isinstance(value, str) and value
    ]

    def secret(part: str) -> bool:
        return part in secrets or any(len(v) >= 6 and v in part for v in secrets) or _looks_like_token(part)

    path = "/".join(REDACTED if part and secret(part) else part for part in request.path.split("/"))
    # request.path is percent-decoded: "%0A" would start a forged line in the log.
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in path)


class RedactedPathFilter(logging.Filter):
    """
    Redact the request path in Django's own log lines ("Not Found: /agenda/<token>/trialoog.ics").

    django.request and django.security pass the path as an argument and the
    request as `record.request`; the path argument is replaced by
    `redacted_path`. Never drops a record.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if path and isinstance(record.args, tuple):
            record.args = tuple(redacted_path(request) if arg == path else arg for arg in record.args)
        return True
