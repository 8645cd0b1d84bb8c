"""Reads for an event's back-office (/<event>/organisator/...)."""

from django.db.models import Count, Exists, Q, QuerySet

from accounts.models import ORGANISER_GROUP, User
from events.models import Event, Registration, Room, Session, SessionTeamInvitation, Team
from events.permissions import event_rights, team_events

SEARCH_LIMIT = 20


def event_get_for_team(*, slug: str, user) -> Event | None:
    """The event with this slug when the person holds any right in it, else None (the view answers 404)."""
    event = Event.objects.select_related("organisation").filter(slug=slug).first()
    if event is None or not event_rights(user, event):
        return None
    return event


def event_latest_for_team(*, user) -> Event | None:
    """
    The latest event this person holds a right in (every event counts for a platform admin), or None.

    One query, for the header's back-office link on every page.
    """
    if not getattr(user, "is_authenticated", False):
        return None
    events = Event.objects.all()
    if not user.is_superuser:
        admin = User.groups.through.objects.filter(user_id=user.pk, group__name=ORGANISER_GROUP)
        events = events.filter(Exists(admin) | Q(pk__in=team_events(user).values("pk")))
    return events.order_by("-date", "-pk").first()


def session_team_candidates(*, event: Event) -> QuerySet[User]:
    """Who may be made moderator or rapporteur: the event's active registrations and its organisation's teams."""
    registered = Registration.objects.filter(event=event, status=Registration.Status.REGISTERED).values(
        "user_id"
    )
    teams = Team.objects.filter(organisation_id=event.organisation_id).values("pk")
    return User.objects.filter(Q(pk__in=registered) | Q(teams__in=teams), is_active=True).distinct()


def session_team_search(*, event: Event, query: str) -> list[User]:
    """Candidates whose name or email contains `query` (at least two characters), at most SEARCH_LIMIT."""
    query = " ".join(query.split())
    if len(query) < 2:
        return []
    found = session_team_candidates(event=event).filter(Q(name__icontains=query) | Q(email__icontains=query))
    return list(found.order_by("name", "email")[:SEARCH_LIMIT])


def session_list_for_organiser(*, event: Event) -> list[Session]:
    """Every session of the event, drafts and cancelled ones too, with room, team and sign-up count (three queries)."""
    return list(
        Session.objects.filter(event=event)
        .select_related("room")
        .prefetch_related("moderators", "themes")
        .annotate(signups_active=Count("signups", filter=Q(signups__status__in=("confirmed", "waitlisted"))))
        .order_by("starts_at", "room__position", "title")
    )


def room_list_for_organiser(*, event: Event) -> list[Room]:
    """The event's rooms with how many sessions use each (one query)."""
    return list(
        Room.objects.filter(event=event)
        .annotate(session_count=Count("sessions"))
        .order_by("position", "name")
    )


def session_team_invitations_open(*, session: Session) -> list[SessionTeamInvitation]:
    """Invitations for this session that nobody has accepted yet."""
    return list(SessionTeamInvitation.objects.filter(session=session, accepted_at__isnull=True))
