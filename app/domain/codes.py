"""Single-use codes (typed) and links (clicked): issuing, checking, consuming.

Checks return the failure instead of raising it, because a wrong attempt must be committed
(it counts towards the limits) while the operation itself fails.

Wrong attempts are counted per code and client address: five from one address stop that address,
not the person the code was sent to. Fifty in all, from anywhere, kill the code; a fresh one can
be asked for (resendActivationCode).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.errors import DomainError
from app.models import OneTimeCode
from app.models.accounts import CodePurpose
from app.security import secrets
from app.security.throttling import client_key, failure_count, lockout_key, register_failure
from app.settings import LockoutPolicy

MAX_CODE_ATTEMPTS = 5  # per client address
MAX_CODE_ATTEMPTS_IN_ALL = 50  # from every address together
_NO_LOCK = LockoutPolicy(free_failures=10**9)


def code_invalid(field: str) -> DomainError:
    return DomainError("CODE_INVALID", "This code is not valid. Check it and try again.", [field])


def code_exhausted(field: str) -> DomainError:
    return DomainError(
        "CODE_ATTEMPTS_EXHAUSTED",
        f"This code was entered wrongly {MAX_CODE_ATTEMPTS} times and no longer works here. "
        "Ask for a new one.",
        [field],
    )


async def issue(
    session: AsyncSession,
    account_id: int,
    purpose: CodePurpose,
    now: datetime,
    expires_at: datetime,
    *,
    link: bool,
) -> tuple[str, OneTimeCode]:
    """Create a code (or link token); the clear secret is for the message only, never stored."""
    secret = secrets.new_link_token() if link else secrets.new_code()
    stored = secret if link else secrets.normalize_code(secret)
    code = OneTimeCode(
        account_id=account_id,
        purpose=purpose,
        secret_digest=secrets.digest(stored),
        created_at=now,
        expires_at=expires_at,
        failed_attempts=0,
    )
    session.add(code)
    await session.flush()
    return secret, code


async def latest_code(
    session: AsyncSession, account_id: int | None, purposes: tuple[CodePurpose, ...]
) -> OneTimeCode | None:
    if account_id is None:
        return None
    return await session.scalar(
        select(OneTimeCode)
        .where(OneTimeCode.account_id == account_id, OneTimeCode.purpose.in_(purposes))
        .order_by(OneTimeCode.id.desc())
        .limit(1)
        # Wrong attempts in parallel must each count: take turns on the code's row.
        .with_for_update()
    )


async def check_typed_code(
    session: AsyncSession,
    code: OneTimeCode | None,
    typed: str,
    now: datetime,
    *,
    unknown_key: str,
    client: str | None,
) -> tuple[OneTimeCode | None, DomainError | None]:
    """`code` if `typed` is it and it still works, else the failure to report.

    With no code to compare with (unknown email, nothing awaiting a code), wrong attempts are
    counted under `unknown_key` the same way, so that the answers (CODE_INVALID, then
    CODE_ATTEMPTS_EXHAUSTED) never tell whether an email exists.
    """
    subject = f"code:{code.id}" if code is not None else unknown_key
    mine = lockout_key("code", subject, client_key(client))
    if code is None:
        in_all, _ = await register_failure(session, lockout_key("code", subject), _NO_LOCK, now)
        from_here, _ = await register_failure(session, mine, _NO_LOCK, now)
        if from_here >= MAX_CODE_ATTEMPTS or in_all >= MAX_CODE_ATTEMPTS_IN_ALL:
            return None, code_exhausted("code")
        return None, code_invalid("code")
    if (
        code.failed_attempts >= MAX_CODE_ATTEMPTS_IN_ALL
        or await failure_count(session, mine) >= MAX_CODE_ATTEMPTS
    ):
        return None, code_exhausted("code")
    if secrets.digest(secrets.normalize_code(typed)) != code.secret_digest:
        code.failed_attempts += 1
        from_here, _ = await register_failure(session, mine, _NO_LOCK, now)
        if from_here >= MAX_CODE_ATTEMPTS or code.failed_attempts >= MAX_CODE_ATTEMPTS_IN_ALL:
            return None, code_exhausted("code")
        return None, code_invalid("code")
    return code, _usable(code, now, "code", "CODE")


async def retire(
    session: AsyncSession, account_id: int, purposes: tuple[CodePurpose, ...], now: datetime
) -> None:
    """Make the account's outstanding codes or links of these purposes expire now."""
    await session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.account_id == account_id,
            OneTimeCode.purpose.in_(purposes),
            OneTimeCode.used_at.is_(None),
            OneTimeCode.expires_at > now,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )


async def check_link_token(
    session: AsyncSession, purpose: CodePurpose, token: str, now: datetime
) -> tuple[OneTimeCode | None, DomainError | None]:
    code = await session.scalar(
        select(OneTimeCode).where(
            OneTimeCode.secret_digest == secrets.digest(token.strip()),
            OneTimeCode.purpose == purpose,
        )
    )
    if code is None:
        return None, DomainError(
            "TOKEN_INVALID",
            "This link is not valid. Copy the whole link from the email.",
            ["token"],
        )
    return code, _usable(code, now, "token", "TOKEN")


def _usable(code: OneTimeCode, now: datetime, field: str, prefix: str) -> DomainError | None:
    noun = "code" if prefix == "CODE" else "link"
    if code.used_at is not None:
        return DomainError(f"{prefix}_ALREADY_USED", f"This {noun} has already been used.", [field])
    if now >= code.expires_at:
        return DomainError(f"{prefix}_EXPIRED", f"This {noun} has expired.", [field])
    return None


async def consume(session: AsyncSession, code: OneTimeCode, now: datetime, field: str) -> None:
    """Mark the code used, unless a concurrent request did it first."""
    result = await session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.id == code.id, OneTimeCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        prefix, noun = ("TOKEN", "link") if field == "token" else ("CODE", "code")
        raise DomainError(f"{prefix}_ALREADY_USED", f"This {noun} has already been used.", [field])
