from django.urls import path

from . import views

app_name = "detachments"

urlpatterns = [
    path("", views.detachment_list, name="list"),
    path("new/", views.detachment_create, name="create"),
    path("<int:pk>/", views.detachment_detail, name="detail"),
    path("<int:pk>/edit/", views.detachment_edit, name="edit"),
    path(
        "<int:pk>/invitations/<int:invitation_pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
    path("<int:pk>/members/new/", views.detachment_member_create, name="member_create"),
    path("<int:pk>/members/<int:member_pk>/edit/", views.detachment_member_edit, name="member_edit"),
    path(
        "<int:pk>/members/<int:member_pk>/guardian-consent/",
        views.detachment_member_consent,
        name="member_consent",
    ),
]
