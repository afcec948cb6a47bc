from django.urls import path

from . import apis

urlpatterns = [
    path("campaigns/", apis.CampaignListApi.as_view(), name="api-campaigns"),
    path("campaigns/<int:pk>/", apis.CampaignDetailApi.as_view(), name="api-campaign-detail"),
    path("shifts/", apis.ShiftListApi.as_view(), name="api-shifts"),
    path("shifts/<int:pk>/signup/", apis.ShiftSignupApi.as_view(), name="api-shift-signup"),
    path("signups/", apis.SignupListApi.as_view(), name="api-signups"),
    path("signups/<int:pk>/cancel/", apis.SignupCancelApi.as_view(), name="api-signup-cancel"),
    path("volunteers/<int:pk>/hours/", apis.VolunteerHoursApi.as_view(), name="api-volunteer-hours"),
]
