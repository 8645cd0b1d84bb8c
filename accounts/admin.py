from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import AuditLog, KamerlidInvitation, User
from trialoog.text import CleanTextAdminMixin


@admin.register(User)
class UserAdmin(CleanTextAdminMixin, DjangoUserAdmin):
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
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target"]
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
