import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from events.models import Registration
from tests.factories import EventFactory, RegistrationFactory, UserFactory

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_registration_page_offers_to_register(client):
    """A person with a complete profile who has not registered sees the status and one button to register."""
    event = EventFactory(name="Dag van de Uitvoering")
    client.force_login(UserFactory())

    response = client.get(reverse("event:registration", kwargs={"event_slug": event.slug}))

    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["event"] == event
    assert response.context["registration"] is None
    assert "Status: u bent nog niet aangemeld." in content
    assert f'action="{reverse("event:registration_create", kwargs={"event_slug": event.slug})}"' in content
    assert reverse("event:registration_cancel", kwargs={"event_slug": event.slug}) not in content


def test_registration_page_offers_to_cancel_an_active_registration(client):
    """Someone registered sees that, and the cancel button instead of the register button."""
    event = EventFactory()
    registration = RegistrationFactory(event=event)
    client.force_login(registration.user)

    content = client.get(reverse("event:registration", kwargs={"event_slug": event.slug})).content.decode()

    assert "Status: u bent aangemeld." in content
    assert f'action="{reverse("event:registration_cancel", kwargs={"event_slug": event.slug})}"' in content
    assert reverse("event:registration_create", kwargs={"event_slug": event.slug}) not in content


def test_registration_page_of_an_unknown_event_is_404(client):
    """Under a slug no event has there is nothing to register for."""
    client.force_login(UserFactory())

    response = client.get(reverse("event:registration", kwargs={"event_slug": "dvdpd-2030"}))

    assert response.status_code == 404


def test_registration_create_registers_and_returns_to_the_page(client):
    """Registering stores an active registration and comes back to the registration page with a message."""
    event = EventFactory()
    user = UserFactory()
    client.force_login(user)

    response = client.post(reverse("event:registration_create", kwargs={"event_slug": event.slug}))

    assert response.status_code == 302
    assert response.url == reverse("event:registration", kwargs={"event_slug": event.slug})
    assert Registration.objects.get(user=user, event=event).status == Registration.Status.REGISTERED
    assert messages_of(response) == ["U bent aangemeld. U krijgt een bevestiging per e-mail."]


def test_registration_requires_a_complete_profile(client):
    """Without name, organisation and perspective the person is sent to the profile first, and back after."""
    event = EventFactory()
    user = UserFactory(organisation="")
    client.force_login(user)

    response = client.post(reverse("event:registration_create", kwargs={"event_slug": event.slug}))

    assert response.status_code == 302
    assert (
        response.url
        == f"{reverse('accounts:profile')}?next={reverse('event:registration', kwargs={'event_slug': event.slug})}"
    )
    assert not Registration.objects.filter(user=user).exists()


def test_registration_requires_a_verified_email(client):
    """A person whose email address is not verified cannot register, and is told why."""
    event = EventFactory()
    user = UserFactory(verified_email=False)
    client.force_login(user)

    response = client.post(reverse("event:registration_create", kwargs={"event_slug": event.slug}))

    assert response.url == reverse("event:registration", kwargs={"event_slug": event.slug})
    assert not Registration.objects.filter(user=user).exists()
    assert messages_of(response) == ["Bevestig eerst uw e-mailadres."]


def test_registration_is_refused_when_the_organiser_closed_it(client):
    """Registration follows the organiser's switch, not today's date."""
    event = EventFactory(registration_open=False)
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("event:registration_create", kwargs={"event_slug": event.slug}), follow=True
    )

    assert not Registration.objects.filter(user=user).exists()
    assert "De aanmelding voor dit evenement is gesloten." in response.content.decode()


def test_registration_cancel_cancels_and_returns_to_the_page(client):
    """Cancelling marks the registration cancelled and says the session seats were given up."""
    event = EventFactory()
    registration = RegistrationFactory(event=event)
    client.force_login(registration.user)

    response = client.post(reverse("event:registration_cancel", kwargs={"event_slug": event.slug}))

    registration.refresh_from_db()
    assert response.url == reverse("event:registration", kwargs={"event_slug": event.slug})
    assert registration.status == Registration.Status.CANCELLED
    assert messages_of(response) == ["U bent afgemeld. Uw plaatsen in sessies zijn vrijgegeven."]


@pytest.mark.parametrize("name", ["registration_create", "registration_cancel"])
def test_registration_changes_need_a_post(client, name):
    """Registering and cancelling change state, so a GET is refused."""
    event = EventFactory()
    client.force_login(UserFactory())

    response = client.get(reverse(f"event:{name}", kwargs={"event_slug": event.slug}))

    assert response.status_code == 405
