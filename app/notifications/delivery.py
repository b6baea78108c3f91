"""The outbox dispatcher: claims due messages, delivers them, retries failures with back-off.

Claims are leases in the database (`claimed_by`, `claimed_until`), so several dispatchers in
several processes share the work, and a dispatcher that dies mid-delivery only delays a message
until its lease runs out; the message is then delivered again with the same Message-ID.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aiosmtplib
from sqlalchemy import or_, select, update

from app.clock import Clock
from app.db import SessionFactory, write_transaction
from app.models import OutboxMessage
from app.models.notifications import MessageKind
from app.settings import Settings

logger = logging.getLogger(__name__)

SENDER = "Espace professionnel <no-reply@impots.gouv.fr>"
LEASE = timedelta(seconds=60)
FIRST_RETRY = timedelta(seconds=5)
MAX_RETRY = timedelta(hours=1)
BATCH = 50


def retry_delay(attempts: int) -> timedelta:
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), MAX_RETRY)


class Dispatcher:
    def __init__(self, sessions: SessionFactory, clock: Clock, settings: Settings) -> None:
        self.sessions = sessions
        self.clock = clock
        self.settings = settings
        self.worker = secrets.token_hex(8)
        self.wake = asyncio.Event()
        self.stopping = False

    def stop(self) -> None:
        """Ask `run_forever` to return at its next turn (shutdown does not rely on cancellation
        alone: Python 3.11's `asyncio.wait_for` can swallow a cancellation that races its
        timeout, which left the loop polling forever)."""
        self.stopping = True
        self.wake.set()

    async def run_forever(self) -> None:
        while not self.stopping:
            try:
                delivered = await self.run_once()
            except Exception:
                logger.exception("outbox dispatch failed; trying again")
                delivered = 0
            if delivered == 0 and not self.stopping:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(self.settings.outbox_poll_seconds):
                        await self.wake.wait()
                self.wake.clear()

    async def run_once(self) -> int:
        """Claim and deliver what is due; returns how many messages were delivered."""
        delivered = 0
        for message in await self.claim():
            if await self.deliver(message):
                delivered += 1
        return delivered

    async def claim(self, limit: int = BATCH) -> list[OutboxMessage]:
        now = self.clock.now()
        async with write_transaction(self.sessions) as session:
            due = (
                select(OutboxMessage)
                .where(
                    OutboxMessage.delivered_at.is_(None),
                    OutboxMessage.next_attempt_at <= now,
                    or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
                )
                .order_by(OutboxMessage.id)
                .limit(limit)
                # PostgreSQL: concurrent dispatchers skip each other's rows. SQLite ignores it;
                # there the write transaction (BEGIN IMMEDIATE) makes the claim exclusive.
                .with_for_update(skip_locked=True)
            )
            messages = list(await session.scalars(due))
            for message in messages:
                message.claimed_by = self.worker
                message.claimed_until = now + LEASE
                message.attempts += 1
        return messages

    async def deliver(self, message: OutboxMessage) -> bool:
        try:
            if message.kind == MessageKind.LETTER:
                await asyncio.to_thread(self._write_letter, message)
            elif self.settings.smtp_url:
                await self._send_smtp(message)
            else:
                await asyncio.to_thread(self._write_eml, message)
        except Exception as error:  # noqa: BLE001  (any failure is retried later, never lost)
            await self._schedule_retry(message, error)
            return False
        await self._mark_delivered(message)
        return True

    async def _mark_delivered(self, message: OutboxMessage) -> None:
        async with write_transaction(self.sessions) as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id)
                # Codes must not outlive their delivery.
                .values(
                    delivered_at=self.clock.now(),
                    body=None,
                    letter=None,
                    headers=None,
                    claimed_until=None,
                )
            )

    async def _schedule_retry(self, message: OutboxMessage, error: Exception) -> None:
        # Only the exception's type is kept: its text could quote the message, code included.
        logger.warning("delivery of outbox message %s failed: %s", message.id, type(error).__name__)
        async with write_transaction(self.sessions) as session:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message.id)
                .values(
                    next_attempt_at=self.clock.now() + retry_delay(message.attempts),
                    claimed_until=None,
                    last_error=type(error).__name__,
                )
            )

    def email(self, message: OutboxMessage) -> EmailMessage:
        email = EmailMessage()
        email["From"] = SENDER
        email["To"] = message.recipient
        email["Subject"] = message.subject
        email["Message-ID"] = message.message_id
        email["Date"] = format_datetime(message.created_at)
        for name, value in (message.headers or {}).items():
            email[name] = value
        email.set_content(message.body or "")
        return email

    async def _send_smtp(self, message: OutboxMessage) -> None:
        url = urlsplit(self.settings.smtp_url or "")
        await aiosmtplib.send(
            self.email(message),
            hostname=url.hostname or "127.0.0.1",
            port=url.port or (465 if url.scheme == "smtps" else 25),
            username=unquote(url.username) if url.username else None,
            password=unquote(url.password) if url.password else None,
            use_tls=url.scheme == "smtps",
            timeout=30,
        )

    def _write_eml(self, message: OutboxMessage) -> None:
        _write_atomically(
            self.settings.mail_dir / _file_name(message, "eml"), bytes(self.email(message))
        )

    def _write_letter(self, message: OutboxMessage) -> None:
        content = json.dumps(message.letter, ensure_ascii=False, indent=2).encode()
        _write_atomically(self.settings.letters_dir / _file_name(message, "json"), content)


def _file_name(message: OutboxMessage, extension: str) -> str:
    # One name per message: delivering it again replaces the file instead of adding one.
    return f"{message.created_at:%Y%m%dT%H%M%S}-{message.id:08d}.{extension}"


def _write_atomically(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".part")
    temporary.write_bytes(content)
    temporary.replace(path)
