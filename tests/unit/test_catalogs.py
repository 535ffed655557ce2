"""Every error has its message in every locale, in one catalog only, with the same placeholders.

The messages are the platform's catalog (app/locales) merged with each domain's
(app/domains/<name>/locales); a domain's errors are translated in its own folder.
"""

import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.core.errors import HTTP_ERRORS, AppError
from app.core.i18n import LOCALES_DIR, SUPPORTED_LOCALES
from app.domains import catalog_locations
from tools.error_docs import keel_errors

PLACEHOLDER = re.compile(r"\{(\w+)\}")
CATALOG_DIRS = (LOCALES_DIR, *catalog_locations())
OTHER_LOCALES = [locale for locale in SUPPORTED_LOCALES if locale != "en"]


def catalog(directory: Path, locale: str) -> dict[str, str]:
    with (directory / locale / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return {message.id: message.string for message in read_po(source) if message.id}


def merged(locale: str) -> dict[str, str]:
    return {key: text for directory in CATALOG_DIRS for key, text in catalog(directory, locale).items()}


def owning_domain(error: type[AppError]) -> str | None:
    """The domain whose folder defines the error's code; None for the platform's."""
    found = re.match(r"app\.domains\.(\w+)\.", error.__module__)
    return found.group(1) if found and "error_code" in vars(error) else None


@pytest.mark.parametrize("directory", CATALOG_DIRS, ids=str)
@pytest.mark.parametrize("locale", OTHER_LOCALES)
def test_catalog_matches_english(directory: Path, locale: str) -> None:
    english, other = catalog(directory, "en"), catalog(directory, locale)

    assert set(other) == set(english)
    for key, text in english.items():
        assert other[key], f"{locale}: {key} is not translated"
        assert set(PLACEHOLDER.findall(other[key])) == set(PLACEHOLDER.findall(text)), key


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_no_message_is_defined_in_two_catalogs(locale: str) -> None:
    keys = Counter(key for directory in CATALOG_DIRS for key in catalog(directory, locale))

    assert [key for key, count in keys.items() if count > 1] == []


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_every_error_code_has_a_message(locale: str) -> None:
    keys = {error.message_key for error in keel_errors()} | {key for _, key in HTTP_ERRORS.values()}

    assert keys - set(merged(locale)) == set()


def test_an_errors_message_key_is_its_code() -> None:
    assert [error for error in keel_errors() if error.message_key != f"errors.{error.error_code}"] == []


def test_a_domains_errors_are_translated_in_its_own_folder() -> None:
    misplaced = [
        error.__name__
        for error in keel_errors()
        if (domain := owning_domain(error))
        and error.message_key not in catalog(LOCALES_DIR.parent / "domains" / domain / "locales", "en")
    ]

    assert misplaced == []


def test_every_message_key_in_the_code_is_in_the_catalogs() -> None:
    app_dir = Path(LOCALES_DIR).parent
    used = {
        key
        for path in app_dir.rglob("*.py")
        for key in re.findall(r"""["'](errors\.[a-z_.]+)["']""", path.read_text())
    }

    assert used - set(merged("en")) == set()
