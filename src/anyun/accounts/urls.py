from django.urls import path

from anyun.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.woman_login, name="woman_login"),
    path("staff/login/", views.staff_login, name="staff_login"),
    path("logout/", views.logout_view, name="logout"),
    path("identity/", views.identity, name="identity"),
    path("guide/", views.guide, name="guide"),
    path("me/", views.me, name="me"),
    path("password/", views.password_change, name="password_change"),
    path("security/", views.security_accounts, name="security"),
]
