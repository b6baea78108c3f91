"""Abuse-resistance figures, side by side in one run (in process, SQLite under var/bench/).

1. zxcvbn on a 72-character leet-speak password: judged whole (the old way) against the bounded
   window the gateway now uses, and an ordinary pass-phrase for comparison.
2. requestServiceAccess with 40,000 company ids (a 960 KB body), refused at the door, and with
   1,000 ids (the most a request may list), refused by the domain: latency and SQL statements.
3. A log-in alone, then the same log-in while three such requests run: the ratio says whether one
   client can still stall everyone else.

    make bench-abuse
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import itertools
import statistics
import tempfile
import time
from pathlib import Path

import argon2
import httpx
import zxcvbn
from sqlalchemy import event

from app.clock import SystemClock
from app.graphql_view import MAX_LIST_ITEMS
from app.main import create_app
from app.migrate import upgrade
from app.schema.nodes import to_global_id
from app.security.passwords import strength_problem, strength_window
from app.settings import Settings

LEET = "4@8({[<3691!|1|70$5+7%2" * 4
PHRASE = "violet tambour glacier parapluie 1987 horloge cerise moteur falaise bleue"
HUGE = 40_000
ROUNDS = 5


def _seconds(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def password_figures() -> None:
    whole = _seconds(lambda: zxcvbn.zxcvbn(LEET[:72]))
    bounded = _seconds(lambda: strength_problem(LEET))
    phrase = _seconds(lambda: strength_problem(PHRASE))
    print(f"zxcvbn, 72 leet characters judged whole: {whole * 1000:8.1f} ms")
    print(
        f"zxcvbn, same password in the gateway's window ({len(strength_window(LEET))} chars): "
        f"{bounded * 1000:8.1f} ms"
    )
    print(f"zxcvbn, an ordinary pass-phrase:         {phrase * 1000:8.1f} ms")


async def request_figures() -> None:
    directory = Path(tempfile.mkdtemp(prefix="bench-abuse-"))
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{directory}/bench.db",
        mail_dir=directory / "mail",
        letters_dir=directory / "letters",
        outbox_dispatcher=False,
        argon2_parameters=argon2.profiles.RFC_9106_LOW_MEMORY,
    )
    app = create_app(settings, clock=SystemClock())
    async with app.router.lifespan_context(app):
        await upgrade(app.state.engine)
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://b") as http:
            token = await _account(http, directory)
            await _measure(app, http, token)


async def _account(http: httpx.AsyncClient, directory: Path) -> str:
    address = "bench@example.fr"
    await _graphql(
        http,
        "mutation($i: SignUpExpertInput!) { signUpExpert(input: $i) { userErrors { code } } }",
        i={"email": address, "password": PHRASE, "firstName": "Banc", "lastName": "Essai"},
    )
    app_state = http._transport.app.state  # noqa: SLF001
    await app_state.dispatcher.run_once()
    raw = next((directory / "mail").glob("*.eml")).read_bytes()
    mail = email.message_from_bytes(raw, policy=email.policy.default).get_content()
    code = next(line for line in mail.splitlines() if line.count("-") == 3 and len(line) == 19)
    await _graphql(
        http,
        "mutation($i: ActivateAccountInput!) { activateAccount(input: $i) { userErrors { code } } }",
        i={"email": address, "code": code},
    )
    data = await _graphql(
        http,
        "mutation($i: LogInInput!) { logIn(input: $i) { token } }",
        i={"email": address, "password": PHRASE},
    )
    return data["logIn"]["token"]


async def _graphql(http: httpx.AsyncClient, document: str, token: str | None = None, **variables):
    headers = {"authorization": f"Bearer {token}"} if token else {}
    response = await http.post(
        "/graphql", json={"query": document, "variables": variables}, headers=headers
    )
    if response.status_code != 200:
        return {"status": response.status_code}
    return response.json()["data"]


async def _measure(app, http: httpx.AsyncClient, token: str) -> None:
    request = (
        "mutation($i: RequestServiceAccessInput!) { requestServiceAccess(input: $i) "
        "{ userErrors { code } } }"
    )

    def listing(count: int) -> dict:
        ids = [to_global_id("Company", index) for index in range(1, count + 1)]
        return {
            "companyIds": ids,
            "serviceCodes": ["DECLARER_TVA"],
            "capacity": "LEGAL_REPRESENTATIVE",
        }

    huge, longest = listing(HUGE), listing(MAX_LIST_ITEMS)
    log_in = "mutation($i: LogInInput!) { logIn(input: $i) { userErrors { code } } }"
    # Unknown addresses: the same argon2 work as a wrong password, and no lock-out to skew it.
    strangers = (
        {"email": f"nobody{n}@example.fr", "password": "not the password at all"}
        for n in itertools.count()
    )
    statements: list[str] = []
    event.listen(
        app.state.engine.sync_engine,
        "before_cursor_execute",
        lambda _c, _k, statement, *_: statements.append(statement),
    )

    for count, variables in ((HUGE, huge), (MAX_LIST_ITEMS, longest)):
        statements.clear()
        started = time.perf_counter()
        answer = await _graphql(http, request, token, i=variables)
        elapsed = (time.perf_counter() - started) * 1000
        print(
            f"requestServiceAccess, {count:,} ids: {elapsed:8.1f} ms, "
            f"{len(statements)} SQL statements, answer {answer}"
        )

    alone, loaded = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        await _graphql(http, log_in, i=next(strangers))
        alone.append(time.perf_counter() - started)

        async def timed_log_in() -> float:
            began = time.perf_counter()
            await _graphql(http, log_in, i=next(strangers))
            return time.perf_counter() - began

        *_, elapsed = await asyncio.gather(
            *(_graphql(http, request, token, i=huge) for _ in range(3)), timed_log_in()
        )
        loaded.append(elapsed)
    idle, busy = statistics.median(alone) * 1000, statistics.median(loaded) * 1000
    print(
        f"log-in alone: {idle:8.1f} ms; while 3 such requests run: {busy:8.1f} ms "
        f"(x{busy / idle:.1f}, medians of {ROUNDS})"
    )


def main() -> None:
    password_figures()
    asyncio.run(request_figures())


if __name__ == "__main__":
    main()
