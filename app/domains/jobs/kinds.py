"""The job kinds of every installed domain, by name (each declared in its domain's `jobs=`)."""

from functools import cache

from app.domains import installed_domains
from app.infrastructure.background import JobKind


@cache
def job_kinds() -> dict[str, JobKind]:
    kinds: dict[str, JobKind] = {}
    for domain in installed_domains():
        for kind in domain.jobs:
            if kind.name in kinds:
                raise ValueError(f"job kind {kind.name!r} is declared twice")
            kinds[kind.name] = kind
    return kinds
