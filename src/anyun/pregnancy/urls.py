from django.urls import path

from anyun.accounts.views import placeholder

app_name = "pregnancy"
urlpatterns = [path("", placeholder, name="record")]
