"""Exports read back with the csv module and openpyxl: the right rows, types and totals, text
neutralised against formula injection, IIN only when national staff ask, every export audited."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.models import AuditEntry
from events.models import Signup
from reports import selectors
from reports.exports import text_as_typed
from reports.scope import ReportScope
from tests.conftest import client_for
from tests.events.factories import CampaignFactory, ShiftFactory

from .conftest import PERIOD, in_period, local, period_query

pytestmark = pytest.mark.django_db


def export(client, **data):  # type: ignore[no-untyped-def]
    response = client.post("/reports/export/", period_query(**data))
    assert response.status_code == 200, response.content[:500]
    return b"".join(response.streaming_content) if response.streaming else b"".join(response)  # type: ignore[attr-defined]


def read_csv(content: bytes) -> list[list[str]]:
    """The cells as the spreadsheet of the file's language reads them: a Kazakh or Russian file
    is separated by ";" with decimal commas (given back here with a point, to be compared as
    numbers), an English one by "," with decimal points."""
    assert content.startswith("\ufeff".encode()), "UTF-8 with a BOM, so that Excel reads Kazakh letters"
    text = content.decode("utf-8-sig")
    header = text.splitlines()[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if delimiter == ";":
        rows = [[re.sub(r"^(-?\d+),(\d+)$", r"\1.\2", cell) for cell in row] for row in rows]
    return rows


def read_xlsx(content: bytes) -> list[tuple]:  # type: ignore[type-arg]
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.freeze_panes == "A2", "the header row stays in view"
    return list(sheet.iter_rows(values_only=True))


def test_signups_csv_rows_and_totals(world, nora) -> None:  # type: ignore[no-untyped-def]
    rows = read_csv(export(client_for(nora), report="signups", file_format="csv"))
    expected = [s for s in world.signups if in_period(s)]
    header, body, totals = rows[0], rows[1:-1], rows[-1]
    assert header[0] == "Кезектің басталуы" or header[0]  # headers in the user's language (kk default)
    assert len(body) == len(expected)
    hours = sum((s.hours or Decimal(0) for s in expected), Decimal(0))
    assert Decimal(totals[-1]) == hours
    assert {r[5] for r in body} >= {"Алматыбекова", "Астанабеков"}


def test_signups_xlsx_types_dates_and_totals(world, nora) -> None:  # type: ignore[no-untyped-def]
    rows = read_xlsx(export(client_for(nora), report="signups", file_format="xlsx"))
    expected = sorted((s for s in world.signups if in_period(s)), key=lambda s: (s.shift.starts_at, s.pk))
    body, totals = rows[1:-1], rows[-1]
    assert len(body) == len(expected)
    first = body[0]
    assert isinstance(first[0], datetime.datetime)
    # Almaty wall time (the shifts start at 10:00 Almaty, 05:00 UTC).
    assert first[0] == datetime.datetime(2026, 1, 15, 10, 0)
    # Shown day first, as the pages write dates, not "2026-01-15 10:00".
    sheet = load_workbook(io.BytesIO(export(client_for(nora), report="signups", file_format="xlsx"))).active
    assert sheet["A2"].number_format == "dd\\.mm\\.yyyy\\ hh:mm"
    attended = [r for r in body if r[8] is not None]
    assert attended and all(isinstance(r[8], (int, float)) for r in attended)  # numbers, not text
    assert Decimal(str(totals[-1])) == sum((s.hours or Decimal(0) for s in expected), Decimal(0))


def test_hours_per_volunteer_totals_equal_the_rows(world, alice) -> None:  # type: ignore[no-untyped-def]
    rows = read_xlsx(export(client_for(alice), report="hours", file_format="xlsx"))
    body, totals = rows[1:-1], rows[-1]
    attended = [s for s in world.rows(world.almaty) if in_period(s) and s.status == Signup.Status.ATTENDED]
    per_person: dict[str, Decimal] = {}
    for s in attended:
        per_person[s.volunteer.last_name] = per_person.get(s.volunteer.last_name, Decimal(0)) + s.hours
    got = {r[0].lstrip("'") if r[0].startswith("'=") else r[0]: Decimal(str(r[5])) for r in body}
    assert got == per_person
    assert totals[4] == len(attended)
    assert Decimal(str(totals[5])) == sum(per_person.values())


def test_formula_injection_is_neutralised_in_csv_and_readable(world, alice) -> None:  # type: ignore[no-untyped-def]
    csv_rows = read_csv(export(client_for(alice), report="roster", file_format="csv"))
    names = {r[0] for r in csv_rows[1:]}
    assert '\'=HYPERLINK("http://evil")' in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in csv_rows for cell in row)
    # Phone numbers begin with "+": neutralised too in CSV, and still readable.
    assert all(r[5].startswith("'+7") for r in csv_rows[1:] if r[5])


def test_iin_only_for_national_staff_who_ask(world, alice, nora) -> None:  # type: ignore[no-untyped-def]
    iin = world.almaty_volunteers[0].iin
    assert iin.encode() not in export(client_for(nora), report="roster", file_format="csv")
    assert iin.encode() not in export(client_for(alice), report="roster", file_format="csv", include_iin="on")
    with_iin = export(
        client_for(nora, password_confirmed=True), report="roster", file_format="csv", include_iin="on"
    )
    assert iin.encode() in with_iin
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.EXPORTED, actor=nora).first()
    assert entry is not None and entry.detail["include_iin"] is True


def test_every_export_is_audited(world, alice) -> None:  # type: ignore[no-untyped-def]
    export(client_for(alice), report="signups", file_format="csv", region=world.almaty.pk)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EXPORTED)
    assert entry.actor == alice
    assert entry.subject_id == "signups"
    assert entry.region_code == "75"
    assert entry.rows == len(world.rows(world.almaty)) - 1  # one sign-up lies outside the period
    assert entry.detail["start"] == PERIOD[0].isoformat() and entry.detail["format"] == "csv"
    assert "Алматыбекова" not in str(entry.detail)


def test_national_summary_by_region(world, nora) -> None:  # type: ignore[no-untyped-def]
    rows = read_xlsx(export(client_for(nora), report="summary", file_format="xlsx"))
    body, totals = rows[1:-1], rows[-1]
    assert len(body) == 20  # every region, those without activity too
    by_name = {r[0]: r for r in body}
    almaty = by_name[world.almaty.name_kk]
    signups = [s for s in world.rows(world.almaty) if in_period(s)]
    assert almaty[4] == len(signups)
    assert Decimal(str(almaty[3])) == sum(
        (s.hours or 0 for s in signups if s.status == "attended"), Decimal(0)
    )
    assert almaty[6] == sum(1 for s in signups if s.status == "no_show")
    assert almaty[7] == 2 and almaty[8] == 1
    assert totals[4] == sum(1 for s in world.signups if in_period(s))


def test_detachment_activity(world, alice) -> None:  # type: ignore[no-untyped-def]
    rows = read_xlsx(export(client_for(alice), report="detachments", file_format="xlsx"))
    body = rows[1:-1]
    assert len(body) == 1
    name, _region, _locality, members, minors, signups, hours = body[0]
    assert name == world.detachment.name
    assert (members, minors) == (1, 1)
    minor = world.almaty_volunteers[2]
    mine = [s for s in world.signups if s.volunteer_id == minor.pk and in_period(s)]
    assert signups == len(mine)
    assert Decimal(str(hours)) == sum((s.hours or 0 for s in mine if s.status == "attended"), Decimal(0))


def test_roster_button_exports_its_search_and_filters(world, alice) -> None:  # type: ignore[no-untyped-def]
    client = client_for(alice)
    page = client.get("/roster/", {"q": "Алматыбекова"})
    assert b'action="/reports/export/roster/"' in page.content
    response = client.post("/reports/export/roster/", {"query": "q=Алматыбекова", "file_format": "csv"})
    rows = read_csv(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert [r[0] for r in rows[1:]] == ["Алматыбекова"]
    response = client.post("/reports/export/roster/", {"query": "age_group=14to17", "file_format": "csv"})
    rows = read_csv(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert [r[0] for r in rows[1:]] == ["Құпиялы"]


def test_a_file_is_named_by_the_period_it_covers_and_the_roster_by_its_day(world, alice) -> None:  # type: ignore[no-untyped-def]
    """The roster lists people as they stand, whatever period is picked: a name with the period
    would claim a roster "of January to June" that it is not."""
    client = client_for(alice)
    response = client.post("/reports/export/", period_query(report="hours", file_format="csv"))
    assert response["Content-Disposition"] == 'attachment; filename="hours_20260101-20260630.csv"'
    response = client.post("/reports/export/", period_query(report="roster", file_format="csv"))
    today = timezone.localdate()
    assert response["Content-Disposition"] == f'attachment; filename="roster_{today:%Y%m%d}.csv"'


def test_bad_input_is_a_form_error(world, alice) -> None:  # type: ignore[no-untyped-def]
    response = client_for(alice).post(
        "/reports/export/",
        {"start": "2026-06-01", "end": "2026-01-01", "report": "nope", "file_format": "pdf"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"errorlist" in response.content


def test_large_csv_through_copy_is_the_same_file(world, nora, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A background CSV of sign-ups is written by PostgreSQL's COPY: the same rows, neutralised
    text, Almaty times and totals as the streamed one."""
    from reports import services
    from reports.registry import EXPORTS
    from reports.scope import ReportScope

    world.almaty_volunteers[1].refresh_from_db()
    streamed = read_csv(export(client_for(nora), report="signups", file_format="csv"))
    path = tmp_path / "copy.csv"
    scope = ReportScope(user=nora, start=PERIOD[0], end=PERIOD[1])
    rows = services.export_write(export=EXPORTS["signups"], scope=scope, file_format="csv", target=str(path))
    copied = read_csv(path.read_bytes())
    assert rows == len(copied) - 2
    assert copied == streamed
    assert any(r[5] == '\'=HYPERLINK("http://evil")' for r in copied)


