from django.urls import path

from anyun.monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.home, name="home"),
    path("record/", views.record, name="record"),
    path("checkins/<uuid:batch>/", views.checkin, name="checkin"),
    path("signs/<slug:kind>/", views.sign_history, name="sign"),
    path("signs/<slug:kind>/trend.svg", views.sign_trend_svg, name="trend"),
    path("alarms/", views.my_alarms, name="alarms"),
    path("chart/", views.chart, name="chart"),
    path("chart/<uuid:pregnancy_id>.svg", views.chart_svg, name="chart_svg"),
    path("chart/<uuid:pregnancy_id>.pdf", views.chart_pdf, name="chart_pdf"),
]
