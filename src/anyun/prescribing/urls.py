from django.urls import path

from anyun.prescribing import views

app_name = "prescribing"
urlpatterns = [
    path("clinic/", views.clinic_home, name="clinic_home"),
    path("consultation/<uuid:consultation_id>/new/", views.clinic_new, name="clinic_new"),
    path(
        "consultation/<uuid:consultation_id>/allergy/", views.clinic_allergy, name="clinic_allergy"
    ),
    path("<uuid:prescription_id>/", views.clinic_detail, name="clinic_detail"),
    path("<uuid:prescription_id>/edit/", views.clinic_edit, name="clinic_edit"),
    path("<uuid:prescription_id>/revise/", views.clinic_revise, name="clinic_revise"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/<uuid:prescription_id>/", views.review_detail, name="review_detail"),
    path("review/<uuid:prescription_id>/return/", views.review_return, name="review_return"),
    path("formulary/", views.formulary, name="formulary"),
    path("formulary/new/", views.drug_edit, name="drug_new"),
    path("formulary/<uuid:drug_id>/edit/", views.drug_edit, name="drug_edit"),
    path("mine/", views.mine, name="mine"),
    path("mine/<uuid:prescription_id>/", views.mine_detail, name="mine_detail"),
]
