"""The preview: every row checked by the forms' rules, each error under its cell in the reader's
language; duplicates within the file and against the roster; another region's rows refused."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from tests.conftest import client_for
from tests.factories import SkillFactory, VolunteerFactory
from volunteers.imports import services
from volunteers.imports.models import ImportBatch, ImportRow
from volunteers.imports.validation import error_text
from volunteers.models import years_before

from .files import csv_bytes, make_iin, upload

pytestmark = pytest.mark.django_db

HEADER = ["ФИО", "Дата рождения", "Телефон", "Email", "ИИН", "Регион", "Навыки"]


def _uploaded(client: Client, rows: list[list[str]], *, region, name: str = "list.csv") -> ImportBatch:  # type: ignore[no-untyped-def]
    response = client.post(
        reverse("roster:import"), {"region": region.pk, "file": upload(name, csv_bytes([HEADER, *rows]))}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    batch = ImportBatch.objects.latest("pk")
    assert response["Location"] == reverse("roster:import_mapping", args=[batch.pk])
    return batch


def _checked(client: Client, batch: ImportBatch) -> ImportBatch:
    data = {f"col_{k}": v for k, v in batch.mapping.items()}
    response = client.post(reverse("roster:import_mapping", args=[batch.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED
    return batch


def _row(page: str, number: int) -> str:
    row = re.search(rf'<tr id="row-{number}".*?</tr>', page, re.S)
    assert row, f"row {number} not on the page"
    return row.group(0)


def _cell(page: str, number: int, field: str) -> str:
    """The field of a row (or its status, or its "other" problems), as text."""
    cell = re.search(rf'<(\w+)[^>]*data-field="{field}"[^>]*>(.*?)</\1>', _row(page, number), re.S)
    assert cell, f"no {field} cell in row {number}"
    return html.unescape(re.sub(r"<[^>]+>", " ", cell.group(2)))


def _kk(message: str, **params: object) -> str:
    with translation.override("kk"):
        text = error_text([message, params])
    with translation.override("en"):
        english = error_text([message, params])
    assert text != english, f"no Kazakh for {message!r}"
    return text


def test_every_validation_error_is_shown_under_its_cell_in_kazakh(alice, almaty, astana) -> None:  # type: ignore[no-untyped-def]
    SkillFactory(code="first-aid", name_ru="Первая помощь")
    today = timezone.localdate()
    adult = datetime.date(1990, 3, 1)
    child = years_before(today, 12)
    good_iin = make_iin(adult, 5)
    bad_check = good_iin[:11] + str((int(good_iin[11]) + 1) % 10)
    other_date_iin = make_iin(datetime.date(1991, 3, 1), 5)
    rows = [
        ["", "01.03.1990", "", "", "", "", ""],  # 2: no name
        ["Ким Анна", "31.02.1990", "", "", "", "", ""],  # 3: no such date
        ["Ким Анна", "01.03.1990", "12345", "", "", "", ""],  # 4: phone
        ["Ким Анна", "01.03.1990", "", "not-an-address", "", "", ""],  # 5: e-mail
        ["Ким Анна", "01.03.1990", "", "", bad_check, "", ""],  # 6: IIN check digit
        ["Ким Анна", "01.03.1990", "", "", other_date_iin, "", ""],  # 7: IIN of another birth date
        ["Ким Дана", child.strftime("%d.%m.%Y"), "", "", "", "", ""],  # 8: a minor, no guardian
        ["Ким Анна", "01.03.1990", "", "", "", "Астана", ""],  # 9: another region
        ["Ким Анна", "01.03.1990", "", "", "", "Марс", ""],  # 10: no such region
        ["Ким Анна", (today + datetime.timedelta(days=3)).strftime("%d.%m.%Y"), "", "", "", "", ""],  # 11
        ["Ким Анна", years_before(today, 3).strftime("%d.%m.%Y"), "", "", "", "", ""],  # 12
        ["Ким Анна", "01.03.1990", "", "", "", "", "Жонглирование"],  # 13: unknown skill
        ["Ким Анна", "", "", "", "", "", ""],  # 14: no date of birth
        [
            "Ким Анна",
            "01.03.1990",
            "8 701 555 44 33",
            "ok@example.kz",
            good_iin,
            "Алматы",
            "Первая помощь",
        ],  # 15
    ]
    client = client_for(alice)
    batch = _checked(client, _uploaded(client, rows, region=almaty))
    assert batch.total_rows == 14 and batch.error_rows == 13
    page = client.get(
        reverse("roster:import_preview", args=[batch.pk]), HTTP_ACCEPT_LANGUAGE="kk"
    ).content.decode()
    expected = [
        (2, "full_name", _kk("Enter the last name.")),
        (3, "birth_date", _kk("Write the date as dd.mm.yyyy, for example 25.03.2004.")),
        (4, "phone", _kk("Enter a phone number such as +7 701 123 45 67 or 8 701 123 45 67.")),
        (5, "email", _kk("Enter a valid e-mail address.")),
        (6, "iin", _kk("This IIN is not valid: its check digit does not match.")),
        (7, "iin", _kk("The IIN does not match the date of birth (it encodes %(date)s).", date="01.03.1991")),
        (8, "other", _kk("Required for volunteers under 18.")),
        (9, "region", _kk("This region is not one you manage: the row is refused.")),
        (10, "region", _kk("Unknown region: write its name as in the list of regions.")),
        (11, "birth_date", _kk("The date of birth cannot be in the future.")),
        (12, "birth_date", _kk("Volunteers must be at least %(age)s years old.", age=6)),
        (
            13,
            "skills",
            _kk(
                "Unknown skill “%(name)s”: add it to the skills catalogue or remove it.", name="Жонглирование"
            ),
        ),
        (14, "birth_date", _kk("Enter the date of birth.")),
    ]
    for number, field, text in expected:
        assert text in _cell(page, number, field), (number, field, text)
    assert "errorlist" not in re.search(r'<tr id="row-15".*?</tr>', page, re.S).group(0)  # type: ignore[union-attr]
    # The errors-only view lists exactly the rows with errors.
    errors_page = client.get(
        reverse("roster:import_preview", args=[batch.pk]) + "?show=errors"
    ).content.decode()
    assert len(re.findall(r'<tr id="row-\d+"', errors_page)) == 13


def test_another_regions_row_is_refused_and_not_imported(alice, almaty, astana) -> None:  # type: ignore[no-untyped-def]
    rows = [
        ["Омаров Нуржан", "01.03.1990", "", "", "", "Астана", ""],
        ["Омаров Ерлан", "01.03.1990", "", "", "", "", ""],
    ]
    client = client_for(alice)
    batch = _checked(client, _uploaded(client, rows, region=almaty))
    refused = ImportRow.objects.get(batch=batch, number=2)
    assert refused.has_errors and "region" in refused.errors
    services.batch_start_import(
        batch=batch, by=alice, consent_confirmed=True, consent_date=timezone.localdate()
    )
    from volunteers.models import Volunteer

    assert not Volunteer.objects.filter(region=astana, last_name="Омаров").exists()
    assert Volunteer.objects.filter(region=almaty, last_name="Омаров", first_name="Ерлан").exists()


def test_duplicates_within_the_file_and_against_the_roster(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    on_file = VolunteerFactory(region=almaty, phone="+77017770011", email="Known@Example.kz")
    iin = make_iin(datetime.date(1992, 4, 4), 9)
    VolunteerFactory(region=almaty, iin=iin, birth_date=datetime.date(1992, 4, 4), phone="", email="")
    rows = [
        ["Сейтов Арман", "01.01.1990", "8 701 777 00 11", "", "", "", ""],  # 2: phone on the roster
        ["Сейтова Алия", "01.01.1991", "", "known@example.kz", "", "", ""],  # 3: e-mail, other case
        ["Бекова Дина", "04.04.1992", "", "", iin, "", ""],  # 4: IIN on the roster
        ["Нуров Али", "01.01.1993", "+7 702 100 20 30", "ali@example.kz", "", "", ""],  # 5: new
        ["Нуров Али", "01.01.1993", "87021002030", "", "", "", ""],  # 6: phone as row 5
        ["Нурова Ая", "01.01.1994", "", "ALI@example.kz", "", "", ""],  # 7: e-mail as row 5
        ["Тас Бек", "01.01.1995", "", "", "", "", ""],  # 8: new, no contacts
        ["Тас Бек", "01.01.1995", "", "", "", "", ""],  # 9: the same person again
    ]
    client = client_for(alice)
    batch = _checked(client, _uploaded(client, rows, region=almaty))
    by_number = {r.number: r for r in ImportRow.objects.filter(batch=batch)}
    assert (by_number[2].existing_id, by_number[2].duplicate_reason) == (on_file.pk, "phone")
    assert (by_number[3].existing_id, by_number[3].duplicate_reason) == (on_file.pk, "email")
    assert by_number[4].duplicate_reason == "iin" and by_number[4].existing_id is not None
    assert not by_number[5].is_duplicate
    assert (by_number[6].same_as_row, by_number[6].duplicate_reason) == (5, "phone")
    assert (by_number[7].same_as_row, by_number[7].duplicate_reason) == (5, "email")
    assert not by_number[8].is_duplicate
    assert (by_number[9].same_as_row, by_number[9].duplicate_reason) == (8, "person")
    assert batch.duplicate_rows == 6
    page = client.get(reverse("roster:import_preview", args=[batch.pk]) + "?show=duplicates").content.decode()
    assert len(re.findall(r'<tr id="row-\d+"', page)) == 6
    assert 'name="choice_6"' in page


def test_preview_pages_with_a_fixed_number_of_queries(alice, almaty, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    rows = [
        [f"Ахметов{n} Ерлан", "01.01.1990", f"8 701 300 {n // 100:02d} {n % 100:02d}", "", "", "", ""]
        for n in range(130)
    ]
    client = client_for(alice)
    batch = _checked(client, _uploaded(client, rows, region=almaty))
    url = reverse("roster:import_preview", args=[batch.pk])
    with django_assert_max_num_queries(12):
        first = client.get(url)
    with django_assert_max_num_queries(12):
        last = client.get(url + "?page=3")
    assert len(re.findall(r'<tr id="row-\d+"', first.content.decode())) == 50
    assert len(re.findall(r'<tr id="row-\d+"', last.content.decode())) == 30


def test_a_remembered_mapping_is_offered_for_the_next_file(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    client = client_for(alice)
    rows = [["Кол 1", "Кол 2", "Кол 3"], ["Ким Анна", "01.03.1990", "x"]]
    response = client.post(
        reverse("roster:import"), {"region": almaty.pk, "file": upload("a.csv", csv_bytes(rows))}
    )
    batch = ImportBatch.objects.latest("pk")
    assert batch.mapping == {}
    # Nothing names the person yet: the form says what is missing.
    refused = client.post(reverse("roster:import_mapping", args=[batch.pk]), {"col_2": "locality"})
    assert refused.status_code == 200
    response = client.post(
        reverse("roster:import_mapping", args=[batch.pk]), {"col_0": "full_name", "col_1": "birth_date"}
    )
    assert response.status_code == 302
    client.post(reverse("roster:import"), {"region": almaty.pk, "file": upload("b.csv", csv_bytes(rows))})
    assert ImportBatch.objects.latest("pk").mapping == {"0": "full_name", "1": "birth_date"}


def _reader(user, language: str) -> Client:  # type: ignore[no-untyped-def]
    """A client that chose `language` with the site's language switcher (its cookie)."""
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.parametrize(
    ("language", "reason", "elsewhere"),
    [("en", "same phone", "тот же телефон"), ("ru", "тот же телефон", "same phone")],
)
def test_duplicate_reason_is_in_the_readers_language(alice, almaty, language, reason, elsewhere) -> None:  # type: ignore[no-untyped-def]
    VolunteerFactory(region=almaty, phone="+77017770011")
    client = _reader(alice, language)
    batch = _checked(
        client,
        _uploaded(client, [["Сейтов Арман", "01.01.1990", "8 701 777 00 11", "", "", "", ""]], region=almaty),
    )
    status = _cell(
        client.get(reverse("roster:import_preview", args=[batch.pk])).content.decode(), 2, "status"
    )
    assert reason in status
    # Not the words of the language the page module happened to be first imported in.
    assert elsewhere not in status and "телефон бірдей" not in status


