from django.urls import path

from anyun.web import views

app_name = "web"
urlpatterns = [
    path("", views.woman_home, name="woman_home"),
    path("clinic/", views.clinic_home, name="clinic_home"),
    path("console/", views.console_home, name="console_home"),
    path("help/", views.help_index, name="help_index"),
]
