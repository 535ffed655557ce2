"""Shapes the platform and the domains share in their schemas, each with a name of its own in
OpenAPI, so a generated client has one class for it, not one per field that uses it."""

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict  # pydantic reads `typing.TypedDict` only from Python 3.12


@with_config(ConfigDict(extra="allow"))
class JsonObject(TypedDict, total=False):
    """A JSON object whose keys depend on what produced it (a job's kind, an audited action)."""
