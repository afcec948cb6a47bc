"""The import itself: one transaction per batch, its report, the history and the audit trail,
the paper consent, duplicates as chosen, and a file imported twice adding nobody."""

from __future__ import annotations

import datetime
import io
import os

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext
from openpyxl import load_workbook

from accounts.models import AuditEntry
from tests.conftest import client_for
from tests.factories import SkillFactory, VolunteerFactory
from volunteers.imports import services
from volunteers.imports.mapping import auto_mapping
from volunteers.imports.models import DuplicateChoice, ImportBatch, ImportRow
from volunteers.models import ConsentMethod, PossibleDuplicate, Volunteer, VolunteerChange

from .files import HEADER_RU, checked_batch, csv_bytes, person_row, upload

pytestmark = pytest.mark.django_db


def _checked(user, region, rows, *, name="list.csv", header=HEADER_RU) -> ImportBatch:  # type: ignore[no-untyped-def]
    data = csv_bytes([header, *rows], encoding="utf-8")
    batch = services.batch_upload(by=user, region=region, upload=upload(name, data))
    services.batch_map(batch=batch, by=user, mapping=batch.mapping)
    return services.batch_check(batch=batch, by=user)


def _import(batch: ImportBatch, user) -> ImportBatch:  # type: ignore[no-untyped-def]
    return services.batch_start_import(
        batch=batch, by=user, consent_confirmed=True, consent_date=datetime.date(2025, 9, 1)
    )


