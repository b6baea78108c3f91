"""Prometheus metrics, served at `/metrics` only when `METRICS_TOKEN` is set and sent.

Each app has its own registry: the counters are per process, as Prometheus expects of a target.
Label values come from a bounded set (the endpoint by path prefix, at most `MAX_OPERATION_NAMES`
operation names per process, then "other"), so a client cannot grow the series without end.
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from app.notifications.outbox import outbox_backlog
from app.observability.requests import RequestRecord

MAX_OPERATION_NAMES = 200
NAME = re.compile(r"^[_A-Za-z][_0-9A-Za-z]{0,99}$")
ENDPOINTS = (
    ("/staff/graphql", "staff_graphql"),
    ("/graphql", "graphql"),
    ("/staff/attachments/", "staff_attachments"),
    ("/attachments/", "attachments"),
    ("/exports/", "exports"),
    ("/app/", "web_app"),
    ("/graphiql/", "graphiql_assets"),
    ("/metrics", "metrics"),
    ("/healthz", "health"),
    ("/readyz", "health"),
)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
STATEMENT_BUCKETS = (0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)


def endpoint_of(path: str) -> str:
    for prefix, name in ENDPOINTS:
        if path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
            return name
    return "pages"


class GatewayMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.requests = Counter(
            "gateway_requests",
            "HTTP requests by endpoint, GraphQL operation and status.",
            ["endpoint", "operation", "operation_type", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "gateway_request_duration_seconds",
            "Time from the request's arrival to the end of its response, by GraphQL operation.",
            ["endpoint", "operation"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.errors = Counter(
            "gateway_graphql_errors",
            "Top-level GraphQL errors by code (userErrors are answers, not errors).",
            ["endpoint", "code"],
            registry=registry,
        )
        self.statements = Histogram(
            "gateway_sql_statements_per_request",
            "SQL statements one request sent to the database.",
            ["endpoint"],
            buckets=STATEMENT_BUCKETS,
            registry=registry,
        )
        self.login_failures = Counter(
            "gateway_login_failures", "Failed log-ins (wrong email or password).", registry=registry
        )
        self.lockouts = Counter(
            "gateway_lockouts", "Log-in lock-outs started or extended.", registry=registry
        )
        self.outbox_backlog = Gauge(
            "gateway_outbox_backlog", "Emails and letters not delivered yet.", registry=registry
        )
        self.outbox_oldest_age = Gauge(
            "gateway_outbox_oldest_age_seconds",
            "Age of the oldest undelivered email or letter (0 when none waits).",
            registry=registry,
        )
        self.pool_connections = Gauge(
            "gateway_db_pool_connections",
            "Database connections of this process's pool, by state.",
            ["state"],
            registry=registry,
        )
        self._operation_names: set[str] = set()

    def operation_label(self, name: str | None) -> str:
        if name is None:
            return "anonymous"
        if name in self._operation_names:
            return name
        if NAME.match(name) and len(self._operation_names) < MAX_OPERATION_NAMES:
            self._operation_names.add(name)
            return name
        return "other"

    def observe(self, record: RequestRecord, seconds: float) -> None:
        endpoint = record.endpoint
        operations = record.operations or [None]
        for operation in operations:
            label = self.operation_label(operation.name) if operation else ""
            kind = (operation.type or "") if operation else ""
            self.requests.labels(endpoint, label, kind, str(record.status)).inc()
            self.latency.labels(endpoint, label).observe(seconds)
        for code in record.error_codes:
            self.errors.labels(endpoint, code).inc()
        self.statements.labels(endpoint).observe(record.sql_statements)
        if record.login_failures:
            self.login_failures.inc(record.login_failures)
        if record.lockouts:
            self.lockouts.inc(record.lockouts)

    async def refresh(self, runtime: Any, engine: AsyncEngine) -> None:  # noqa: ANN401
        """What is read at scrape time: the outbox and the connection pool."""
        now: datetime = runtime.clock.now()
        async with runtime.sessions() as session:
            count, oldest = await outbox_backlog(session)
        self.outbox_backlog.set(count)
        self.outbox_oldest_age.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)
        pool = engine.pool
        checked_out = getattr(pool, "checkedout", lambda: 0)()
        idle = getattr(pool, "checkedin", lambda: 0)()
        self.pool_connections.labels("checked_out").set(checked_out)
        self.pool_connections.labels("idle").set(idle)
        self.pool_connections.labels("overflow").set(max(0, getattr(pool, "overflow", lambda: 0)()))


async def metrics_endpoint(request: Request) -> Response:
    token: str | None = request.app.state.runtime.settings.metrics_token
    if not token:
        return PlainTextResponse("Not Found", status_code=404)
    scheme, _, sent = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(sent.strip().encode(), token.encode()):
        return PlainTextResponse(
            "Unauthorized", status_code=401, headers={"www-authenticate": "Bearer"}
        )
    metrics: GatewayMetrics = request.app.state.metrics
    await metrics.refresh(request.app.state.runtime, request.app.state.engine)
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
