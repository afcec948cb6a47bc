from django.urls import include, path

from accounts.apis import TokenObtainApi, TokenRevokeApi
from regions.apis import RegionListApi
from volunteers.apis import MeApi, VolunteerDetailApi, VolunteerListApi

from .maps.apis import DetachmentMapApi, EventMapApi, FrontOfficeMapApi, RegionMapApi

urlpatterns = [
    path("auth/token/", TokenObtainApi.as_view(), name="api-token"),
    path("auth/token/revoke/", TokenRevokeApi.as_view(), name="api-token-revoke"),
    path("regions/", RegionListApi.as_view(), name="api-regions"),
    path("volunteers/", VolunteerListApi.as_view(), name="api-volunteers"),
    path("volunteers/<int:pk>/", VolunteerDetailApi.as_view(), name="api-volunteer-detail"),
    path("me/", MeApi.as_view(), name="api-me"),
    path("map/front-offices/", FrontOfficeMapApi.as_view(), name="api-map-front-offices"),
    path("map/events/", EventMapApi.as_view(), name="api-map-events"),
    path("map/detachments/", DetachmentMapApi.as_view(), name="api-map-detachments"),
    path("map/regions/", RegionMapApi.as_view(), name="api-map-regions"),
    path("", include("events.api_urls")),
    path("", include("front_offices.api_urls")),
    path("", include("care.api_urls")),
]
