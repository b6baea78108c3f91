"""Domain failures, translated into `userErrors` (or top-level errors) at the edge."""

from __future__ import annotations

from collections.abc import Sequence


class DomainError(Exception):
    """An expected business failure: a stable code, the input field at fault, a message."""

    def __init__(self, code: str, message: str, field: Sequence[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = list(field) if field else None


class NotAuthenticatedError(Exception):
    """The operation needs a logged-in account."""


class RateLimitedError(Exception):
    """Too many attempts from one client address; retry after `retry_after_seconds`."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__("Too many attempts from this address; wait before trying again.")
        self.retry_after_seconds = retry_after_seconds


class DomainErrors(Exception):  # noqa: N818  (the plural of DomainError reads best)
    """Several input fields are wrong at once: all are reported together."""

    def __init__(self, errors: list[DomainError]) -> None:
        super().__init__("; ".join(error.message for error in errors))
        self.errors = errors


class ForbiddenError(Exception):
    """The caller may not act on this object (or it does not exist for them)."""


class WorkLimitError(Exception):
    """The request asks for more expensive work (password checks) than one request may do."""