def test_xlsx_written_by_copy_equals_the_python_writer(world, nora, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Large sign-up XLSX files get their rows' XML from PostgreSQL's COPY: the same cells, types
    and totals as the row-by-row writer, a formula-looking name, a line break and a control
    character XML cannot hold included (a row is escaped only when one of its values needs it)."""
    from reports import services, writers
    from reports.registry import EXPORTS
    from reports.scope import ReportScope

    world.almaty_volunteers[0].__class__.objects.filter(pk=world.almaty_volunteers[0].pk).update(
        first_name="Айгүл <&>\nекінші жол"
    )
    world.almaty_volunteers[2].__class__.objects.filter(pk=world.almaty_volunteers[2].pk).update(
        last_name="Бек\x07ова"
    )
    export_ = EXPORTS["signups"]
    scope = ReportScope(user=nora, start=PERIOD[0], end=PERIOD[1])
    by_copy, by_python = tmp_path / "copy.xlsx", tmp_path / "python.xlsx"
    assert services.export_write(export=export_, scope=scope, file_format="xlsx", target=str(by_copy)) == len(
        [s for s in world.signups if in_period(s)]
    )
    columns = export_.columns(scope)
    with text_as_typed():  # as services.export_write builds an XLSX export's rows
        rows = export_.rows(scope)[1]
    writers.write_xlsx(str(by_python), columns, rows, sheet_name="x", totals_label=str(columns and "Барлығы"))
    copy_rows = read_xlsx(by_copy.read_bytes())
    python_rows = read_xlsx(by_python.read_bytes())
    assert len(copy_rows) == len(python_rows)
    for a, b in zip(copy_rows[:-1], python_rows[:-1], strict=True):
        assert a == b
    assert copy_rows[-1][-1] == python_rows[-1][-1]
    assert any(r[6] == "Айгүл <&>\nекінші жол" for r in copy_rows)
    assert any(r[5] == "Бекова" for r in copy_rows)
    # Text as typed, in a string cell: no CSV apostrophe in a sheet.
    assert any(r[5] == '=HYPERLINK("http://evil")' for r in copy_rows)


def test_detachment_sign_ups_count_where_their_hours_count(world, alice, nora, astana) -> None:  # type: ignore[no-untyped-def]
    """A member of an Almaty detachment helps at an Astana campaign: Almaty's coordinator sees
    neither that sign-up nor its hours in the detachment's row (another region's campaign);
    national staff see both, on the dashboard and in the export alike."""
    minor = world.almaty_volunteers[2]
    campaign = CampaignFactory(region=astana, starts_on=PERIOD[0], ends_on=PERIOD[1])
    day = datetime.date(2026, 4, 7)
    shift = ShiftFactory(campaign=campaign, starts_at=local(day), ends_at=local(day, 15), capacity=5)
    Signup.objects.create(shift=shift, volunteer=minor, status="attended", hours=Decimal("2.50"))
    mine = [s for s in world.signups if s.volunteer_id == minor.pk and in_period(s)]
    almaty_hours = sum((s.hours or 0 for s in mine if s.status == "attended"), Decimal(0))
    for user, signups, hours in (
        (alice, len(mine), almaty_hours),
        (nora, len(mine) + 1, almaty_hours + Decimal("2.50")),
    ):
        rows = read_xlsx(export(client_for(user), report="detachments", file_format="xlsx"))
        row = next(r for r in rows[1:-1] if r[0] == world.detachment.name)
        assert (row[5], Decimal(str(row[6]))) == (signups, hours)
        listed = selectors.detachment_rows(ReportScope(user=user, start=PERIOD[0], end=PERIOD[1]))
        shown = next(r for r in listed if r.detachment.pk == world.detachment.pk)
        assert (shown.signups, shown.hours) == (signups, hours)


def sheet_of(content: bytes):  # type: ignore[no-untyped-def]
    """The workbook's sheet as openpyxl reads it (cells with their types), after checking that
    the sheet's XML holds no formula at all."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml"), "a formula was written"
    return load_workbook(io.BytesIO(content)).active


