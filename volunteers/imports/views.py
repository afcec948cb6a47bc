"""Thin pages over volunteers.imports.services; every batch is found through the region scope,
so another region's upload answers 404."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.types import AuthenticatedHttpRequest
from regions.scoping import get_scoped_object_or_404, region_scope_required, scope_queryset
from volunteer_net.forms import apply_service_errors
from volunteer_net.http import require_post

from . import services, spreadsheets
from .forms import ConfirmForm, DuplicateChoiceForm, MappingForm, UploadForm
from .mapping import FIELDS
from .models import DuplicateChoice, ImportBatch, ImportRow
from .validation import error_text

PREVIEW_PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Lazy: this module is imported once, in whichever language the first request had.
DUPLICATE_REASONS = {
    "iin": gettext_lazy("same IIN"),
    "phone": gettext_lazy("same phone"),
    "email": gettext_lazy("same e-mail"),
    "person": gettext_lazy("same name and date of birth"),
}


def _batches(user: Any) -> QuerySet[ImportBatch]:
    return scope_queryset(ImportBatch.objects.select_related("region", "created_by"), user)


def _batch(request: AuthenticatedHttpRequest, pk: int) -> ImportBatch:
    return get_scoped_object_or_404(ImportBatch.objects.select_related("region"), request.user, pk=pk)


@region_scope_required
def import_start(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        # Without beat (`make run`) old uploads still go: each new one sweeps them.
        services.batches_clean_up()
        try:
            batch = services.batch_upload(
                by=request.user, region=form.cleaned_data["region"], upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("roster:import_mapping", pk=batch.pk)
    return render(
        request,
        "roster/import/start.html",
        {"form": form, "batches": _batches(request.user)[:10], "languages": ("kk", "ru", "en")},
    )


def _xlsx(path: Path, name: str) -> HttpResponse:
    """A written workbook as a download; its temporary file goes at once."""
    try:
        response = HttpResponse(path.read_bytes(), content_type=XLSX)
    finally:
        path.unlink(missing_ok=True)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@region_scope_required
def import_template(request: AuthenticatedHttpRequest, language: str) -> HttpResponse:
    if language not in ("kk", "ru", "en"):
        raise Http404
    return _xlsx(spreadsheets.template_file(language), f"volunteers-{language}.xlsx")


@region_scope_required
def import_mapping(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if batch.status not in (ImportBatch.Status.UPLOADED, ImportBatch.Status.VALIDATED):
        return redirect("roster:import_preview", pk=batch.pk)
    form = MappingForm(request.POST or None, batch=batch, hidden=services.batch_hidden_columns(batch=batch))
    if request.method == "POST" and form.is_valid():
        sheet = form.cleaned_data.get("sheet", "")
        try:
            if sheet and sheet != batch.sheet:
                services.batch_map(batch=batch, by=request.user, mapping={}, sheet=sheet)
                return redirect("roster:import_mapping", pk=batch.pk)
            services.batch_map(batch=batch, by=request.user, mapping=form.mapping())
            services.batch_check(batch=batch, by=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("roster:import_preview", pk=batch.pk)
    return render(request, "roster/import/mapping.html", {"batch": batch, "form": form})


def _display_rows(batch: ImportBatch, rows: list[ImportRow], columns: list[str]) -> list[dict[str, Any]]:
    labels = {key: str(label) for key, label in FIELDS.items()}
    reasons = {key: str(reason) for key, reason in DUPLICATE_REASONS.items()}
    shown = []
    for row in rows:
        cells = []
        for key in columns:
            errors = list(row.errors.get(key, []))
            if key == "full_name":
                for part in ("last_name", "first_name", "middle_name"):
                    if part not in columns:
                        errors += row.errors.get(part, [])
            cells.append(
                {
                    "key": key,
                    "label": labels[key],
                    "text": row.cells.get(key, ""),
                    "errors": [error_text(e) for e in errors],
                }
            )
        covered = set(columns) | (
            {"last_name", "first_name", "middle_name"} if "full_name" in columns else set()
        )
        other = [
            (f"{labels.get(field, '')}: " if field in labels else "") + error_text(e)
            for field, errors in row.errors.items()
            if field not in covered
            for e in errors
        ]
        shown.append(
            {
                "row": row,
                "cells": cells,
                "other": other,
                "reason": reasons.get(row.duplicate_reason, ""),
                "choice": row.choice or batch.duplicate_choice,
            }
        )
    return shown


HIDDEN_NUMBERS_SHOWN = 20


def _row_numbers(numbers: list[int]) -> str:
    """ "5, 7, 12", the first twenty of a long list followed by "…"."""
    shown = ", ".join(str(n) for n in numbers[:HIDDEN_NUMBERS_SHOWN])
    return shown + (", …" if len(numbers) > HIDDEN_NUMBERS_SHOWN else "")


@region_scope_required
def import_preview(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    context: dict[str, Any] = {"batch": batch, "fields": FIELDS}
    if batch.status == ImportBatch.Status.VALIDATED or batch.status == ImportBatch.Status.DONE:
        show = request.GET.get("show", "")
        rows = ImportRow.objects.filter(batch=batch).order_by("number")
        if show == "errors":
            rows = rows.filter(has_errors=True)
        elif show == "duplicates":
            rows = rows.exclude(duplicate_reason="")
        page = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
        columns = [key for key in FIELDS if key in batch.mapping.values()]
        context.update(
            show=show,
            page=page,
            rows=_display_rows(batch, list(page.object_list), columns),
            choice_form=DuplicateChoiceForm(initial={"for_all": batch.duplicate_choice}),
            confirm_form=ConfirmForm(),
            choices=DuplicateChoice.choices,
            earlier=services.earlier_import_of(batch),
            ready=batch.total_rows - batch.error_rows,
            hidden_numbers=_row_numbers(batch.hidden_rows),
        )
    elif batch.is_busy:
        context["progress"] = services.progress_of(batch)
        context["stalled"] = services.batch_stalled(batch=batch)
        context["stalled_minutes"] = int(services.STALLED_AFTER.total_seconds() // 60)
    return render(request, "roster/import/preview.html", context)


@require_post(back="roster:import")
@region_scope_required
def import_choices(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    form = DuplicateChoiceForm(request.POST)
    per_row: dict[int, str] = {}
    for name in request.POST:
        if name.startswith("choice_") and name[7:].isdigit():
            per_row[int(name[7:])] = request.POST.get(name, "")
    try:
        services.batch_choose(
            batch=batch,
            by=request.user,
            for_all=form.data.get("for_all") if "apply_all" in request.POST else None,
            rows=per_row,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your choices for the duplicates are saved."))
    back = request.POST.get("next", "")
    return redirect(
        back if back.startswith("/roster/import/") else reverse("roster:import_preview", args=[batch.pk])
    )


@require_post(back="roster:import")
@region_scope_required
def import_run(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    form = ConfirmForm(request.POST)
    form.is_valid()
    try:
        batch = services.batch_start_import(
            batch=batch,
            by=request.user,
            consent_confirmed=bool(form.cleaned_data.get("consent_confirmed")),
            consent_date=form.cleaned_data.get("consent_date"),
        )
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
    except Exception:
        messages.error(
            request, _("The import failed and nothing was written. Try again, or contact national staff.")
        )
    else:
        if batch.status == ImportBatch.Status.DONE:
            messages.success(request, _("The file is imported."))
    return redirect("roster:import_preview", pk=pk)


@region_scope_required
def import_status(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    batch = _batch(request, pk)
    progress = services.progress_of(batch)
    return JsonResponse(
        {
            "status": batch.status,
            "busy": batch.is_busy,
            # The page shows a lost task's way out (start again, discard) once reloaded.
            "stalled": services.batch_stalled(batch=batch),
            "done": progress["done"],
            "total": max(progress["total"], progress["done"]),
        }
    )


@region_scope_required
def import_report(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    if batch.status not in (ImportBatch.Status.VALIDATED, ImportBatch.Status.DONE):
        raise Http404
    if request.GET.get("rows") == "failed":
        return _xlsx(spreadsheets.report_file(batch, failed_only=True), f"import-errors-{batch.pk}.xlsx")
    return _xlsx(spreadsheets.report_file(batch), f"import-report-{batch.pk}.xlsx")


@require_post(back="roster:import")
@region_scope_required
def import_restart(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    try:
        batch = services.batch_restart(batch=batch, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if batch.status == ImportBatch.Status.VALIDATED:
            messages.success(
                request, _("Nothing was written. Check the rows and press Import again to import them.")
            )
    return redirect("roster:import_preview", pk=pk)


@require_post(back="roster:import")
@region_scope_required
def import_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    try:
        services.batch_discard(batch=batch, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("roster:import_preview", pk=pk)
    messages.success(request, _("The upload is discarded."))
    return redirect("roster:import")
