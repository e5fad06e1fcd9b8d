from django.urls import path

from anyun.consent import views

app_name = "consent"
urlpatterns = [
    path("", views.index, name="index"),
    path("sign/<uuid:document_id>/", views.sign, name="sign"),
    path("signed/<uuid:signature_id>/", views.signature, name="signature"),
    path("documents/<slug:kind>/", views.document, name="document"),
]
