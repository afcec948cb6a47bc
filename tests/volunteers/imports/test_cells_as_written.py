"""Cells as coordinators write them by hand or as other programs export them: the region with
its "г." or "обл.", numbers with a ".0" a web export added, initials for a name, "Имя, отчество"
in one column."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from regions.models import Region
from tests.conftest import client_for
from tests.factories import VolunteerFactory
from volunteers.imports import services
from volunteers.imports.models import ImportBatch, ImportRow
from volunteers.imports.validation import (
    MSG_CELL_ERROR,
    MSG_INITIALS,
    MSG_REGION_SCOPE,
    MSG_REGION_UNKNOWN,
    MSG_TOO_LONG,
    MSG_TWO_PHONES,
)
from volunteers.models import Volunteer

from .files import checked_batch, csv_bytes, upload

pytestmark = pytest.mark.django_db

HEADER = ["ФИО", "Дата рождения", "Телефон", "Регион"]


def _rows(batch: ImportBatch) -> dict[int, ImportRow]:
    return {row.number: row for row in ImportRow.objects.filter(batch=batch)}


def _msgid(message: object) -> str:
    with translation.override(None):
        return str(message)


def _msgids(row: ImportRow, field: str) -> list[str]:
    return [msgid for msgid, _params in row.errors.get(field, [])]


def test_the_region_as_written_with_its_city_or_region_word(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    spellings = ["г. Алматы", "г.Алматы", "Алматы қ.", "город Алматы", "Almaty city", "Алматинская обл."]
    rows = [
        [f"Ахметова{n} Айгуль", "01.02.1990", f"8701123450{n}", region] for n, region in enumerate(spellings)
    ]
    batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([HEADER, *rows], encoding="utf-8"))
    found = _rows(batch)
    # Every one was refused as "Unknown region: write its name as in the list of regions".
    for number in range(2, 7):
        assert found[number].errors == {}, found[number].cells
        assert found[number].values["region_id"] == almaty.pk
    # The region around the city is another region (not Alice's): never read as the city.
    around = found[7]
    assert around.values["region_id"] == Region.objects.get(code="19").pk
    assert _msgids(around, "region") == [_msgid(MSG_REGION_SCOPE)]
    assert _msgid(MSG_REGION_UNKNOWN) not in _msgids(around, "region")


def test_a_phone_and_an_iin_exported_as_numbers_with_a_decimal_zero(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    header = ["ФИО", "Дата рождения", "Телефон", "ИИН"]
    rows = [
        ["Серікова Айгерім", "11.12.2006", "87011234567.0", "61211600012.0"],
        ["Ахметова Айгуль", "01.02.1990", "87011234568,0", ""],
    ]
    batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([header, *rows], encoding="utf-8"))
    found = _rows(batch)
    # Refused: "Enter a phone number such as …" and "The IIN must be exactly 12 digits".
    assert batch.error_rows == 0, {n: r.errors for n, r in found.items()}
    assert (found[2].values["phone"], found[2].values["iin"]) == ("+77011234567", "061211600012")
    assert found[3].values["phone"] == "+77011234568"


def test_initials_for_a_name_are_refused_and_names_in_full_are_not(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    header = ["ФИО", "Дата рождения", "Телефон"]
    rows = [
        ["Иванов И.И.", "01.02.1990", "87011234501"],
        ["Петров П. П.", "01.02.1990", "87011234502"],
        ["Ким Ян", "01.02.1990", "87011234503"],
        ["Ли Ия Сергеевна", "01.02.1990", "87011234504"],
    ]
    batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([header, *rows], encoding="utf-8"))
    found = _rows(batch)
    # "И.И." was imported as the first name.
    assert _msgids(found[2], "full_name") == [_msgid(MSG_INITIALS)]
    assert _msgids(found[3], "full_name") == [_msgid(MSG_INITIALS)]
    assert found[4].errors == {} and found[4].values["first_name"] == "Ян"
    assert found[5].errors == {} and found[5].values["first_name"] == "Ия"
    client = client_for(alice)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("roster:import_preview", args=[batch.pk]), {"show": "errors"})
    assert page.content.decode().count("Initials only: write the name in full") == 2


def test_first_name_and_patronymic_in_one_column_beside_the_last_name(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    header = ["Тегі", "Имя, отчество", "Туған күні", "Телефон", "Ата-анасының аты-жөні", "Е-mail"]
    rows = [
        ["Ахметова", "Айгуль Сериковна", "01.02.1990", "87011234501", "", "a@example.kz"],
        ["Серікова", "Айгерім Нұрлан қызы", "01.02.1990", "87011234502", "", ""],
        ["Петров", "Пётр Ильич", "01.02.1990", "87011234503", "", ""],
        ["Ким", "Ян", "01.02.1990", "87011234504", "", ""],
        ["Омаров", "Ерлан Серікұлы", "01.02.2014", "87011234505", "Омарова Гүл", ""],
    ]
    data = csv_bytes([header, *rows], encoding="utf-8")
    batch = services.batch_upload(by=alice, region=almaty, upload=upload("list.csv", data))
    # "Имя, отчество", the parent's name in Kazakh and "Е-mail" typed with a Cyrillic Е were
    # left unmapped: the file could not even be checked without a first-name column.
    assert batch.mapping == {
        "0": "last_name",
        "1": "first_name",
        "2": "birth_date",
        "3": "phone",
        "4": "guardian_name",
        "5": "email",
    }
    services.batch_map(batch=batch, by=alice, mapping=batch.mapping)
    batch = services.batch_check(batch=batch, by=alice)
    names = {
        row.number: (row.values["last_name"], row.values["first_name"], row.values["middle_name"])
        for row in ImportRow.objects.filter(batch=batch)
    }
    # The patronymic was imported as part of the first name: "Айгуль Сериковна".
    assert names == {
        2: ("Ахметова", "Айгуль", "Сериковна"),
        3: ("Серікова", "Айгерім", "Нұрлан қызы"),
        4: ("Петров", "Пётр", "Ильич"),
        5: ("Ким", "Ян", ""),
        6: ("Омаров", "Ерлан", "Серікұлы"),
    }
    minor = ImportRow.objects.get(batch=batch, number=6)
    assert minor.values["guardian_name"] == "Омарова Гүл"
    assert "guardian_name" not in minor.errors


def test_an_older_volunteers_birth_year_in_two_digits_is_in_the_last_century(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    header = ["ФИО", "Дата рождения", "Телефон"]
    rows = [
        ["Ахметова Айгуль", "05.06.55", "87011234501"],
        ["Петров Пётр", "1.2.60", "87011234502"],
        ["Ким Анна", "12-мар-58", "87011234503"],
        ["Ли Ирина", "05/06/62", "87011234504"],
        ["Омаров Ерлан", "1.2.10", "87011234505"],
    ]
    batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([header, *rows], encoding="utf-8"))
    births = {row.number: row.values["birth_date"] for row in ImportRow.objects.filter(batch=batch)}
    # Read as 2055, 2060, 2058: each refused as a date of birth in the future.
    assert births == {2: "1955-06-05", 3: "1960-02-01", 4: "1958-03-12", 5: "1962-06-05", 6: "2010-02-01"}
    assert not any("birth_date" in row.errors for row in ImportRow.objects.filter(batch=batch, number__lt=6))


def test_dates_written_month_first_by_an_american_locale_are_read_so(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    header = ["Full name", "Date of birth", "Phone"]
    rows = [
        ["Ахметова Айгуль", "2/1/1990", "87011234501"],
        ["Петров Пётр", "12/25/1991", "87011234502"],
        ["Ким Анна", "3/4/1992", "87011234503"],
    ]
    batch = checked_batch(
        by=alice, region=almaty, rows=csv_bytes([header, *rows], delimiter=",", encoding="utf-8")
    )
    births = {row.number: row.values["birth_date"] for row in ImportRow.objects.filter(batch=batch)}
    # Read day first: the 2nd of January, an error ("write dd.mm.yyyy"), the 3rd of April.
    assert births == {2: "1990-02-01", 3: "1991-12-25", 4: "1992-03-04"}

    # A file written day first, with slashes, stays day first.
    rows = [["Ахметова Айгуль", "2/1/1990", "87011234501"], ["Петров Пётр", "25/12/1991", "87011234502"]]
    batch = checked_batch(
        by=alice, region=almaty, rows=csv_bytes([header, *rows], delimiter=",", encoding="utf-8")
    )
    births = {row.number: row.values["birth_date"] for row in ImportRow.objects.filter(batch=batch)}
    assert births == {2: "1990-01-02", 3: "1991-12-25"}


def test_siblings_with_their_parents_phone_are_neither_each_others_nor_the_parents_duplicates(  # type: ignore[no-untyped-def]
    alice, almaty
) -> None:
    parent = VolunteerFactory(
        region=almaty, phone="+77011234500", email="", last_name="Омарова", first_name="Гүл"
    )
    header = ["ФИО", "Дата рождения", "Телефон", "ФИО родителя", "Телефон родителя", "Кем приходится"]
    rows = [
        ["Омаров Ерлан", "01.02.2012", "87011234500", "Омарова Гүл", "87011234500", "мать"],
        ["Омарова Айша", "05.06.2013", "87011234500", "Омарова Гүл", "87011234500", "мать"],
        ["Омаров Ерлан", "01.02.2012", "87011234500", "Омарова Гүл", "87011234500", "мать"],
    ]
    batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([header, *rows], encoding="utf-8"))
    found = _rows(batch)
    assert batch.error_rows == 0, {n: r.errors for n, r in found.items()}
    # Both children were "on the roster: same phone" as their mother, skipped by default.
    assert (found[2].duplicate_reason, found[3].duplicate_reason) == ("", "")
    # The same child twice is still one person.
    assert (found[4].same_as_row, found[4].duplicate_reason) == (2, "person")
    batch = services.batch_start_import(
        batch=batch, by=alice, consent_confirmed=True, consent_date=datetime.date(2025, 9, 1)
    )
    assert (batch.created_count, batch.skipped_count) == (2, 1)
    children = Volunteer.objects.filter(region=almaty, guardian_phone="+77011234500").exclude(pk=parent.pk)
    assert sorted(children.values_list("first_name", flat=True)) == ["Айша", "Ерлан"]


def test_a_formulas_error_value_is_said_and_not_imported_as_text(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    header = ["Фамилия", "Имя", "Отчество", "Дата рождения", "Телефон", "Населённый пункт"]
    rows = [
        ["Ахметова", "Айгуль", "#N/A", "01.02.1990", "87011234501", "#REF!"],
        ["Петров", "Пётр", "", "01.02.1990", "87011234502", "Алматы"],
    ]
    batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([header, *rows], encoding="utf-8"))
    found = _rows(batch)
    # Imported as the patronymic "#N/A" from the locality "#REF!", without a word.
    assert found[2].errors == {
        "middle_name": [[_msgid(MSG_CELL_ERROR), {"value": "#N/A"}]],
        "locality": [[_msgid(MSG_CELL_ERROR), {"value": "#REF!"}]],
    }
    assert found[3].errors == {}
    client = client_for(alice)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("roster:import_preview", args=[batch.pk])).content.decode()
    assert "The spreadsheet shows an error in this cell (#REF!)" in page


def test_an_e_mail_longer_than_the_roster_keeps_is_refused_on_its_row(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    header = ["ФИО", "Дата рождения", "Телефон", "Email"]
    long_email = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".kz"
    rows = [
        ["Ахметова Айгуль", "01.02.1990", "87011234501", long_email],
        ["Петров Пётр", "01.02.1990", "87011234502", "petrov@example.kz"],
    ]
    batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([header, *rows], encoding="utf-8"))
    # The whole file "could not be processed": the row's e-mail did not fit its column.
    assert batch.status == ImportBatch.Status.VALIDATED
    found = _rows(batch)
    assert _msgids(found[2], "email") == [_msgid(MSG_TOO_LONG)]
    assert found[3].errors == {}


def test_invisible_marks_pasted_with_a_name_or_a_number_are_dropped(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    known = VolunteerFactory(
        region=almaty,
        last_name="Иванов",
        first_name="Иван",
        middle_name="",
        birth_date=datetime.date(1990, 2, 1),
        phone="",
        email="",
        iin=None,
    )
    header = ["\ufeffФИО", "Дата рождения", "Телефон", "ИИН"]
    rows = [
        ["\u200bИванов Иван", "01.02.1990", "", ""],
        ["Серікова Ай\u00adгерім", "11.12.2006", "\u202a+7 701 123 4567\u202c", "\u202a061211600012\u202c"],
    ]
    batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([header, *rows], encoding="utf-8"))
    found = _rows(batch)
    # "\u200bИванов" was another person than the roster's Иванов, and the IIN "not 12 digits".
    assert batch.error_rows == 0, {n: r.errors for n, r in found.items()}
    assert (found[2].existing_id, found[2].duplicate_reason) == (known.pk, "person")
    assert found[2].values["last_name"] == "Иванов"
    assert (found[3].values["first_name"], found[3].values["iin"]) == ("Айгерім", "061211600012")


def test_two_phones_with_only_a_space_between_them_are_said_to_be_two(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    header = ["ФИО", "Дата рождения", "Телефон"]
    rows = [
        ["Ахметова Айгуль", "01.02.1990", "8 701 123 45 67 8 777 765 43 21"],
        ["Петров Пётр", "01.02.1990", "87011234568 +77777654322"],
        ["Ким Анна", "01.02.1990", "8 701 123 45"],
    ]
    batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([header, *rows], encoding="utf-8"))
    found = _rows(batch)
    # Told only "Enter a phone number such as +7 701 123 45 67 or 8 701 123 45 67".
    assert _msgids(found[2], "phone") == [_msgid(MSG_TWO_PHONES)]
    assert _msgids(found[3], "phone") == [_msgid(MSG_TWO_PHONES)]
    assert _msgids(found[4], "phone") != [_msgid(MSG_TWO_PHONES)] and "phone" in found[4].errors
