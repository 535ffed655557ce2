"""Which domains this Keel has installed, for the platform tests that need an example domain.

A domain's own tests go with it (tests/<layer>/<name>/, tests/fixtures/<name>.py). A platform
test that can only be shown on an example domain (the one whose routes honour
Idempotency-Key, say) says so with `requires_domain`, and is skipped, with that reason in the
summary, in a Keel that removed the domain.
"""

import pytest

from app.domains import INSTALLED_DOMAINS


def installed(name: str) -> bool:
    return name in INSTALLED_DOMAINS


def requires_domain(name: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(not installed(name), reason=f"the {name} domain is not installed")


def with_domain(name: str, *values: object) -> object:
    """One parameter set of a platform test that shows it on an example domain's route."""
    return pytest.param(*values, marks=requires_domain(name))
