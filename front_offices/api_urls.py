from django.urls import path

from . import apis

urlpatterns = [
    path("front-offices/", apis.OfficeListApi.as_view(), name="api-front-offices"),
    path("front-offices/<int:pk>/", apis.OfficeDetailApi.as_view(), name="api-front-office-detail"),
    path("front-offices/<int:pk>/slots/", apis.OfficeSlotsApi.as_view(), name="api-front-office-slots"),
    path("visits/", apis.VisitListCreateApi.as_view(), name="api-visits"),
    path("visits/<int:pk>/cancel/", apis.VisitCancelApi.as_view(), name="api-visit-cancel"),
]
