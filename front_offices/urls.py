from django.urls import path

from . import views

app_name = "front_offices"

urlpatterns = [
    path("", views.office_public_list, name="list"),
    path("manage/", views.office_manage_list, name="manage"),
    path("manage/<int:pk>/edit/", views.office_edit, name="edit"),
]
