"""Outbox delivery: SMTP, .eml files, letters, retries, leases, and nothing for a rollback."""

from __future__ import annotations

import asyncio
import email
import socket
from datetime import timedelta
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.clock import FrozenClock
from app.db import write_transaction
from app.main import create_app
from app.models import Company, OutboxMessage
from app.notifications.delivery import LEASE, Dispatcher, retry_delay
from app.notifications.outbox import enqueue_email, enqueue_letter
from app.notifications.templates import Letter, Message
from tests.api.flows import SIGN_UP_EXPERT, expert_input
from tests.support import Api, make_settings, read_letters, read_mail


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's hook name)
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


async def _enqueue(runtime, to="someone@example.fr", body="Your code:\n\nABCD-EFGH-JKMN-PQRS\n"):
    async with write_transaction(runtime.sessions) as session:
        enqueue_email(session, runtime.clock.now(), to, Message("Subject line", body))


async def _messages(runtime):
    async with runtime.sessions() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_smtp_delivery(database_url, tmp_path, smtp_server, clock):
    controller, inbox = smtp_server
    settings = make_settings(database_url, tmp_path, smtp_url=f"smtp://127.0.0.1:{controller.port}")
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        runtime = app.state.runtime
        await _enqueue(runtime)
        assert await app.state.dispatcher.run_once() == 1
        [stored] = await _messages(runtime)
    [received] = inbox.messages
    assert received["To"] == "someone@example.fr"
    assert received["Message-ID"] == stored.message_id
    assert "ABCD-EFGH-JKMN-PQRS" in received.get_content().splitlines()
    assert stored.delivered_at is not None
    assert stored.body is None  # the code does not outlive its delivery
    assert read_mail(settings.mail_dir) == []


async def test_background_dispatcher_delivers_a_sign_up_email(database_url, tmp_path, smtp_server):
    controller, inbox = smtp_server
    settings = make_settings(
        database_url,
        tmp_path,
        smtp_url=f"smtp://127.0.0.1:{controller.port}",
        outbox_dispatcher=True,
        outbox_poll_seconds=0.05,
    )
    app = create_app(settings, clock=FrozenClock())
    async with app.router.lifespan_context(app), Api(app) as api:
        await api.data(SIGN_UP_EXPERT, input=expert_input())
        for _ in range(100):
            if inbox.messages:
                break
            await asyncio.sleep(0.05)
    assert [m["To"] for m in inbox.messages] == ["claire.martin@example.fr"]


async def test_failed_smtp_delivery_is_retried_with_back_off_and_never_lost(
    database_url, tmp_path, clock
):
    closed_port = _free_port()
    settings = make_settings(database_url, tmp_path, smtp_url=f"smtp://127.0.0.1:{closed_port}")
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        runtime, dispatcher = app.state.runtime, app.state.dispatcher
        await _enqueue(runtime)
        assert await dispatcher.run_once() == 0
        [message] = await _messages(runtime)
        assert message.delivered_at is None
        assert message.attempts == 1
        assert message.next_attempt_at == clock.now() + retry_delay(1)
        assert message.last_error
        assert "ABCD" not in message.last_error
        assert await dispatcher.run_once() == 0  # not due yet: nothing claimed
        assert (await _messages(runtime))[0].attempts == 1

        clock.advance(retry_delay(1))
        assert await dispatcher.run_once() == 0
        assert (await _messages(runtime))[0].next_attempt_at == clock.now() + retry_delay(2)


def test_back_off_doubles_up_to_an_hour():
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [5, 10, 20]
    assert retry_delay(30) == timedelta(hours=1)


async def test_email_without_smtp_is_written_as_an_eml_file(app, deliver, settings):
    await _enqueue(app.state.runtime)
    await deliver()
    [message] = read_mail(settings.mail_dir)
    assert message["Subject"] == "Subject line"
    assert message["From"].addresses[0].addr_spec == "no-reply@impots.gouv.fr"


async def test_letters_are_json_files_addressed_to_the_registered_office(app, deliver, settings):
    runtime = app.state.runtime
    async with write_transaction(runtime.sessions) as session:
        company = await session.scalar(select(Company).where(Company.siren == "300123544"))
        enqueue_letter(
            session,
            runtime.clock.now(),
            company,
            Letter("Subject", "Body with CODE", "CODE"),
            requested_by=None,
        )
    await deliver()
    [letter] = read_letters(settings.letters_dir)
    assert letter == {
        "companyIdentifier": "300123544",
        "recipient": [
            "CABINET COMPTABLE AUBERT ET ASSOCIES",
            "BATIMENT A",
            "87 AV JEAN JAURES",
            "31000 TOULOUSE",
        ],
        "subject": "Subject",
        "body": "Body with CODE",
        "code": "CODE",
    }


async def test_a_rolled_back_change_sends_nothing(app, deliver, settings):
    runtime = app.state.runtime
    with pytest.raises(RuntimeError):
        async with write_transaction(runtime.sessions) as session:
            enqueue_email(session, runtime.clock.now(), "someone@example.fr", Message("S", "B"))
            raise RuntimeError
    assert await deliver() == 0
    assert read_mail(settings.mail_dir) == []


async def test_a_claim_left_by_a_dead_dispatcher_expires_and_the_message_goes_out_once(
    app, settings, clock
):
    runtime = app.state.runtime
    await _enqueue(runtime)
    dead = Dispatcher(runtime.sessions, clock, settings)
    [claimed] = await dead.claim()  # ... and the process dies before delivering
    survivor = Dispatcher(runtime.sessions, clock, settings)
    assert await survivor.run_once() == 0  # the lease still holds

    clock.advance(LEASE + timedelta(seconds=1))
    assert await survivor.run_once() == 1
    [message] = read_mail(settings.mail_dir)
    assert message["Message-ID"] == claimed.message_id


async def test_two_dispatchers_never_claim_the_same_message(app, settings, clock):
    runtime = app.state.runtime
    for index in range(20):
        await _enqueue(runtime, to=f"user{index}@example.fr")
    first, second = (Dispatcher(runtime.sessions, clock, settings) for _ in range(2))
    claims = await asyncio.gather(first.claim(limit=15), second.claim(limit=15))
    ids = [m.id for batch in claims for m in batch]
    assert len(ids) == len(set(ids)) == 20
