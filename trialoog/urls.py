from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from trialoog import health, pages

# The admin has no login form of its own: /admin/login/ sends a visitor to allauth's login (rate
# limited, with the second factor) and back, and refuses a logged-in person who is not staff.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path(".well-known/security.txt", pages.security_txt, name="security_txt"),
    path("privacy/", pages.privacy, name="privacy"),
    path("toegankelijkheid/", pages.accessibility, name="accessibility"),
    path("taal/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("account/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("", include("realtime.urls")),
    path("", include("reports.urls")),
    path("", include("events.urls")),
    # Before any catch-all "<slug:event_slug>/" include: an event's back-office.
    path("<slug:event_slug>/organisator/", include("events.organiser_urls")),
    # Last: an event's own pages under its slug, so every site path above matches first
    # (events.models.RESERVED_SLUGS keeps slugs off them).
    path("<slug:event_slug>/", include("events.event_urls")),
]
