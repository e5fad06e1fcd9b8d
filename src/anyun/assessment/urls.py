from django.urls import path

from anyun.assessment import prediction_views

app_name = "assessment"
urlpatterns: list = [
    path(
        "women/<uuid:woman_id>/predictions/",
        prediction_views.predictions,
        name="predictions",
    ),
]