class TestXlsxTextAsTyped:
    """In XLSX, text goes into string cells, which a spreadsheet never evaluates: a phone or a
    formula-looking name reads exactly as typed, without CSV's apostrophe. CSV keeps its guard."""

    def test_roster_phone_and_formula_like_name_are_string_cells_as_typed(self, world, alice) -> None:  # type: ignore[no-untyped-def]
        person = world.almaty_volunteers[1]  # last name '=HYPERLINK("http://evil")', first name "+Хакер"
        type(person).objects.filter(pk=person.pk).update(phone="+77014230734")
        sheet = sheet_of(export(client_for(alice), report="roster", file_format="xlsx"))
        row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == '=HYPERLINK("http://evil")')
        assert row[0].data_type == "s"  # a string, not a formula
        assert (row[1].value, row[1].data_type) == ("+Хакер", "s")
        assert (row[5].value, row[5].data_type) == ("+77014230734", "s")
        csv_rows = read_csv(export(client_for(alice), report="roster", file_format="csv"))
        assert ['\'=HYPERLINK("http://evil")', "'+Хакер"] in [r[:2] for r in csv_rows]
        assert "'+77014230734" in {r[5] for r in csv_rows}

    @pytest.mark.parametrize(("report", "last_name"), [("signups", 5), ("visits", 9)])
    def test_text_neutralised_by_the_query_for_csv_is_as_typed_in_xlsx(  # type: ignore[no-untyped-def]
        self, world, alice, report, last_name
    ) -> None:
        sheet = sheet_of(export(client_for(alice), report=report, file_format="xlsx"))
        cells = [r[last_name] for r in sheet.iter_rows(min_row=2) if r[last_name].value]
        assert '=HYPERLINK("http://evil")' in {c.value for c in cells}
        assert all(c.data_type == "s" and not str(c.value).startswith("'") for c in cells)
        csv_rows = read_csv(export(client_for(alice), report=report, file_format="csv"))
        assert '\'=HYPERLINK("http://evil")' in {r[last_name] for r in csv_rows}

    def test_large_xlsx_written_by_copy_keeps_text_as_typed(self, world, nora, tmp_path) -> None:  # type: ignore[no-untyped-def]
        from reports import services
        from reports.registry import EXPORTS

        path = tmp_path / "copy.xlsx"
        scope = ReportScope(user=nora, start=PERIOD[0], end=PERIOD[1])
        services.export_write(export=EXPORTS["signups"], scope=scope, file_format="xlsx", target=str(path))
        sheet = sheet_of(path.read_bytes())
        first_names = {r[6].value: r[6].data_type for r in sheet.iter_rows(min_row=2) if r[6].value}
        assert first_names["+Хакер"] == "s"
        # And the CSV written by COPY still neutralises.
        csv_path = tmp_path / "copy.csv"
        services.export_write(export=EXPORTS["signups"], scope=scope, file_format="csv", target=str(csv_path))
        assert "'+Хакер" in {r[6] for r in read_csv(csv_path.read_bytes())}


