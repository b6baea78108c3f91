"""Professional accounts: expert and basic sign-up, business email confirmation, activation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.events import EventKind, record_event
from app.clock import end_of_day_count
from app.db import write_transaction
from app.domain import codes
from app.domain.errors import DomainError, DomainErrors
from app.domain.runtime import Caller, Runtime
from app.domain.services import grant_company_services
from app.domain.validation import clean_email, clean_name, clean_siren, email_key
from app.models import Account, Company, CompanyRole, Role
from app.models.accounts import PENDING_STATUSES, AccountMode, AccountStatus, CodePurpose
from app.notifications import templates
from app.notifications.outbox import enqueue_email, enqueue_letter
from app.reference.services import STANDARD_SERVICES
from app.security import passwords
from app.security.secrets import new_registration_number
from app.security.throttling import consume_rate_limit

EMAIL_CODE_LIFETIME = timedelta(hours=48)
CONFIRMATION_LINK_LIFETIME = timedelta(hours=72)
POSTAL_CODE_DAYS = 60


@dataclass(frozen=True)
class Identity:
    email: str
    password: str
    first_name: str
    last_name: str


def email_already_registered() -> DomainError:
    return DomainError(
        "EMAIL_ALREADY_REGISTERED",
        "An account already uses this email address. Log in, or reset your password.",
        ["email"],
    )


def _checked(
    errors: list[DomainError], check: Callable[[str, str], str], value: str, field: str
) -> str:
    """Run one field check, collecting its failure so that all wrong fields are told at once."""
    try:
        return check(value, field)
    except DomainError as error:
        errors.append(error)
        return value


async def _checked_identity(identity: Identity, errors: list[DomainError]) -> Identity:
    email = _checked(errors, clean_email, identity.email, "email")
    first_name = _checked(errors, clean_name, identity.first_name, "firstName")
    last_name = _checked(errors, clean_name, identity.last_name, "lastName")
    problem = await passwords.check_password_async(
        identity.password, passwords.personal_tokens(email, first_name, last_name)
    )
    if problem:
        errors.append(DomainError(problem.code, problem.message, ["password"]))
    return Identity(email, identity.password, first_name, last_name)


async def _expire_stale(
    session: AsyncSession, caller: Caller, now: datetime, *conditions: object
) -> None:
    """Mark pending accounts past their deadline as expired, freeing their email and company."""
    stale = await session.scalars(
        select(Account).where(
            Account.status.in_(PENDING_STATUSES), Account.setup_deadline <= now, *conditions
        )
    )
    for account in stale:
        expire(session, caller, account, now)


def expire(session: AsyncSession, caller: Caller, account: Account, now: datetime) -> None:
    account.status = AccountStatus.EXPIRED
    record_event(
        session, EventKind.ACCOUNT_EXPIRED, caller=caller, at=now, subject_account_id=account.id
    )


def _new_account(
    identity: Identity, password_hash: str, mode: AccountMode, now: datetime
) -> Account:
    return Account(
        registration_number=new_registration_number(),
        email=identity.email,
        email_key=email_key(identity.email),
        password_hash=password_hash,
        first_name=identity.first_name,
        last_name=identity.last_name,
        mode=mode,
        created_at=now,
        password_changed_at=now,
    )


def _translate_conflict(error: IntegrityError) -> DomainError:
    text = str(error.orig)
    if "email_key" in text or "uq_accounts_live_email" in text:
        return email_already_registered()
    if "signup_company_id" in text or "uq_accounts_pending_signup_company" in text:
        return signup_in_progress()
    raise error


def signup_in_progress() -> DomainError:
    return DomainError(
        "COMPANY_SIGNUP_IN_PROGRESS",
        "A basic-mode sign-up is already in progress for this company; its activation letter "
        "goes to the registered office.",
        ["siren"],
    )


async def sign_up_expert(rt: Runtime, caller: Caller, identity: Identity) -> Account:
    now = rt.clock.now()
    await consume_rate_limit(
        rt.sessions, "sign-up", caller.ip, rt.settings.rate_limits.sign_up, now
    )
    errors: list[DomainError] = []
    identity = await _checked_identity(identity, errors)
    if errors:
        raise DomainErrors(errors)
    password_hash = await rt.passwords.hash(identity.password)
    try:
        async with write_transaction(rt.sessions) as session:
            key = email_key(identity.email)
            await _expire_stale(session, caller, now, Account.email_key == key)
            if await _live_account(session, key):
                raise email_already_registered()
            account = _new_account(identity, password_hash, AccountMode.EXPERT, now)
            account.status = AccountStatus.PENDING_ACTIVATION
            account.setup_deadline = now + EMAIL_CODE_LIFETIME
            session.add(account)
            await session.flush()
            code, _ = await codes.issue(
                session,
                account.id,
                CodePurpose.ACCOUNT_ACTIVATION,
                now,
                account.setup_deadline,
                link=False,
            )
            enqueue_email(
                session,
                now,
                account.email,
                templates.activation_code_email(account.first_name, code, account.setup_deadline),
            )
            record_event(
                session,
                EventKind.ACCOUNT_SIGNED_UP,
                caller=caller,
                at=now,
                subject_account_id=account.id,
                details={"mode": AccountMode.EXPERT.value},
            )
    except IntegrityError as error:
        raise _translate_conflict(error) from None
    return account


async def sign_up_basic(
    rt: Runtime, caller: Caller, identity: Identity, siren: str, business_email: str
) -> Account:
    now = rt.clock.now()
    await consume_rate_limit(
        rt.sessions, "sign-up", caller.ip, rt.settings.rate_limits.sign_up, now
    )
    errors: list[DomainError] = []
    identity = await _checked_identity(identity, errors)
    siren = _checked(errors, clean_siren, siren, "siren")
    business_email = _checked(errors, clean_email, business_email, "businessEmail")
    if errors:
        raise DomainErrors(errors)
    password_hash = await rt.passwords.hash(identity.password)
    try:
        async with write_transaction(rt.sessions) as session:
            company = await session.scalar(select(Company).where(Company.siren == siren))
            if company is None:
                raise DomainError(
                    "COMPANY_NOT_FOUND",
                    "No company with this SIREN is in the directory.",
                    ["siren"],
                )
            users = select(CompanyRole.id).where(
                CompanyRole.company_id == company.id, CompanyRole.role != Role.NONE
            )
            if await session.scalar(users.limit(1)):
                raise DomainError(
                    "COMPANY_ALREADY_HAS_USERS",
                    "This company already has an online-service user. Sign up in expert mode and "
                    "ask its administrator for a delegation.",
                    ["siren"],
                )
            key = email_key(identity.email)
            await _expire_stale(
                session,
                caller,
                now,
                (Account.email_key == key) | (Account.signup_company_id == company.id),
            )
            if await _live_account(session, key):
                raise email_already_registered()
            account = _new_account(identity, password_hash, AccountMode.BASIC, now)
            account.status = AccountStatus.PENDING_EMAIL_CONFIRMATION
            account.setup_deadline = now + CONFIRMATION_LINK_LIFETIME
            account.signup_company_id = company.id
            account.business_email = business_email
            session.add(account)
            await session.flush()
            token, _ = await codes.issue(
                session,
                account.id,
                CodePurpose.EMAIL_CONFIRMATION,
                now,
                account.setup_deadline,
                link=True,
            )
            link = f"{rt.settings.public_url}/confirm-email?token={token}"
            enqueue_email(
                session,
                now,
                business_email,
                templates.business_email_confirmation(
                    account.first_name, link, account.setup_deadline
                ),
            )
            record_event(
                session,
                EventKind.ACCOUNT_SIGNED_UP,
                caller=caller,
                at=now,
                subject_account_id=account.id,
                company_id=company.id,
                details={"mode": AccountMode.BASIC.value},
            )
    except IntegrityError as error:
        raise _translate_conflict(error) from None
    return account


async def _live_account(session: AsyncSession, key: str) -> Account | None:
    return await session.scalar(
        select(Account).where(Account.email_key == key, Account.status != AccountStatus.EXPIRED)
    )


async def confirm_email(rt: Runtime, caller: Caller, token: str) -> Account:
    """Basic mode, step 2: the business email is confirmed; an activation letter is posted."""
    now = rt.clock.now()
    await consume_rate_limit(
        rt.sessions, "code", caller.ip, rt.settings.rate_limits.code_entry, now
    )
    failure: DomainError | None = None
    async with write_transaction(rt.sessions) as session:
        code, failure = await codes.check_link_token(
            session, CodePurpose.EMAIL_CONFIRMATION, token, now
        )
        account = await session.get(Account, code.account_id) if code else None
        expired = failure is not None and failure.code == "TOKEN_EXPIRED"
        if expired and account is not None and account.status in PENDING_STATUSES:
            expire(session, caller, account, now)
        if failure is None and account is not None:
            await codes.consume(session, code, now, "token")
            company = await session.get(Company, account.signup_company_id)
            account.status = AccountStatus.PENDING_ACTIVATION
            account.business_email_confirmed_at = now
            account.setup_deadline = end_of_day_count(account.created_at, POSTAL_CODE_DAYS)
            postal_code, _ = await codes.issue(
                session,
                account.id,
                CodePurpose.POSTAL_ACTIVATION,
                now,
                account.setup_deadline,
                link=False,
            )
            enqueue_letter(
                session,
                now,
                company,
                templates.postal_activation_letter(
                    company.name, postal_code, account.setup_deadline
                ),
            )
            record_event(
                session,
                EventKind.BUSINESS_EMAIL_CONFIRMED,
                caller=caller,
                at=now,
                subject_account_id=account.id,
                company_id=company.id,
            )
    if failure:
        raise failure
    return account


async def activate_account(rt: Runtime, caller: Caller, email: str, typed_code: str) -> Account:
    """Last step of both modes: the emailed (expert) or posted (basic) code activates it."""
    now = rt.clock.now()
    await consume_rate_limit(
        rt.sessions, "code", caller.ip, rt.settings.rate_limits.code_entry, now
    )
    key = email_key(email)
    failure: DomainError | None = None
    try:
        async with write_transaction(rt.sessions) as session:
            account = await session.scalar(
                select(Account).where(Account.email_key == key).order_by(Account.id.desc()).limit(1)
            )
            latest = await codes.latest_code(
                session,
                account.id if account else None,
                (CodePurpose.ACCOUNT_ACTIVATION, CodePurpose.POSTAL_ACTIVATION),
            )
            code, failure = await codes.check_typed_code(
                session,
                latest,
                typed_code,
                now,
                unknown_key=f"activation:{key}",
            )
            if failure and failure.code == "CODE_EXPIRED" and account.status in PENDING_STATUSES:
                expire(session, caller, account, now)
            if failure:
                record_event(
                    session,
                    EventKind.ACTIVATION_CODE_REJECTED,
                    caller=caller,
                    at=now,
                    subject_account_id=account.id if account else None,
                    details={"reason": failure.code},
                )
            else:
                await codes.consume(session, code, now, "code")
                await _activate(session, caller, account, now)
    except IntegrityError as error:
        if "company_id" in str(error.orig) or "uq_company_roles_principal" in str(error.orig):
            raise DomainError(
                "COMPANY_ALREADY_HAS_ADMINISTRATOR",
                "This company already has a principal administrator; ask them for a delegation.",
                ["code"],
            ) from None
        raise
    if failure:
        raise failure
    return account


async def _activate(session: AsyncSession, caller: Caller, account: Account, now: datetime) -> None:
    account.status = AccountStatus.ACTIVE
    account.activated_at = now
    account.setup_deadline = None
    record_event(
        session, EventKind.ACCOUNT_ACTIVATED, caller=caller, at=now, subject_account_id=account.id
    )
    if account.mode != AccountMode.BASIC:
        return
    company_id = account.signup_company_id
    session.add(
        CompanyRole(
            company_id=company_id,
            account_id=account.id,
            role=Role.PRINCIPAL_ADMINISTRATOR,
            since=now,
        )
    )
    await grant_company_services(
        session, company_id, [service.code for service in STANDARD_SERVICES], now
    )
    record_event(
        session,
        EventKind.PRINCIPAL_ADMINISTRATOR_APPOINTED,
        caller=caller,
        at=now,
        subject_account_id=account.id,
        company_id=company_id,
        details={"services": [service.code for service in STANDARD_SERVICES]},
    )
    await session.flush()
