"""Campaign pages (volunteers) and their management (coordinators, national staff)."""

from django.urls import path

from . import views, views_extra

app_name = "events"

urlpatterns = [
    # The campaign list itself is the project's "campaigns" page (volunteer_net/urls.py).
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("shifts/<int:pk>/", views.shift_detail, name="shift_detail"),
    path("shifts/<int:pk>/signup/", views.shift_signup, name="shift_signup"),
    path("shifts/<int:pk>/calendar.ics", views.shift_ics, name="shift_ics"),
    path("shifts/<int:pk>/detachment/", views.curator_signup, name="curator_signup"),
    path("my-shifts/", views.my_shifts, name="my_shifts"),
    path("my-shifts/<int:pk>/cancel/", views.signup_cancel, name="signup_cancel"),
    path("my-shifts/calendar-feed/", views.calendar_feed_manage, name="calendar_feed_manage"),
    path("my-shifts/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("manage/campaigns/", views.manage_campaign_list, name="manage_campaigns"),
    path("manage/campaigns/new/", views.campaign_create, name="campaign_create"),
    path("manage/campaigns/<int:pk>/", views.manage_campaign, name="manage_campaign"),
    path("manage/campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("manage/campaigns/<int:pk>/status/", views.campaign_status, name="campaign_status"),
    path("manage/campaigns/<int:pk>/shifts/new/", views.shift_create, name="shift_create"),
    path("manage/campaigns/<int:pk>/series/new/", views.series_create, name="series_create"),
    path("manage/shifts/<int:pk>/", views.manage_shift, name="manage_shift"),
    path("manage/shifts/<int:pk>/edit/", views.shift_edit, name="shift_edit"),
    path("manage/shifts/<int:pk>/cancel/", views.shift_cancel, name="shift_cancel"),
    path("manage/shifts/<int:pk>/add/", views.shift_add_volunteers, name="shift_add"),
    path("manage/signups/<int:pk>/attendance/", views.signup_attendance, name="signup_attendance"),
    path("manage/signups/<int:pk>/move/", views.signup_move, name="signup_move"),
    path("manage/signups/<int:pk>/cancel/", views.manage_signup_cancel, name="manage_signup_cancel"),
    path("manage/shifts/<int:pk>/series/", views.series_edit, name="series_edit"),
    path("manage/shifts/<int:pk>/series/cancel/", views.series_cancel, name="series_cancel"),
]

# Transport requests and emergency call-outs (views_extra.py).
urlpatterns += [
    path("my-shifts/<int:pk>/transport/", views_extra.transport_request, name="transport_request"),
    path("manage/shifts/<int:pk>/transport/", views_extra.shift_transport, name="shift_transport"),
    path("manage/campaigns/<int:pk>/transport/", views_extra.campaign_transport, name="campaign_transport"),
    path("manage/transport/<int:pk>/answer/", views_extra.transport_answer, name="transport_answer"),
    path("manage/campaigns/<int:pk>/callouts/new/", views_extra.callout_create, name="callout_create"),
    path("manage/callouts/<int:pk>/", views_extra.callout_detail, name="callout_detail"),
    path("manage/callouts/<int:pk>/status.json", views_extra.callout_status, name="callout_status"),
    path("manage/callouts/<int:pk>/confirm/", views_extra.callout_confirm, name="callout_confirm"),
    path("manage/callouts/<int:pk>/close/", views_extra.callout_close, name="callout_close"),
    path("callout/<str:token>/", views_extra.callout_answer, name="callout_answer"),
]
