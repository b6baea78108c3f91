"""Scalars stricter than Strawberry's defaults, so that malformed values fail validation.

A date-time without a UTC offset is ambiguous (Paris or UTC?), and a date-only value is not a
moment at all: both are refused rather than guessed. Years are bounded so that deadline arithmetic
(start + 60 days, conversion to UTC) can never overflow.
"""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from graphql import GraphQLError
from strawberry.file_uploads import Upload

EARLIEST_YEAR = 1900
LATEST_YEAR = 9000
DATE_TIME_FORMAT = "an ISO 8601 date and time with its UTC offset, e.g. 2026-12-01T09:00:00+01:00"


def parse_aware_datetime(value: object) -> datetime:
    """The moment, or a GraphQLError: a refused value is the client's mistake, never masked."""
    if not isinstance(value, str):
        raise GraphQLError(f"DateTime must be a string: {DATE_TIME_FORMAT}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise GraphQLError(f"DateTime must be {DATE_TIME_FORMAT}") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise GraphQLError(f"DateTime needs a UTC offset or Z: {DATE_TIME_FORMAT}")
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise GraphQLError(
            f"DateTime must fall between the years {EARLIEST_YEAR} and {LATEST_YEAR}"
        )
    return moment.astimezone(UTC)


def serialize_datetime(value: datetime) -> str:
    return value.isoformat()


AwareDateTime = strawberry.scalar(
    name="DateTime",
    description="A moment: ISO 8601 date and time with a UTC offset (`Z` or `+01:00`). Values "
    "without an offset, date-only values and years outside 1900-9000 are refused. Returned in UTC.",
    serialize=serialize_datetime,
    parse_value=parse_aware_datetime,
)

UPLOAD_FORMAT = (
    "Upload values are files sent by the GraphQL multipart request spec (a multipart/form-data "
    "POST with `operations`, `map` and the files); they cannot be written in JSON"
)


def parse_upload(value: object) -> object:
    """A file of the multipart request; any JSON value (a string, a number) is refused."""
    if not (hasattr(value, "read") and hasattr(value, "filename")):
        raise GraphQLError(UPLOAD_FORMAT)
    return value


def serialize_upload(_: object) -> None:
    raise TypeError("Upload is an input type only")


StrictUpload = strawberry.scalar(
    name="Upload",
    description="A file sent by the GraphQL multipart request spec (needs a GraphQL-Preflight "
    "header). Input only.",
    serialize=serialize_upload,
    parse_value=parse_upload,
)

SCALAR_MAP = {datetime: AwareDateTime, Upload: StrictUpload}
