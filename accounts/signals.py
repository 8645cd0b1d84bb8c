"""
Signals the accounts app sends, so other apps can follow changes to a person's sessions.

`sessions_revoked` is sent (with `user=`) when every session of a person ends at once:
"log out everywhere" and account deletion. Django's own `user_logged_out` covers a
single logout (it carries the `request`, so the ended session key is known).
The live rooms listen to both and close that person's sockets. It is sent inside
the transaction that ends the sessions: receivers that reach outside the database
defer that work with `transaction.on_commit`.
"""

from django.dispatch import Signal

sessions_revoked = Signal()
