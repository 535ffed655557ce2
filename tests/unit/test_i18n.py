from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from app.core.errors import ConflictError
from app.core.i18n import (
    CatalogsNotCompiled,
    catalog_dirs,
    ensure_catalogs,
    negotiate_locale,
    translate,
    use_catalogs,
)


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        (None, "en"),
        ("", "en"),
        ("ru", "ru"),
        ("RU-ru", "ru"),
        ("fr, ru;q=0.5", "ru"),
        ("ru;q=0.4, en;q=0.8", "en"),
        ("ru;q=0", "en"),
        ("ru;q=abc", "en"),
        ("*", "en"),
        (",,,;;;", "en"),
        ("de, " * 100 + "ru", "en"),  # the preference list is bounded
    ],
)
def test_negotiation_picks_the_best_supported_locale(header: str | None, locale: str) -> None:
    assert negotiate_locale(header) == locale


def test_translation_formats_parameters() -> None:
    assert translate("errors.http", "ru", status_code=418) == "Запрос завершился с кодом 418"


def test_missing_parameter_leaves_the_text_rather_than_failing() -> None:
    assert translate("errors.http", "en") == "The request failed with status {status_code}"


def test_unknown_locale_falls_back_to_english() -> None:
    assert translate("errors.internal_error", "xx") == translate("errors.internal_error", "en")


def test_unknown_key_is_returned_as_is() -> None:
    assert translate("errors.nowhere", "ru") == "errors.nowhere"


def test_an_errors_message_key_is_derived_from_its_code() -> None:
    class GizmoJammed(ConflictError):
        error_code = "gizmo_jammed"

    class GizmoJammedAgain(GizmoJammed):
        """Inherits the code, and so the message."""

    assert GizmoJammed.message_key == "errors.gizmo_jammed"
    assert GizmoJammedAgain.message_key == "errors.gizmo_jammed"
    assert ConflictError.message_key == "errors.conflict"


@pytest.fixture
def gizmo_catalogs(tmp_path: Path) -> Iterator[Path]:
    """A domain's `locales` directory of its own; the application's catalogs come back after."""
    for locale, text in (("en", "Gizmo {name} jammed"), ("ru", "Штуковина {name} заела")):
        messages = Catalog(locale=locale)
        messages.add("errors.gizmo_jammed", text)
        (tmp_path / locale / "LC_MESSAGES").mkdir(parents=True)
        with (tmp_path / locale / "LC_MESSAGES" / "messages.mo").open("wb") as compiled:
            write_mo(compiled, messages)
    in_use = catalog_dirs()[1:]
    yield tmp_path
    use_catalogs(in_use)


def test_a_domains_catalog_is_merged_over_the_platforms(gizmo_catalogs: Path) -> None:
    use_catalogs([gizmo_catalogs])

    assert translate("errors.gizmo_jammed", "ru", name="X") == "Штуковина X заела"
    assert translate("errors.http", "ru", status_code=418) == "Запрос завершился с кодом 418"


def test_a_catalog_not_compiled_refuses_the_start(gizmo_catalogs: Path) -> None:
    (gizmo_catalogs / "ru" / "LC_MESSAGES" / "messages.mo").unlink()
    use_catalogs([gizmo_catalogs])

    with pytest.raises(CatalogsNotCompiled, match="make catalogs") as refusal:
        ensure_catalogs()
    assert "ru/LC_MESSAGES/messages.mo" in str(refusal.value)
