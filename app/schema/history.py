"""The account history as professionals and staff read it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated

import strawberry

from app.audit.events import EventKind
from app.audit.summaries import SENTENCES
from app.domain.history import Entry, HistoryFilter, HistoryPage
from app.schema.nodes import PageInfo, decode_cursor, encode_cursor, from_global_id, to_global_id

HistoryEventKind = strawberry.enum(
    enum.Enum(  # type: ignore[misc]
        "HistoryEventKind",
        {
            kind.value: strawberry.enum_value(
                kind.value, description=SENTENCES[kind].replace("{", "").replace("}", "")
            )
            for kind in EventKind
        },
    ),
    description="The kind of an event of the history (the description gives its sentence).",
)


@strawberry.enum(description="Who caused an event.")
class HistoryActorKind(enum.Enum):
    PROFESSIONAL = strawberry.enum_value("PROFESSIONAL", description="A professional account.")
    STAFF = strawberry.enum_value("STAFF", description="A member of the tax department.")
    SYSTEM = strawberry.enum_value(
        "SYSTEM", description="The gateway itself (an expiry) or someone not logged in."
    )


@strawberry.type(description="Who caused an event.")
class HistoryActor:
    kind: HistoryActorKind = strawberry.field(description="A professional, staff or the system.")
    display_name: str = strawberry.field(
        description="The professional's name; staff show as the tax administration and office."
    )


@strawberry.type(description="The company an event concerns.")
class HistoryCompany:
    siren: str | None = strawberry.field(description="SIREN, if it has one.")
    idsp: str | None = strawberry.field(description="IDSP, while it awaits a SIREN.")
    name: str = strawberry.field(description="Name from the directory.")


@strawberry.type(description="One event of the history.")
class HistoryEntry:
    id: strawberry.ID = strawberry.field(description="Opaque identifier of the event.")
    sequence: int = strawberry.field(
        description="Position in the tamper-evident chain (the CSV export ends with its hash)."
    )
    occurred_at: datetime = strawberry.field(description="When it happened.")
    kind: HistoryEventKind = strawberry.field(description="What happened.")  # type: ignore[valid-type]
    actor: HistoryActor = strawberry.field(description="Who did it.")
    company: HistoryCompany | None = strawberry.field(description="The company concerned.")
    summary: str = strawberry.field(description="A sentence in French.")
    client_address: str | None = strawberry.field(
        description="The client address, for the viewer's own actions only."
    )
    user_agent: str | None = strawberry.field(
        description="The client's user agent, for the viewer's own actions only."
    )

    @classmethod
    def from_entry(cls, entry: Entry, viewer_id: int | None) -> HistoryEntry:
        event = entry.event
        own = viewer_id is not None and event.actor_account_id == viewer_id
        return cls(
            id=to_global_id("HistoryEvent", event.id),
            sequence=event.sequence or 0,
            occurred_at=event.occurred_at,
            kind=HistoryEventKind[event.kind],  # type: ignore[index]
            actor=HistoryActor(
                kind=HistoryActorKind[entry.actor_kind], display_name=entry.actor_name
            ),
            company=HistoryCompany(
                siren=entry.company_siren, idsp=entry.company_idsp, name=entry.company_name
            )
            if entry.company_name is not None
            else None,
            summary=entry.summary,
            client_address=event.ip if own else None,
            user_agent=event.user_agent if own else None,
        )


@strawberry.type(description="An edge of a history connection.")
class HistoryEdge:
    cursor: str = strawberry.field(description="Opaque position of this edge.")
    node: HistoryEntry = strawberry.field(description="The event.")


@strawberry.type(description="A page of the history, newest first (Relay connection).")
class HistoryConnection:
    edges: list[HistoryEdge] = strawberry.field(description="The events of this page.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    total_count: int = strawberry.field(description="Number of events in all pages.")


@strawberry.input(description="Which events to show.")
class HistoryFilterInput:
    kinds: list[HistoryEventKind] | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only these kinds."
    )
    company_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Only events about this company (global ID; viewer.history only: a "
        "company's own history is already about it).",
    )
    from_: datetime | None = strawberry.field(
        default=None, name="from", description="Only events at or after this moment."
    )
    to: datetime | None = strawberry.field(
        default=None, description="Only events before this moment."
    )


HistoryFilterArgument = Annotated[
    HistoryFilterInput | None, strawberry.argument(description="Which events to show.")
]


def domain_filter(value: HistoryFilterInput | None, company_pk: int | None) -> HistoryFilter:
    if value is None:
        return HistoryFilter()
    return HistoryFilter(
        kinds=tuple(kind.value for kind in value.kinds or ()),
        company_id=company_pk,
        since=value.from_,
        until=value.to,
    )


def history_connection(page: HistoryPage, viewer_id: int | None) -> HistoryConnection:
    edges = [
        HistoryEdge(
            cursor=encode_cursor(entry.event.sequence or 0),
            node=HistoryEntry.from_entry(entry, viewer_id),
        )
        for entry in page.entries
    ]
    return HistoryConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None
        ),
        total_count=page.total,
    )


def company_key(company_id: str | None) -> int | None:
    """The company behind a filter's global ID; 0 (no company) for anything else, never None,
    which would mean "no filter"."""
    if company_id is None:
        return None
    decoded = from_global_id(company_id)
    return decoded[1] if decoded and decoded[0] == "Company" else 0


def before_of(after: str | None) -> int | None:
    return decode_cursor(after)
