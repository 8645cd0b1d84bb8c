"""The organiser group and its permissions."""

from django.contrib.auth.models import Group, Permission

from accounts.models import ORGANISER_GROUP

ORGANISER_PERMISSIONS = {
    "accounts": ["view_user", "view_auditlog", "add_kamerlidinvitation", "view_kamerlidinvitation"],
    "events": [
        f"{verb}_{model}"
        for model in ("event", "room", "session", "registration", "sessionsignup")
        for verb in ("add", "change", "delete", "view")
    ],
}


def organiser_group_ensure() -> Group:
    """Create or update the organiser group so it holds exactly the organiser permissions."""
    group, _ = Group.objects.get_or_create(name=ORGANISER_GROUP)
    permissions = [
        Permission.objects.get(content_type__app_label=app, codename=codename)
        for app, codenames in ORGANISER_PERMISSIONS.items()
        for codename in codenames
    ]
    group.permissions.set(permissions)
    return group
