from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def woman_home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/woman_home.html")


def clinic_home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/clinic_home.html")


def console_home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/console_home.html")


def help_index(request: HttpRequest) -> HttpResponse:
    return render(request, "web/help_index.html")
