from django.urls import path

from anyun.monitoring import crisis_views, threshold_views

app_name = "monitoring_console"
urlpatterns = [
    path("thresholds/", threshold_views.thresholds, name="thresholds"),
    path(
        "thresholds/changes/<uuid:change_id>/decide/",
        threshold_views.threshold_change_decide,
        name="threshold_change_decide",
    ),
    path("thresholds/policy/", threshold_views.alarm_policy, name="alarm_policy"),
    path("crisis-lines/", crisis_views.crisis_lines, name="crisis_lines"),
]
