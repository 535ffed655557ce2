"""docs/errors.md is the clients' list of error codes, written from the error classes."""

import re

from app.domains import INSTALLED_DOMAINS
from tools.error_docs import DOCS, render


def without_removed_domains(page: str) -> str:
    """The page without the sections of domains no longer installed: removing a domain is
    deleting its folder and its line, and its section goes at the next `make docs`."""
    sections = re.split(r"(?m)^(?=## )", page)
    kept = [
        section
        for section in sections
        if not (domain := re.match(r"## Domain `(\w+)`", section)) or domain.group(1) in INSTALLED_DOMAINS
    ]
    return "".join(kept).rstrip("\n")


def test_the_error_codes_page_is_what_the_error_classes_say() -> None:
    page = without_removed_domains(DOCS.read_text())

    assert page == render().rstrip("\n"), "docs/errors.md is out of date: run `make docs`"
