from django.urls import path

from . import views
from .imports import views as import_views

# Self-service pages live at the project root (see volunteer_net/urls.py).
selfservice_patterns = [
    path("accounts/register/", views.register, name="register"),
    path("accounts/consent/", views.consent_text, name="consent_text"),
    path("me/", views.profile, name="profile"),
    path("me/edit/", views.profile_edit, name="profile_edit"),
    path("me/data.json", views.my_data, name="my_data"),
    path("me/delete/", views.account_delete, name="account_delete"),
    path("me/guardian-link/", views.guardian_link_send, name="guardian_link_send"),
    path("me/consent/", views.own_consent, name="own_consent"),
    path("guardian/<str:token>/", views.guardian_confirm, name="guardian_consent"),
]

roster_patterns = (
    [
        path("", views.roster_list, name="list"),
        path("new/", views.roster_create, name="create"),
        path("bulk/", views.roster_bulk, name="bulk"),
        path("duplicates/", views.duplicate_list, name="duplicates"),
        path("duplicates/<int:pk>/merge/", views.duplicate_merge, name="duplicate_merge"),
        path("duplicates/<int:pk>/dismiss/", views.duplicate_dismiss, name="duplicate_dismiss"),
        path("import/", import_views.import_start, name="import"),
        path("import/template-<str:language>.xlsx", import_views.import_template, name="import_template"),
        path("import/<int:pk>/", import_views.import_preview, name="import_preview"),
        path("import/<int:pk>/columns/", import_views.import_mapping, name="import_mapping"),
        path("import/<int:pk>/status.json", import_views.import_status, name="import_status"),
        path("import/<int:pk>/choices/", import_views.import_choices, name="import_choices"),
        path("import/<int:pk>/run/", import_views.import_run, name="import_run"),
        path("import/<int:pk>/report.xlsx", import_views.import_report, name="import_report"),
        path("import/<int:pk>/discard/", import_views.import_discard, name="import_discard"),
        path("import/<int:pk>/restart/", import_views.import_restart, name="import_restart"),
        path("<int:pk>/", views.roster_detail, name="detail"),
        path("<int:pk>/edit/", views.roster_edit, name="edit"),
        path("<int:pk>/erase/", views.roster_erase, name="erase"),
        path("<int:pk>/guardian-consent/", views.roster_guardian_consent, name="guardian_consent"),
    ],
    "roster",
)

# The skills catalogue, kept by coordinators and national staff.
skill_patterns = (
    [
        path("", views.skill_list, name="list"),
        path("new/", views.skill_create, name="create"),
        path("<int:pk>/edit/", views.skill_edit, name="edit"),
    ],
    "skills",
)
