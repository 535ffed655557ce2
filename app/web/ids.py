"""Ids in paths, queries and bodies: positive, and within the database's INTEGER column.

A larger number cannot name anything, and would overflow the driver into a 500 (found by
fuzzing); bounding it makes it a 422 like any other invalid input.
"""

from typing import Annotated

from fastapi import Path, Query
from pydantic import Field

MAX_ID = 2_147_483_647  # INTEGER on PostgreSQL

EntityId = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
OwnerQuery = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Admins: someone else's, by user id.")]
