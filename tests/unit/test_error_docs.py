"""docs/errors.md is the clients' list of error codes: every code Keel can raise is in it."""

from pathlib import Path

import app.main  # noqa: F401 - loads every domain, and so every error class
from app.core.errors import HTTP_ERRORS, AppError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "errors.md"


def all_subclasses(cls: type[AppError]) -> set[type[AppError]]:
    found = set(cls.__subclasses__())
    return found.union(*(all_subclasses(sub) for sub in found))


def test_every_error_code_is_documented_with_its_status() -> None:
    documented = DOCS.read_text()
    keel_errors = [error for error in all_subclasses(AppError) if error.__module__.startswith("app.")]
    codes = {(error.status_code, error.error_code) for error in keel_errors}
    codes |= {(status, code) for status, (code, _) in HTTP_ERRORS.items()}

    missing = sorted(
        (status, code)
        for status, code in codes
        if not any(f"| {status} | " in line and f"`{code}`" in line for line in documented.splitlines())
    )

    assert missing == []
