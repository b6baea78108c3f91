"""The hash chain over the account history.

Every event stores its position (`sequence`, from 1), the hash of its predecessor and a SHA-256
over a canonical serialisation of its own content and that predecessor hash. Events are chained
when their transaction commits: under an advisory lock on PostgreSQL (several processes append
one after the other, never forking the chain) and under SQLite's single writer. The lock is
taken last in every transaction, after any row or advisory lock, so that it cannot deadlock.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from app.models import AuditEvent

GENESIS = "0" * 64
# Any constant distinct from the others: the advisory lock under which events are appended.
AUDIT_CHAIN_LOCK = 7_250_002
PENDING = "pending_audit_events"


def content(row: AuditEvent) -> dict[str, Any]:
    """What the hash covers: every column but the surrogate id and the hash itself."""
    return {
        "sequence": row.sequence,
        "previousHash": row.previous_hash,
        "occurredAt": row.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "kind": row.kind,
        "actorAccountId": row.actor_account_id,
        "actorStaffId": row.actor_staff_id,
        "subjectAccountId": row.subject_account_id,
        "companyId": row.company_id,
        "ip": row.ip,
        "userAgent": row.user_agent,
        # As the database gives it back (JSON: tuples become lists, keys strings).
        "details": json.loads(json.dumps(row.details or {})),
    }


def canonical(values: dict[str, Any]) -> bytes:
    """Sorted keys, no spaces, UTF-8: one byte string per content, whatever the database."""
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(row: AuditEvent) -> str:
    return hashlib.sha256(canonical(content(row))).hexdigest()


def append(session: Session, rows: list[AuditEvent]) -> None:
    """Chain `rows` after the current head and add them to the session (inside its transaction)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_CHAIN_LOCK})
    # A row written around the chain (no position) is verify's to report, never the head.
    head = session.execute(
        select(AuditEvent.sequence, AuditEvent.hash)
        .where(AuditEvent.sequence.is_not(None))
        .order_by(AuditEvent.sequence.desc())
        .limit(1)
    ).first()
    sequence, previous = (head.sequence, head.hash) if head else (0, GENESIS)
    for row in rows:
        sequence += 1
        row.sequence, row.previous_hash = sequence, previous
        row.hash = previous = event_hash(row)
        session.add(row)


def stage(session: Session, row: AuditEvent) -> None:
    """Keep `row` until the transaction commits; then it is chained and written."""
    session.info.setdefault(PENDING, []).append(row)


@event.listens_for(Session, "before_commit")
def _chain_pending(session: Session) -> None:
    rows = session.info.pop(PENDING, None)
    if rows:
        append(session, rows)


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    session.info.pop(PENDING, None)
