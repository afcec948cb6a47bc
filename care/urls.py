from django.urls import path

from . import views

app_name = "care"

urlpatterns = [
    path("", views.open_requests, name="open"),
    path("report/", views.report, name="report"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.intake, name="intake"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/offer/", views.offer, name="offer"),
    path("requests/<int:pk>/check/", views.check, name="check"),
    path("requests/<int:pk>/assign/", views.assign_volunteers, name="assign_volunteers"),
    path("requests/<int:pk>/assign-detachment/", views.assign_detachment, name="assign_detachment"),
    path("requests/<int:pk>/start/", views.start, name="start"),
    path("requests/<int:pk>/close/", views.close, name="close"),
    path("requests/<int:pk>/stop-repeating/", views.stop_series, name="stop_series"),
    path("assignments/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("assignments/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("assignments/<int:pk>/done/", views.done, name="done"),
    path("beneficiaries/<int:pk>/erase/", views.erase, name="erase"),
]
