from django.urls import path

from . import views

app_name = "front_offices"

urlpatterns = [
    path("", views.office_public_list, name="list"),
    path("next/", views.next_free, name="next_free"),
    path("<int:pk>/", views.office_detail, name="detail"),
    path("slots/<int:slot_pk>/book/", views.book, name="book"),
    path("visits/", views.my_visits, name="my_visits"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("visits/<int:pk>/visit.ics", views.visit_ics, name="visit_ics"),
    path("visits/<int:pk>/cancel/", views.visit_cancel, name="visit_cancel"),
    path("visits/<int:pk>/reschedule/", views.visit_reschedule, name="visit_reschedule"),
    path("<int:pk>/day/", views.staff_day, name="day"),
    path("<int:pk>/hours/", views.staff_hours, name="hours"),
    path("<int:pk>/walk-in/", views.staff_walk_in, name="walk_in"),
    path("<int:pk>/block/", views.staff_block, name="block"),
    path("staff/visits/<int:pk>/mark/", views.staff_visit_mark, name="visit_mark"),
    path("staff/visits/<int:pk>/move/", views.staff_visit_move, name="visit_move"),
    path("manage/", views.office_manage_list, name="manage"),
    path("manage/<int:pk>/edit/", views.office_edit, name="edit"),
]
