import datetime as dt

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts import services
from accounts.models import AuditLog, KamerlidInvitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(make_user):
    return make_user("org@example.org", organiser=True)


def test_invitation_makes_the_invited_email_a_kamerlid(client, make_user, organiser):
    """Accepting a valid invitation sets the Kamerlid mark, the politiek perspective and an audit line."""
    _invitation, token = services.kamerlid_invitation_create(
        actor=organiser, email="KL@example.org", send=False
    )
    kamerlid = make_user("kl@example.org", perspective="beleid")
    client.force_login(kamerlid)

    response = client.post(f"/kamerlid/uitnodiging/{token}/")

    kamerlid.refresh_from_db()
    assert response.status_code == 302
    assert (kamerlid.is_kamerlid, kamerlid.perspective) == (True, "politiek")
    assert AuditLog.objects.filter(action="role.kamerlid.granted", target_user=kamerlid).count() == 1


def test_invitation_cannot_be_used_twice(make_user, organiser):
    """A used invitation is refused, even for the same person."""
    _invitation, token = services.kamerlid_invitation_create(
        actor=organiser, email="kl@example.org", send=False
    )
    kamerlid = make_user("kl@example.org")
    services.kamerlid_invitation_accept(user=kamerlid, token=token)

    with pytest.raises(ValidationError) as error:
        services.kamerlid_invitation_accept(user=kamerlid, token=token)

    assert error.value.code == "invitation_used"


def test_invitation_forwarded_to_another_email_is_refused(client, make_user, organiser):
    """Someone else who gets the link cannot use it."""
    _invitation, token = services.kamerlid_invitation_create(
        actor=organiser, email="kl@example.org", send=False
    )
    other = make_user("ander@example.org")
    client.force_login(other)

    response = client.post(f"/kamerlid/uitnodiging/{token}/")

    other.refresh_from_db()
    assert response.status_code == 400
    assert other.is_kamerlid is False
    assert KamerlidInvitation.objects.get().used_at is None


def test_invitation_needs_the_email_to_be_verified(make_user, organiser):
    """An unverified address matching the invitation is not enough."""
    _invitation, token = services.kamerlid_invitation_create(
        actor=organiser, email="kl@example.org", send=False
    )
    user = make_user("kl@example.org", verified=False)

    with pytest.raises(ValidationError) as error:
        services.kamerlid_invitation_accept(user=user, token=token)

    assert error.value.code == "invitation_wrong_email"


def test_forged_invitation_token_is_unknown(client, make_user):
    """A made-up token matches nothing and answers 404."""
    client.force_login(make_user("kl@example.org"))

    response = client.post("/kamerlid/uitnodiging/forged-token-123/")

    assert response.status_code == 404
    assert list(AuditLog.objects.values_list("action", flat=True)) == ["login.succeeded"]


def test_expired_invitation_is_refused(make_user, organiser):
    """An invitation past its expiry date no longer works."""
    invitation, token = services.kamerlid_invitation_create(
        actor=organiser, email="kl@example.org", send=False
    )
    KamerlidInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    user = make_user("kl@example.org")

    with pytest.raises(ValidationError) as error:
        services.kamerlid_invitation_accept(user=user, token=token)

    assert error.value.code == "invitation_expired"


def test_only_the_token_hash_is_stored(organiser):
    """The database never holds the secret token itself."""
    invitation, token = services.kamerlid_invitation_create(
        actor=organiser, email="kl@example.org", send=False
    )

    assert token not in invitation.token_hash
    assert len(invitation.token_hash) == 64


def test_invitation_email_carries_the_link(make_user, organiser, django_capture_on_commit_callbacks):
    """The invited address receives the one-time link."""
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, token = services.kamerlid_invitation_create(actor=organiser, email="kl@example.org")

    assert [m.to for m in mail.outbox] == [["kl@example.org"]]
    assert f"/kamerlid/uitnodiging/{token}/" in mail.outbox[0].body


def test_nobody_can_make_themselves_a_kamerlid(client, make_user):
    """The profile form ignores an is_kamerlid field, and the service refuses non-organisers."""
    user = make_user()
    client.force_login(user)

    client.post(
        "/profiel/", {"name": "A", "organisation": "B", "perspective": "politiek", "is_kamerlid": "on"}
    )
    with pytest.raises(PermissionDenied):
        services.kamerlid_set(actor=user, user=user, value=True)

    user.refresh_from_db()
    assert user.is_kamerlid is False


def test_organiser_can_verify_a_kamerlid_with_an_audit_line(make_user, organiser):
    """An organiser's explicit verification works and is logged with who and what."""
    user = make_user("kl@example.org")

    services.kamerlid_set(actor=organiser, user=user, value=True)

    line = AuditLog.objects.get(action="role.kamerlid.granted")
    assert (line.actor, line.target_user, line.detail) == (organiser, user, {"via": "organiser"})


def test_organiser_invitation_page_sends_an_invitation(client, organiser):
    """The organiser page creates an invitation and shows its link once."""
    client.force_login(organiser)

    response = client.post("/organisator/kamerleden/", {"email": "nieuw-kl@example.org"})

    assert response.status_code == 200
    assert KamerlidInvitation.objects.get().email == "nieuw-kl@example.org"
    assert "/kamerlid/uitnodiging/" in response.content.decode()
    assert EmailAddress.objects.filter(email="nieuw-kl@example.org").count() == 0
