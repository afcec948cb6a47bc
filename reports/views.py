"""Pages of reports/: dashboard, exports (direct or in the background), the export audit,
certificates of hours and their public verification, the Year of Volunteers page."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control

from accounts import reauth
from accounts.models import AuditEntry
from accounts.types import AuthenticatedHttpRequest
from regions.scoping import (
    get_object_or_404,
    is_national_staff,
    region_scope_required,
    require,
    scope_queryset,
    scoped_region_ids,
    staffed_office_ids,
)
from volunteer_net.forms import apply_service_errors
from volunteer_net.http import require_post
from volunteer_net.submit_once import saved, submitted_once
from volunteers.forms import RosterFilterForm
from volunteers.selectors import volunteer_get, volunteer_of_user

from . import selectors, services, writers
from .certificates import certificate_pdf, normalised_code
from .forms import CertificateForm, ExportForm, ReportScopeForm, RevokeForm, VerifyForm
from .models import Certificate, ExportJob
from .registry import EXPORTS, Export
from .scope import ReportScope
from .sections import compute as dashboard_sections


@region_scope_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ReportScopeForm(request.GET or None, user=request.user)
    scope = form.scope()
    sections, computed_at = _dashboard_sections(scope)
    return render(
        request,
        "reports/dashboard.html",
        {
            "form": form,
            "scope": scope,
            "sections": sections,
            "computed_at": computed_at,
        },
    )


def _dashboard_sections(scope: ReportScope) -> tuple[str, datetime.datetime]:
    """The sections for this scope as HTML, computed at most every REPORTS_DASHBOARD_CACHE_SECONDS: at
    full scale they are a dozen aggregates over hundreds of thousands of sign-ups, and a
    dashboard a few minutes old serves a period's report as well. The key is the user's region
    scope and the front offices they work in (not the user), the period and pickers, and the
    language, so coordinators of the same regions share it and nobody gets another scope's
    figures: an office's staff see its visits and its region's help requests, whatever their own
    regions. Kept drawn, not as figures:
    national staff's tables hold ~1 000 cells, and drawing them was most of a cached view's time
    (the sections hold nothing of the request: no form, no token, no user)."""
    regions = scoped_region_ids(scope.user)
    key = (
        "reports:dashboard:"
        + hashlib.sha256(
            json.dumps(
                [
                    "all" if regions is None else sorted(regions),
                    is_national_staff(scope.user),
                    [] if regions is None else sorted(staffed_office_ids(scope.user)),
                    scope.params(),
                    translation.get_language(),
                ],
                sort_keys=True,
            ).encode()
        ).hexdigest()
    )
    cached = cache.get(key) if settings.REPORTS_DASHBOARD_CACHE_SECONDS else None
    if cached is None:
        cached = (
            render_to_string("reports/_sections.html", {"sections": dashboard_sections(scope)}),
            timezone.now(),
        )
        if settings.REPORTS_DASHBOARD_CACHE_SECONDS:
            cache.set(key, cached, settings.REPORTS_DASHBOARD_CACHE_SECONDS)
    return cached


# Exports ------------------------------------------------------------------------------------


def _respond(
    request: AuthenticatedHttpRequest, export: Export, scope: ReportScope, file_format: str
) -> HttpResponse:
    """Small exports stream straight back; large ones become a background job."""
    count, _rows = export.rows(scope)
    rows = count()
    if rows > settings.REPORTS_DIRECT_MAX_ROWS:
        job = services.export_job_create(
            by=request.user, export=export, scope=scope, file_format=file_format, rows=rows
        )
        return saved(request, redirect("reports:job", pk=job.pk))
    name = services.export_file_name(export, scope, file_format)
    services.export_audit(by=request.user, export=export, scope=scope, file_format=file_format, rows=rows)
    if file_format == "csv":
        _count, row_iter = export.rows(scope)
        response: HttpResponseBase = StreamingHttpResponse(
            writers.csv_chunks(export.columns(scope), row_iter, totals_label=_("Total")),
            content_type=services.CONTENT_TYPES["csv"],
        )
    else:
        response = FileResponse(
            services.export_temporary_xlsx(export=export, scope=scope),
            content_type=services.CONTENT_TYPES["xlsx"],
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # The decorators' view type names HttpResponse; a streamed file is a response all the same.
    return cast(HttpResponse, response)


@region_scope_required
@submitted_once
def export_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = ExportForm(request.POST, user=request.user)
        if form.is_valid():
            scope = form.export_scope()
            if scope.include_iin and reauth.reauth_needed(request):
                # IINs leave the system only after a recently typed password; the form comes
                # back filled in as it was sent.
                query = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
                messages.info(request, _("Confirm your password, then start the export again."))
                return reauth.reauth_redirect(request, reverse("reports:export") + "?" + urlencode(query))
            export = services.export_get(form.cleaned_data["report"])
            try:
                return _respond(request, export, scope, form.cleaned_data["file_format"])
            except ValidationError as error:
                form.add_error(None, error)
    else:
        # Prefilled from the dashboard's period and scope: initial values, not a submission.
        initial = {"file_format": "xlsx", "report": "signups", **request.GET.dict()}
        form = ExportForm(initial=initial, user=request.user)
    jobs = [
        (job, EXPORTS[job.kind].title if job.kind in EXPORTS else job.kind)
        for job in ExportJob.objects.filter(requested_by=request.user)[:10]
    ]
    return render(request, "reports/export.html", {"form": form, "jobs": jobs})


@require_post(back="roster:list")
@region_scope_required
def roster_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The roster's button: exactly its current search and filters, through the roster's own
    filter form and selector."""
    query = QueryDict(request.POST.get("query", ""))
    form = RosterFilterForm(query or None, user=request.user)
    filters = form.filters() if form.is_bound else None
    roster = {k: v for k, v in (filters.__dict__ if filters else {}).items() if v not in (None, "")}
    roster.setdefault("sort", "name")
    today = timezone.localdate()
    scope = ReportScope(user=request.user, start=today, end=today, roster=roster)
    file_format = request.POST.get("file_format", "xlsx")
    if file_format not in services.CONTENT_TYPES:
        file_format = "xlsx"
    try:
        return _respond(request, services.export_get("roster"), scope, file_format)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("roster:list")


