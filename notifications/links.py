"""What a message is about, as the message lists show it: a name and a link to its page.

This app knows nothing about shifts, visits or help requests. A message carries the page it is
about in its context (`url`), written for its recipient: the person sees it in "My messages".
Whether staff who follow the messages of a region may open that page too is the subject's own
app to say, here, at start-up (`subject_page_register` in its AppConfig.ready): a help request's
page is open to the region's staff, a visit's page and a call-out's answer link (a secret token)
are the recipient's alone, and an unregistered subject gets no link on the staff's list.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise


@dataclass(frozen=True)
class SubjectPage:
    # The link's words, when the message names nothing itself (no shift title, no office).
    label: str | Promise
    # The region's staff who see the message may open the page as well as its recipient.
    staff: bool


_PAGES: dict[str, SubjectPage] = {}


def subject_page_register(subject_type: str, *, label: str | Promise, staff: bool) -> None:
    _PAGES[subject_type] = SubjectPage(label=label, staff=staff)


def subject_page(subject_type: str) -> SubjectPage | None:
    return _PAGES.get(subject_type)


def site_path(url: object) -> str:
    """The link of a message's context as a path of this site ("" for anything else): the
    stored link is absolute (SITE_URL + path), or a bare path."""
    if not isinstance(url, str):
        return ""
    site = settings.SITE_URL.rstrip("/")
    if site and url.startswith(site + "/"):
        url = url[len(site) :]
    return url if url.startswith("/") and not url.startswith("//") else ""
