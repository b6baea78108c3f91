"""Two real gateway processes on one database: conflicting requests, and exactly-once delivery."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app.db import create_engine, create_session_factory
from app.models import Account, OutboxMessage
from tests.api.flows import ACTIVATE_ACCOUNT, SIGN_UP_EXPERT, expert_input
from tests.support import CODE_PATTERN
from tests.unit.test_delivery import Inbox

ROOT = Path(__file__).parents[2]
IDENTICAL_ATTEMPTS = 4
OTHER_SIGN_UPS = 5  # with the identical ones, within the default 10 sign-ups per hour per address


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_ready(port: int, process: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gateway on port {port} exited with {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"gateway on port {port} did not become ready")


@pytest.fixture
def smtp_inbox():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller.port, inbox
    controller.stop()


@pytest.fixture
def gateways(database_url, smtp_inbox, tmp_path):
    smtp_port, _ = smtp_inbox
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "OUTBOX_POLL_SECONDS": "0.1",
        "LETTERS_DIR": str(tmp_path / "letters"),
    }
    ports = [_free_port(), _free_port()]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        deadline = time.monotonic() + 60
        for port, process in zip(ports, processes, strict=True):
            _wait_ready(port, process, deadline)
        yield [f"http://127.0.0.1:{port}/graphql" for port in ports]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


async def _post_all(urls, document, variables_list):
    async with httpx.AsyncClient(timeout=60) as client:
        responses = await asyncio.gather(
            *(
                client.post(
                    urls[index % len(urls)], json={"query": document, "variables": variables}
                )
                for index, variables in enumerate(variables_list)
            )
        )
    return [response.json()["data"] for response in responses]


async def _wait_for(predicate, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.1)
    raise TimeoutError


async def test_conflicting_requests_on_two_processes(gateways, smtp_inbox, database_url):
    _, inbox = smtp_inbox
    identical = [{"input": expert_input()}] * IDENTICAL_ATTEMPTS
    others = [{"input": expert_input(f"firm{index}@example.fr")} for index in range(OTHER_SIGN_UPS)]

    results = await _post_all(gateways, SIGN_UP_EXPERT, identical + others)

    codes = Counter(
        tuple(error["code"] for error in result["signUpExpert"]["userErrors"]) for result in results
    )
    # Sign-up answers alike whether or not the email was taken meanwhile.
    assert codes == {(): IDENTICAL_ATTEMPTS + OTHER_SIGN_UPS}

    def activation_emails() -> list:
        return [
            m
            for m in inbox.messages
            if m["To"] == "claire.martin@example.fr" and m["Subject"] == "Your activation code"
        ]

    await _wait_for(activation_emails)
    [message] = activation_emails()
    code = CODE_PATTERN.search(message.get_content()).group(1)
    activation = {"input": {"email": "claire.martin@example.fr", "code": code}}

    results = await _post_all(gateways, ACTIVATE_ACCOUNT, [activation] * IDENTICAL_ATTEMPTS)

    codes = Counter(
        tuple(error["code"] for error in result["activateAccount"]["userErrors"])
        for result in results
    )
    assert codes == {(): 1, ("CODE_ALREADY_USED",): IDENTICAL_ATTEMPTS - 1}

    engine = create_engine(database_url)
    sessions = create_session_factory(engine)

    async def undelivered() -> int:
        async with sessions() as session:
            return await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.delivered_at.is_(None))
            )

    try:
        deadline = time.monotonic() + 30
        while await undelivered() and time.monotonic() < deadline:  # noqa: ASYNC110  (polls the database)
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # give a duplicate delivery, if any, the time to arrive
        async with sessions() as session:
            accounts = await session.scalar(select(func.count()).select_from(Account))
            message_ids = set(await session.scalars(select(OutboxMessage.message_id)))
        assert await undelivered() == 0
    finally:
        await engine.dispose()
    assert accounts == 1 + OTHER_SIGN_UPS
    received = Counter(m["Message-ID"] for m in inbox.messages)
    assert set(received) == message_ids
    assert set(received.values()) == {1}
