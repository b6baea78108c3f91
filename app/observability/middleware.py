"""The outermost middleware: gives each request its id, its record, its span and its log line."""

from __future__ import annotations

import logging
import secrets
import time
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from opentelemetry.propagate import extract
from opentelemetry.trace import SpanKind
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.middleware import request_id_var
from app.observability.logs import REQUEST_LOGGER, pseudonym
from app.observability.metrics import GatewayMetrics, endpoint_of
from app.observability.requests import RequestRecord, close_record, open_record
from app.observability.tracing import Tracing

logger = logging.getLogger(REQUEST_LOGGER)
# Probes and scrapes come every few seconds; their lines are debug-level noise.
QUIET_ENDPOINTS = frozenset({"health", "metrics"})


class ObservedRequests:
    def __init__(
        self,
        app: ASGIApp,
        *,
        metrics: GatewayMetrics,
        pseudonym_key: bytes,
        tracing: Tracing | None = None,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.pseudonym_key = pseudonym_key
        self.tracing = tracing

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = secrets.token_hex(8)
        request_id_var.set(request_id)
        path: str = scope["path"]
        record = RequestRecord(scope["method"], path, request_id, endpoint_of(path))
        token = open_record(record)
        started = time.perf_counter()

        async def observed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                record.status = message["status"]
            await send(message)

        trace_id = None
        try:
            with self._span(scope, record) as span:
                if span is not None:
                    trace_id = format(span.get_span_context().trace_id, "032x")
                    record.tracer = self.tracing.tracer  # type: ignore[union-attr]
                try:
                    await self.app(scope, receive, observed_send)
                except Exception:
                    record.status = 500
                    raise
                finally:
                    if span is not None:
                        span.set_attribute("http.response.status_code", record.status or 500)
        finally:
            close_record(token)
            seconds = time.perf_counter() - started
            self.metrics.observe(record, seconds)
            self._log(record, seconds, trace_id)

    def _span(self, scope: Scope, record: RequestRecord) -> AbstractContextManager[Any]:
        if self.tracing is None:
            return nullcontext()
        headers = {
            name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]
        }
        return self.tracing.tracer.start_as_current_span(
            f"{record.method} {record.endpoint}",
            context=extract(headers),
            kind=SpanKind.SERVER,
            attributes={
                "http.request.method": record.method,
                "url.path": record.path,
                "gateway.request_id": record.request_id,
            },
        )

    def _log(self, record: RequestRecord, seconds: float, trace_id: str | None) -> None:
        level = logging.DEBUG if record.endpoint in QUIET_ENDPOINTS else logging.INFO
        if not logger.isEnabledFor(level):
            return
        names = [operation.name or "anonymous" for operation in record.operations]
        types = [operation.type or "unknown" for operation in record.operations]
        fields = {
            "method": record.method,
            "path": record.path,
            "status": record.status,
            "duration_ms": round(seconds * 1000, 2),
            "operation_name": ",".join(names) or None,
            "operation_type": ",".join(types) or None,
            "caller_kind": record.caller_kind,
            "caller": pseudonym(self.pseudonym_key, record.identity),
            "sql_statements": record.sql_statements,
            "error_codes": record.error_codes,
            "trace_id": trace_id,
        }
        logger.log(
            level, "%s %s %s", record.method, record.path, record.status, extra={"fields": fields}
        )
