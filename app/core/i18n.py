"""Translated messages from gettext catalogs, chosen by `Accept-Language`.

The platform's catalog lives in `app/locales/<locale>/LC_MESSAGES/messages.po`; the
application adds its domains' catalogs (each a `locales` directory of the same shape) with
`use_catalogs`, and the messages are all of them merged. Catalogs are compiled to `.mo` by
the build (`make catalogs`); only the `.po` sources are committed.
"""

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from babel.support import Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
DEFAULT_LOCALE = "en"
SUPPORTED_LOCALES = ("en", "ru")
MAX_ACCEPT_LANGUAGE_ITEMS = 16  # a longer header is an attack or a bug, not a preference


class CatalogsNotCompiled(RuntimeError):
    """Raised at start-up so that a missing build step is loud, not a page of message keys."""


# The platform's catalog first, then those the application added; a list so that
# `use_catalogs` can replace its contents without a module-level `global`.
_catalog_dirs: list[Path] = [LOCALES_DIR]


def use_catalogs(directories: Sequence[Path]) -> None:
    """Messages become the platform's catalog merged with these `locales` directories' own.

    Called by whatever assembles the application, which knows its domains; this module
    knows none. A later call replaces the earlier one's directories.
    """
    _catalog_dirs[:] = [LOCALES_DIR, *directories]
    _translations.cache_clear()


def catalog_dirs() -> tuple[Path, ...]:
    return tuple(_catalog_dirs)


@cache
def _translations(locale: str) -> Translations:
    merged = Translations()
    for directory in _catalog_dirs:
        found = Translations.load(str(directory), [locale], DOMAIN)
        if isinstance(found, Translations):  # not a NullTranslations: the catalog is compiled
            merged.merge(found)
    return merged


def ensure_catalogs() -> None:
    """Refuses to start when a catalog in use is not compiled, naming the step that compiles it."""
    missing = [
        str(compiled)
        for directory in _catalog_dirs
        for locale in SUPPORTED_LOCALES
        if not (compiled := directory / locale / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file()
    ]
    if missing:
        raise CatalogsNotCompiled(f"message catalogs {missing} are not compiled; run `make catalogs`")


def negotiate_locale(accept_language: str | None) -> str:
    """The best supported locale for an `Accept-Language` header, `en` when nothing fits."""
    if not accept_language:
        return DEFAULT_LOCALE
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept_language.split(",")[:MAX_ACCEPT_LANGUAGE_ITEMS]):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        language = tag.strip().lower().split("-")[0]
        if language in SUPPORTED_LOCALES and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else DEFAULT_LOCALE


def translate(message_key: str, locale: str, **params: Any) -> str:
    """The message for `message_key` in `locale`, falling back to English, then to the key."""
    for candidate in dict.fromkeys((locale, DEFAULT_LOCALE)):
        text = _translations(candidate).gettext(message_key)
        if text != message_key:
            return _format(text, params)
    return message_key


def _format(text: str, params: dict[str, Any]) -> str:
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        # A translator's typo in a placeholder must not turn an error response into a 500.
        return text
