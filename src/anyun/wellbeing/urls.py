from django.urls import path

from anyun.wellbeing import views

app_name = "wellbeing"
urlpatterns = [
    path("", views.home, name="home"),
    path("screen/<slug:instrument>/", views.screen, name="screen"),
    path("screenings/<uuid:screening_id>/", views.screening, name="screening"),
    path("check/", views.check, name="check"),
    path("check/details/", views.check_details, name="check_details"),
    path("checks/<uuid:assessment_id>/", views.check_result, name="check_result"),
    path("clinic/patients/<uuid:woman_id>/", views.patient, name="patient"),
]
