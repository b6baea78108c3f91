"""Professional accounts: expert and basic sign-up, business email confirmation, activation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.events import EventKind, record_event
from app.db import write_transaction
from app.domain import codes
from app.domain.errors import DomainError, DomainErrors
from app.domain.runtime import Caller, Runtime
from app.domain.validation import clean_email, clean_name, clean_siren
from app.models import Account, Company, CompanyRole, Role
from app.models.accounts import PENDING_STATUSES, AccountMode, AccountStatus, CodePurpose
from app.notifications import templates
from app.notifications.addresses import email_key
from app.notifications.outbox import enqueue_unsolicited_email, lock_recipients
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
    # Opt-in to general-information emails, offered at sign-up (off unless asked).
    general_information: bool = False


def _checked(
    errors: list[DomainError], check: Callable[[str, str], str], value: str, field: str
) -> str:
    """Run one field check, collecting its failure so that all wrong fields are told at once."""
    try:
        return check(value, field)
    except DomainError as error:
        errors.append(error)
        return value


async def _checked_identity(
    identity: Identity, errors: list[DomainError], caller: Caller
) -> Identity:
    """Every field's check; the costly strength estimate only once everything else is right."""
    email = _checked(errors, clean_email, identity.email, "email")
    first_name = _checked(errors, clean_name, identity.first_name, "firstName")
    last_name = _checked(errors, clean_name, identity.last_name, "lastName")
    personal = passwords.personal_tokens(email, first_name, last_name)
    problem = passwords.cheap_password_problem(identity.password, personal)
    if problem is None and not errors:
        problem = await passwords.check_password_async(
            identity.password, personal, caller.password_work
        )
    if problem:
        errors.append(DomainError(problem.code, problem.message, ["password"]))
    return Identity(email, identity.password, first_name, last_name, identity.general_information)


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


def new_account(
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
        general_information_emails=identity.general_information,
    )


async def sign_up_expert(rt: Runtime, caller: Caller, identity: Identity) -> None:
    """Open a pending account and email its code.

    The answer is the same whether or not the email is registered: a stranger must not learn
    who has an account. The owner of a registered address is emailed instead.
    """
    now = rt.clock.now()
    await consume_rate_limit(
        rt.sessions, "sign-up", caller.ip, rt.settings.rate_limits.sign_up, now
    )
    errors: list[DomainError] = []
    identity = await _checked_identity(identity, errors, caller)
    if errors:
        raise DomainErrors(errors)
    # Hashed in both cases, so that the time taken tells nothing either.
    password_hash = await rt.passwords.hash(identity.password, caller.password_work)
    key = email_key(identity.email)
    try:
        async with write_transaction(rt.sessions) as session:
            await _expire_stale(session, caller, now, Account.email_key == key)
            existing = await _live_account(session, key)
            if existing is not None:
                await _tell_owner_of_sign_up_attempt(session, caller, existing, now)
                return
            account = new_account(identity, password_hash, AccountMode.EXPERT, now)
            account.status = AccountStatus.PENDING_ACTIVATION
            account.setup_deadline = now + EMAIL_CODE_LIFETIME
            session.add(account)
            await session.flush()
            await send_email_code(session, account, now)
            record_event(
                session,
                EventKind.ACCOUNT_SIGNED_UP,
                caller=caller,
                at=now,
                subject_account_id=account.id,
                details={"mode": AccountMode.EXPERT.value},
            )
    except IntegrityError:
        # A concurrent sign-up with the same email committed first: answer as for any
        # registered email.
        await _tell_owner_after_race(rt, caller, key, now)


async def send_email_code(session: AsyncSession, account: Account, now: datetime) -> None:
    code, _ = await codes.issue(
        session,
        account.id,
        CodePurpose.ACCOUNT_ACTIVATION,
        now,
        account.setup_deadline,
        link=False,
    )
    await enqueue_unsolicited_email(
        session,
        now,
        account.email,
        templates.activation_code_email(code, account.setup_deadline, account.registration_number),
    )


async def _tell_owner_of_sign_up_attempt(
    session: AsyncSession, caller: Caller, owner: Account, now: datetime
) -> None:
    await enqueue_unsolicited_email(
        session, now, owner.email, templates.sign_up_with_registered_email()
    )
    record_event(
        session,
        EventKind.SIGN_UP_WITH_REGISTERED_EMAIL,
        caller=caller,
        at=now,
        subject_account_id=owner.id,
    )


async def _tell_owner_after_race(rt: Runtime, caller: Caller, key: str, now: datetime) -> None:
    async with write_transaction(rt.sessions) as session:
        owner = await _live_account(session, key)
        if owner is not None:
            await _tell_owner_of_sign_up_attempt(session, caller, owner, now)


