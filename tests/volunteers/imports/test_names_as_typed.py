"""Names as lists have them: Kazakh letters, and Latin letters that look like Cyrillic ones typed
into a Cyrillic name (a Latin i for і on a keyboard without the Kazakh layout)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from tests.factories import VolunteerFactory
from volunteers.imports.models import ImportRow
from volunteers.imports.validation import MSG_LOST_LETTERS, from_capitals, one_script

from .files import HEADER_RU, checked_batch, csv_bytes

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Әлiбеков", "Әлібеков"),  # Latin i
        ("Eрлан Cерікұлы", "Ерлан Серікұлы"),  # Latin E and C
        ("Шаhизада", "Шаһизада"),  # Latin h for һ
        ("Ivanov", "Ivanov"),  # a Latin name stays Latin
        ("John Смит", "John Смит"),
        ("Сәрсенбаев Ғалым Құдайбергенұлы", "Сәрсенбаев Ғалым Құдайбергенұлы"),
        ("Иванoвqа", "Иванoвqа"),  # a Latin letter with no Cyrillic twin: left as written
    ],
)
def test_latin_look_alikes_in_a_cyrillic_name_become_cyrillic(typed: str, kept: str) -> None:
    assert one_script(typed) == kept


def test_a_name_typed_with_latin_look_alikes_is_found_on_the_roster(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    birth = datetime.date(1990, 1, 1)
    on_file = VolunteerFactory(
        region=almaty,
        last_name="Әлібеков",
        first_name="Ерлан",
        middle_name="",
        birth_date=birth,
        phone="",
        email="",
    )
    row = ["Әлiбеков Eрлан", "01.01.1990", "", "", "", ""]
    batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([HEADER_RU, row], encoding="utf-8"))
    stored = ImportRow.objects.get(batch=batch)
    assert (stored.values["last_name"], stored.values["first_name"]) == ("Әлібеков", "Ерлан")
    # It was taken for a new person, with a name no search in Cyrillic finds.
    assert stored.existing_id == on_file.pk and stored.duplicate_reason == "person"


def test_kazakh_letters_lost_as_question_marks_in_a_cp1251_csv_are_refused_with_the_way_out(
    alice, almaty
) -> None:  # type: ignore[no-untyped-def]
    """Russian-locale Excel's "CSV (разделители — запятые)" is Windows-1251, which has no ә, ғ, қ,
    ң, ө, ұ, ү, һ: it writes "?" for them."""
    rows = [
        HEADER_RU,
        ["Сәрсенбаев Ғалым Құдайбергенұлы", "01.02.1990", "", "", "", "Қарағанды"],
        ["Иванова Анна Петровна", "01.02.1990", "", "", "", "Алматы"],
    ]
    text = "\r\n".join(";".join(row) for row in rows) + "\r\n"
    data = text.encode("cp1251", errors="replace")
    assert "С?рсенбаев ?алым ??дайберген?лы" in data.decode("cp1251")
    batch = checked_batch(by=alice, region=almaty, rows=data)
    lost, kept = ImportRow.objects.filter(batch=batch).order_by("number")
    # It was imported as "С?рсенбаев ?алым" of "?ара?анды", without a word.
    assert set(lost.errors) == {"full_name", "locality"}
    with translation.override(None):
        assert [e[0] for e in lost.errors["full_name"]] == [str(MSG_LOST_LETTERS)]
    assert kept.errors == {}


def test_surname_and_name_columns_in_english(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    header = ["Surname", "Name", "Date of birth", "Phone"]
    row = ["Ivanov", "Ivan", "01.01.1990", "87011234567"]
    batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([header, row], encoding="utf-8"))
    assert batch.mapping == {"0": "last_name", "1": "first_name", "2": "birth_date", "3": "phone"}
    stored = ImportRow.objects.get(batch=batch)
    # "Name" was taken for the full name, and every row refused for want of a first name.
    assert stored.errors == {} and stored.values["first_name"] == "Ivan"


def test_name_alone_is_still_the_full_name() -> None:
    from volunteers.imports.mapping import auto_mapping

    assert auto_mapping(["Name", "Phone"]) == {"0": "full_name", "1": "phone"}


def test_a_name_the_encoding_could_not_read_is_refused_not_imported(alice, almaty, settings) -> None:  # type: ignore[no-untyped-def]
    """A Windows-1251 file whose first 64 KB are Latin only is read as UTF-8: a Cyrillic name
    further down has bytes UTF-8 has no letter for."""
    settings.IMPORT_ASYNC_ROWS = 10_000
    header = ["Surname", "First name", "Date of birth"]
    latin = [[f"Smith{n}", "John", "01.01.1990"] for n in range(3000)]
    data = csv_bytes([header, *latin, ["Иванова", "Анна", "01.01.1990"]], encoding="cp1251")
    batch = checked_batch(by=alice, region=almaty, rows=data)
    assert batch.encoding == "utf-8"
    last = ImportRow.objects.filter(batch=batch).order_by("-number").first()
    assert last is not None
    # It was imported as "\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd".
    assert set(last.errors) == {"last_name", "first_name"}
    assert batch.error_rows == 1


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("ИВАНОВ", "Иванов"),
        ("ӘБДІҚАДІРОВА-СМАҒҰЛОВА", "Әбдіқадірова-Смағұлова"),
        ("НҰРЛАН ҰЛЫ", "Нұрлан ұлы"),
        ("ӨМІРБЕКҚЫЗЫ", "Өмірбекқызы"),
        ("G'AYRAT", "G'ayrat"),
        ("ЛИ", "Ли"),
        ("McDONALD", "McDONALD"),  # a small letter: typed so on purpose
        ("Иванов", "Иванов"),
    ],
)
def test_a_name_in_capitals_is_written_as_in_documents(typed: str, kept: str) -> None:
    assert from_capitals(typed) == kept


def test_a_list_typed_in_capitals_reaches_the_roster_in_title_case(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    birth = datetime.date(1990, 1, 1)
    data = csv_bytes(
        [
            ["ФИО", "Дата рождения", "Телефон"],
            ["ИВАНОВА-ПЕТРОВА АЙГҮЛ СЕРІКҚЫЗЫ", birth.strftime("%d.%m.%Y"), "8 701 111 22 33"],
            ["ҚАСЫМОВ Ерлан", birth.strftime("%d.%m.%Y"), "8 701 111 22 34"],
        ],
        encoding="utf-8",
    )
    batch = checked_batch(by=alice, region=almaty, rows=data)
    rows = [row.values for row in ImportRow.objects.filter(batch=batch).order_by("number")]
    assert [(v["last_name"], v["first_name"], v["middle_name"]) for v in rows] == [
        ("Иванова-Петрова", "Айгүл", "Серікқызы"),
        ("Қасымов", "Ерлан", ""),
    ]