class TestExportPagesDates:
    """The export, job and audit pages write dates and times as the page's language does, in
    Almaty time ("Y-m-d H:i" was machine text, in UTC's neighbour only by luck); the <time>
    elements keep the ISO moment for machines."""

    def test_audit_export_and_job_pages_write_local_dates_and_times(self, world, nora) -> None:  # type: ignore[no-untyped-def]
        from reports.models import ExportJob

        export(client_for(nora), report="signups", file_format="csv")
        # 20:30 UTC is past midnight in Almaty: the day differs too.
        at = datetime.datetime(2026, 3, 1, 20, 30, tzinfo=datetime.UTC)
        AuditEntry.objects.filter(action=AuditEntry.Action.EXPORTED).update(at=at)
        until = timezone.now() + datetime.timedelta(days=1)
        job = ExportJob.objects.create(
            requested_by=nora,
            kind="signups",
            file_format="xlsx",
            params={"start": PERIOD[0].isoformat(), "end": PERIOD[1].isoformat()},
            status=ExportJob.Status.DONE,
            file_name="signups_20260101-20260630.xlsx",
            created_at=at,
            expires_at=until,
        )
        almaty = zoneinfo.ZoneInfo("Asia/Almaty")
        shown_at = at.astimezone(almaty).strftime("%d.%m.%Y %H:%M")
        shown_until = until.astimezone(almaty).strftime("%d.%m.%Y %H:%M")
        assert shown_at.startswith("02.03.2026")
        client = client_for(nora)
        audit = client.get("/reports/audit/").content.decode()
        row = audit.split('id="audit-table"')[1]
        assert f">{shown_at}</time>" in row and "01.01.2026 – 30.06.2026" in row
        assert "2026-03-01 20:30" not in row and "2026-01-01 –" not in row
        listed = client.get("/reports/export/").content.decode().split('class="job-list"')[1]
        assert f">{shown_at}</time>" in listed and "2026-03-01 20:30" not in listed
        page = client.get(f"/reports/exports/{job.pk}/").content.decode()
        available = page.split('id="export-download"')[1].split("</p>")[0]
        assert shown_until in available
        # "<date> дейін" needed -ға on the date: a label and the date instead.
        assert "дейін" not in available and until.strftime("%Y-%m-%d") not in available


