import re
from pathlib import Path

from anyun.clinical.errors import ERROR_CODES, ClinicalValueError, clinical_error

PACKAGE = Path(__file__).resolve().parent.parent
RAISED_CODE = re.compile(r'clinical_error\(\s*"([a-z_]+)"')


def _codes_used_in_package() -> set[str]:
    sources = (path.read_text(encoding="utf-8") for path in PACKAGE.glob("*.py"))
    return {code for source in sources for code in RAISED_CODE.findall(source)}


def test_every_raised_code_is_listed() -> None:
    used = _codes_used_in_package()
    assert "national_id_check_digit" in used
    assert used <= set(ERROR_CODES)


def test_every_listed_code_is_raised() -> None:
    assert set(ERROR_CODES) == _codes_used_in_package()


def test_codes_are_snake_case() -> None:
    assert all(re.fullmatch(r"[a-z]+(_[a-z]+)*", code) for code in ERROR_CODES)


def test_error_attributes() -> None:
    error = ClinicalValueError(
        "national_id_check_digit", "Check.", field="national_id", expected="X"
    )
    assert isinstance(error, ValueError)
    assert (error.code, error.field, error.params, str(error)) == (
        "national_id_check_digit",
        "national_id",
        {"expected": "X"},
        "Check.",
    )
    assert error.message == "Check."
    assert ClinicalValueError("dating_missing", "Missing.").field is None


def test_clinical_error_fills_the_template() -> None:
    error = clinical_error("national_id_check_digit", field="national_id", expected="7")
    assert str(error) == "The check digit should be 7."
    assert error.params == {"expected": "7"}
