"""On a phone, a coordinator brings in the Excel list her region kept: uploads it, maps the
column the import did not recognise, sees the preview with the row that has an error, imports,
and finds the people in the roster."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from tests.factories import SkillFactory, VolunteerFactory
from tests.volunteers.imports.files import checked_batch, csv_bytes
from volunteers.imports.mapping import FIELDS
from volunteers.imports.models import ImportBatch
from volunteers.imports.spreadsheets import TEMPLATE_FIELDS
from volunteers.models import ConsentMethod, Volunteer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 360, "height": 740}
OFFICE_SCREEN = {"width": 1366, "height": 768}
# The page itself never scrolls sideways (a table may, inside its own frame).
NO_PAGE_OVERFLOW = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def _workbook(path: Path) -> Path:
    workbook = Workbook()
    ws = workbook.active
    ws.title = "Еріктілер"
    ws.append(["Алматы қаласының еріктілері, 2025"])
    ws.merge_cells("A1:D1")
    # "Ұялы" is nobody's usual header for the phone: the coordinator maps it by hand.
    ws.append(["Аты-жөні", "Туған күні", "Ұялы", "Ескерту"])
    ws.append(["Жұмабаева Динара Асқарқызы", "12.04.1998", "8 701 404 12 98", "белсенді"])
    ws.append(["Тоқтаров Әлихан", "31.02.2001", "8 702 555 00 11", ""])
    ws.append(["Сәрсенов Бекзат Ерланұлы", 36161, "+7 705 100 20 30", "жүргізуші"])
    workbook.save(path)
    return path


def test_coordinator_imports_a_spreadsheet_and_finds_the_people(
    page: Page,
    live_server: Any,
    login: Callable[[Any], None],
    alice: Any,
    almaty: Any,
    tmp_path: Path,
    settings: Any,
) -> None:
    settings.IMPORT_DIR = str(tmp_path / "imports")
    page.set_viewport_size(PHONE)
    login(alice)
    page.goto("/roster/")
    page.locator("#roster-import-link").click()
    expect(page).to_have_url(f"{live_server.url}/roster/import/")

    page.locator("#id_file").set_input_files(str(_workbook(tmp_path / "еріктілер.xlsx")))
    page.locator("#import-upload button[type=submit]").click()

    # The mapping: the name and the date were recognised, the phone column was not.
    expect(page.locator("#id_col_0")).to_have_value("full_name")
    expect(page.locator("#id_col_1")).to_have_value("birth_date")
    expect(page.locator("#id_col_2")).to_have_value("")
    page.locator("#id_col_2").select_option("phone")
    page.locator("#import-mapping button[type=submit]").click()

    # The preview: three rows, the impossible date refused under its cell.
    expect(page.locator("#import-summary [data-count=total]")).to_have_text("3")
    expect(page.locator("#import-summary [data-count=errors]")).to_have_text("1")
    expect(page.locator("#row-4 [data-field=birth_date] .cell-error")).to_be_visible()
    expect(page.locator("#row-3 .cell-error")).to_have_count(0)
    assert page.evaluate(NO_PAGE_OVERFLOW)
    assert not Volunteer.objects.filter(last_name="Жұмабаева").exists()

    page.locator("#id_consent_confirmed").check()
    page.locator("#import-run button[type=submit]").click()
    expect(page.locator("#import-report [data-count=created]")).to_have_text("2")
    expect(page.locator("#import-report [data-count=failed]")).to_have_text("1")

    page.goto("/roster/")
    search = page.locator("#roster-filters [name=q]")
    search.fill("Жұмабаева")
    search.press("Enter")
    expect(page.locator("#roster-table tbody tr")).to_have_count(1)
    expect(page.locator("#roster-table tbody tr").first).to_contain_text("Жұмабаева Динара Асқарқызы")
    page.goto("/roster/?q=Сәрсенов")
    expect(page.locator("#roster-table tbody tr")).to_have_count(1)
    person = Volunteer.objects.get(last_name="Сәрсенов")
    assert person.birth_date.isoformat() == "1999-01-01" and person.phone == "+77051002030"
    assert person.consent_method == ConsentMethod.IMPORTED
    assert not Volunteer.objects.filter(last_name="Тоқтаров").exists()
    assert ImportBatch.objects.get().status == ImportBatch.Status.DONE


def test_a_wide_file_keeps_each_rows_choice_and_errors_in_view(
    page: Page,
    live_server: Any,
    login: Callable[[Any], None],
    alice: Any,
    almaty: Any,
    settings: Any,
    tmp_path: Path,
) -> None:
    """A list with every column of the template, in Russian on a 1366 px office screen and on a
    360 px phone: the duplicate's choice and a row's error are in view without scrolling sideways,
    and an e-mail is not cut inside a word."""
    settings.IMPORT_DIR = str(tmp_path / "imports")
    SkillFactory(code="translation", name_ru="Перевод")
    VolunteerFactory(region=almaty, phone="+77017770011")
    # Every column of the Russian template, and the language for messages: 13 columns.
    with translation.override("ru"):
        header = [str(FIELDS[key]) for key in (*TEMPLATE_FIELDS, "preferred_language")]
    rows = [
        ["Сейтов Арман Болатович", "01.01.1990", "8 701 777 00 11", "v213@example.kz", "", "Алматы",
         "Қаскелең", "Перевод", "", "", "", "", "рус"],
        ["Жұмабаева Динара Асқарқызы", "31.02.1998", "8 701 404 12 98", "dinara.zhumabaeva@example.kz",
         "", "Алматы", "Алматы", "Перевод", "", "", "", "", "қаз"],
    ]  # fmt: skip
    batch = checked_batch(by=alice, region=almaty, rows=csv_bytes([header, *rows], encoding="utf-8"))
    assert len(set(batch.mapping.values())) == len(header)
    page.context.add_cookies([{"name": "django_language", "value": "ru", "url": live_server.url}])
    login(alice)

    page.set_viewport_size(OFFICE_SCREEN)
    page.goto(f"/roster/import/{batch.pk}/")
    choice = page.locator("#choice-2")
    expect(choice).to_be_visible()
    assert page.evaluate(NO_PAGE_OVERFLOW)
    for locator in (choice, page.locator("#row-3 [data-field=birth_date] .cell-error")):
        box = locator.bounding_box()
        assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= OFFICE_SCREEN["width"], box
    # No sideways scroll inside the table's frame either: every column is in view.
    assert page.evaluate(
        "(() => { const w = document.querySelector('.import-rows-wrap'); return w.scrollWidth <= w.clientWidth; })()"
    )
    # The e-mail wraps, if at all, after its @ or before a dot: never "example.k / z".
    email = page.locator("#row-2 [data-field=email] dd")
    expect(email).to_have_text("v213@example.kz")
    assert "break-anywhere" not in (email.get_attribute("class") or "")

    page.set_viewport_size(SMALL_PHONE)
    page.goto(f"/roster/import/{batch.pk}/")
    assert page.evaluate(NO_PAGE_OVERFLOW)
    for locator in (page.locator("#choice-2"), page.locator("#row-3 [data-field=birth_date] .cell-error")):
        locator.scroll_into_view_if_needed()
        box = locator.bounding_box()
        assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= SMALL_PHONE["width"], box

    # The choice is kept, and the page of the imported file does not scroll sideways either.
    page.locator("#choice-2").select_option("create")
    page.locator("#import-choices .actions button[type=submit]").click()
    expect(page.locator("#choice-2")).to_have_value("create")
    page.locator("#id_consent_confirmed").check()
    page.locator("#import-run button[type=submit]").click()
    expect(page.locator("#import-report [data-count=created]")).to_have_text("1")
    assert page.evaluate(NO_PAGE_OVERFLOW)
    page.set_viewport_size(OFFICE_SCREEN)
    assert page.evaluate(NO_PAGE_OVERFLOW)
