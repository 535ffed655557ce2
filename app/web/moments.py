"""Moments in queries and bodies: with a time zone, and within the calendar once in UTC.

`0001-01-01T00:00:00+14:00` parses, but is a moment before year 1 in UTC: converting it, as
every query on a timestamp column does, overflows into a 500 (found by fuzzing). It names no
moment Keel can have recorded, so it is invalid input like any other (422).
"""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime


def exists_in_utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("this moment is outside the calendar in UTC") from None


Moment = Annotated[AwareDatetime, AfterValidator(exists_in_utc)]
