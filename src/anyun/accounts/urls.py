from django.urls import path

from anyun.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.placeholder, name="woman_login"),
    path("staff/login/", views.placeholder, name="staff_login"),
    path("logout/", views.placeholder, name="logout"),
    path("me/", views.placeholder, name="me"),
]
