"""
The organiser's tooling for building the programme.

Sign-ups and registrations are read-only here: seats change only through
the sign-up services, so the waitlist and its emails never get bypassed.
"""

from django import forms
from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from accounts.admin import PersonalDataAuditMixin
from events.models import Event, Organisation, Registration, Room, Session, SessionSignup, Team, Theme
from events.services.signup import signup_waitlist_fill
from trialoog.text import CleanTextAdminMixin, formfield_clean

SESSION_COUNTS = {
    "confirmed_count": Count("signups", filter=Q(signups__status=SessionSignup.Status.CONFIRMED)),
    "waitlist_count": Count("signups", filter=Q(signups__status=SessionSignup.Status.WAITLISTED)),
}


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RoomInline(CleanTextAdminMixin, admin.TabularInline):
    model = Room
    extra = 0
    fields = ["name", "capacity", "position"]


class SessionInline(CleanTextAdminMixin, admin.TabularInline):
    model = Session
    extra = 0
    fields = ["title", "kind", "room", "starts_at", "ends_at", "capacity", "signup_open"]
    show_change_link = True
    ordering = ["starts_at", "room__position"]

    def get_formset(self, request, obj=None, **kwargs):
        self.parent_event = obj
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Offer only this event's rooms.
        if db_field.name == "room":
            kwargs["queryset"] = Room.objects.filter(event=getattr(self, "parent_event", None))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Organisation)
class OrganisationAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Team)
class TeamAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organisation", "all_events", "can_manage_programme", "can_run_rooms"]
    list_filter = ["organisation"]
    search_fields = ["name", "organisation__name"]
    autocomplete_fields = ["members"]
    filter_horizontal = ["events"]


@admin.register(Theme)
class ThemeAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Event)
class EventAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organisation", "date", "end_date", "programme_published", "registration_open"]
    list_filter = ["organisation", "programme_published", "registration_open"]
    search_fields = ["name", "acronym", "venue"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [RoomInline, SessionInline]


@admin.register(Room)
class RoomAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    list_display = ["name", "event", "capacity", "position"]
    list_filter = ["event"]
    search_fields = ["name"]
    list_editable = ["position"]


class SessionAdminForm(forms.ModelForm):
    class Meta:
        model = Session
        formfield_callback = formfield_clean
        fields = [
            "event",
            "status",
            "kind",
            "title",
            "description",
            "host_organisation",
            "code",
            "room",
            "starts_at",
            "ends_at",
            "capacity",
            "signup_open",
            "reserved_politiek",
            "reserved_beleid",
            "reserved_uitvoering",
            "reserved_until",
            "moderators",
            "rapporteurs",
            "chatham_house",
            "room_access",
            "themes",
        ]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        room = cleaned.get("room")
        capacity = cleaned.get("capacity") or (room.capacity if room else None)
        confirmed = self.instance.signups.filter(status=SessionSignup.Status.CONFIRMED).count()
        if capacity is not None and capacity < confirmed:
            # Shrinking below the seats already given would overbook (see pretix #186).
            raise forms.ValidationError(
                _(
                    "Er zijn al %(confirmed)s bevestigde inschrijvingen. "
                    "De capaciteit kan niet lager zijn dan dat aantal."
                ),
                code="capacity_below_confirmed",
                params={"confirmed": confirmed},
            )
        return cleaned


class SessionSignupInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SessionSignup
    extra = 0
    fields = ["user", "status", "perspective", "reserved_seat", "waitlist_position", "created_at"]
    readonly_fields = fields
    ordering = ["status", "waitlist_position", "created_at"]
    verbose_name_plural = _("inschrijvingen (alleen-lezen; wijzigen via de site)")


@admin.register(Session)
class SessionAdmin(CleanTextAdminMixin, admin.ModelAdmin):
    form = SessionAdminForm
    list_display = ["title", "kind", "room", "starts_at", "seats", "confirmed", "waiting", "signup_open"]
    list_filter = ["event", "kind", "room", "signup_open", "chatham_house"]
    search_fields = ["title", "description", "host_organisation", "code"]
    filter_horizontal = ["moderators", "rapporteurs"]
    date_hierarchy = "starts_at"
    list_select_related = ["room"]
    inlines = [SessionSignupInline]
    fieldsets = [
        (None, {"fields": ["event", "kind", "title", "description", "host_organisation", "code"]}),
        (_("Tijd en plaats"), {"fields": ["room", "starts_at", "ends_at"]}),
        (
            _("Plaatsen"),
            {
                "fields": [
                    "capacity",
                    "signup_open",
                    ("reserved_politiek", "reserved_beleid", "reserved_uitvoering"),
                    "reserved_until",
                ]
            },
        ),
        (_("Gesprek"), {"fields": ["moderators", "rapporteurs", "chatham_house", "room_access"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(**SESSION_COUNTS)

    @admin.display(description=_("capaciteit"))
    def seats(self, obj):
        return obj.seat_capacity

    @admin.display(description=_("bevestigd"), ordering="confirmed_count")
    def confirmed(self, obj):
        return obj.confirmed_count

    @admin.display(description=_("wachtlijst"), ordering="waitlist_count")
    def waiting(self, obj):
        return obj.waitlist_count

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            # More seats, or fewer reserved ones, go to the waitlist straight away.
            signup_waitlist_fill(session=obj)


@admin.register(SessionSignup)
class SessionSignupAdmin(PersonalDataAuditMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "user",
        "session",
        "status",
        "perspective",
        "reserved_seat",
        "waitlist_position",
        "created_at",
    ]
    list_filter = ["status", "perspective", "session__event", "session"]
    search_fields = ["user__email", "user__name", "session__title"]
    list_select_related = ["user", "session"]
    audit_person_field = "user"


@admin.register(Registration)
class RegistrationAdmin(PersonalDataAuditMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "event", "status", "created_at"]
    list_filter = ["status", "event"]
    search_fields = ["user__email", "user__name"]
    list_select_related = ["user", "event"]
    audit_person_field = "user"
