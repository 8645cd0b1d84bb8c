"""
Who may do what in an event: the one set of predicates every check goes through.

Rights come from teams (events.models.Team): a team of the event's
organisation holds its rights in every event of that organisation
(`all_events`) or in the events it names. A platform admin (the
"Organisatoren" group, or a superuser) holds every right in every event.

Services call these predicates; views call them only to decide what to show.
A person without any right in an event gets a 404 from its back-office pages,
so that event A's team cannot even learn which pages event B has.
"""

from django.db.models import Q, QuerySet

from accounts.models import ORGANISER_GROUP, User
from events.models import Event, Session, SessionStatus, Team


class Right:
    """The rights a team can hold in an event (Team.can_* fields)."""

    PROGRAMME = "can_manage_programme"
    REGISTRATIONS = "can_view_registrations"
    HEALTH_DATA = "can_view_health_data"
    ROOMS = "can_run_rooms"
    REPORTS = "can_approve_reports"
    MESSAGES = "can_send_messages"

    ALL = (PROGRAMME, REGISTRATIONS, HEALTH_DATA, ROOMS, REPORTS, MESSAGES)


def is_platform_admin(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_organiser)


def _teams_of(user: User, event_id: int, organisation_id: int | None) -> QuerySet[Team]:
    return Team.objects.filter(members=user, organisation_id=organisation_id).filter(
        Q(all_events=True) | Q(events__id=event_id)
    )


def event_rights(user, event: Event) -> frozenset[str]:
    """Every right this person holds in `event` (all of them for a platform admin). Cached on the user."""
    if user is None or not user.is_authenticated:
        return frozenset()
    if is_platform_admin(user):
        return frozenset(Right.ALL)
    cache = user.__dict__.setdefault("_event_rights", {})
    if event.pk not in cache:
        held = set()
        for values in _teams_of(user, event.pk, event.organisation_id).values(*Right.ALL):
            held.update(right for right, granted in values.items() if granted)
        if Right.HEALTH_DATA in held and Right.REGISTRATIONS not in held:
            held.discard(Right.HEALTH_DATA)  # health data only alongside the registrations themselves
        cache[event.pk] = frozenset(held)
    return cache[event.pk]


def can(user, right: str, event: Event) -> bool:
    """True when this person holds `right` (a Right) in `event`."""
    assert right in Right.ALL, right
    return right in event_rights(user, event)


def is_event_team(user, event: Event) -> bool:
    """True when this person holds any right in `event`: they see its back-office and unpublished programme."""
    return bool(event_rights(user, event))


def can_see_programme(user, event: Event) -> bool:
    """
    True when this person may see the event's programme, session pages, feeds and sign-up.

    A published programme is public; until then only the event's team sees it.
    """
    return event.programme_published or is_event_team(user, event)


def session_is_public(session: Session) -> bool:
    """True when everyone may see the session: its programme is published and it is no draft."""
    return session.event.programme_published and session.status != SessionStatus.DRAFT


def can_see_session(user, session: Session) -> bool:
    """True when this person may see the session: it is public, or they are on its event's team."""
    return session_is_public(session) or is_event_team(user, session.event)


def event_team_member_ids(user_ids, event: Event) -> set[int]:
    """
    Those of `user_ids` who hold any right in `event` (`is_event_team` for many people), in one query.

    Platform admins (superusers and the "Organisatoren" group) count as team of every event.
    """
    teams = Team.objects.filter(organisation_id=event.organisation_id).filter(_any_right())
    teams = teams.filter(Q(all_events=True) | Q(events__id=event.pk))
    return set(
        User.objects.filter(pk__in=user_ids)
        .filter(Q(is_superuser=True) | Q(groups__name=ORGANISER_GROUP) | Q(teams__in=teams))
        .values_list("pk", flat=True)
        .distinct()
    )


def events_with_right(user, right: str | None = None) -> QuerySet[Event]:
    """The events in which this person holds `right` (any right, when None)."""
    if user is None or not user.is_authenticated:
        return Event.objects.none()
    if is_platform_admin(user):
        return Event.objects.all()
    return team_events(user, right)


def team_events(user, right: str | None = None) -> QuerySet[Event]:
    """The events in which one of this person's teams holds `right` (any right, when None); admins aside."""
    teams = Team.objects.filter(members=user)
    if right is not None:
        assert right in Right.ALL, right
        teams = teams.filter(**{right: True})
    else:
        teams = teams.filter(_any_right())
    return Event.objects.filter(
        Q(organisation__teams__in=teams.filter(all_events=True)) | Q(teams__in=teams)
    ).distinct()


def _any_right() -> Q:
    query = Q()
    for right in Right.ALL:
        query |= Q(**{right: True})
    return query