def _own_job(request: AuthenticatedHttpRequest, pk: int) -> ExportJob:
    # Only its requester may see or fetch a job; for anybody else it does not exist.
    return get_object_or_404(ExportJob.objects.filter(requested_by=request.user), pk=pk)


@login_required
def job_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    job = services.export_job_refresh(job=_own_job(request, pk))
    theirs = selectors.export_job_still_theirs(job=job, user=request.user)
    return render(
        request,
        "reports/job.html",
        {
            "job": job,
            "again_url": _again_url(job),
            "downloadable": job.is_available and theirs,
            "withdrawn": job.is_available and not theirs,
        },
    )


def _again_url(job: ExportJob) -> str:
    """The export page with the failed job's report, format, period and scope filled in: running
    it again is one more press of its button (and passes every check a new export passes)."""
    if job.kind == "roster":
        return reverse("roster:list")  # its search and filters are chosen on the roster itself
    if job.kind not in EXPORTS:
        return reverse("reports:export")
    chosen = {"report": job.kind, "file_format": job.file_format}
    for name in ("start", "end", "region", "campaign", "detachment", "office"):
        if job.params.get(name) not in (None, ""):
            chosen[name] = str(job.params[name])
    return f"{reverse('reports:export')}?{urlencode(chosen)}"


@login_required
def job_status(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    job = services.export_job_refresh(job=_own_job(request, pk))
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "failure": job.get_failure_display() if job.failure else "",
            "again_url": _again_url(job),
            "percent": job.percent,
            "rows_done": job.rows_done,
            "rows_total": job.rows_total,
            "download_url": (
                reverse("reports:job_download", args=[job.pk])
                if job.is_available and selectors.export_job_still_theirs(job=job, user=request.user)
                else ""
            ),
        }
    )


@login_required
def job_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    job = _own_job(request, pk)
    path = services.job_path(job)
    if not job.is_available or not path.exists():
        raise Http404
    if not selectors.export_job_still_theirs(job=job, user=request.user):
        raise Http404  # made from regions they no longer manage
    response = FileResponse(path.open("rb"), content_type=services.CONTENT_TYPES[job.file_format])
    response["Content-Disposition"] = f'attachment; filename="{job.file_name}"'
    return response


# What a roster export searched for, as its audit entry records it (ReportScope.audit_params).
SEARCH_KINDS = {
    "phone": gettext_lazy("search by phone"),
    "iin": gettext_lazy("search by IIN"),
    "email": gettext_lazy("search by e-mail"),
    "name": gettext_lazy("search by name"),
}


def _audited_day(value: Any) -> datetime.date | str:
    """An export's period as its audit entry keeps it (ISO text, machine-readable for good), as a
    date for the page to write in the reader's language; anything else as it was recorded."""
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return "" if value is None else str(value)


@require(is_national_staff)
def export_audit_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORTED).select_related("actor")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    rows = [
        (
            e,
            EXPORTS[e.subject_id].title if e.subject_id in EXPORTS else e.subject_id,
            SEARCH_KINDS.get(str((e.detail or {}).get("search_by", "")), ""),
            _audited_day((e.detail or {}).get("start")),
            _audited_day((e.detail or {}).get("end")),
        )
        for e in page.object_list
    ]
    return render(request, "reports/audit.html", {"page": page, "rows": rows})


