from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import AuditLog, KamerlidInvitation, User
from trialoog.text import CleanTextAdminMixin


class PersonalDataAuditMixin:
    """
    Write an audit line whenever an admin page shows a person (the change page) or lists people.

    `audit_person_field` names the row's field that holds the person (None:
    the row is the person). Lists record the model and the search text,
    since a search is how one person is looked up.
    """

    audit_person_field: str | None = None

    def audit_person(self, obj) -> User | None:
        return getattr(obj, self.audit_person_field) if self.audit_person_field else obj

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        obj = self.get_object(request, object_id)
        if obj is not None and response.status_code in (200, 302):
            services.audit_log(
                actor=request.user,
                action="admin.person.viewed",
                target_user=self.audit_person(obj),
                detail={"model": self.model._meta.label_lower, "object": obj.pk, "method": request.method},
            )
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        if response.status_code == 200:
            services.audit_log(
                actor=request.user,
                action="admin.people.listed",
                detail={"model": self.model._meta.label_lower, "search": request.GET.get("q", "")[:100]},
            )
        return response


@admin.register(User)
class UserAdmin(CleanTextAdminMixin, PersonalDataAuditMixin, DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "organisation", "perspective", "is_kamerlid", "is_staff"]
    list_filter = ["perspective", "is_kamerlid", "is_staff", "groups"]
    search_fields = ["email", "name", "organisation"]
    readonly_fields = ["is_kamerlid", "last_login", "date_joined", "calendar_token"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profiel"), {"fields": ["name", "organisation", "function", "perspective", "is_kamerlid"]}),
        (
            _("Toestemmingen"),
            {"fields": ["consent_photos", "consent_contact", "consent_listed", "consent_needs"]},
        ),
        (_("Wensen"), {"fields": ["diet", "access_needs"]}),
        (_("Rechten"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Data"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    actions = ["make_kamerlid", "revoke_kamerlid"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return fields

    def save_model(self, request, obj, form, change):
        before = services.consents_stored(obj)
        super().save_model(request, obj, form, change)
        services.consent_audit(actor=request.user, user=obj, before=before)

    def save_related(self, request, form, formsets, change):
        before = set(form.instance.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(form.instance.groups.values_list("name", flat=True))
        if before != after:
            services.audit_log(
                actor=request.user,
                action="role.groups.changed",
                target_user=form.instance,
                detail={"added": sorted(after - before), "removed": sorted(before - after)},
            )

    @admin.action(description=_("Verifieer als Kamerlid"))
    def make_kamerlid(self, request, queryset):
        for user in queryset:
            services.kamerlid_set(actor=request.user, user=user, value=True)
        messages.success(request, _("Kamerlid-status toegekend."))

    @admin.action(description=_("Trek Kamerlid-status in"))
    def revoke_kamerlid(self, request, queryset):
        for user in queryset:
            services.kamerlid_set(actor=request.user, user=user, value=False)
        messages.success(request, _("Kamerlid-status ingetrokken."))


@admin.register(AuditLog)
class AuditLogAdmin(PersonalDataAuditMixin, admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target"]
    audit_person_field = "target_user"
    list_filter = ["action"]
    readonly_fields = ["created_at", "actor", "action", "target_user", "target", "detail"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(KamerlidInvitation)
class KamerlidInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "created_at", "expires_at", "used_at"]
    readonly_fields = ["email", "token_hash", "expires_at", "created_by", "created_at", "used_at", "used_by"]

    def has_add_permission(self, request):
        # Invitations are made on the organiser page, which shows the one-time link.
        return False
