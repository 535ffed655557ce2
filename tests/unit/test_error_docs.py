"""docs/errors.md is the clients' list of error codes, written from the error classes."""

from tools.error_docs import DOCS, render


def test_the_error_codes_page_is_what_the_error_classes_say() -> None:
    assert DOCS.read_text() == render(), "docs/errors.md is out of date: run `make docs`"
