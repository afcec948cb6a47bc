import datetime

import pytest
from django.core.exceptions import ValidationError

from volunteers.validators import format_phone, iin_check_digit, is_mobile, normalize_phone, validate_iin


class TestNormalizePhone:
    @pytest.mark.parametrize(
        "raw",
        [
            "8 701 123 45 67",
            "+7 (701) 123-45-67",
            "87011234567",
            "+77011234567",
            "7011234567",
            "8(701)1234567",
        ],
    )
    def test_forms_people_write_are_stored_as_e164(self, raw: str) -> None:
        assert normalize_phone(raw) == "+77011234567"

    @pytest.mark.parametrize("raw", ["12345", "+1 202 555 0101", "8 123 456 78 90", "phone", "+7 701 123"])
    def test_invalid_numbers_are_refused(self, raw: str) -> None:
        with pytest.raises(ValidationError):
            normalize_phone(raw)

    def test_empty_stays_empty(self) -> None:
        assert normalize_phone("  ") == ""

    def test_display_format(self) -> None:
        assert format_phone("+77011234567") == "+7 701 123 45 67"


class TestIsMobile:
    @pytest.mark.parametrize(
        "code", ["700", "701", "705", "708", "747", "751", "760", "764", "771", "775", "778", "785"]
    )
    def test_kazakhstan_mobile_codes_take_sms(self, code: str) -> None:
        assert is_mobile(normalize_phone(f"8 {code} 123 45 67"))

    @pytest.mark.parametrize("raw", ["8 727 250 12 34", "+7 7172 12 34 56", "8 7252 12 34 56"])
    def test_landlines_are_kept_but_take_no_sms(self, raw: str) -> None:
        phone = normalize_phone(raw)
        assert phone.startswith("+77")
        assert not is_mobile(phone)

    def test_no_number_takes_no_sms(self) -> None:
        assert not is_mobile("")


class TestIin:
    def test_reference_example_is_valid(self) -> None:
        assert validate_iin("061211600012") == "061211600012"

    def test_check_digit_mismatch_is_refused(self) -> None:
        with pytest.raises(ValidationError) as exc:
            validate_iin("061211600013")
        assert exc.value.code == "iin_checksum"

    def test_must_be_twelve_digits(self) -> None:
        with pytest.raises(ValidationError) as exc:
            validate_iin("06121160001")
        assert exc.value.code == "iin_format"

    def test_impossible_date_is_refused(self) -> None:
        first11 = "06131160001"  # month 13
        check = iin_check_digit(first11)
        with pytest.raises(ValidationError) as exc:
            validate_iin(f"{first11}{check}")
        assert exc.value.code == "iin_date"

    def test_must_agree_with_birth_date(self) -> None:
        assert validate_iin("061211600012", datetime.date(2006, 12, 11))
        with pytest.raises(ValidationError) as exc:
            validate_iin("061211600012", datetime.date(2006, 12, 12))
        assert exc.value.code == "iin_birth_date"

    def test_second_weight_round_is_used_when_first_gives_ten(self) -> None:
        # Find a prefix whose first round sums to 10 mod 11 and check the second round decides.
        weights1 = range(1, 12)
        for serial in range(10000):
            first11 = f"9001013{serial:04d}"
            if sum(int(d) * w for d, w in zip(first11, weights1, strict=True)) % 11 == 10:
                break
        weights2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
        second = sum(int(d) * w for d, w in zip(first11, weights2, strict=True)) % 11
        assert iin_check_digit(first11) == (None if second == 10 else second)


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


class TestDigitsOfOtherScripts:
    """Phones and on-screen keyboards type digits of other scripts; int() reads some of them
    and the database's [0-9] check reads none."""

    @pytest.mark.parametrize("table", [ARABIC_INDIC, FULLWIDTH], ids=["arabic-indic", "fullwidth"])
    def test_decimal_digits_become_ascii(self, table: dict[int, str]) -> None:
        assert validate_iin("061211600012".translate(table), datetime.date(2006, 12, 11)) == "061211600012"
        assert normalize_phone("8 701 123 45 67".translate(table)) == "+77011234567"

    def test_superscripts_are_refused_with_a_message(self) -> None:
        with pytest.raises(ValidationError) as exc:
            validate_iin("061211600012".translate(SUPERSCRIPT))
        assert exc.value.code == "digits"
        with pytest.raises(ValidationError) as exc:
            normalize_phone("8 701 123 45 67".translate(SUPERSCRIPT))
        assert exc.value.code == "digits"

    def test_superscript_in_the_date_part_is_refused_not_a_crash(self) -> None:
        with pytest.raises(ValidationError):
            validate_iin("061211²00012")
