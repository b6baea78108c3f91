"""Walk the history's hash chain, and sign checkpoints of its head (Ed25519).

`verify` streams the events in chain order (memory stays flat whatever their number) and stops
at the first fault, naming the event: an edited row (its hash no longer matches its content), a
deleted one (a gap in the positions), an inserted or reordered one (a row that does not follow
its predecessor's hash), a row written around the chain (no position). A checkpoint kept outside
the database also reveals that the newest events were cut off, or that the whole chain was
rewritten from some point on.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
)
from sqlalchemy import func, select

from app.audit.chain import GENESIS, canonical, event_hash
from app.db import SessionFactory, read_session
from app.models import AuditEvent

BATCH = 2_000


@dataclass(frozen=True)
class Verdict:
    events: int
    head_hash: str
    fault: str | None = None

    @property
    def ok(self) -> bool:
        return self.fault is None


class CheckpointError(Exception):
    """The checkpoint file is unreadable or its signature does not hold."""


def _name(row: AuditEvent) -> str:
    return f"event #{row.sequence} (id {row.id}, {row.kind}, {row.occurred_at.isoformat()})"


def _fault(row: AuditEvent, expected: int, previous: str, anchor: dict | None) -> str | None:
    """What is wrong with `row`, expected at position `expected` after hash `previous`."""
    if row.sequence != expected:
        return f"event #{expected} is missing (deleted) before {_name(row)}"
    if row.previous_hash != previous:
        return (
            f"{_name(row)} does not follow event #{expected - 1}: an event was inserted, "
            "reordered or rewritten here"
        )
    if event_hash(row) != row.hash:
        return f"{_name(row)} was edited: its content no longer matches its hash"
    if anchor and row.sequence == anchor["sequence"] and row.hash != anchor["hash"]:
        return f"{_name(row)} differs from the signed checkpoint: the chain was rewritten"
    return None


async def verify(sessions: SessionFactory, checkpoint: dict[str, Any] | None = None) -> Verdict:
    previous, count = GENESIS, 0
    async with read_session(sessions) as session:
        unchained = await session.scalar(
            select(AuditEvent).where(AuditEvent.sequence.is_(None)).order_by(AuditEvent.id).limit(1)
        )
        if unchained is not None:
            fault = f"event id {unchained.id} ({unchained.kind}) was written outside the chain"
            return Verdict(0, GENESIS, fault)
        rows = await session.stream_scalars(
            select(AuditEvent).order_by(AuditEvent.sequence).execution_options(yield_per=BATCH)
        )
        async for row in rows:
            fault = _fault(row, count + 1, previous, checkpoint)
            if fault:
                return Verdict(count, previous, fault)
            previous, count = row.hash, count + 1
            if count % BATCH == 0:
                session.expunge_all()  # memory stays flat in the number of events
    if checkpoint and count < checkpoint["sequence"]:
        fault = (
            f"the newest events were cut off: the checkpoint names event "
            f"#{checkpoint['sequence']}, the history ends at #{count}"
        )
        return Verdict(count, previous, fault)
    return Verdict(count, previous)


def load_signing_key(path: Path) -> Ed25519PrivateKey:
    key = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        msg = f"{path} does not hold an Ed25519 private key (openssl genpkey -algorithm ed25519)"
        raise CheckpointError(msg)
    return key


def _signed_part(sequence: int, head_hash: str, at: str) -> bytes:
    return canonical({"sequence": sequence, "hash": head_hash, "at": at})


async def checkpoint(sessions: SessionFactory, key: Ed25519PrivateKey, now: datetime) -> dict:
    """A signed statement of the chain head, to keep outside the database."""
    async with read_session(sessions) as session:
        head = (
            await session.execute(
                select(AuditEvent.sequence, AuditEvent.hash)
                .where(AuditEvent.sequence.is_not(None))
                .order_by(AuditEvent.sequence.desc())
                .limit(1)
            )
        ).first()
    sequence, head_hash = (head.sequence, head.hash) if head else (0, GENESIS)
    at = now.isoformat()
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {
        "sequence": sequence,
        "hash": head_hash,
        "at": at,
        "algorithm": "Ed25519",
        "publicKey": base64.b64encode(public).decode(),
        "signature": base64.b64encode(key.sign(_signed_part(sequence, head_hash, at))).decode(),
    }


def read_checkpoint(path: Path, key: Ed25519PrivateKey) -> dict[str, Any]:
    """The checkpoint in `path`, once its signature is checked against our key."""
    try:
        data = json.loads(path.read_text())
        signed = _signed_part(int(data["sequence"]), str(data["hash"]), str(data["at"]))
        key.public_key().verify(base64.b64decode(data["signature"]), signed)
    except InvalidSignature:
        raise CheckpointError(f"{path}: the signature does not match this key") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CheckpointError(f"{path}: not a checkpoint ({error})") from None
    return {"sequence": int(data["sequence"]), "hash": data["hash"]}


async def count_events(sessions: SessionFactory) -> int:
    async with read_session(sessions) as session:
        return await session.scalar(select(func.count()).select_from(AuditEvent))
