from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from volunteers.urls import detachment_patterns, roster_patterns, selfservice_patterns

from . import views
from .forms import EmailAuthenticationForm

admin.site.site_header = "Volunteer Net"
admin.site.site_title = "Volunteer Net"

urlpatterns = [
    path("", views.home, name="home"),
    path("map/", views.map_page, name="map"),
    path("campaigns/", views.campaigns_page, name="campaigns"),
    path("front-offices/", views.front_offices_page, name="front_offices"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm),
        name="login",
    ),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(
            html_email_template_name="registration/password_reset_email_html.html"
        ),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    *selfservice_patterns,
    path("roster/", include(roster_patterns)),
    path("detachments/", include(detachment_patterns)),
    path("api/", include("volunteer_net.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
