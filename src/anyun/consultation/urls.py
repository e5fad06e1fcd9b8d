from django.urls import path

from anyun.consultation import views

app_name = "consultation"
urlpatterns = [
    path("", views.home, name="home"),
    path(
        "before/appointment/<uuid:appointment_id>/", views.pre_appointment, name="pre_appointment"
    ),
    path("before/queue/<uuid:entry_id>/", views.pre_queue, name="pre_queue"),
    path("before/<uuid:pre_id>/sent/", views.pre_result, name="pre_result"),
    path("photos/<uuid:photo_id>/", views.pre_photo, name="pre_photo"),
    path("messages/<int:message_id>/image/", views.message_image, name="message_image"),
    path("clinic/", views.clinic, name="clinic"),
    path("clinic/overdue/", views.clinic, name="clinic_overdue"),
    path("<uuid:consultation_id>/", views.room, name="room"),
    path("<uuid:consultation_id>/send/", views.message_send, name="send"),
    path("<uuid:consultation_id>/end/", views.end, name="end"),
    path("<uuid:consultation_id>/refer/", views.refer, name="refer"),
    path("<uuid:consultation_id>/follow-up/", views.follow_up, name="follow_up"),
    path("<uuid:consultation_id>/rate/", views.rate, name="rate"),
    path("<uuid:consultation_id>/record/", views.record, name="record"),
    path("<uuid:consultation_id>/record/pdf/", views.record_pdf, name="record_pdf"),
]
