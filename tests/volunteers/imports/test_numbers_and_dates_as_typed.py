"""What Excel does to a CSV's long numbers, and dates typed with the month's name."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import translation
from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from volunteers.imports.models import ImportRow
from volunteers.imports.validation import error_text, parse_date

from .files import HEADER_RU, checked_batch, csv_bytes, person_row

pytestmark = pytest.mark.django_db


def test_numbers_excel_saved_in_exponent_form_say_what_happened(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    """A 12-digit IIN in a General column is shown, and saved to CSV, as 6,11111E+11."""
    row = person_row(1)
    row[2], row[4] = "7,01E+10", "7,00102E+11"
    batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([HEADER_RU, row]))
    stored = ImportRow.objects.get(batch=batch)
    assert set(stored.errors) == {"phone", "iin"}
    with translation.override("en"):
        texts = {name: [error_text(e) for e in errors] for name, errors in stored.errors.items()}
    # It was "The IIN must be exactly 12 digits." and "Enter a phone number such as …", on a
    # number the coordinator sees whole in the spreadsheet.
    assert len(texts["iin"]) == 1 and "7,00102E+11" in texts["iin"][0] and ".xlsx" in texts["iin"][0]
    assert len(texts["phone"]) == 1 and "7,01E+10" in texts["phone"][0]
    assert stored.values["phone"] == "" and stored.values["iin"] == ""


def test_numbers_typed_as_numbers_are_still_read(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    row = person_row(1, birth=datetime.date(2001, 2, 3))
    row[2] = "87011234567"
    row[4] = row[4].lstrip("0")  # the IIN of someone born in 2001 loses its leading zero
    batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([HEADER_RU, row]))
    stored = ImportRow.objects.get(batch=batch)
    assert stored.errors == {}
    assert stored.values["phone"] == "+77011234567" and len(stored.values["iin"]) == 12


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 февраля 2010", datetime.date(2010, 2, 1)),
        ("1 февраля 2010 г.", datetime.date(2010, 2, 1)),
        ("01.02.2010г", datetime.date(2010, 2, 1)),
        ("01-фев-2010", datetime.date(2010, 2, 1)),  # Russian Excel's ДД-МММ-ГГГГ
        ("3 мая 2001", datetime.date(2001, 5, 3)),
        ("1 марта 2001", datetime.date(2001, 3, 1)),
        ("12 ақпан 2010", datetime.date(2010, 2, 12)),
        ("3 мамыр 2001 ж.", datetime.date(2001, 5, 3)),
        ("5 Маусым 2001", datetime.date(2001, 6, 5)),
        ("1 Feb 2010", datetime.date(2010, 2, 1)),
        ("1.2.2010", datetime.date(2010, 2, 1)),
        ("01/02/2010", datetime.date(2010, 2, 1)),
        ("2010-02-01", datetime.date(2010, 2, 1)),
        ("2010-02-01T00:00:00", datetime.date(2010, 2, 1)),
        ("01.02.2010 Г.", datetime.date(2010, 2, 1)),
    ],
)
def test_dates_written_as_people_write_them(text: str, expected: datetime.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["29 февраля 2001", "1 абв 2010", "февраль"])
def test_a_named_month_that_is_no_date_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


def test_a_birth_year_alone_takes_the_day_from_the_iin_or_says_what_is_missing(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    """A "Год рождения" column mapped as the date of birth: 1990 was taken for Excel's day 1990,
    12.06.1905, and every row was told the person would be over 110."""
    birth = datetime.date(1990, 5, 7)
    with_iin, without, typed = person_row(1, birth=birth), person_row(2), person_row(3)
    with_iin[1], without[1], typed[1] = "1990", "1991", "1992 г."
    without[4] = typed[4] = ""
    batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([HEADER_RU, with_iin, without, typed]))
    first, second, third = ImportRow.objects.filter(batch=batch).order_by("number")
    assert first.errors == {} and first.values["birth_date"] == "1990-05-07"
    with translation.override("en"):
        assert [error_text(e) for e in second.errors["birth_date"]] == [
            "Only the year (1991) is given: write the whole date of birth, for example 25.03.2004."
        ]
        assert "1992" in error_text(third.errors["birth_date"][0])


def test_a_year_that_is_not_the_iins_is_refused(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    row = person_row(1, birth=datetime.date(1990, 5, 7))
    row[1] = "1989"
    batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([HEADER_RU, row]))
    stored = ImportRow.objects.get(batch=batch)
    assert "birth_date" in stored.errors and stored.values["birth_date"] == ""


def test_day_numbers_are_still_dates() -> None:
    assert parse_date("32874") == datetime.date(1990, 1, 1) == parse_date(32874.0)


@pytest.mark.parametrize("header", ["Год рождения", "Туған жылы", "Year of birth"])
def test_a_birth_year_column_is_mapped_as_the_date_of_birth(header: str) -> None:
    from volunteers.imports.mapping import guess_field

    assert guess_field(header) == "birth_date"


@pytest.mark.parametrize(
    "cell", ["8 701 123 45 67, 8 777 765 43 21", "87011234567/87777654321", "+77011234567 и 87777654321"]
)
def test_two_phones_in_one_cell_say_so(alice, almaty, cell: str) -> None:  # type: ignore[no-untyped-def]
    row = person_row(1)
    row[2] = cell
    batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([HEADER_RU, row], encoding="utf-8"))
    stored = ImportRow.objects.get(batch=batch)
    with translation.override("en"):
        # It was "Enter a phone number such as +7 701 123 45 67 or 8 701 123 45 67."
        assert [error_text(e) for e in stored.errors["phone"]] == [
            "Two numbers in one cell: keep one here, the person's own mobile. "
            "A parent's number goes in the guardian's phone column."
        ]


def test_a_phone_written_with_separators_is_one_phone(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    row = person_row(1)
    row[2] = "8 (701) 123-45-67"
    batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([HEADER_RU, row]))
    assert ImportRow.objects.get(batch=batch).values["phone"] == "+77011234567"


def test_a_workbook_in_the_1904_date_system_gives_the_dates_it_shows(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    """Old Mac Excel counts days from 1904: a birth date kept as a number there (a General
    column) was read four years and a day early."""
    workbook = Workbook()
    workbook.epoch = CALENDAR_MAC_1904
    ws = workbook.active
    ws.append(HEADER_RU)
    as_number = person_row(1, birth=datetime.date(1990, 5, 17))
    # 17.05.1990 is day 31 548 counted from 01.01.1904 (day 33 010 from 30.12.1899).
    as_number[1] = 31548
    as_date = person_row(2, birth=datetime.date(1985, 11, 3))
    as_date[1] = datetime.date(1985, 11, 3)
    ws.append(as_number)
    ws.append(as_date)
    out = io.BytesIO()
    workbook.save(out)
    batch = checked_batch(by=alice, region=almaty, rows=out.getvalue(), name="mac.xlsx")
    rows = {row.number: row for row in ImportRow.objects.filter(batch=batch)}
    assert rows[2].errors == {} and rows[2].values["birth_date"] == "1990-05-17"
    assert rows[3].errors == {} and rows[3].values["birth_date"] == "1985-11-03"


def test_a_day_number_in_a_csv_still_counts_from_1900(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    row = person_row(1, birth=datetime.date(1990, 5, 17))
    row[1] = "33010"  # 17.05.1990 in Windows Excel's count
    batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([HEADER_RU, row]))
    stored = ImportRow.objects.get(batch=batch)
    assert stored.errors == {} and stored.values["birth_date"] == "1990-05-17"
