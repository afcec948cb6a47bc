from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from volunteers.urls import roster_patterns, selfservice_patterns

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("map/", views.map_page, name="map"),
    path("campaigns/", views.campaigns_page, name="campaigns"),
    path("front-offices/", views.front_offices_page, name="front_offices"),
    path("i18n/", include("django.conf.urls.i18n")),
    *selfservice_patterns,
    path("accounts/", include("accounts.urls")),
    path("roster/", include(roster_patterns)),
    path("detachments/", include("detachments.urls")),
    path("", include("notifications.urls")),
    path("api/", include("volunteer_net.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
