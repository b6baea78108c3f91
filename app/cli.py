"""Command line: `python -m app serve | db upgrade | companies import | staff | export-schema`."""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from app.clock import SystemClock
from app.db import create_engine, create_session_factory
from app.observability.logs import configure_logging
from app.settings import Settings


def _sqlite_path(url: str) -> Path | None:
    prefix = "sqlite+aiosqlite:///"
    return Path(url.removeprefix(prefix)) if url.startswith(prefix) else None


async def upgrade_database(settings: Settings) -> None:
    from app.migrate import upgrade

    path = _sqlite_path(settings.database_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(settings.database_url, settings.database_pool)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def settle_collector(young_threshold: int) -> None:
    """Tunes the cyclic garbage collector for serving, once the application is built.

    What exists at that point (modules, the schema, its caches) lives as long as the process:
    `gc.freeze` takes it out of every later collection, so that full collections only walk what
    requests create. A dashboard answer creates some 100,000 short-lived objects, nearly all
    freed by reference counting; with Python's default of a young collection every 700
    allocations, the collector cost about a sixth of each answer (bench/in_process.py). Every
    `young_threshold` allocations instead, cycles are still collected, a little later. 0 keeps
    the interpreter's defaults."""
    if young_threshold <= 0:
        return
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(young_threshold, middle, old)


def serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    from app.main import create_app

    if _sqlite_path(settings.database_url) is not None:
        # The embedded default needs no set-up step: bring the file up to date ourselves.
        asyncio.run(upgrade_database(settings))
    # Behind a load balancer, client addresses (rate limits, lock-out, history) come from
    # X-Forwarded-For, trusted only from the proxies listed in FORWARDED_ALLOW_IPS.
    proxies = os.environ.get("FORWARDED_ALLOW_IPS")
    app = create_app(settings)
    settle_collector(settings.gc_young_threshold)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,
        # Each request gets one line from the gateway itself (app.observability.middleware).
        access_log=False,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies,
    )


async def import_companies(
    settings: Settings, legal_units: Path, establishments: Path | None
) -> None:
    from app.domain.directory import import_sirene

    engine = create_engine(settings.database_url)
    try:
        report = await import_sirene(
            create_session_factory(engine), legal_units, establishments, SystemClock().now()
        )
    finally:
        await engine.dispose()
    print(  # noqa: T201
        f"legal units read: {report.legal_units_read}\n"
        f"companies written: {report.companies_written}\n"
        f"rows rejected (invalid SIREN): {report.rejected_invalid_siren}\n"
        f"head offices read: {report.head_offices_read}\n"
        f"addresses written: {report.addresses_written}\n"
        f"head offices of unknown companies: {report.head_offices_without_company}"
    )


async def load_demo_data(settings: Settings) -> None:
    from app.demo import load_demo, logins
    from app.domain.runtime import Runtime
    from app.security.passwords import PasswordHasher

    await upgrade_database(settings)
    engine = create_engine(settings.database_url, settings.database_pool)
    try:
        sessions = create_session_factory(engine)
        runtime = Runtime(
            sessions, SystemClock(), settings, PasswordHasher(settings.argon2_parameters)
        )
        loaded = await load_demo(runtime)
    finally:
        await engine.dispose()
    status = "Demo data loaded." if loaded else "Demo data already there."
    sys.stdout.write(f"{status}\n{logins()}\n")


def build_persisted_queries(directory: Path, output: Path) -> int:
    """Write the manifest of trusted documents (`{sha256: document}`) of every `.graphql` file."""
    import json

    from graphql import GraphQLError, parse

    from app.persisted_queries import build_manifest

    manifest = build_manifest(directory)
    for digest, document in manifest.items():
        try:
            parse(document)
        except GraphQLError as error:
            sys.stderr.write(f"{digest}: not a GraphQL document: {error.message}\n")
            return 1
    output.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    sys.stdout.write(f"{len(manifest)} documents written to {output}\n")
    return 0


def export_schema(*, staff: bool = False) -> str:
    if staff:
        from app.schema.staff.root import build_staff_schema

        return build_staff_schema().as_str()
    from app.schema.root import build_schema

    return build_schema().as_str()


async def _staff_command(settings: Settings, args: argparse.Namespace) -> int:
    """`staff create` (password on standard input, TOTP URI printed) or `staff disable`."""
    from app.domain import staff
    from app.domain.errors import DomainError, DomainErrors
    from app.domain.runtime import Runtime
    from app.security.passwords import PasswordHasher

    if _sqlite_path(settings.database_url) is not None:
        await upgrade_database(settings)
    engine = create_engine(settings.database_url, settings.database_pool)
    runtime = Runtime(
        create_session_factory(engine),
        SystemClock(),
        settings,
        PasswordHasher(settings.argon2_parameters),
    )
    try:
        if args.action == "create":
            password = sys.stdin.readline().rstrip("\r\n")
            created = await staff.create_staff(
                runtime,
                email=args.email,
                first_name=args.first_name or "",
                last_name=args.last_name or "",
                office=args.office or "",
                national=args.national,
                password=password,
            )
            sys.stdout.write(
                f"staff member created: {created.member.email} (office {created.member.office}"
                f"{', national' if created.member.national else ''})\n"
                "Add this to the authenticator app (shown once):\n"
                f"{created.provisioning_uri}\n"
            )
        else:
            await staff.disable_staff(runtime, args.email)
            sys.stdout.write(f"staff member disabled: {args.email}\n")
    except (DomainError, DomainErrors) as failure:
        errors = failure.errors if isinstance(failure, DomainErrors) else [failure]
        for error in errors:
            sys.stderr.write(f"{error.code}: {error.message}\n")
        return 1
    finally:
        await engine.dispose()
    return 0


