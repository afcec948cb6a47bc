from django.urls import include, path

from accounts.apis import TokenObtainApi, TokenRevokeApi
from regions.apis import RegionListApi
from volunteers.apis import MeApi, VolunteerDetailApi, VolunteerListApi

urlpatterns = [
    path("auth/token/", TokenObtainApi.as_view(), name="api-token"),
    path("auth/token/revoke/", TokenRevokeApi.as_view(), name="api-token-revoke"),
    path("regions/", RegionListApi.as_view(), name="api-regions"),
    path("volunteers/", VolunteerListApi.as_view(), name="api-volunteers"),
    path("volunteers/<int:pk>/", VolunteerDetailApi.as_view(), name="api-volunteer-detail"),
    path("me/", MeApi.as_view(), name="api-me"),
    path("", include("events.api_urls")),
    path("", include("front_offices.api_urls")),
    path("", include("care.api_urls")),
]
