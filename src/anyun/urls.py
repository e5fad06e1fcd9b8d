from django.contrib import admin
from django.urls import include, path

from anyun.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("inbox/", include("anyun.notify.urls")),
    path("staff/", include("anyun.staff.urls")),
    path("accounts/", include("anyun.accounts.urls")),
    path("pregnancy/", include("anyun.pregnancy.urls")),
    path("", include("anyun.web.urls")),
]
