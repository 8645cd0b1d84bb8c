"""Retention: what personal data goes once an event is over."""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import KamerlidInvitation, User
from events.models import Event, Registration, SessionSignup
from mail.services import outbox_purge
from realtime.services.opinions import event_opinions_unlink
from realtime.services.rooms import room_events_forget


class EventNotOver(Exception):
    pass


@transaction.atomic
def personal_data_purge(*, event: Event, now=None) -> dict[str, int]:
    """
    Remove personal data of `event` that is past retention; return counts per kind.

    Removes optional needs (diet, access needs and the consent for them) of
    everyone registered, unless they are registered for a later event, and
    of everyone who had an account by the end of the event day but never
    registered for any event; cancelled registrations and sign-ups; Kamerlid
    invitations that were used or expired; and outbox emails past their
    retention (`outbox_purge`) and the replay logs of its rooms
    (`room_events_forget`). Destroys the event's vote salt and rewrites its votes,
    upvotes and reactions, so no one can link them to a person any more
    (realtime/services/opinions.py). Safe to run again: a second run
    removes nothing. Raises EventNotOver before the event's last day has ended.
    """
    now = now or timezone.now()
    if now.astimezone(event.tz).date() <= event.last_date:
        raise EventNotOver(_("Het evenement is nog niet voorbij; er is niets verwijderd."))
    later = Registration.objects.filter(
        event__date__gt=event.last_date, status=Registration.Status.REGISTERED
    ).values("user_id")
    has_needs = Q(consent_needs=True) | ~Q(diet="") | ~Q(access_needs="")
    cleared = {"diet": "", "access_needs": "", "consent_needs": False}
    needs = (
        User.objects.filter(registrations__event=event)
        .exclude(pk__in=later)
        .filter(has_needs)
        .update(**cleared)
    )
    day_over = dt.datetime.combine(event.last_date + dt.timedelta(days=1), dt.time.min, tzinfo=event.tz)
    unregistered_needs = (
        User.objects.filter(registrations__isnull=True, date_joined__lt=day_over)
        .filter(has_needs)
        .update(**cleared)
    )
    signups, _detail = SessionSignup.objects.filter(
        session__event=event, status=SessionSignup.Status.CANCELLED
    ).delete()
    registrations, _detail = Registration.objects.filter(
        event=event, status=Registration.Status.CANCELLED
    ).delete()
    invitations, _detail = KamerlidInvitation.objects.filter(
        Q(used_at__isnull=False) | Q(expires_at__lt=now)
    ).delete()
    return {
        "needs": needs,
        "unregistered_needs": unregistered_needs,
        "cancelled_signups": signups,
        "cancelled_registrations": registrations,
        "kamerlid_invitations": invitations,
        "outbox": outbox_purge(now=now),
        # The rooms' replay logs: the day is over, nobody replays; frames may carry names.
        "room_events": room_events_forget(session_ids=set(event.sessions.values_list("pk", flat=True))),
        **event_opinions_unlink(event=event),
    }
