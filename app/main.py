"""`create_app`: the Starlette application and its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app import downloads, exports, ide, pages
from app.clock import Clock, SystemClock
from app.db import create_engine, create_session_factory
from app.domain.runtime import Runtime
from app.graphql_view import GatewayGraphQL, StaffGraphQL
from app.middleware import GatewayMiddleware
from app.notifications.delivery import Dispatcher
from app.notifications.outbox import outbox_backlog
from app.observability.metrics import GatewayMetrics, metrics_endpoint
from app.observability.middleware import ObservedRequests
from app.observability.requests import count_statements
from app.observability.tracing import Tracing
from app.persisted_queries import PersistedQueries
from app.schema.root import build_schema
from app.schema.staff.root import build_staff_schema
from app.security.passwords import PasswordHasher
from app.settings import Settings


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    clock = clock or SystemClock()
    graphql_ide = "graphiql" if settings.graphiql else None
    persisted = PersistedQueries.from_settings(
        settings.persisted_queries, settings.persisted_queries_manifest
    )
    graphql = GatewayGraphQL(
        build_schema(introspection=settings.graphql_introspection),
        graphql_ide=graphql_ide,
        allow_queries_via_get=True,
        multipart_uploads_enabled=True,
        suggestions=settings.graphql_introspection,
        persisted_queries=persisted,
    )
    staff_graphql = StaffGraphQL(
        build_staff_schema(introspection=settings.graphql_introspection),
        graphql_ide=graphql_ide,
        allow_queries_via_get=True,
        multipart_uploads_enabled=True,
        suggestions=settings.graphql_introspection,
        persisted_queries=persisted,
    )

    metrics = GatewayMetrics()
    tracing = (
        Tracing(settings.otel_traces_endpoint, settings.otel_service_name)
        if settings.otel_traces_endpoint
        else None
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url, settings.database_pool)
        count_statements(engine)
        if tracing:
            tracing.instrument(engine)
        sessions = create_session_factory(engine)
        runtime = Runtime(sessions, clock, settings, PasswordHasher(settings.argon2_parameters))
        dispatcher = Dispatcher(sessions, clock, settings)
        app.state.runtime = runtime
        app.state.engine = engine
        app.state.dispatcher = dispatcher
        app.state.metrics = metrics
        task = asyncio.create_task(dispatcher.run_forever()) if settings.outbox_dispatcher else None
        try:
            yield
        finally:
            if task:
                dispatcher.stop()
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await engine.dispose()
            if tracing:
                tracing.shutdown()

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> JSONResponse:
        runtime: Runtime = request.app.state.runtime
        try:
            async with runtime.sessions() as session:
                await session.execute(text("SELECT 1"))
                backlog, oldest = await outbox_backlog(session)
        except Exception:  # noqa: BLE001  (any failure means not ready)
            return JSONResponse({"status": "database unreachable"}, status_code=503)
        age = (runtime.clock.now() - oldest).total_seconds() if oldest else 0.0
        outbox = {"backlog": backlog, "oldestAgeSeconds": round(max(age, 0.0), 1)}
        if age > settings.outbox_stale_seconds:
            # Emails and letters (codes, links) are not leaving: the dispatcher or SMTP is stuck.
            return JSONResponse({"status": "outbox stale", "outbox": outbox}, status_code=503)
        return JSONResponse({"status": "ready", "outbox": outbox})

    middleware = [
        Middleware(
            ObservedRequests,
            metrics=metrics,
            pseudonym_key=settings.log_pseudonym_key or secrets.token_bytes(32),
            tracing=tracing,
        ),
        Middleware(
            GatewayMiddleware,
            max_body_bytes=settings.max_body_bytes,
            max_upload_body_bytes=settings.max_upload_body_bytes,
            hsts=settings.is_production,
        ),
    ]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=[
                    "authorization",
                    "content-type",
                    "graphql-preflight",
                    "apollo-require-preflight",
                ],
                allow_credentials=True,
            )
        )
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/staff/graphql", staff_graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_endpoint),
            *pages.ROUTES,
            *downloads.ROUTES,
            *exports.ROUTES,
            *ide.routes(graphiql=settings.graphiql, development=not settings.is_production),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
