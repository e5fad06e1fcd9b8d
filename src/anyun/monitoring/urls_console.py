from django.urls import path

from anyun.monitoring import views

app_name = "monitoring_console"
urlpatterns = [path("thresholds/", views.thresholds, name="thresholds")]
