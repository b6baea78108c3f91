"""The bench's three pages answered in process (no HTTP server, no load generator): ms per request.

Builds the dashboard bench's data in its own SQLite file, then posts each document through the
ASGI app in a loop and prints the mean time per request; with --profile, the functions that
took the most time, grouped by package. Meant for working on execution speed between two runs
of `make bench`, whose served figures remain the reference.

    .venv/bin/python bench/in_process.py [--requests 30] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import time

import httpx
from dashboard import DASHBOARD, FEED, FIRM, FIRM_DASHBOARD, build, database_url, log_in

from app.main import create_app
from app.settings import Settings

PAGES = (
    ("dashboard, 100 companies", "owner100@example.fr", DASHBOARD),
    ("firm dashboard", FIRM, FIRM_DASHBOARD),
    ("feed page", FIRM, FEED),
)
PACKAGES = ("graphql/", "strawberry/", "sqlalchemy/", "asyncio/", "app/", "json/", "starlette/")


def by_package(profile: cProfile.Profile, requests: int) -> None:
    totals: dict[str, float] = {}
    for (filename, _line, _name), (_, _, own, _, _) in pstats.Stats(profile).stats.items():  # type: ignore[attr-defined]
        package = next((name for name in PACKAGES if name in filename), "other")
        totals[package] = totals.get(package, 0.0) + own
    for package, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        print(f"    {package:<12} {seconds / requests * 1000:7.1f} ms/request (under the profiler)")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    url = database_url("in_process")
    await build(url)
    os.environ.update(DATABASE_URL=url, APP_ENV="production", COST_POINTS_PER_HOUR=str(10**9))
    app = create_app(Settings.from_env())
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            for label, email, query in PAGES:
                headers = {"authorization": f"Bearer {await log_in(client, email)}"}
                for _ in range(5):  # warm-up: caches, pools
                    await client.post("/graphql", json={"query": query}, headers=headers)
                profile = cProfile.Profile() if args.profile else None
                started = time.perf_counter()
                if profile:
                    profile.enable()
                for _ in range(args.requests):
                    response = await client.post("/graphql", json={"query": query}, headers=headers)
                if profile:
                    profile.disable()
                elapsed = (time.perf_counter() - started) / args.requests
                if "errors" in response.json():
                    raise SystemExit(f"{label}: {response.text[:300]}")
                print(
                    f"{label:<26} {elapsed * 1000:7.1f} ms/request, {len(response.content):,} bytes"
                )
                if profile:
                    by_package(profile, args.requests)


if __name__ == "__main__":
    asyncio.run(main())