def test_the_choice_and_the_errors_come_before_the_rows_cells(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    """The row's number, status and duplicate choice lead the row; its cells follow, each with
    its label, and an e-mail breaks only after its @ or before a dot."""
    SkillFactory(code="translation", name_ru="Перевод")
    VolunteerFactory(region=almaty, phone="+77017770011")
    rows = [
        ["Сейтов Арман", "01.01.1990", "8 701 777 00 11", "v213@example.kz", "", "", "Перевод"],
        ["Сейтова Алия", "31.02.1991", "", "", "", "", ""],
    ]
    client = client_for(alice)
    batch = _checked(client, _uploaded(client, rows, region=almaty))
    page = client.get(reverse("roster:import_preview", args=[batch.pk])).content.decode()
    duplicate, refused = _row(page, 2), _row(page, 3)
    assert duplicate.index('id="choice-2"') < duplicate.index('data-field="full_name"')
    assert 'for="choice-2"' in _row(page, 2)
    assert "v213@<wbr>example<wbr>.kz" in duplicate and "break-anywhere" not in page
    assert "31.02.1991" in _cell(page, 3, "birth_date")
    assert refused.index('data-field="status"') < refused.index('class="errorlist cell-error"')


def test_import_results_have_words_of_their_own_in_russian(alice, almaty) -> None:  # type: ignore[no-untyped-def]
    """«Создано», not the history's «Создание»; «создана» for a row, not the column «дата
    создания»; a failed import, not a message «не отправлено»."""
    client = _reader(alice, "ru")
    rows = [
        ["Сейтов Арман", "01.01.1990", "8 701 777 00 11", "", "", "", ""],
        ["Сейтова Алия", "31.02.1991", "", "", "", "", ""],
    ]
    batch = _checked(client, _uploaded(client, rows, region=almaty))
    services.batch_start_import(
        batch=batch, by=alice, consent_confirmed=True, consent_date=timezone.localdate()
    )
    page = client.get(reverse("roster:import_preview", args=[batch.pk])).content.decode()
    summary = {
        key: html.unescape(label)
        for label, key in re.findall(r"<dt>([^<]*)</dt><dd data-count=\"(\w+)\"", page)
    }
    with translation.override("ru"):
        assert summary["created"] == pgettext("import result", "Created") != gettext("Created")
        assert summary["failed"] == pgettext("import result", "Failed") != gettext("Failed")
        assert pgettext("import row result", "created") in _cell(page, 2, "status")
        assert gettext("created") not in page
        assert pgettext("import row result", "failed") in _cell(page, 3, "status")
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED)
        failed = client.get(reverse("roster:import_preview", args=[batch.pk])).content.decode()
        assert pgettext("import status", "Failed") in failed and gettext("Failed") not in failed
