from django.urls import path

from tests.bench.bare import views

urlpatterns = [path("bare/readings", views.readings)]
