"""Admin panel fixtures."""

from tests.integration.accounts.conftest import people  # the accounts fixture, shared

__all__ = ["people"]
