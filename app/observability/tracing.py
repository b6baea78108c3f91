"""OpenTelemetry traces, off unless `OTEL_EXPORTER_OTLP_ENDPOINT` (or its traces variant) is set.

One server span per HTTP request (continuing a caller's `traceparent`), one span per GraphQL
operation inside it, and a child span per SQL statement from the SQLAlchemy instrumentation's
engine tracer. No span per field: a dashboard resolves thousands of them.
The provider belongs to the app (not the process-wide global), so that it is flushed and shut
down with the app's lifespan. The exporter reads the other standard `OTEL_EXPORTER_OTLP_*`
variables (headers, timeout, compression) itself.
"""

from __future__ import annotations

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.metrics import NoOpMeterProvider
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Tracer
from sqlalchemy.ext.asyncio import AsyncEngine


class Tracing:
    """The app's tracer provider, exporting in batches to the OTLP endpoint."""

    def __init__(self, endpoint: str, service_name: str) -> None:
        self.provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
        self.provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
        self.tracer: Tracer = self.provider.get_tracer("app")

    def instrument(self, engine: AsyncEngine) -> None:
        # The instrumentation's per-engine tracer, without its process-wide create_engine patches.
        connections = (
            NoOpMeterProvider().get_meter("app").create_up_down_counter("db.client.connections")
        )
        EngineTracer(
            self.provider.get_tracer("opentelemetry.sqlalchemy"), engine.sync_engine, connections
        )

    def shutdown(self) -> None:
        self.provider.shutdown()
        EngineTracer.remove_all_event_listeners()
