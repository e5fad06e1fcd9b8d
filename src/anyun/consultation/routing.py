from django.urls import path

from anyun.consultation.consumers import ConsultationConsumer

websocket_urlpatterns = [
    path("ws/consultation/<uuid:consultation_id>/", ConsultationConsumer.as_asgi()),
]
