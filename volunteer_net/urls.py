from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from events import views as event_views
from volunteers.urls import roster_patterns, selfservice_patterns, skill_patterns

from . import health, views
from .api_docs import DocsView
from .maps.views import map_page

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("overview/", views.overview, name="overview"),
    path("map/", map_page, name="map"),
    path("campaigns/", event_views.campaign_list, name="campaigns"),
    path("front-offices/", include("front_offices.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    *selfservice_patterns,
    path("accounts/", include("accounts.urls")),
    path("roster/", include(roster_patterns)),
    path("skills/", include(skill_patterns)),
    path("detachments/", include("detachments.urls")),
    path("care/", include("care.urls")),
    path("", include("events.urls")),
    path("", include("notifications.urls")),
    path("", include("reports.urls")),
    path("api/", include("volunteer_net.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from its package, its start-up script served as a file (the split view); the
    # page's own inline style is the one exception to the site's Content-Security-Policy.
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(DocsView.as_view(url_name="schema")),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]

# Probes for load balancers (volunteer_net/health.py) and the error page that knows a database
# outage from a bug (volunteer_net/errors.py).
urlpatterns += [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
handler500 = "volunteer_net.errors.server_error"
handler404 = "volunteer_net.errors.page_not_found"
handler400 = "volunteer_net.errors.bad_request"
