from django.urls import path

from anyun.delivery import views

app_name = "delivery"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("<uuid:fulfilment_id>/", views.mine_detail, name="mine_detail"),
    path("<uuid:fulfilment_id>/address/", views.mine_address, name="mine_address"),
    path("addresses/", views.addresses, name="addresses"),
    path("addresses/<uuid:address_id>/default/", views.address_default, name="address_default"),
    path("addresses/<uuid:address_id>/remove/", views.address_remove, name="address_remove"),
    path("pharmacy/", views.pharmacy, name="pharmacy"),
    path("pharmacy/pickup/", views.pharmacy_pickup, name="pharmacy_pickup"),
    path("pharmacy/<uuid:fulfilment_id>/", views.pharmacy_detail, name="pharmacy_detail"),
    path(
        "pharmacy/<uuid:fulfilment_id>/<slug:action>/",
        views.pharmacy_act,
        name="pharmacy_act",
    ),
]
