from django.urls import path

from anyun.assessment import prediction_views, views

app_name = "assessment"
urlpatterns = [
    path("women/<uuid:woman_id>/risk/", views.grade, name="grade"),
    path("women/<uuid:woman_id>/suitability/", views.suitability, name="suitability"),
    path("cases/", views.cases, name="cases"),
    path("cases/<uuid:case_id>/", views.case_detail, name="case"),
    path("reports.csv", views.reports_csv, name="reports_csv"),
    path("reports/<uuid:report_id>/print/", views.report_print, name="report_print"),
    path("reports/<uuid:report_id>/sent/", views.report_submit, name="report_submit"),
    path("policy/", views.policy, name="policy"),
    path("eligibility/", views.evidence, name="evidence"),
    path("eligibility/<uuid:evidence_id>/file/", views.evidence_file, name="evidence_file"),
    path("eligibility/review/", views.evidence_review_list, name="evidence_review_list"),
    path("eligibility/<uuid:evidence_id>/review/", views.evidence_review, name="evidence_review"),
    path(
        "women/<uuid:woman_id>/predictions/",
        prediction_views.predictions,
        name="predictions",
    ),
]
