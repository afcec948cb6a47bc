"""On a phone, a coordinator brings in the Excel list her region kept: uploads it, maps the
column the import did not recognise, sees the preview with the row that has an error, imports,
and finds the people in the roster."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from playwright.sync_api import Page, expect

from volunteers.imports.models import ImportBatch
from volunteers.models import ConsentMethod, Volunteer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


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
