"""The history's hash chain: verify passes on a busy history and names the first event at fault."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
)
from sqlalchemy import select, text

from app.audit import verification
from app.models import AuditEvent
from tests.api.flows import LOG_IN, active_expert, log_in
from tests.support import OTHER_STRONG_PASSWORD

ROOT = Path(__file__).parents[2]


async def _busy_history(api, deliver, settings, count=3):
    for index in range(count):
        account = await active_expert(api, deliver, settings.mail_dir, email=f"u{index}@example.fr")
        await api.data(LOG_IN, input={"email": account["email"], "password": OTHER_STRONG_PASSWORD})
        await log_in(api, account["email"])


async def _tamper(app, *statements):
    """Run statements the append-only triggers would refuse, as a database owner could."""
    engine = app.state.engine
    async with engine.begin() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            await connection.exec_driver_sql("DROP TRIGGER audit_events_no_update")
            await connection.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
        else:
            await connection.exec_driver_sql(
                "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"
            )
        for statement in statements:
            await connection.execute(text(statement))


async def _verify(app, checkpoint=None):
    return await verification.verify(app.state.runtime.sessions, checkpoint)


def _cli(settings, *args, key_file=None):
    env = {**os.environ, "DATABASE_URL": settings.database_url}
    if key_file:
        env["AUDIT_SIGNING_KEY_FILE"] = str(key_file)
    return subprocess.run(
        [sys.executable, "-m", "app", "audit", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def key_file(tmp_path):
    path = tmp_path / "audit-key.pem"
    path.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()
        )
    )
    return path


async def test_a_busy_history_verifies(app, api, deliver, settings):
    await _busy_history(api, deliver, settings)
    verdict = await _verify(app)
    assert verdict.ok, verdict.fault
    assert verdict.events >= 12
    async with app.state.runtime.sessions() as session:
        rows = list(await session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert [row.sequence for row in rows] == list(range(1, len(rows) + 1))
    assert rows[0].previous_hash == "0" * 64
    assert all(b.previous_hash == a.hash for a, b in itertools.pairwise(rows))
    result = _cli(settings, "verify")
    assert result.returncode == 0, result.stderr
    assert f"history intact: {verdict.events} events" in result.stdout


@pytest.mark.parametrize(
    ("statements", "fault"),
    [
        (["UPDATE audit_events SET ip = '198.51.100.1' WHERE sequence = 3"], "event #3 (id"),
        (["DELETE FROM audit_events WHERE sequence = 3"], "event #3 is missing (deleted)"),
        (
            [
                # Make room at #3 and slip a forged event in, chained to #2.
                "UPDATE audit_events SET sequence = -sequence - 1 WHERE sequence >= 3",
                "UPDATE audit_events SET sequence = -sequence WHERE sequence < 0",
                (
                    "INSERT INTO audit_events (occurred_at, kind, details, sequence, previous_hash, "
                    "hash) SELECT occurred_at, 'LOGIN_SUCCEEDED', details, 3, hash, hash "
                    "FROM audit_events WHERE sequence = 2"
                ),
            ],
            "event #3 (id",
        ),
        (
            [
                "UPDATE audit_events SET sequence = -1 WHERE sequence = 3",
                "UPDATE audit_events SET sequence = 3 WHERE sequence = 4",
                "UPDATE audit_events SET sequence = 4 WHERE sequence = -1",
            ],
            "event #3 (id",
        ),
    ],
    ids=["edit", "delete", "insert", "reorder"],
)
async def test_tampering_is_detected_at_the_first_event_at_fault(
    app, api, deliver, settings, statements, fault
):
    await _busy_history(api, deliver, settings, count=2)
    await _tamper(app, *statements)

    verdict = await _verify(app)

    assert not verdict.ok
    assert fault in verdict.fault
    assert verdict.events == 2
    result = _cli(settings, "verify")
    assert result.returncode == 1
    assert fault in result.stderr


async def test_a_row_written_around_the_chain_is_named(app, api, deliver, settings):
    await _busy_history(api, deliver, settings, count=1)
    await _tamper(
        app,
        "INSERT INTO audit_events (occurred_at, kind, details) "
        "SELECT occurred_at, 'LOGIN_SUCCEEDED', details FROM audit_events WHERE sequence = 1",
    )
    verdict = await _verify(app)
    assert "was written outside the chain" in verdict.fault


async def test_a_checkpoint_reveals_the_newest_events_cut_off(
    app, api, deliver, settings, key_file, tmp_path
):
    await _busy_history(api, deliver, settings, count=2)
    made = _cli(settings, "checkpoint", key_file=key_file)
    assert made.returncode == 0, made.stderr
    signed = json.loads(made.stdout)
    assert signed["algorithm"] == "Ed25519"
    checkpoint = tmp_path / "checkpoint.json"
    checkpoint.write_text(made.stdout)
    head = signed["sequence"]
    intact = _cli(settings, "verify", "--checkpoint", str(checkpoint), key_file=key_file)
    assert intact.returncode == 0, intact.stderr

    await _tamper(app, f"DELETE FROM audit_events WHERE sequence > {int(head) - 2}")  # noqa: S608

    assert (await _verify(app)).ok  # without the checkpoint, a shorter chain looks whole
    result = _cli(settings, "verify", "--checkpoint", str(checkpoint), key_file=key_file)
    assert result.returncode == 1
    assert f"cut off: the checkpoint names event #{head}" in result.stderr


async def test_a_forged_checkpoint_is_refused(app, api, deliver, settings, key_file, tmp_path):
    await _busy_history(api, deliver, settings, count=1)
    signed = json.loads(_cli(settings, "checkpoint", key_file=key_file).stdout)
    signed["sequence"] += 5
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(signed))
    result = _cli(settings, "verify", "--checkpoint", str(forged), key_file=key_file)
    assert result.returncode == 2
    assert "signature does not match" in result.stderr


APPENDER = """
import asyncio, sys
from app.audit.events import EventKind, record_event
from app.clock import SystemClock
from app.db import create_engine, create_session_factory, write_transaction
from app.domain.runtime import Caller

async def main(url, label, count):
    engine = create_engine(url)
    sessions = create_session_factory(engine)
    for index in range(count):
        async with write_transaction(sessions) as session:
            record_event(session, EventKind.LOGGED_OUT, caller=Caller(ip=label),
                         at=SystemClock().now(), details={"n": index})
    await engine.dispose()

asyncio.run(main(sys.argv[1], sys.argv[2], int(sys.argv[3])))
"""


async def test_two_processes_appending_at_once_keep_one_chain(app, settings):
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-c", APPENDER, settings.database_url, label, "40", cwd=ROOT
        )
        for label in ("192.0.2.1", "192.0.2.2")
    ]
    assert [await asyncio.wait_for(process.wait(), 120) for process in processes] == [0, 0]
    verdict = await _verify(app)
    assert verdict.ok, verdict.fault
    async with app.state.runtime.sessions() as session:
        ips = list(
            await session.scalars(select(AuditEvent.ip).where(AuditEvent.ip.like("192.0.2.%")))
        )
    assert sorted(set(ips)) == ["192.0.2.1", "192.0.2.2"]
    assert len(ips) == 80
