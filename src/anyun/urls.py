from django.contrib import admin
from django.urls import include, path

from anyun.api import api
from anyun.web import audit_views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("inbox/", include("anyun.notify.urls")),
    path("staff/", include("anyun.staff.urls")),
    path("accounts/", include("anyun.accounts.urls")),
    path("consent/", include("anyun.consent.urls")),
    path("pregnancy/", include("anyun.pregnancy.urls")),
    path("monitoring/", include("anyun.monitoring.urls")),
    path("clinic/", include("anyun.monitoring.urls_clinic")),
    path("console/", include("anyun.monitoring.urls_console")),
    path("console/audit/", audit_views.search, name="audit_search"),
    path("assessment/", include("anyun.assessment.urls")),
    path("wellbeing/", include("anyun.wellbeing.urls")),
    path("scheduling/", include("anyun.scheduling.urls")),
    path("consultation/", include("anyun.consultation.urls")),
    path("billing/", include("anyun.billing.urls")),
    path("prescribing/", include("anyun.prescribing.urls")),
    path("orders/", include("anyun.orders.urls")),
    path("delivery/", include("anyun.delivery.urls")),
    path("", include("anyun.web.urls")),
]

handler400 = "anyun.web.views.bad_request"
handler403 = "anyun.web.views.permission_denied"
handler404 = "anyun.web.views.page_not_found"
handler500 = "anyun.web.views.server_error"
