from django.urls import path

from anyun.scheduling import views

app_name = "scheduling"
urlpatterns = [
    path("", views.home, name="home"),
    path("book/", views.book, name="book"),
    path("appointments/<uuid:appointment_id>/", views.appointment, name="appointment"),
    path("appointments/<uuid:appointment_id>/move/", views.move, name="move"),
    path("queue/", views.queue, name="queue"),
    path("queue/status/", views.queue_status, name="queue_status"),
    path("clinic/", views.clinic_today, name="clinic_today"),
    path(
        "clinic/appointments/<uuid:appointment_id>/receive/",
        views.clinic_receive,
        name="clinic_receive",
    ),
    path(
        "clinic/appointments/<uuid:appointment_id>/cancel/",
        views.clinic_cancel,
        name="clinic_cancel",
    ),
    path("clinic/queue/<uuid:entry_id>/accept/", views.clinic_accept, name="clinic_accept"),
    path("clinic/schedules/", views.clinic_schedules, name="clinic_schedules"),
    path("clinic/tracing/", views.clinic_tracing, name="clinic_tracing"),
    path("clinic/tracing/<uuid:case_id>/", views.clinic_tracing_case, name="clinic_tracing_case"),
]
