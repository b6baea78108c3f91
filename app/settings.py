"""Typed settings read from the environment (documented in the README)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import argon2

from app.db import PoolSettings


@dataclass(frozen=True)
class RateLimit:
    """At most `limit` attempts per client address within `window`."""

    limit: int
    window: timedelta


@dataclass(frozen=True)
class RateLimits:
    log_in: RateLimit = RateLimit(30, timedelta(minutes=5))
    sign_up: RateLimit = RateLimit(10, timedelta(hours=1))
    code_entry: RateLimit = RateLimit(30, timedelta(minutes=15))
    password_reset: RateLimit = RateLimit(5, timedelta(minutes=15))
    code_resend: RateLimit = RateLimit(5, timedelta(hours=1))


@dataclass(frozen=True)
class LockoutPolicy:
    """Keycloak-style lock-out: past `free_failures`, waits double from `first_wait` to `max_wait`.

    Failures are counted per (login email, client address), so that nobody can lock the owner
    out from elsewhere.
    """

    free_failures: int = 5
    first_wait: timedelta = timedelta(minutes=1)
    max_wait: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Settings:
    database_url: str = "sqlite+aiosqlite:///var/gateway.db"
    smtp_url: str | None = None
    mail_dir: Path = Path("var/mail")
    letters_dir: Path = Path("var/letters")
    # Message attachments, one file per distinct content, named by its SHA-256.
    attachments_dir: Path = Path("var/attachments")
    public_url: str = "http://127.0.0.1:8000"
    app_env: str = "development"
    cors_origins: tuple[str, ...] = ()
    graphql_introspection: bool = True
    graphiql: bool = True
    max_body_bytes: int = 1_000_000
    # A multipart request (file upload) may be larger: five attachments of 10 MiB and the rest.
    max_upload_body_bytes: int = 5 * 10 * 1024 * 1024 + 1_000_000
    session_idle_timeout: timedelta = timedelta(minutes=30)
    session_absolute_timeout: timedelta = timedelta(hours=12)
    outbox_poll_seconds: float = 1.0
    outbox_dispatcher: bool = True
    # argon2-cffi's default profile is RFC 9106's low-memory one; only tests pass cheaper ones.
    argon2_parameters: argon2.Parameters = field(
        default_factory=lambda: argon2.profiles.RFC_9106_LOW_MEMORY
    )
    # Persisted queries: "apq", "off" or "allowlist" (app/persisted_queries.py).
    persisted_queries: str = "apq"
    persisted_queries_manifest: Path | None = None
    # Query-cost points each caller may spend per hour (app/schema/cost.py).
    cost_points_per_hour: int = 5_000
    # PEM PKCS#8 Ed25519 private key signing history checkpoints (`audit checkpoint`).
    audit_signing_key_file: Path | None = None
    # Bearer token a Prometheus scraper sends to /metrics; unset, /metrics is not served.
    metrics_token: str | None = None
    # "json" (one object per line) or "text"; JSON by default in production.
    log_format: str = "text"
    # Key of the caller digests in logs; unset, each process draws its own (digests then differ
    # between processes and restarts).
    log_pseudonym_key: bytes | None = None
    # /readyz answers 503 when the oldest undelivered email or letter is older than this.
    outbox_stale_seconds: float = 900.0
    # OTLP/HTTP traces endpoint (from the standard OTEL_* variables); None: tracing off.
    otel_traces_endpoint: str | None = None
    otel_service_name: str = "espace-pro-gateway"
    # Objects allocated between two young-generation collections of the served process (Python's
    # default is 700); 0 leaves the interpreter's collector as it is (app/cli.py).
    gc_young_threshold: int = 20_000
    database_pool: PoolSettings = field(default_factory=PoolSettings)
    rate_limits: RateLimits = field(default_factory=RateLimits)
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)

    @property
    def is_production(self) -> bool:
        return self.app_env == "production"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        app_env = env.get("APP_ENV", "development")
        if app_env not in {"development", "production"}:
            msg = f"APP_ENV must be 'development' or 'production', not {app_env!r}"
            raise ValueError(msg)
        development = app_env == "development"
        origins = tuple(o.strip() for o in env.get("CORS_ORIGINS", "").split(",") if o.strip())
        return cls(
            database_url=env.get("DATABASE_URL", cls.database_url),
            smtp_url=env.get("SMTP_URL") or None,
            mail_dir=Path(env.get("MAIL_DIR", "var/mail")),
            letters_dir=Path(env.get("LETTERS_DIR", "var/letters")),
            attachments_dir=Path(env.get("ATTACHMENTS_DIR", "var/attachments")),
            public_url=env.get("PUBLIC_URL", cls.public_url).rstrip("/"),
            app_env=app_env,
            cors_origins=origins,
            graphql_introspection=_flag(env.get("GRAPHQL_INTROSPECTION"), default=development),
            graphiql=_flag(env.get("GRAPHIQL"), default=development),
            outbox_poll_seconds=float(env.get("OUTBOX_POLL_SECONDS", "1.0")),
            cost_points_per_hour=int(env.get("COST_POINTS_PER_HOUR", "5000")),
            persisted_queries=env.get("PERSISTED_QUERIES") or "apq",
            persisted_queries_manifest=(
                Path(env["PERSISTED_QUERIES_MANIFEST"])
                if env.get("PERSISTED_QUERIES_MANIFEST")
                else None
            ),
            audit_signing_key_file=(
                Path(env["AUDIT_SIGNING_KEY_FILE"]) if env.get("AUDIT_SIGNING_KEY_FILE") else None
            ),
            metrics_token=env.get("METRICS_TOKEN") or None,
            log_format=_choice(
                "LOG_FORMAT",
                env.get("LOG_FORMAT") or ("text" if development else "json"),
                {"json", "text"},
            ),
            log_pseudonym_key=(
                env["LOG_PSEUDONYM_KEY"].encode() if env.get("LOG_PSEUDONYM_KEY") else None
            ),
            outbox_stale_seconds=float(env.get("OUTBOX_STALE_SECONDS", "900")),
            otel_traces_endpoint=traces_endpoint(env),
            otel_service_name=env.get("OTEL_SERVICE_NAME") or "espace-pro-gateway",
            gc_young_threshold=int(env.get("GC_YOUNG_THRESHOLD", "20000")),
            database_pool=PoolSettings(
                size=int(env.get("DB_POOL_SIZE", "10")),
                max_overflow=int(env.get("DB_MAX_OVERFLOW", "10")),
                statement_timeout_ms=int(env.get("DB_STATEMENT_TIMEOUT_MS", "15000")),
            ),
        )


def _flag(value: str | None, *, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _choice(name: str, value: str, allowed: set[str]) -> str:
    if value not in allowed:
        msg = f"{name} must be one of {sorted(allowed)}, not {value!r}"
        raise ValueError(msg)
    return value


def traces_endpoint(environ: Mapping[str, str]) -> str | None:
    """Where spans go under the OTLP/HTTP rules: the signal's own variable as is, else the base
    endpoint followed by `/v1/traces`; None (tracing off) when neither is set."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return None
    own = environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "").strip()
    if own:
        return own
    base = environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
    return f"{base.rstrip('/')}/v1/traces" if base else None
