"""Every message key exists in every catalog, with the same placeholders."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from app.core.i18n import LOCALES_DIR, SUPPORTED_LOCALES

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def catalog(locale: str) -> dict[str, str]:
    with (Path(LOCALES_DIR) / locale / "LC_MESSAGES" / "messages.po").open("rb") as source:
        return {message.id: message.string for message in read_po(source) if message.id}


@pytest.mark.parametrize("locale", [locale for locale in SUPPORTED_LOCALES if locale != "en"])
def test_catalog_matches_english(locale: str) -> None:
    english, other = catalog("en"), catalog(locale)

    assert set(other) == set(english)
    for key, text in english.items():
        assert other[key], f"{locale}: {key} is not translated"
        assert set(PLACEHOLDER.findall(other[key])) == set(PLACEHOLDER.findall(text)), key


def test_every_message_key_in_the_code_is_in_the_catalog() -> None:
    app_dir = Path(LOCALES_DIR).parent
    used = {
        key
        for path in app_dir.rglob("*.py")
        for key in re.findall(r"""["'](errors\.[a-z_.]+)["']""", path.read_text())
    }

    assert used - set(catalog("en")) == set()