async def _audit_command(settings: Settings, args: argparse.Namespace) -> int:
    """`audit verify [--checkpoint FILE]` (exit 0 when intact) or `audit checkpoint`."""
    import json

    from app.audit import verification

    engine = create_engine(settings.database_url, settings.database_pool)
    sessions = create_session_factory(engine)
    try:
        key = None
        if args.action == "checkpoint" or args.checkpoint:
            if settings.audit_signing_key_file is None:
                sys.stderr.write("AUDIT_SIGNING_KEY_FILE names no key: set it first.\n")
                return 2
            key = verification.load_signing_key(settings.audit_signing_key_file)
        if args.action == "checkpoint":
            signed = await verification.checkpoint(sessions, key, SystemClock().now())
            sys.stdout.write(json.dumps(signed, indent=2) + "\n")
            return 0
        anchor = verification.read_checkpoint(args.checkpoint, key) if args.checkpoint else None
        verdict = await verification.verify(sessions, anchor)
    except verification.CheckpointError as error:
        sys.stderr.write(f"{error}\n")
        return 2
    finally:
        await engine.dispose()
    if verdict.ok:
        sys.stdout.write(f"history intact: {verdict.events} events, head {verdict.head_hash}\n")
        return 0
    sys.stderr.write(f"history NOT intact after {verdict.events} good events: {verdict.fault}\n")
    return 1


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="run the gateway with uvicorn")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=8000)
    db_parser = commands.add_parser("db", help="database maintenance")
    db_parser.add_argument("action", choices=["upgrade"])
    companies_parser = commands.add_parser("companies", help="company directory")
    companies_parser.add_argument("action", choices=["import"])
    companies_parser.add_argument("legal_units", type=Path, help="StockUniteLegale CSV")
    companies_parser.add_argument(
        "establishments", type=Path, nargs="?", help="StockEtablissement CSV (head offices)"
    )
    staff_parser = commands.add_parser("staff", help="tax department staff accounts")
    staff_parser.add_argument("action", choices=["create", "disable"])
    staff_parser.add_argument("--email", required=True)
    staff_parser.add_argument("--first-name")
    staff_parser.add_argument("--last-name")
    staff_parser.add_argument("--office", help="département of the tax office, e.g. 75, 2A, 971")
    staff_parser.add_argument("--national", action="store_true", help="acts on every office")
    commands.add_parser("demo", help="load demo data (GraphiQL, examples/web) and print logins")
    audit_parser = commands.add_parser("audit", help="the history's hash chain")
    audit_parser.add_argument("action", choices=["verify", "checkpoint"])
    audit_parser.add_argument(
        "--checkpoint", type=Path, help="verify: a signed checkpoint written by `audit checkpoint`"
    )
    persisted_parser = commands.add_parser(
        "persisted-queries", help="trusted documents for PERSISTED_QUERIES=allowlist"
    )
    persisted_parser.add_argument("action", choices=["build"])
    persisted_parser.add_argument("directory", type=Path, help="folder of .graphql documents")
    persisted_parser.add_argument(
        "--output", type=Path, default=Path("persisted-queries.json"), help="manifest to write"
    )
    export_parser = commands.add_parser("export-schema", help="print the GraphQL SDL")
    export_parser.add_argument(
        "--staff", action="store_true", help="the staff endpoint's schema (staff.graphql)"
    )
    args = parser.parse_args(argv)

    if args.command == "export-schema":
        sys.stdout.write(export_schema(staff=args.staff) + "\n")
        return
    if args.command == "persisted-queries":
        sys.exit(build_persisted_queries(args.directory, args.output))
    settings = Settings.from_env()
    configure_logging(settings.log_format)
    if args.command == "serve":
        serve(settings, args.host, args.port)
    elif args.command == "db":
        asyncio.run(upgrade_database(settings))
    elif args.command == "companies":
        asyncio.run(import_companies(settings, args.legal_units, args.establishments))
    elif args.command == "staff" and asyncio.run(_staff_command(settings, args)):
        sys.exit(1)
    elif args.command == "demo":
        asyncio.run(load_demo_data(settings))
    elif args.command == "audit":
        sys.exit(asyncio.run(_audit_command(settings, args)))
