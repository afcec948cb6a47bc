"""Search and sort that know Kazakh: what people type on a Russian keyboard or in Latin finds the
Cyrillic name, exact spellings rank first, and names sort in the page's alphabet."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import client_for
from tests.factories import VolunteerFactory
from volunteers.search import cyrillic_skeleton, latin_skeleton


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("Nurlan", "Нұрлан"),
        ("Qanat", "Қанат"),
        ("Kanat", "Қанат"),
        ("Asel", "Әсел"),
        ("Zhanna", "Жанна"),
        ("Janna", "Жанна"),
        ("Yerlan", "Ерлан"),
        ("Shynar", "Шынар"),
        ("Şynar", "Шынар"),
        ("Ulzhan", "Ұлжан"),
        ("Aigerim", "Айгерім"),
        ("Aygerim", "Айгерім"),
        ("Ǵalym", "Ғалым"),
        ("Galym", "Ғалым"),
        ("Pyotr", "Пётр"),
        ("Khassenov", "Хасенов"),
    ],
)
def test_latin_spellings_meet_the_cyrillic_name(typed: str, name: str) -> None:
    assert latin_skeleton(typed) == cyrillic_skeleton(name)


@pytest.mark.django_db
class TestRosterSearchKnowsKazakh:
    @pytest.fixture
    def people(self, almaty):  # type: ignore[no-untyped-def]
        return {
            "Нұрлан": VolunteerFactory(region=almaty, last_name="Сейітов", first_name="Нұрлан"),
            "Нурлан": VolunteerFactory(region=almaty, last_name="Абаев", first_name="Нурлан"),
            "Әсел": VolunteerFactory(region=almaty, last_name="Серікова", first_name="Әсел"),
            "Қанат": VolunteerFactory(region=almaty, last_name="Омаров", first_name="Қанат"),
            "other": VolunteerFactory(region=almaty, last_name="Иванова", first_name="Мария"),
        }

    def _found(self, user, query: str) -> list[str]:  # type: ignore[no-untyped-def]
        response = client_for(user).get("/roster/", {"q": query})
        assert response.status_code == 200
        return [v.first_name for v in response.context["page"].object_list]

    def test_russian_keyboard_finds_kazakh_letters(self, alice, people) -> None:  # type: ignore[no-untyped-def]
        assert set(self._found(alice, "Нурлан")) == {"Нұрлан", "Нурлан"}
        assert self._found(alice, "асел") == ["Әсел"]
        assert self._found(alice, "КАНАТ") == ["Қанат"]

    def test_latin_finds_cyrillic(self, alice, people) -> None:  # type: ignore[no-untyped-def]
        assert set(self._found(alice, "Nurlan")) == {"Нұрлан", "Нурлан"}
        assert self._found(alice, "Qanat") == ["Қанат"]
        assert self._found(alice, "Asel") == ["Әсел"]

    def test_latin_in_capitals_as_on_an_identity_card_finds_cyrillic(self, alice, people) -> None:  # type: ignore[no-untyped-def]
        # Read as not Latin at all, capitals had no skeleton: QANAT found nobody, Qanat did.
        assert self._found(alice, "QANAT") == ["Қанат"]
        assert self._found(alice, "OMAROV QANAT") == ["Қанат"]
        assert self._found(alice, "ÁSEL") == ["Әсел"]

    def test_exact_spelling_ranks_first(self, alice, people) -> None:  # type: ignore[no-untyped-def]
        # By name order Абаев (Нурлан) would come before Сейітов (Нұрлан).
        assert self._found(alice, "Нұрлан") == ["Нұрлан", "Нурлан"]
        assert self._found(alice, "Нурлан") == ["Нурлан", "Нұрлан"]

    def test_names_as_lists_write_them_find_the_person(self, alice, people) -> None:  # type: ignore[no-untyped-def]
        # Pasted from a spreadsheet with a comma, or written with an initial: each found nobody.
        for query in ("Омаров, Қанат", "Омаров Қ.", "Омаров; Қанат", "«Омаров»", "Omarov, Q."):
            assert self._found(alice, query) == ["Қанат"], query
        assert self._found(alice, "Сейітов, Нұрлан") == ["Нұрлан"]
        # Inside a word they stay: an e-mail is one word still.
        person = people["Әсел"]
        assert self._found(alice, person.email) == ["Әсел"]

    def test_search_uses_the_trigram_index_shape(self, alice, people) -> None:  # type: ignore[no-untyped-def]
        # Every form is a LIKE on search_text, the column the trigram index covers.
        with CaptureQueriesContext(connection) as ctx:
            self._found(alice, "Nurlan")
        roster_sql = next(q["sql"] for q in ctx.captured_queries if "search_text" in q["sql"])
        assert "LIKE" in roster_sql and "UPPER" not in roster_sql


@pytest.mark.django_db
class TestNamesSortInThePageAlphabet:
    NAMES = ["Гусев", "Ғабдуллин", "Кенжеев", "Қасымов", "Шарипов", "Іргебаев", "Ыбыраев", "Абаев", "Әлиев"]

    @pytest.fixture
    def people(self, almaty):  # type: ignore[no-untyped-def]
        for name in self.NAMES:
            VolunteerFactory(region=almaty, last_name=name, first_name="Ерлан")

    def _order(self, user, lang: str) -> list[str]:  # type: ignore[no-untyped-def]
        response = client_for(user).get("/roster/", {"lang": lang}, HTTP_ACCEPT_LANGUAGE=lang)
        return [v.last_name for v in response.context["page"].object_list]

    def test_kazakh_order_in_kazakh(self, alice, people) -> None:  # type: ignore[no-untyped-def]
        order = self._order(alice, "kk")
        assert order.index("Абаев") < order.index("Әлиев") < order.index("Гусев")
        assert order.index("Гусев") < order.index("Ғабдуллин") < order.index("Кенжеев")
        assert order.index("Кенжеев") < order.index("Қасымов") < order.index("Шарипов")
        # І comes after Ы in the Kazakh alphabet.
        assert order.index("Шарипов") < order.index("Ыбыраев") < order.index("Іргебаев")

    def test_russian_order_in_russian(self, alice, people) -> None:  # type: ignore[no-untyped-def]
        order = self._order(alice, "ru")
        assert order.index("Абаев") < order.index("Гусев") < order.index("Кенжеев") < order.index("Шарипов")
        assert order != self._order(alice, "kk")
