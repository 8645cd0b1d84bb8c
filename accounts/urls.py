from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("profiel/", views.profile, name="profile"),
    path("mijn-gegevens/", views.privacy_overview, name="privacy"),
    path("mijn-gegevens/download/", views.data_download, name="data_download"),
    path("mijn-gegevens/verwijderen/", views.account_delete, name="delete"),
    path("mijn-gegevens/overal-uitloggen/", views.logout_everywhere, name="logout_everywhere"),
    path("kamerlid/uitnodiging/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("organisator/kamerleden/", views.invitations, name="invitations"),
]
