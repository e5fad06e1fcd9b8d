from django.urls import path

from anyun.staff import views

app_name = "staff"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("lookup/", views.lookup, name="lookup"),
    path("<uuid:public_id>/", views.profile, name="profile"),
    path("<uuid:public_id>/photo", views.photo, name="photo"),
]