class TestCsvOpensInTheReadersSpreadsheet:
    """Excel splits a CSV by the list separator of Windows' regional settings and reads numbers
    with its decimal sign: ";" and "," in Russia and Kazakhstan. A Kazakh or Russian export is
    written that way (streamed, and by COPY in the background); an English one keeps "," and "."."""

    @staticmethod
    def lines(content: bytes) -> list[str]:
        return content.decode("utf-8-sig").splitlines()

    @pytest.mark.parametrize("language", ["ru", "kk"])
    def test_hours_are_numbers_in_columns_of_their_own(self, world, nora, language, tmp_path) -> None:  # type: ignore[no-untyped-def]
        from reports import services
        from reports.registry import EXPORTS
        from reports.scope import ReportScope

        response = client_for(nora).post(
            "/reports/export/",
            period_query(report="signups", file_format="csv"),
            HTTP_ACCEPT_LANGUAGE=language,
        )
        streamed = self.lines(b"".join(response.streaming_content))  # type: ignore[attr-defined]
        path = tmp_path / "job.csv"
        with translation.override(language):  # as the worker runs a job in its requester's language
            services.export_write(
                export=EXPORTS["signups"],
                scope=ReportScope(user=nora, start=PERIOD[0], end=PERIOD[1]),
                file_format="csv",
                target=str(path),
            )
        for lines in (streamed, self.lines(path.read_bytes())):
            header, *body, totals = lines
            assert len(header.split(";")) == 9, header
            first = body[0].split(";")
            # 15.01.2026 10:00 Almaty, Айгүл's 3.50 hours of "Таза Алматы".
            assert (first[0], first[1], first[8]) == ("2026-01-15 10:00", "Таза Алматы", "3,50")
            assert totals.split(";")[-1] == "20,75"
            assert "." not in "".join(row.split(";")[-1] for row in body)

    def test_an_english_file_keeps_commas_and_points(self, world, nora) -> None:  # type: ignore[no-untyped-def]
        response = client_for(nora).post(
            "/reports/export/", period_query(report="hours", file_format="csv"), HTTP_ACCEPT_LANGUAGE="en"
        )
        header, *_body, totals = self.lines(b"".join(response.streaming_content))  # type: ignore[attr-defined]
        assert header.split(",")[-1] == "Hours"
        assert totals.split(",")[-1] == "20.75"


