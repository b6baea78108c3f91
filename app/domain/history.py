"""Reading the account history: an account's own events, a company's, and their CSV export."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from app.audit.summaries import summary
from app.models import Account, AuditEvent, Company, StaffMember

ActorAccount = aliased(Account)
EVENT_COLUMNS = tuple(AuditEvent.__table__.c)
STREAM_BATCH = 1_000


@dataclass(frozen=True)
class HistoryFilter:
    kinds: tuple[str, ...] = ()
    company_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Entry:
    """An event with the names it needs, read in the same statement.

    `event` is a plain row (the columns of `audit_events`), never an ORM instance: streaming tens
    of thousands of them must not grow an identity map.
    """

    event: Any
    actor_first_name: str | None
    actor_last_name: str | None
    staff_office: str | None
    company_siren: str | None
    company_idsp: str | None
    company_name: str | None

    @classmethod
    def from_row(cls, row: Any) -> Entry:  # noqa: ANN401
        return cls(
            row,
            row.actor_first_name,
            row.actor_last_name,
            row.staff_office,
            row.company_siren,
            row.company_idsp,
            row.company_name,
        )

    @property
    def actor_kind(self) -> str:
        if self.event.actor_staff_id is not None:
            return "STAFF"
        return "PROFESSIONAL" if self.event.actor_account_id is not None else "SYSTEM"

    @property
    def actor_name(self) -> str:
        if self.actor_kind == "STAFF":
            office = f" ({self.staff_office})" if self.staff_office else ""
            return f"Administration fiscale{office}"
        if self.actor_kind == "PROFESSIONAL":
            return f"{self.actor_first_name} {self.actor_last_name}".strip()
        return "Système"

    @property
    def summary(self) -> str:
        return summary(self.event.kind, self.event.details, self.company_name)


@dataclass(frozen=True)
class HistoryPage:
    entries: list[Entry]
    total: int
    has_next: bool


def _with_names(query: Select, events: Any) -> Select:  # noqa: ANN401
    """Add the names an entry shows, joined on `events` (the table or a subquery of it)."""
    return (
        query.add_columns(
            ActorAccount.first_name.label("actor_first_name"),
            ActorAccount.last_name.label("actor_last_name"),
            StaffMember.office.label("staff_office"),
            Company.siren.label("company_siren"),
            Company.idsp.label("company_idsp"),
            Company.name.label("company_name"),
        )
        .outerjoin(ActorAccount, ActorAccount.id == events.c.actor_account_id)
        .outerjoin(StaffMember, StaffMember.id == events.c.actor_staff_id)
        .outerjoin(Company, Company.id == events.c.company_id)
    )


def _entries(query: Select) -> Select:
    return _with_names(query, AuditEvent.__table__)


def _filtered(query: Select, history_filter: HistoryFilter) -> Select:
    if history_filter.kinds:
        query = query.where(AuditEvent.kind.in_(history_filter.kinds))
    if history_filter.company_id is not None:
        query = query.where(AuditEvent.company_id == history_filter.company_id)
    if history_filter.since is not None:
        query = query.where(AuditEvent.occurred_at >= history_filter.since)
    if history_filter.until is not None:
        query = query.where(AuditEvent.occurred_at < history_filter.until)
    return query


def _of_account(account_id: int) -> Select:
    """Events where the account is the actor or the subject."""
    return select(*EVENT_COLUMNS).where(
        or_(AuditEvent.actor_account_id == account_id, AuditEvent.subject_account_id == account_id)
    )


async def account_history(
    session: AsyncSession,
    account_id: int,
    history_filter: HistoryFilter,
    size: int,
    before: int | None,
) -> HistoryPage:
    """A page of the account's events, newest first; `before` is a chain position."""
    base = _filtered(_of_account(account_id), history_filter)
    total = await session.scalar(select(func.count()).select_from(base.subquery()))
    if before is not None:
        base = base.where(AuditEvent.sequence < before)
    rows = (
        await session.execute(_entries(base).order_by(AuditEvent.sequence.desc()).limit(size + 1))
    ).all()
    entries = [Entry.from_row(row) for row in rows[:size]]
    return HistoryPage(entries, total, len(rows) > size)


async def company_histories(
    session: AsyncSession,
    company_ids: Sequence[int],
    history_filter: HistoryFilter,
    size: int,
    before: int | None,
) -> dict[int, HistoryPage]:
    """A page of each company's events, newest first, in one statement for all companies."""
    numbered = _filtered(select(*EVENT_COLUMNS), history_filter).where(
        AuditEvent.company_id.in_(company_ids)
    )
    if before is not None:
        numbered = numbered.where(AuditEvent.sequence < before)
    ranked = numbered.add_columns(
        func.row_number()
        .over(partition_by=AuditEvent.company_id, order_by=AuditEvent.sequence.desc())
        .label("position"),
    ).subquery()
    query = _with_names(select(*ranked.c), ranked).where(ranked.c.position <= size + 1)
    query = query.order_by(ranked.c.company_id, ranked.c.position)
    counted = (
        _filtered(select(AuditEvent.company_id), history_filter)
        .where(AuditEvent.company_id.in_(company_ids))
        .subquery()
    )
    totals = dict(
        (
            await session.execute(
                select(counted.c.company_id, func.count()).group_by(counted.c.company_id)
            )
        ).all()
    )
    pages: dict[int, list[Entry]] = {key: [] for key in company_ids}
    for row in (await session.execute(query)).all():
        pages[row.company_id].append(Entry.from_row(row))
    return {
        key: HistoryPage(entries[:size], totals.get(key, 0), len(entries) > size)
        for key, entries in pages.items()
    }


async def stream_account_history(
    session: AsyncSession, account_id: int, history_filter: HistoryFilter
) -> AsyncIterator[Entry]:
    """Every event of the account, oldest first, read in batches (memory flat in the count)."""
    query = _entries(_filtered(_of_account(account_id), history_filter)).order_by(
        AuditEvent.sequence
    )
    result = await session.stream(query.execution_options(yield_per=STREAM_BATCH))
    async for row in result:
        yield Entry.from_row(row)
