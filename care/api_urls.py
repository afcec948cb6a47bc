from django.urls import path

from . import apis

urlpatterns = [
    path("care/requests/", apis.RequestListApi.as_view(), name="api-care-requests"),
    path("care/requests/map/", apis.RequestMapApi.as_view(), name="api-care-requests-map"),
    path("care/requests/<int:pk>/", apis.RequestDetailApi.as_view(), name="api-care-request-detail"),
    path("care/requests/<int:pk>/offer/", apis.RequestOfferApi.as_view(), name="api-care-request-offer"),
]