# Certificates -------------------------------------------------------------------------------


def _pdf_response(certificate: Certificate) -> HttpResponse:
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


@login_required
def my_certificates(request: AuthenticatedHttpRequest) -> HttpResponse:
    volunteer = volunteer_of_user(user=request.user)
    if volunteer is None:
        raise Http404
    # In the holder's own language unless they choose another, as staff issue it for them.
    form = CertificateForm(request.POST or None, initial={"language": volunteer.preferred_language})
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.certificate_issue(
                volunteer=volunteer,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                language=form.cleaned_data["language"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("reports:certificate_download", pk=certificate.pk)
    certificates = Certificate.objects.filter(volunteer=volunteer)
    return render(request, "reports/my_certificates.html", {"form": form, "certificates": certificates})


def _certificates_for(user: Any) -> Any:
    return scope_queryset(
        Certificate.objects.select_related("volunteer"), user, region_field="volunteer__region"
    )


@login_required
def certificate_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The holder's own certificate, or one of the staff's regions. Not once the holder's data
    is erased: the PDF would state hours of nobody, under a code anyone could check. Nor once it
    is revoked: a fresh copy would look as valid as the day it was issued, and whoever took it
    on paper might not check the code (the lists still show it, marked revoked)."""
    own = Certificate.objects.filter(volunteer__user=request.user)
    certificate = get_object_or_404(
        (own | _certificates_for(request.user)).exclude(holder_name="").filter(revoked_at__isnull=True), pk=pk
    )
    return _pdf_response(certificate)


@region_scope_required
def certificate_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(_certificates_for(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "reports/certificates.html", {"page": page})


@region_scope_required
def certificate_issue(request: AuthenticatedHttpRequest, volunteer_pk: int) -> HttpResponse:
    volunteer = volunteer_get(user=request.user, pk=volunteer_pk)
    form = CertificateForm(request.POST or None, initial={"language": volunteer.preferred_language})
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_issue(
                volunteer=volunteer,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                language=form.cleaned_data["language"],
                by=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The certificate has been issued."))
            return redirect("reports:certificates")
    return render(request, "reports/certificate_issue.html", {"form": form, "volunteer": volunteer})


@require_post(back="reports:certificates")
@region_scope_required
def certificate_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    certificate = get_object_or_404(_certificates_for(request.user), pk=pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.certificate_revoke(
                certificate=certificate, by=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("The certificate has been revoked."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Give the reason for revoking the certificate."))
    return redirect("reports:certificates")


def verify(request: HttpRequest) -> HttpResponse:
    form = VerifyForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return redirect("reports:verify_code", code=form.cleaned_data["code"])
    return render(request, "reports/verify.html", {"form": form})


@cache_control(private=True, max_age=0)
def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    """Public: confirms name, hours, period and issuer of a real certificate, nothing else."""
    # Spaces or no dashes, as people type a code from paper: only the digits count.
    normalised = normalised_code(code)
    certificate = Certificate.objects.filter(code=normalised).first() if normalised else None
    if certificate is None or certificate.is_revoked:
        status = 404
    elif certificate.holder_erased:
        # Issued, but nothing of it can be confirmed any more (see verify_result.html): 410, so
        # that a checker reading only the status does not take it for a valid certificate.
        status = 410
    else:
        status = 200
    response = render(
        request,
        "reports/verify_result.html",
        {"certificate": certificate, "code": code, "form": VerifyForm(initial={"code": code})},
        status=status,
    )
    # For checkers holding the code, not for search engines (the page's meta says so too).
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# The public Year of Volunteers page ----------------------------------------------------------


def year_page(request: HttpRequest) -> HttpResponse:
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        year = this_year
    if not 2000 <= year <= this_year:
        year = this_year
    # Counts only, the same for every visitor: cached for everybody (names come from the data).
    key = f"reports:year:v2:{year}"
    totals = cache.get(key)
    if totals is None:
        totals = selectors.year_totals(year)
        cache.set(key, totals, settings.REPORTS_PUBLIC_CACHE_SECONDS)
    lang = (translation.get_language() or "kk")[:2]
    lang = lang if lang in ("kk", "ru", "en") else "kk"
    regions = [{**r, "name": r[f"name_{lang}"]} for r in totals["regions"]]
    years = list(range(this_year, max(2000, this_year - 5), -1))
    return render(
        request,
        "reports/year.html",
        {"totals": totals, "regions": regions, "year": year, "years": years},
    )
