from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.dashboard, name="dashboard"),
    path("reports/export/", views.export_page, name="export"),
    path("reports/export/roster/", views.roster_export, name="roster_export"),
    path("reports/exports/<int:pk>/", views.job_page, name="job"),
    path("reports/exports/<int:pk>/status.json", views.job_status, name="job_status"),
    path("reports/exports/<int:pk>/download/", views.job_download, name="job_download"),
    path("reports/audit/", views.export_audit_page, name="audit"),
    path("reports/certificates/", views.certificate_list, name="certificates"),
    path("reports/certificates/new/<int:volunteer_pk>/", views.certificate_issue, name="certificate_issue"),
    path("reports/certificates/<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("certificates/<int:pk>.pdf", views.certificate_download, name="certificate_download"),
    path("me/certificates/", views.my_certificates, name="my_certificates"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:code>/", views.verify_code, name="verify_code"),
    path("year-of-volunteers/", views.year_page, name="year"),
]
