"""The accounting-software loop over the change feed, with gql.

Reads `viewer.delegationChanges` from the stored cursor, applies each change to a local mirror
of the delegations (a JSON file), and stores the new cursor after every page, so a crash or a
restart never skips nor repeats a page. Rate limits (RATE_LIMITED) and network failures are
retried with exponential back-off and jitter; RATE_LIMITED's `retryAfterSeconds` is honoured.

    python examples/sync_delegations.py --url http://127.0.0.1:8000/graphql \
        --token "$ESPACE_PRO_TOKEN" --state var/sync-state.json --once

The token is an API token with the `delegations:read` and `companies:read` scopes
(createApiToken): the feed names each delegation's company.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from gql import Client, gql
from gql.transport.exceptions import TransportError, TransportQueryError
from gql.transport.httpx import HTTPXAsyncTransport

DOCUMENT = Path(__file__).parent / "web" / "documents" / "SyncDelegations.graphql"
MAX_ATTEMPTS = 8
FIRST_DELAY = 1.0
MAX_DELAY = 60.0


class GiveUpError(Exception):
    """The gateway kept refusing or stayed unreachable after MAX_ATTEMPTS."""


def load_state(path: Path) -> dict[str, Any]:
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    return {"cursor": None, "delegations": {}}


def save_state(path: Path, state: dict[str, Any]) -> None:
    # Written aside, then renamed: a crash leaves the old state or the new one, never half.
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    partial.write_text(json.dumps(state, indent=2, sort_keys=True), encoding="utf-8")
    partial.replace(path)


def delay_before(attempt: int, error: Exception) -> float:
    """How long to wait before attempt `attempt + 1`: the server's word, else back-off."""
    if isinstance(error, TransportQueryError):
        for item in error.errors or []:
            seconds = (item.get("extensions") or {}).get("retryAfterSeconds")
            if seconds is not None:
                return float(seconds) + random.uniform(0, 1)  # noqa: S311  (jitter only)
    backoff = min(MAX_DELAY, FIRST_DELAY * 2 ** (attempt - 1))
    return backoff / 2 + random.uniform(0, backoff / 2)  # noqa: S311


def retryable(error: Exception) -> bool:
    if isinstance(error, TransportQueryError):
        codes = {(item.get("extensions") or {}).get("code") for item in error.errors or []}
        return "RATE_LIMITED" in codes
    return isinstance(error, (TransportError, httpx.TransportError, OSError, TimeoutError))


async def with_retries(
    call: Callable[[], Awaitable[dict[str, Any]]],
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> dict[str, Any]:
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return await call()
        except Exception as error:
            if not retryable(error):
                raise
            if attempt == MAX_ATTEMPTS:
                raise GiveUpError(f"gave up after {attempt} attempts: {error}") from error
            wait = delay_before(attempt, error)
            print(f"attempt {attempt} failed ({error}); retrying in {wait:.1f} s", file=sys.stderr)
            await sleep(wait)
    raise AssertionError  # unreachable: the loop returns or raises


def apply(state: dict[str, Any], change: dict[str, Any]) -> None:
    """Mirror one change: the delegation as it is now, or gone once revoked or expired."""
    delegation = change["delegation"]
    if delegation is None:  # no longer visible to this account
        return
    if delegation["status"] in {"REVOKED", "EXPIRED"}:
        state["delegations"].pop(delegation["id"], None)
    else:
        state["delegations"][delegation["id"]] = {
            "company": delegation["company"]["siren"] if delegation["company"] else None,
            "status": delegation["status"],
            "services": {s["service"]["code"]: s["rights"] for s in delegation["services"]},
            "startsAt": delegation["startsAt"],
            "endsAt": delegation["endsAt"],
        }


async def sync_once(
    execute: Callable[[dict[str, Any]], Awaitable[dict[str, Any]]],
    state_path: Path,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> int:
    """Reads every page from the stored cursor; returns how many changes were applied."""
    state = load_state(state_path)
    applied = 0
    while True:
        variables = {"after": state["cursor"], "first": 100}
        data = await with_retries(lambda v=variables: execute(v), sleep)
        feed = data["viewer"]["delegationChanges"]
        for edge in feed["edges"]:
            change = edge["node"]
            apply(state, change)
            company = (change["delegation"] or {}).get("company") or {}
            print(f"{change['occurredAt']} {change['kind']} {company.get('siren', '-')}")
            applied += 1
        if feed["pageInfo"]["endCursor"] is not None:
            state["cursor"] = feed["pageInfo"]["endCursor"]
        save_state(state_path, state)
        if not feed["pageInfo"]["hasNextPage"]:
            return applied


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000/graphql")
    parser.add_argument("--token", default=os.environ.get("ESPACE_PRO_TOKEN"))
    parser.add_argument("--state", type=Path, default=Path("var/sync-state.json"))
    parser.add_argument("--once", action="store_true", help="read what is new, then stop")
    parser.add_argument("--interval", type=float, default=60.0, help="seconds between passes")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("an API token is needed: --token or ESPACE_PRO_TOKEN")
    document = gql(DOCUMENT.read_text(encoding="utf-8"))
    transport = HTTPXAsyncTransport(
        url=args.url, headers={"authorization": f"Bearer {args.token}"}, timeout=30
    )
    async with Client(transport=transport) as session:

        async def execute(variables: dict[str, Any]) -> dict[str, Any]:
            document.variable_values = variables
            return await session.execute(document)

        while True:
            started = time.monotonic()
            applied = await sync_once(execute, args.state)
            print(f"{applied} changes applied; cursor stored in {args.state}")
            if args.once:
                return 0
            await asyncio.sleep(max(0.0, args.interval - (time.monotonic() - started)))


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
