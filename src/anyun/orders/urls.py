from django.urls import path

from anyun.orders import views

app_name = "orders"
urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("mine/<uuid:order_id>/", views.mine_order, name="mine_order"),
    path("mine/<uuid:order_id>/cancel/", views.mine_cancel, name="mine_cancel"),
    path("mine/results/<uuid:report_id>/", views.mine_report, name="mine_report"),
    path("results/<uuid:report_id>/pdf/", views.report_pdf, name="report_pdf"),
    path("clinic/", views.clinic_home, name="clinic_home"),
    path("clinic/woman/<uuid:woman_id>/new/", views.clinic_new, name="clinic_new"),
    path("clinic/<uuid:order_id>/", views.clinic_order, name="clinic_order"),
    path("clinic/<uuid:order_id>/cancel/", views.clinic_cancel, name="clinic_cancel"),
    path("clinic/results/<uuid:report_id>/", views.clinic_report, name="clinic_report"),
]
