from django.urls import path

from anyun.billing import views

app_name = "billing"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/<slug:kind>/<str:ref>/", views.order_new, name="order_new"),
    path("orders/<uuid:order_id>/", views.order_detail, name="order_detail"),
    path("orders/<uuid:order_id>/pay/", views.order_pay, name="order_pay"),
    path("orders/<uuid:order_id>/sandbox/", views.sandbox_page, name="sandbox_page"),
    path("orders/<uuid:order_id>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<uuid:order_id>/result/", views.order_result, name="order_result"),
    path("reconciliation/", views.reconciliation, name="reconciliation"),
    path("reconciliation.csv", views.reconciliation_csv, name="reconciliation_csv"),
]
