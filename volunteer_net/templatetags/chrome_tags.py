"""The header and footer every page shares, rendered once per language and navigation.

The chrome is the same for everyone with the same sections in one language; only the CSRF token
and the page's own address (the language switcher's `next`) differ per request. Through the
template engine its two dozen `{% url %}` and thirty `{% translate %}` cost more than many pages'
SQL, so each template is rendered once per (language, sections) with placeholders, kept for the
life of the process, and each request fills in its own two values. Under DEBUG nothing is kept:
an edited template shows on the next request.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.middleware.csrf import get_token
from django.template.context import Context
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# Placeholders no rendering produces by itself: letters and underscores, unchanged by escaping.
_CSRF = "__site_chrome_csrf_token__"
_NEXT = "__site_chrome_next_path__"

# The sections the header offers or not (volunteer_net.context_processors.roles).
_SECTIONS = ("can_see_roster", "can_see_detachments", "can_see_office_pages")

_rendered: dict[tuple[object, ...], str] = {}
_assets: dict[str, str] = {}


def _once(name: str, key: tuple[object, ...], context: dict[str, Any]) -> str:
    """The template `name` rendered with `context` under the active language, once per `key`."""
    key = (name, get_language(), get_script_prefix(), get_urlconf(), *key)
    html = _rendered.get(key)
    if html is None:
        # Stripped: the tag stands on its own indented line in base.html.
        html = render_to_string(name, context).strip()
        if not settings.DEBUG:
            # The keys are few (languages × the sections a person can have), so nothing is evicted.
            _rendered[key] = html
    return html


def _forget(**kwargs: Any) -> None:
    """A changed setting (URLs, languages, templates; in tests) may change what was rendered."""
    _rendered.clear()
    _assets.clear()


setting_changed.connect(_forget, dispatch_uid="site_chrome_forget")


@register.simple_tag(takes_context=True)
def site_header(context: Context) -> SafeString:
    """The header: brand, the sections the person may open, log out or in, the language switcher."""
    request = context.get("request")
    user = context.get("user")
    authenticated = bool(user is not None and user.is_authenticated)
    # The navigation's flags come from volunteer_net.context_processors.roles: False for anyone
    # signed out, lazy for a signed-in person; all three are read, as the template read them.
    sections = {name: bool(context.get(name)) for name in _SECTIONS}
    html = _once(
        "includes/site_header.html",
        (authenticated, *sections.values()),
        {"authenticated": authenticated, **sections, "csrf_token": _CSRF, "next_path": _NEXT},
    )
    # The page's own token (the csrf context processor's, masked once a request) rather than a
    # second masking for the header's forms: any masked form of the secret is as valid.
    page_token = context.get("csrf_token")
    if page_token is not None:
        token = str(page_token)
    else:
        token = get_token(request) if request is not None else ""
    path = escape(request.get_full_path()) if request is not None else ""
    return mark_safe(html.replace(_CSRF, token).replace(_NEXT, path))  # noqa: S308 - escaped above


@register.simple_tag
def site_footer() -> SafeString:
    """The footer: what the site is, the time zone, the public report and certificate check."""
    return mark_safe(_once("includes/site_footer.html", (), {}))  # noqa: S308 - a rendered template


@register.simple_tag
def asset(path: str) -> str:
    """{% static path %} for the files every page loads (base.html), looked up once per process.

    With hashed file names each {% static %} reads the manifest, joins and quotes the address
    again; the six of every page cost a tenth of the chrome's own Python. The manifest does not
    change while the process runs (collectstatic comes with a deploy); under DEBUG nothing is
    kept."""
    url = _assets.get(path)
    if url is None:
        url = static(path)
        if not settings.DEBUG:
            _assets[path] = url
    return url
