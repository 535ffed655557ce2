"""Races the database refuses, as domain conflicts: what the service's check could not see
is a 409, never the driver's 500.

A service checks "is this e-mail taken?" before it inserts, but requests that run at once all
pass the check, and the database's unique constraint refuses all but one of them. Each
unique constraint (and unique index) says on itself, in its `info`, what its violation
means: `conflict(...)` names the domain error to raise instead of the driver's
IntegrityError, `exempt(...)` says why client input cannot violate it (or who handles it).
One engine hook translates every violation, on PostgreSQL and on SQLite, so no service has
to catch IntegrityError, and tests/unit/test_unique_constraints.py refuses a constraint
that says neither.

Foreign keys race too: a todo created with a tag that another request deletes meanwhile.
Services check references before they write, so a violated foreign key means the row went
away in between; SQLite does not say which key, so every one answers `ReferenceRemoved`.
And two transactions that lock the same rows in opposite orders: PostgreSQL breaks the
deadlock by failing one, which answers `ConcurrentChange` (so does a row deleted under an
UPDATE, which the unit of work meets).
"""

import re
from collections.abc import Callable, Iterator, Mapping
from functools import partial
from typing import Any

import structlog
from sqlalchemy import Index, MetaData, PrimaryKeyConstraint, UniqueConstraint, event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.errors import AppError, ConcurrentChange, ReferenceRemoved

ConflictFactory = Callable[[Mapping[str, Any]], AppError]
"""Builds the error from the values the refused row had in the constraint's columns (those
the statement carried; an UPDATE carries only what it changes)."""

CONFLICT = "keel_conflict"
EXEMPT = "keel_exempt"

UniqueRule = UniqueConstraint | PrimaryKeyConstraint | Index

# SQLite names the columns, or the index when it is on expressions; it never names a constraint.
_SQLITE_COLUMNS = re.compile(r"UNIQUE constraint failed: (?P<columns>[\w.]+(?:, [\w.]+)*)$")
_SQLITE_INDEX = re.compile(r"UNIQUE constraint failed: index '(?P<name>\w+)'$")
_POSTGRES_UNIQUE_VIOLATION = "23505"
_POSTGRES_FOREIGN_KEY_VIOLATION = "23503"
_SQLITE_FOREIGN_KEY_VIOLATION = "FOREIGN KEY constraint failed"
_POSTGRES_TRANSACTION_CONFLICTS = {"40P01", "40001"}  # deadlock detected, serialization failure

logger = structlog.get_logger("keel.database")


def conflict(factory: ConflictFactory) -> dict[str, Any]:
    """`info=` of a unique constraint that client input can race into: the error it means."""
    return {CONFLICT: factory}


def exempt(reason: str) -> dict[str, Any]:
    """`info=` of a unique constraint that no client input can violate, and why not."""
    return {EXEMPT: reason}


def unique_rules(metadata: MetaData) -> Iterator[tuple[str, UniqueRule]]:
    """Every unique constraint, unique index and primary key, by table name."""
    for table in metadata.tables.values():
        for constraint in table.constraints:
            if isinstance(constraint, UniqueConstraint | PrimaryKeyConstraint):
                yield table.name, constraint
        for index in table.indexes:
            if index.unique:
                yield table.name, index


def is_surrogate_key(rule: UniqueRule) -> bool:
    """The integer `id` the database assigns: no request chooses it."""
    return isinstance(rule, PrimaryKeyConstraint) and [column.name for column in rule.columns] == ["id"]


def translate_conflicts(engine: AsyncEngine, metadata: MetaData) -> None:
    """Install the hook: a violated `conflict(...)` constraint raises its domain error, a
    violated foreign key `ReferenceRemoved`, a deadlock `ConcurrentChange`."""
    event.listen(engine.sync_engine, "handle_error", partial(_raise_conflict, metadata))


def _raise_conflict(metadata: MetaData, context: ExceptionContext) -> None:
    if _sqlstate(context.original_exception) in _POSTGRES_TRANSACTION_CONFLICTS:
        logger.info("transaction_conflict", statement=context.statement)
        raise ConcurrentChange from context.sqlalchemy_exception
    if _violates_foreign_key(context.original_exception):
        # Logged: were a service to skip its check, this is where the bug would show.
        logger.info("reference_removed", statement=context.statement)
        raise ReferenceRemoved from context.sqlalchemy_exception
    rule = _violated_rule(metadata, context.original_exception)
    if rule is None or CONFLICT not in rule.info:
        return  # not a unique violation, or one Keel does not expect: stays an IntegrityError
    factory: ConflictFactory = rule.info[CONFLICT]
    raise factory(_refused_values(rule, context)) from context.sqlalchemy_exception


def _sqlstate(error: BaseException) -> str | None:
    """PostgreSQL's error code, from asyncpg's own exception under SQLAlchemy's adapter."""
    return getattr(error.__cause__, "sqlstate", None)


def _violates_foreign_key(error: BaseException) -> bool:
    return _sqlstate(error) == _POSTGRES_FOREIGN_KEY_VIOLATION or str(error) == _SQLITE_FOREIGN_KEY_VIOLATION


def _violated_rule(metadata: MetaData, error: BaseException) -> UniqueRule | None:
    if _sqlstate(error) == _POSTGRES_UNIQUE_VIOLATION:
        name = getattr(error.__cause__, "constraint_name", None)
        return next((rule for _, rule in unique_rules(metadata) if rule.name == name), None)
    message = str(error)
    if match := _SQLITE_INDEX.match(message):
        return next((rule for _, rule in unique_rules(metadata) if rule.name == match["name"]), None)
    if match := _SQLITE_COLUMNS.match(message):
        qualified = [column.split(".", 1) for column in match["columns"].split(", ")]
        table = qualified[0][0]
        columns = {column for _, column in qualified}
        for table_name, rule in unique_rules(metadata):
            if table_name == table and {column.name for column in rule.columns} == columns:
                return rule
    return None


def _refused_values(rule: UniqueRule, context: ExceptionContext) -> dict[str, Any]:
    execution = context.execution_context
    rows = execution.compiled_parameters if isinstance(execution, DefaultExecutionContext) else []
    if len(rows) != 1:
        return {}  # a batch: which of its rows was refused is unknown
    row = rows[0]
    return {column.name: row[column.key] for column in rule.columns if column.key in row}
