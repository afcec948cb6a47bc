"""Pages: staff follow messages of their regions and send announcements; a volunteer sees their
own messages and chooses channels; anybody with a link unsubscribes in one click."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts.types import AuthenticatedHttpRequest
from regions.scoping import region_scope_required
from volunteer_net.forms import apply_service_errors
from volunteer_net.http import require_post
from volunteer_net.languages import link_language
from volunteer_net.paging import CappedPaginator
from volunteer_net.submit_once import saved, submitted_once
from volunteers.selectors import volunteer_of_user

from . import selectors, services, timing
from .forms import BroadcastForm, MessageFilterForm, PreferenceForm
from .models import Message
from .rendering import SMS_ANNOUNCEMENT_SEGMENTS, announcement_sms_tail
from .tokens import ANNOUNCEMENTS, read_unsubscribe_token

PAGE_SIZE = 50


@region_scope_required
def staff_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = MessageFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else selectors.MessageFilters()
    page = CappedPaginator(
        selectors.message_list(user=request.user, filters=filters),
        PAGE_SIZE,
        cap=settings.MESSAGE_LIST_COUNT_CAP,
    ).get_page(request.GET.get("page"))
    page.object_list = selectors.messages_described(page.object_list, for_recipient=False)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "notifications/staff_list.html", {"form": form, "page": page, "query": query.urlencode()}
    )


@region_scope_required
def staff_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    [message] = selectors.messages_described(
        [selectors.message_get(user=request.user, pk=pk)], for_recipient=False
    )
    return render(request, "notifications/staff_detail.html", {"message": message})


@require_post(back="notifications:staff_detail", back_kwargs=("pk",))
@region_scope_required
def staff_retry(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    message = selectors.message_get(user=request.user, pk=pk)
    try:
        message = services.message_retry(message=message, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        goes_at = timing.not_before(
            kind=message.kind, channel=message.channel, moment=timezone.now(), context=message.context
        )
        if goes_at > timezone.now():
            # An SMS retried at night waits for the morning, as any would: said, lest staff take
            # the night's silence for another failure.
            messages.success(
                request,
                _("The message will be sent again at %(time)s, after the night's quiet hours.")
                % {"time": goes_at.astimezone(timing.ALMATY).strftime("%H:%M")},
            )
        else:
            messages.success(request, _("The message will be sent again."))
    return redirect("notifications:staff_detail", pk=message.pk)


@region_scope_required
@submitted_once
def broadcast_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = BroadcastForm(request.POST or None, user=request.user)
    preview = None
    if request.method == "POST" and form.is_valid():
        audience = form.audience()
        if request.POST.get("action") == "send":
            try:
                broadcast = services.broadcast_send(
                    volunteers_qs=audience,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    by=request.user,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The announcement is on its way to %(count)s people.")
                    % {"count": broadcast.recipients_count},
                )
                return saved(request, redirect(reverse("notifications:staff_list") + "?kind=broadcast"))
        preview = services.broadcast_preview(
            volunteers_qs=audience,
            by=request.user,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
        )
    return render(
        request,
        "notifications/broadcast_form.html",
        {
            "form": form,
            "preview": preview,
            "sms_max": SMS_ANNOUNCEMENT_SEGMENTS,
            "sms_tail": announcement_sms_tail(),
        },
    )


@login_required
def my_messages(request: AuthenticatedHttpRequest) -> HttpResponse:
    volunteer = volunteer_of_user(user=request.user)
    if volunteer is None:
        raise Http404
    preference = selectors.preference_of(volunteer=volunteer)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            services.preference_update(
                volunteer=volunteer,
                email_opt_out=not form.cleaned_data["email"],
                sms_opt_out=not form.cleaned_data["sms"],
                announcements_opt_out=not form.cleaned_data["announcements"],
            )
            messages.success(request, _("Your message settings have been saved."))
            return redirect("notifications:my_messages")
    else:
        form = PreferenceForm(
            initial={
                "email": not preference.email_opt_out,
                "sms": not preference.sms_opt_out,
                "announcements": not preference.announcements_opt_out,
            }
        )
    # Paged: cut at the newest hundred, a volunteer of a few seasons (a reminder or two for
    # every shift) could not find what they were sent last spring, nor the page say so.
    page = Paginator(selectors.messages_of_volunteer(volunteer=volunteer), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = selectors.messages_described(page.object_list, for_recipient=True)
    return render(
        request,
        "notifications/my_messages.html",
        {"form": form, "page": page, "items": page.object_list, "volunteer": volunteer},
    )


@csrf_exempt  # RFC 8058: mail clients POST without cookies; the signed token is the credential.
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    parsed = read_unsubscribe_token(token)
    language = selectors.language_of_volunteer(volunteer_id=parsed[0]) if parsed is not None else None
    if parsed is None or language is None:
        raise Http404
    announcements = parsed[1] == ANNOUNCEMENTS
    channel_label = "" if announcements else Message.Channel(parsed[1]).label
    # Nobody is logged in here, and a page in another language than the e-mail's would ask
    # something its reader cannot read.
    with translation.override(link_language(request, language)):
        if request.method == "POST":
            # A GET only asks: link scanners of mail providers open links, and must not unsubscribe.
            if services.unsubscribe(token=token) is None:
                raise Http404
            done = True
        else:
            done = False
        return render(
            request,
            "notifications/unsubscribe.html",
            {"done": done, "channel": channel_label, "announcements": announcements},
        )


@csrf_exempt  # The signed link is the credential: a forged POST from elsewhere would need it.
@require_http_methods(["GET", "POST"])
def announcement(request: HttpRequest, token: str) -> HttpResponse:
    """The full text of an announcement, no login: the link is the key (most volunteers of an
    imported list have no account). A recipient's own link also stops their announcements: for
    someone with a phone and no account the only way to. Reminders and news of their own shifts
    and visits keep coming."""
    page = selectors.announcement_page(token=token)
    if page is None:
        raise Http404
    # Neither the person's name nor their number is shown: the link may be forwarded with the
    # text (a group chat), and the SMS it came in named neither; the page says what it stops.
    language = link_language(request, page.language) if page.language else translation.get_language()
    with translation.override(language):
        done = False
        if request.method == "POST":
            # A GET only shows: a messenger's link preview opens links, and must not unsubscribe.
            if page.volunteer_id is None:
                raise Http404  # a link everybody shares stops nobody's announcements
            if services.announcements_stop(volunteer_id=page.volunteer_id) is None:
                raise Http404
            done = True
        return render(
            request,
            "notifications/announcement.html",
            {
                "broadcast": page.broadcast,
                "can_stop": page.volunteer_id is not None,
                "stopped": page.stopped,
                "done": done,
            },
        )
