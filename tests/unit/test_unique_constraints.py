"""Every unique constraint says what its violation means, so a race never ends in a 500.

A constraint added without `conflict(...)` or `exempt(...)` in its `info` fails here: its
violation would reach the client as an unhandled IntegrityError.
"""

import importlib
import importlib.util
import pkgutil

import app.domains
import app.main  # loads every domain, and with them the platform's tables
from app.core.errors import ConflictError
from app.infrastructure.constraints import CONFLICT, EXEMPT, is_surrogate_key, unique_rules
from app.infrastructure.database import Base
from tests.installed import installed

for domain in pkgutil.iter_modules(app.domains.__path__):
    if importlib.util.find_spec(f"app.domains.{domain.name}.models"):
        importlib.import_module(f"app.domains.{domain.name}.models")

KEEL_RULES = [(table, rule) for table, rule in unique_rules(Base.metadata) if not table.startswith("test_")]


def test_every_unique_constraint_says_what_its_violation_means() -> None:
    undeclared = [
        f"{table}: {rule.name}"
        for table, rule in KEEL_RULES
        if not is_surrogate_key(rule) and CONFLICT not in rule.info and EXEMPT not in rule.info
    ]

    assert undeclared == []


def test_each_conflict_is_a_409_with_a_code_of_its_own() -> None:
    errors = {str(rule.name): rule.info[CONFLICT]({}) for _, rule in KEEL_RULES if CONFLICT in rule.info}
    codes = [error.error_code for error in errors.values()]

    assert {"uq_users_email", "uq_profiles_user_id"} <= set(errors)
    assert ("uq_tags_owner_id_name" in errors) == installed("todos")
    assert all(isinstance(error, ConflictError) and error.status_code == 409 for error in errors.values())
    assert len(set(codes)) == len(codes)
    assert "conflict" not in codes  # the generic code tells a client nothing about which rule


def test_exemptions_give_their_reason() -> None:
    reasons = {str(rule.name): rule.info[EXEMPT] for _, rule in KEEL_RULES if EXEMPT in rule.info}

    assert set(reasons) == {
        "uq_refresh_tokens_token_hash",
        "uq_action_tokens_token_hash",
        "uq_idempotency_keys_principal_id_scope_key",
        *(["pk_todo_tags"] if installed("todos") else []),
    }
    assert all(isinstance(reason, str) and reason for reason in reasons.values())
