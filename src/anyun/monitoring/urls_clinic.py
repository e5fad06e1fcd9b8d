from django.urls import path

from anyun.monitoring import views

app_name = "monitoring_clinic"
urlpatterns = [
    path("alarms/", views.worklist, name="worklist"),
    path("alarms/<uuid:alarm_id>/", views.alarm_detail, name="alarm"),
    path("alarms/<uuid:alarm_id>/acknowledge/", views.alarm_acknowledge, name="acknowledge"),
    path("alarms/<uuid:alarm_id>/close/", views.alarm_close, name="close"),
    path("patients/<uuid:woman_id>/measurements/", views.clinic_measurements, name="measurements"),
    path("patients/<uuid:woman_id>/plans/", views.plans, name="plans"),
]
