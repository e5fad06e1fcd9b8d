from django.urls import path

from anyun.pregnancy import views

app_name = "pregnancy"
urlpatterns = [
    path("", views.record, name="record"),
    path("<uuid:pregnancy_id>/edit/", views.edit, name="edit"),
    path("<uuid:pregnancy_id>/history/add/", views.history_add, name="history_add"),
    path("<uuid:pregnancy_id>/reports/upload/", views.report_upload, name="report_upload"),
    path("reports/<uuid:report_id>/", views.report_file, name="report_file"),
]
