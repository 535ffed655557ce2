"""`.env.example` documents every setting, and nothing that is not one: not the refused
settings of the parts a service was started without."""

import re
from pathlib import Path

from app.core.config import REMOVED_PART_SETTINGS, Settings

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def test_env_example_lists_exactly_the_settings() -> None:
    documented = set(re.findall(r"^#?\s*(KEEL_[A-Z_]+)=", ENV_EXAMPLE.read_text(), flags=re.MULTILINE))

    settings = set(Settings.model_fields) - set(REMOVED_PART_SETTINGS)
    assert documented == {f"KEEL_{name.upper()}" for name in settings}