def test_import_creates_people_with_history_audit_and_paper_consent(  # type: ignore[no-untyped-def]
    alice, almaty, tmp_path, django_capture_on_commit_callbacks
) -> None:
    rows = [person_row(n) for n in range(1, 4)] + [["", "01.01.1990", "", "", "", ""]]
    batch = _checked(alice, almaty, rows, name="Волонтёры 2025.csv")
    file_path = batch.file_path
    with django_capture_on_commit_callbacks(execute=True):
        batch = _import(batch, alice)
    assert batch.status == ImportBatch.Status.DONE
    assert (batch.created_count, batch.updated_count, batch.skipped_count, batch.failed_count) == (3, 0, 0, 1)
    people = Volunteer.objects.filter(last_name__startswith="Ахметова").order_by("last_name")
    assert people.count() == 3
    first = people[0]
    assert (first.first_name, first.middle_name, first.phone) == ("Айгуль", "Сериковна", "+77010000001")
    assert first.region == almaty and first.birth_year == first.birth_date.year
    assert first.consent_method == ConsentMethod.IMPORTED
    assert first.consent_source == "Волонтёры 2025.csv, 01.09.2025"
    assert first.consent_at is not None
    # Findable by the roster's search, whose columns bulk inserts fill themselves.
    assert "ахметова1" in first.search_text
    change = VolunteerChange.objects.get(volunteer=first)
    assert change.action == VolunteerChange.Action.IMPORT and change.changed_by == alice
    assert change.fields == ["imported"]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.IMPORTED)
    assert (entry.actor, entry.rows, entry.region_code) == (alice, 3, almaty.code)
    assert entry.detail["file"] == "Волонтёры 2025.csv" and entry.detail["failed"] == 1
    # The coordinator sees where the consent comes from on the person's page.
    page = client_for(alice).get(reverse("roster:detail", args=[first.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert (
        "Paper consent held by the region (imported list): Волонтёры 2025.csv, 01.09.2025"
        in page.content.decode()
    )
    # The uploaded file is gone once the import has committed.
    assert batch.file_path == "" and not os.path.exists(file_path)


def test_a_failed_batch_leaves_nothing_written(alice, almaty, monkeypatch, settings) -> None:  # type: ignore[no-untyped-def]
    settings.IMPORT_ASYNC_ROWS = 10**9  # in this process, so that the failure is seen here
    rows = [person_row(n) for n in range(1, 2500)]
    batch = _checked(alice, almaty, rows)
    before = (Volunteer.objects.count(), VolunteerChange.objects.count(), AuditEntry.objects.count())
    calls = {"n": 0}
    original = VolunteerChange.objects.bulk_create

    def failing_second_chunk(objs, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:  # the first thousand people are written by then
            raise RuntimeError("the database went away")
        return original(objs, *args, **kwargs)

    monkeypatch.setattr(VolunteerChange.objects, "bulk_create", failing_second_chunk)
    with pytest.raises(RuntimeError):
        _import(batch, alice)
    assert calls["n"] == 2
    assert (Volunteer.objects.count(), VolunteerChange.objects.count(), AuditEntry.objects.count()) == before
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert not ImportRow.objects.filter(batch=batch).exclude(outcome="").exists()


def test_the_same_file_twice_creates_nothing_the_second_time(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    rows = [person_row(n) for n in range(1, 6)] + [["Тас Бек", "01.01.1995", "", "", "", ""]]
    _import(_checked(alice, almaty, rows), alice)
    count = Volunteer.objects.count()
    again = _checked(alice, almaty, rows)
    assert again.duplicate_rows == 6
    assert services.earlier_import_of(again) is not None
    again = _import(again, alice)
    assert (again.created_count, again.skipped_count) == (0, 6)
    assert Volunteer.objects.count() == count


def test_duplicate_choices_fill_empty_fields_or_create_anyway(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    SkillFactory(code="driving", name_ru="Вождение")
    lacking = VolunteerFactory(region=almaty, phone="+77017770011", email="", locality="")
    twin = VolunteerFactory(region=almaty, phone="+77017770022", email="twin@example.kz")
    header = ["ФИО", "Дата рождения", "Телефон", "Email", "Населённый пункт", "Навыки"]
    rows = [
        ["Сейтов Арман", "01.01.1990", "8 701 777 00 11", "arman@example.kz", "Қаскелең", "Вождение"],
        ["Другой Человек", "01.01.1991", "8 701 777 00 22", "", "", ""],
        ["Сейтов Арман", "01.01.1990", "8 701 777 00 11", "", "", ""],
    ]
    batch = _checked(alice, almaty, rows, header=header)
    services.batch_choose(batch=batch, by=alice, for_all=DuplicateChoice.FILL)
    services.batch_choose(batch=batch, by=alice, rows={3: DuplicateChoice.CREATE, 4: DuplicateChoice.SKIP})
    batch = _import(batch, alice)
    assert (batch.created_count, batch.updated_count, batch.skipped_count) == (1, 1, 1)
    lacking.refresh_from_db()
    # Filled where empty, the name on file kept.
    assert (lacking.email, lacking.locality) == ("arman@example.kz", "Қаскелең")
    assert lacking.last_name.startswith("Ахметов")
    assert list(lacking.skills.values_list("code", flat=True)) == ["driving"]
    assert VolunteerChange.objects.filter(volunteer=lacking, action="import").get().fields == [
        "email",
        "locality",
        "skills",
    ]
    created = Volunteer.objects.get(last_name="Другой")
    assert PossibleDuplicate.objects.filter(volunteer=created, existing=twin).exists()


def test_report_lists_every_row_with_an_error_column_and_text_only_cells(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    rows = [person_row(1), ["=1+2", "31.02.1990", "", "", "", "@SUM(A1)"]]
    batch = _import(_checked(alice, almaty, rows), alice)
    response = client_for(alice).get(
        reverse("roster:import_report", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="ru"
    )
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == "Строка" and values[0][-2:] == ["Результат", "Ошибки"]
    with translation.override("ru"):
        # A row's own word, not the column name «дата создания» that shares the English "created".
        assert values[1][-2] == pgettext("import row result", "created") != gettext("created")
        assert values[2][-2] == pgettext("import row result", "failed")
    assert values[2][1] == "=1+2" and ws.cell(row=3, column=2).data_type == "s"
    assert "дд.мм.гггг" in values[2][-1]


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_template_headers_are_recognised_by_the_mapping(alice, language: str) -> None:  # type: ignore[no-untyped-def]
    response = client_for(alice).get(reverse("roster:import_template", args=[language]))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    headers = [c.value for c in next(ws.iter_rows())]
    assert len(auto_mapping(headers)) == len(headers)


def test_old_uploads_are_cleaned_up(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    batch = _checked(alice, almaty, [person_row(1)])
    path = batch.file_path
    assert services.batches_clean_up() == 0
    cleaned = services.batches_clean_up(now=timezone.now() + datetime.timedelta(hours=25))
    assert cleaned == 1
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.EXPIRED and batch.file_path == ""
    assert not ImportRow.objects.filter(batch=batch).exists()
    assert not os.path.exists(path)


def test_a_file_no_batch_names_is_deleted_once_old(alice, almaty, settings) -> None:  # type: ignore[no-untyped-def]
    # A worker stopped between the import's commit and the file's deletion leaves such a file.
    batch = _checked(alice, almaty, [person_row(1)])
    kept = batch.file_path
    folder = settings.IMPORT_DIR
    left = os.path.join(folder, "left-behind.csv")
    with open(left, "w") as f:
        f.write("Фамилия;Имя\n")
    day_ago = timezone.now().timestamp() - 25 * 3600
    os.utime(left, (day_ago, day_ago))
    os.utime(kept, (day_ago, day_ago))
    just_written = os.path.join(folder, "uploading.csv")
    with open(just_written, "w") as f:
        f.write("Фамилия;Имя\n")
    assert services.batches_clean_up() == 0
    assert not os.path.exists(left)
    # Recent, or named by a batch still waiting to be imported (however old the file): kept.
    assert os.path.exists(just_written) and os.path.exists(kept)


def test_a_person_registered_between_preview_and_import_is_not_added_twice(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    batch = _checked(alice, almaty, [person_row(1), person_row(2)])
    assert batch.duplicate_rows == 0
    VolunteerFactory(region=almaty, phone="+77010000002", email="")
    batch = _import(batch, alice)
    assert (batch.created_count, batch.skipped_count) == (1, 1)
    assert Volunteer.objects.filter(phone="+77010000002").count() == 1


def test_a_record_of_another_region_is_neither_shown_nor_written_but_flagged(alice, almaty, astana) -> None:  # type: ignore[no-untyped-def]
    """An Almaty coordinator's list repeats an Astana volunteer's phone, and another one's IIN:
    the preview shows no match (that the phone is on file elsewhere is not theirs to learn),
    "fill empty fields" writes nothing in Astana, the rows become new Almaty records, the IIN
    stays with its holder, and staff see both pairs as possible duplicates."""
    from tests.volunteers.imports.files import make_iin

    birth = datetime.date(1985, 3, 4)
    elsewhere = VolunteerFactory(region=astana, phone="+77017770033", email="", locality="")
    holder = VolunteerFactory(region=astana, birth_date=birth, iin=make_iin(birth, 7), phone="+77017770044")
    rows = [
        ["Сейтов Арман", "01.01.1990", "8 701 777 00 33", "arman@example.kz", "", "Қаскелең"],
        ["Нурова Дана", birth.strftime("%d.%m.%Y"), "", "dana@example.kz", make_iin(birth, 7), "Алматы"],
    ]
    batch = _checked(alice, almaty, rows)
    assert batch.duplicate_rows == 0
    assert not ImportRow.objects.filter(batch=batch).exclude(duplicate_reason="").exists()
    services.batch_choose(batch=batch, by=alice, for_all=DuplicateChoice.FILL)
    batch = _import(batch, alice)
    assert (batch.created_count, batch.updated_count, batch.failed_count) == (2, 0, 0)
    elsewhere.refresh_from_db()
    assert (elsewhere.email, elsewhere.locality) == ("", "")
    assert not VolunteerChange.objects.filter(volunteer=elsewhere, action="import").exists()
    arman = Volunteer.objects.get(last_name="Сейтов")
    dana = Volunteer.objects.get(last_name="Нурова")
    assert arman.region == almaty and dana.region == almaty
    assert dana.iin is None and Volunteer.objects.get(pk=holder.pk).iin == make_iin(birth, 7)
    assert PossibleDuplicate.objects.filter(volunteer=arman, existing=elsewhere).exists()
    assert PossibleDuplicate.objects.filter(volunteer=dana, existing=holder).exists()


def test_an_email_of_another_region_in_other_letters_case_is_flagged(alice, almaty, astana) -> None:  # type: ignore[no-untyped-def]
    """The e-mail of an Astana volunteer, written in capitals in an Almaty list: a new Almaty
    record, flagged as a possible duplicate of the Astana one, as the phone is."""
    elsewhere = VolunteerFactory(region=astana, phone="", email="Arman.Seitov@Example.kz")
    rows = [["Сейтов Арман", "01.01.1990", "", "ARMAN.SEITOV@EXAMPLE.KZ", "", "Қаскелең"]]
    batch = _import(_checked(alice, almaty, rows), alice)
    assert batch.created_count == 1
    arman = Volunteer.objects.get(last_name="Сейтов")
    assert PossibleDuplicate.objects.filter(volunteer=arman, existing=elsewhere).exists()


def test_control_characters_are_dropped_and_the_report_opens(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    """A name with \\x01 in it, or a NUL far into the file (past the sample read to tell a
    spreadsheet from a binary), made the report a 500: a spreadsheet cannot hold them."""
    padding = [person_row(n) for n in range(2, 1400)]  # ~100 KB before the bad row
    bad = person_row(1)
    bad[0] = "Ахметова\x01 Айгуль\x00 Сериковна\x1b"
    batch = _import(_checked(alice, almaty, [*padding, bad]), alice)
    assert batch.status == ImportBatch.Status.DONE
    assert Volunteer.objects.filter(last_name="Ахметова", first_name="Айгуль").exists()
    response = client_for(alice).get(reverse("roster:import_report", args=[batch.pk]))
    assert response.status_code == 200
    cells = [c.value for row in load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in row]
    assert "Ахметова Айгуль Сериковна" in cells


def test_a_file_wider_than_any_roster_is_refused_on_upload(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    header = ["Фамилия", "Имя", *[f"c{i}" for i in range(services.MAX_COLUMNS)]]
    response = client_for(alice).post(
        reverse("roster:import"),
        {"region": almaty.pk, "file": upload("wide.csv", csv_bytes([header, ["А", "Б"]], encoding="utf-8"))},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert f"The file has {services.MAX_COLUMNS + 2} columns; at most {services.MAX_COLUMNS}" in (
        response.content.decode()
    )
    assert not ImportBatch.objects.exists()


def test_another_regions_import_of_the_same_file_is_not_told(alice, almaty, charlie, astana) -> None:  # type: ignore[no-untyped-def]
    data = csv_bytes([HEADER_RU, person_row(1)], encoding="utf-8")
    _import(checked_batch(by=alice, region=almaty, rows=data), alice)
    theirs = checked_batch(by=charlie, region=astana, rows=data)
    # "This file was already imported on …: its people are on the roster, so its rows are
    # duplicates": none is a duplicate for Astana, and Almaty's list is not Astana's to learn of.
    page = client_for(charlie).get(reverse("roster:import_preview", args=[theirs.pk])).content.decode()
    assert theirs.duplicate_rows == 0
    assert 'id="import-earlier"' not in page
    again = checked_batch(by=alice, region=almaty, rows=data)
    page = client_for(alice).get(reverse("roster:import_preview", args=[again.pk])).content.decode()
    assert 'id="import-earlier"' in page


def test_two_rows_with_one_iin_created_anyway_make_one_record_with_it_and_a_flag(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    # Each row is on the roster by its phone, so neither is the other's repeat in the preview.
    VolunteerFactory(region=almaty, phone="+77010000001", email="")
    VolunteerFactory(region=almaty, phone="+77010000002", email="")
    first, second = person_row(1), person_row(2)
    second[1], second[4] = first[1], first[4]
    batch = _checked(alice, almaty, [first, second])
    assert [row.duplicate_reason for row in ImportRow.objects.filter(batch=batch).order_by("number")] == [
        "phone",
        "phone",
    ]
    services.batch_choose(batch=batch, by=alice, for_all=DuplicateChoice.CREATE)
    # The IIN's unique index failed the whole import, every time it was tried.
    batch = _import(batch, alice)
    assert (batch.status, batch.created_count) == (ImportBatch.Status.DONE, 2)
    made = Volunteer.objects.filter(last_name__in=["Ахметова1", "Ахметова2"]).order_by("last_name")
    assert [v.iin for v in made] == [first[4], None]
    assert PossibleDuplicate.objects.filter(volunteer=made[1]).exists()


def test_filling_a_record_with_an_iin_another_region_holds_fills_the_rest_and_flags_it(  # type: ignore[no-untyped-def]
    alice, almaty, astana
) -> None:
    row = person_row(1)
    kept = VolunteerFactory(
        region=almaty,
        phone="+77010000001",
        email="",
        iin=None,
        birth_date=datetime.date(1970, 1, 2),
        locality="",
    )
    holder = VolunteerFactory(
        region=astana, phone="+77770000001", email="", iin=row[4], birth_date=datetime.date(1970, 1, 2)
    )
    batch = _checked(alice, almaty, [row])
    services.batch_choose(batch=batch, by=alice, for_all=DuplicateChoice.FILL)
    # The IIN's unique index failed the whole import, every time it was tried.
    batch = _import(batch, alice)
    assert (batch.status, batch.updated_count) == (ImportBatch.Status.DONE, 1)
    kept.refresh_from_db()
    assert kept.iin is None and kept.locality == "Алматы" and kept.email == "person1@example.kz"
    assert PossibleDuplicate.objects.filter(volunteer=kept, existing=holder).exists() or (
        PossibleDuplicate.objects.filter(volunteer=holder, existing=kept).exists()
    )


def test_a_failed_fill_is_told_in_the_readers_language_not_the_importers(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    # On file with SMS as the channel and no phone: filled, the record breaks its own rules.
    kept = VolunteerFactory(region=almaty, phone="", email="arman@example.kz", locality="")
    Volunteer.objects.filter(pk=kept.pk).update(preferred_channel="sms")
    header = ["ФИО", "Дата рождения", "Email", "Населённый пункт"]
    rows = [["Сейтов Арман", "01.01.1990", "arman@example.kz", "Қаскелең"]]
    with translation.override("ru"):
        batch = _checked(alice, almaty, rows, header=header)
        services.batch_choose(batch=batch, by=alice, for_all=DuplicateChoice.FILL)
        batch = _import(batch, alice)
    assert batch.failed_count == 1
    kept.refresh_from_db()
    assert kept.locality == ""
    row = ImportRow.objects.get(batch=batch)
    assert row.errors == {"phone": [["Enter a mobile number: SMS is the chosen channel for messages.", {}]]}
    client = client_for(alice)
    client.cookies["django_language"] = "kk"
    page = client.get(reverse("roster:import_preview", args=[batch.pk])).content.decode()
    with translation.override("kk"):
        said = gettext("Enter a mobile number: SMS is the chosen channel for messages.")
    assert said in page and "Введите номер" not in page


def test_an_error_stored_in_russian_by_an_earlier_version_reads_in_kazakh(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    batch = _import(_checked(alice, almaty, [person_row(1)]), alice)
    with translation.override("ru"):
        russian = gettext("Enter a mobile number: SMS is the chosen channel for messages.")
    ImportRow.objects.filter(batch=batch).update(outcome="failed", errors={"": [[russian, {}]]})
    client = client_for(alice)
    client.cookies["django_language"] = "kk"
    page = client.get(reverse("roster:import_preview", args=[batch.pk])).content.decode()
    with translation.override("kk"):
        assert gettext("Enter a mobile number: SMS is the chosen channel for messages.") in page
    assert russian not in page
