from django.templatetags.static import static
from django.urls import path
from django.views.generic.base import RedirectView

from anyun.web import views

app_name = "web"
urlpatterns = [
    path("", views.woman_home, name="woman_home"),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", RedirectView.as_view(url=static("web/favicon.svg"), permanent=True)),
    path("clinic/", views.clinic_home, name="clinic_home"),
    path("clinic/patients/<uuid:woman_id>/", views.patient_overview, name="patient_overview"),
    path("clinic/care-team/", views.care_team, name="care_team"),
    path("clinic/care-team/assign/", views.care_team_assign, name="care_team_assign"),
    path(
        "clinic/care-team/proposals/<uuid:proposal_id>/",
        views.care_team_decide,
        name="care_team_decide",
    ),
    path("console/", views.console_home, name="console_home"),
    path("help/", views.help_index, name="help_index"),
    path("help/<slug:topic>/", views.help_topic, name="help_topic"),
    path("text-size/", views.text_size_set, name="text_size"),
]