class TestErasedPeopleInFiles:
    """A person erased at their request keeps their hours and visits in the figures; their rows in
    a file carry the label the pages give them, not an empty name that reads as data lost."""

    @pytest.mark.parametrize("file_format", ["csv", "xlsx"])
    def test_rows_of_an_erased_person_are_labelled_and_still_count(self, world, alice, file_format) -> None:  # type: ignore[no-untyped-def]
        from volunteers.models import Volunteer
        from volunteers.services import volunteer_anonymize

        person = world.almaty_volunteers[0]  # Алматыбекова Айгүл: 3 shifts, 13.50 hours, 2 visits
        volunteer_anonymize(volunteer=person, requested_by=alice)
        with translation.override("kk"):
            label = Volunteer.objects.get(pk=person.pk).full_name  # as her pages name her
        client = client_for(alice)

        def body(report: str) -> list:  # type: ignore[type-arg]
            content = export(client, report=report, file_format=file_format)
            return (read_csv(content) if file_format == "csv" else read_xlsx(content))[1:-1]

        hours = body("hours")
        assert [(int(r[4]), Decimal(str(r[5]))) for r in hours if r[0] == label] == [(3, Decimal("13.5"))]
        signups = body("signups")
        assert sum(Decimal(str(r[8])) for r in signups if r[5] == label) == Decimal("13.5")
        visits = body("visits")
        assert len([r for r in visits if r[9] == label]) == 2
        assert all(r[0] for r in hours) and all(r[5] for r in signups) and all(r[9] for r in visits)


def test_an_iin_keeps_its_leading_zero_in_a_spreadsheet(world, nora) -> None:  # type: ignore[no-untyped-def]
    """Excel reads a CSV cell of digits as a number: "061211600012" showed as 6,12116E+10 and
    lost its zero. In CSV the IIN gets the apostrophe a phone gets; in XLSX it is a string cell."""
    client = client_for(nora, password_confirmed=True)
    person = world.almaty_volunteers[0]
    assert person.iin == "061211600012"
    rows = read_csv(export(client, report="roster", file_format="csv", include_iin="on"))
    assert [r[-1] for r in rows[1:] if r[0] == person.last_name] == ["'061211600012"]
    sheet = sheet_of(export(client, report="roster", file_format="xlsx", include_iin="on"))
    cell = next(r[-1] for r in sheet.iter_rows(min_row=2) if r[0].value == person.last_name)
    assert (cell.value, cell.data_type) == ("061211600012", "s")


def test_totals_of_counts_read_as_counts_in_xlsx(world, nora) -> None:  # type: ignore[no-untyped-def]
    """The totals row shows each number as its column's rows do: sign-ups "10", not "10.00";
    hours with two decimals."""
    sheet = sheet_of(export(client_for(nora), report="summary", file_format="xlsx"))
    header = [c.value for c in sheet[1]]
    first, total = sheet[2], sheet[sheet.max_row]
    for name in ("Жазылулар", "Қатысты", "Сағат"):
        i = header.index(name)
        assert total[i].number_format == first[i].number_format, name
    assert total[header.index("Жазылулар")].number_format == "General"
    assert total[header.index("Сағат")].number_format == "0.00"