async def sign_up_basic(
    rt: Runtime, caller: Caller, identity: Identity, siren: str, business_email: str
) -> None:
    """Open a pending basic-mode account and send the confirmation link to the business email.

    As for expert mode, the answer does not tell whether the email is registered, nor whether the
    company already has users: the owner, the company's principal administrator and the business
    email are told instead. Several basic sign-ups for one company may run side by side: the
    letter posted to the registered office proves the link, and the first code entered wins.
    """
    now = rt.clock.now()
    await consume_rate_limit(
        rt.sessions, "sign-up", caller.ip, rt.settings.rate_limits.sign_up, now
    )
    errors: list[DomainError] = []
    siren = _checked(errors, clean_siren, siren, "siren")
    business_email = _checked(errors, clean_email, business_email, "businessEmail")
    identity = await _checked_identity(identity, errors, caller)
    if errors:
        raise DomainErrors(errors)
    password_hash = await rt.passwords.hash(identity.password, caller.password_work)
    key = email_key(identity.email)
    try:
        async with write_transaction(rt.sessions) as session:
            company = await session.scalar(select(Company).where(Company.siren == siren))
            if company is None:
                raise DomainError(
                    "COMPANY_NOT_FOUND",
                    "No company with this SIREN is in the directory.",
                    ["siren"],
                )
            await _expire_stale(session, caller, now, Account.email_key == key)
            existing = await _live_account(session, key)
            principal = await _principal(session, company.id)
            taken = principal is not None or await has_users(session, company.id)
            notified = [existing.email] if existing is not None else []
            if taken:
                notified += [business_email, *([principal.email] if principal else [])]
            await lock_recipients(session, notified)
            if existing is not None:
                await _tell_owner_of_sign_up_attempt(session, caller, existing, now)
            if taken:
                await _tell_company_of_sign_up_attempt(
                    session,
                    caller,
                    company,
                    principal=principal,
                    business_email=business_email,
                    now=now,
                )
                return
            if existing is not None:
                return
            account = new_account(identity, password_hash, AccountMode.BASIC, now)
            account.status = AccountStatus.PENDING_EMAIL_CONFIRMATION
            account.setup_deadline = now + CONFIRMATION_LINK_LIFETIME
            account.signup_company_id = company.id
            account.business_email = business_email
            session.add(account)
            await session.flush()
            await send_confirmation_link(rt, session, account, now)
            record_event(
                session,
                EventKind.ACCOUNT_SIGNED_UP,
                caller=caller,
                at=now,
                subject_account_id=account.id,
                company_id=company.id,
                details={"mode": AccountMode.BASIC.value},
            )
    except IntegrityError:
        await _tell_owner_after_race(rt, caller, key, now)


async def has_users(session: AsyncSession, company_id: int) -> bool:
    users = select(CompanyRole.id).where(
        CompanyRole.company_id == company_id, CompanyRole.role != Role.NONE
    )
    return await session.scalar(users.limit(1)) is not None


async def _principal(session: AsyncSession, company_id: int) -> Account | None:
    return await session.scalar(
        select(Account)
        .join(CompanyRole, CompanyRole.account_id == Account.id)
        .where(
            CompanyRole.company_id == company_id,
            CompanyRole.role == Role.PRINCIPAL_ADMINISTRATOR,
        )
    )


async def _tell_company_of_sign_up_attempt(
    session: AsyncSession,
    caller: Caller,
    company: Company,
    *,
    principal: Account | None,
    business_email: str,
    now: datetime,
) -> None:
    await enqueue_unsolicited_email(
        session, now, business_email, templates.basic_sign_up_refused(company.name)
    )
    if principal is not None:
        await enqueue_unsolicited_email(
            session,
            now,
            principal.email,
            templates.company_sign_up_attempt_email(principal.first_name, company.name),
        )
    record_event(
        session,
        EventKind.BASIC_SIGN_UP_REFUSED,
        caller=caller,
        at=now,
        company_id=company.id,
    )


async def send_confirmation_link(
    rt: Runtime, session: AsyncSession, account: Account, now: datetime
) -> None:
    token, _ = await codes.issue(
        session,
        account.id,
        CodePurpose.EMAIL_CONFIRMATION,
        now,
        account.setup_deadline,
        link=True,
    )
    link = f"{rt.settings.public_url}/confirm-email?token={token}"
    await enqueue_unsolicited_email(
        session,
        now,
        account.business_email,
        templates.business_email_confirmation(link, account.setup_deadline),
    )


async def _live_account(session: AsyncSession, key: str) -> Account | None:
    return await session.scalar(
        select(Account).where(Account.email_key == key, Account.status != AccountStatus.EXPIRED)
    )
