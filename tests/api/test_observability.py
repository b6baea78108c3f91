"""The request log line, /metrics, /readyz's outbox check and OpenTelemetry tracing."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from app.main import create_app
from app.middleware import RequestIdFilter
from app.observability.logs import JsonFormatter, TextFormatter
from tests.api.delegation_flows import principal_with_company
from tests.api.flows import ACTIVATE_ACCOUNT, LOG_IN, SIGN_UP_EXPERT, expert_input
from tests.support import STRONG_PASSWORD, Api, code_in, mail_to, make_settings

METRICS_TOKEN = "metrics-token-for-tests-0123456789abcdef"
VIEWER = "query WhoAmI { viewer { email } }"
ANONYMOUS_TOKEN = """
mutation { createApiToken(input: {name: "x", scopes: ["companies:read"]}) { secret } }
"""
CREATE_TOKEN = """
mutation CreateToken($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { secret userErrors { code } }
}
"""


class Lines(logging.Handler):
    """Every log record of the app, formatted as production writes it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.addFilter(RequestIdFilter())
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def requests(self) -> list[dict[str, Any]]:
        decoded = [json.loads(line) for line in self.lines]
        return [line for line in decoded if line["logger"] == "app.requests"]


@pytest.fixture
def logs() -> Iterator[Lines]:
    handler = Lines()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    # Production's level; app.requests logs probes and scrapes at DEBUG, below it.
    root.setLevel(logging.INFO)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


async def test_one_line_per_request_names_operation_caller_status_and_statements(
    api, deliver, settings, make_api, logs
):
    client, _ = await principal_with_company(api, deliver, settings, make_api)
    logs.lines.clear()
    response = await client.transport.client.post(
        "http://testserver/graphql", json={"query": VIEWER, "operationName": "WhoAmI"}
    )
    [line] = logs.requests()
    assert line["request_id"] == response.headers["x-request-id"]
    assert line["method"] == "POST"
    assert line["path"] == "/graphql"
    assert line["status"] == 200
    assert line["operation_name"] == "WhoAmI"
    assert line["operation_type"] == "query"
    assert line["caller_kind"] == "session"
    # A digest, the same for each request of that account, never the account's id or email.
    assert len(line["caller"]) == 16
    assert "owner@example.fr" not in json.dumps(line)
    assert line["sql_statements"] >= 2
    assert line["duration_ms"] > 0
    assert line["error_codes"] == []
    assert line["trace_id"] is None

    await client.call(VIEWER)
    assert logs.requests()[-1]["caller"] == line["caller"]

    async with make_api() as stranger:
        await stranger.call("query Broken { viewer { nope } }")
        refused = await stranger.call(ANONYMOUS_TOKEN)
    assert refused.errors[0]["extensions"]["code"] == "UNAUTHENTICATED"
    broken, anonymous_mutation = logs.requests()[-2:]
    assert broken["error_codes"] == ["GRAPHQL_VALIDATION_FAILED"]
    assert broken["caller_kind"] == "anonymous"
    assert broken["caller"] is None
    assert anonymous_mutation["operation_name"] == "anonymous"
    assert anonymous_mutation["operation_type"] == "mutation"
    assert anonymous_mutation["error_codes"] == ["UNAUTHENTICATED"]


async def test_api_token_and_staff_callers_are_named_by_kind(
    api, deliver, settings, make_api, logs
):
    client, _ = await principal_with_company(api, deliver, settings, make_api)
    created = await client.data(
        CREATE_TOKEN, input={"name": "Logiciel", "scopes": ["companies:read"]}
    )
    async with make_api(token=created["createApiToken"]["secret"]) as software:
        await software.data(VIEWER)
    assert logs.requests()[-1]["caller_kind"] == "api_token"
    async with make_api(path="/staff/graphql") as staff:
        await staff.call("query Me { viewer { id } }")
    line = logs.requests()[-1]
    assert (line["path"], line["caller_kind"]) == ("/staff/graphql", "anonymous")


async def test_no_secret_reaches_the_logs_from_sign_up_to_api_token(
    api, deliver, settings, make_api, logs
):
    values = expert_input(email="secret.keeper@example.fr")
    await api.data(SIGN_UP_EXPERT, input=values)
    await deliver()
    code = code_in(mail_to(settings.mail_dir, values["email"])[-1])
    await api.call(
        ACTIVATE_ACCOUNT, input={"email": values["email"], "code": "WRONG-CODE-0000-0000"}
    )
    activated = await api.data(ACTIVATE_ACCOUNT, input={"email": values["email"], "code": code})
    assert activated["activateAccount"]["userErrors"] == []
    await api.call(LOG_IN, input={"email": values["email"], "password": STRONG_PASSWORD + "x"})
    session = (
        await api.data(LOG_IN, input={"email": values["email"], "password": STRONG_PASSWORD})
    )["logIn"]["token"]
    async with make_api(token=session) as owner:
        created = await owner.data(
            CREATE_TOKEN, input={"name": "Logiciel", "scopes": ["companies:read"]}
        )
        secret = created["createApiToken"]["secret"]
    async with make_api(token=secret) as software:
        await software.data(VIEWER)
    await deliver()

    written = "\n".join(logs.lines)
    assert len(logs.requests()) >= 7
    for value in (STRONG_PASSWORD, code, code.replace("-", ""), session, secret, values["email"]):
        assert value not in written


async def test_text_format_for_development(api, logs):
    logs.setFormatter(TextFormatter())
    await api.call(VIEWER)
    [line] = [line for line in logs.lines if "app.requests" in line]
    assert "POST /graphql 200" in line
    assert "operation_name=WhoAmI" in line
    assert "caller_kind=anonymous" in line


def _scrape(client: httpx.AsyncClient, token: str | None = METRICS_TOKEN) -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return client.get("http://testserver/metrics", headers=headers)


def _sample(text: str, name: str) -> float:
    """The value of one series, written as it appears in the exposition."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.rsplit(" ", 1)[1])
    raise AssertionError(f"{name} not in the metrics")


async def test_metrics_are_not_served_without_a_token(api):
    response = await _scrape(api.transport.client)
    assert response.status_code == 404


@pytest.mark.parametrize("settings_overrides", [{"metrics_token": METRICS_TOKEN}])
async def test_metrics_need_the_token(api):
    assert (await _scrape(api.transport.client, token=None)).status_code == 401
    assert (await _scrape(api.transport.client, token="wrong")).status_code == 401


@pytest.mark.parametrize("settings_overrides", [{"metrics_token": METRICS_TOKEN}])
async def test_metrics_names_and_counts(api, deliver, settings, make_api):
    client, _ = await principal_with_company(api, deliver, settings, make_api)
    await client.call(VIEWER)
    await client.call("query Broken { viewer { nope } }")
    for _ in range(6):
        await api.call(LOG_IN, input={"email": "owner@example.fr", "password": "not the password"})
    await client.data(CREATE_TOKEN, input={"name": "Logiciel", "scopes": ["companies:read"]})

    response = await _scrape(api.transport.client)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    text = response.text
    series = (
        'gateway_requests_total{endpoint="graphql",operation="WhoAmI",operation_type="query",'
        'status="200"}'
    )
    assert _sample(text, series) == 1
    assert (
        'gateway_request_duration_seconds_bucket{endpoint="graphql",le="0.1",operation="WhoAmI"}'
        in text
    )
    assert (
        _sample(
            text,
            'gateway_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED",endpoint="graphql"}',
        )
        == 1
    )
    assert _sample(text, 'gateway_sql_statements_per_request_count{endpoint="graphql"}') > 5
    # The fifth failure starts the lock-out; the sixth attempt is refused unchecked.
    assert _sample(text, "gateway_login_failures_total") == 5
    assert _sample(text, "gateway_lockouts_total") == 1
    # The token's "new API token" email and the lock-out email wait for the dispatcher.
    assert _sample(text, "gateway_outbox_backlog") == 2
    assert _sample(text, "gateway_outbox_oldest_age_seconds") == 0
    assert 'gateway_db_pool_connections{state="checked_out"}' in text
    await deliver()
    assert _sample((await _scrape(api.transport.client)).text, "gateway_outbox_backlog") == 0


@pytest.mark.parametrize("settings_overrides", [{"metrics_token": METRICS_TOKEN}])
async def test_operation_names_are_bounded_in_metrics(api):
    from app.observability.metrics import MAX_OPERATION_NAMES

    for index in range(MAX_OPERATION_NAMES + 5):
        await api.call(f"query Name{index} {{ viewer {{ id }} }}")
    text = (await _scrape(api.transport.client)).text
    names = {
        line.split('operation="')[1].split('"')[0]
        for line in text.splitlines()
        if line.startswith("gateway_requests_total{")
    }
    assert len(names) == MAX_OPERATION_NAMES + 1  # the first names, then "other"
    assert "other" in names


@pytest.mark.parametrize("settings_overrides", [{"outbox_stale_seconds": 600}])
async def test_readyz_reports_a_stuck_outbox(api, deliver, clock):
    await api.data(SIGN_UP_EXPERT, input=expert_input())
    response = await api.transport.client.get("http://testserver/readyz")
    assert response.status_code == 200
    assert response.json()["outbox"] == {"backlog": 1, "oldestAgeSeconds": 0.0}

    clock.advance(timedelta(seconds=601))
    response = await api.transport.client.get("http://testserver/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "outbox stale",
        "outbox": {"backlog": 1, "oldestAgeSeconds": 601.0},
    }

    await deliver()
    response = await api.transport.client.get("http://testserver/readyz")
    assert response.status_code == 200
    assert response.json()["outbox"]["backlog"] == 0


class Collector(BaseHTTPRequestHandler):
    """An OTLP/HTTP receiver on 127.0.0.1 that keeps what it is sent."""

    received: list[bytes]

    def do_POST(self) -> None:
        length = int(self.headers["content-length"])
        self.server.received.append((self.path, self.rfile.read(length)))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


async def test_tracing_exports_request_operation_and_sql_spans(
    database_url, tmp_path, clock, collector, logs
):
    host, port = collector.server_address
    settings = make_settings(
        database_url, tmp_path, otel_traces_endpoint=f"http://{host}:{port}/v1/traces"
    )
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app), Api(app) as client:
        await client.data(VIEWER)
        await client.data("query Directory { companySearch: viewer { id } }")
    # The lifespan's end flushed the batch.
    spans = []
    for path, body in collector.received:
        assert path == "/v1/traces"
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        for resource in request.resource_spans:
            service = {a.key: a.value.string_value for a in resource.resource.attributes}
            assert service["service.name"] == "espace-pro-gateway"
            spans.extend(span for scope in resource.scope_spans for span in scope.spans)
    by_id = {span.span_id: span for span in spans}
    servers = [span for span in spans if span.name == "POST graphql"]
    operations = [span for span in spans if span.name.startswith("query ")]
    statements = [
        span for span in spans if span.name != "POST graphql" and not span.name.startswith("query ")
    ]
    assert [span.name for span in operations] == ["query WhoAmI", "query Directory"]
    assert len(servers) == 2
    for server, operation in zip(servers, operations, strict=True):
        assert operation.parent_span_id == server.span_id
        assert operation.trace_id == server.trace_id
    assert statements, "no SQL span"
    for statement in statements:
        parent = by_id[statement.parent_span_id]
        assert parent.name in {"POST graphql", "query WhoAmI", "query Directory"}
        assert any(a.key in {"db.statement", "db.query.text"} for a in statement.attributes)
    # No span per field: a handful per request.
    assert len(spans) < 20
    traced = [line["trace_id"] for line in logs.requests()]
    assert traced == [server.trace_id.hex() for server in servers]


async def test_tracing_is_off_without_an_endpoint():
    from app.settings import Settings

    assert Settings.from_env({}).otel_traces_endpoint is None
    assert (
        Settings.from_env(
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318/"}
        ).otel_traces_endpoint
        == "http://127.0.0.1:4318/v1/traces"
    )
    assert (
        Settings.from_env(
            {
                "OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://b/traces",
            }
        ).otel_traces_endpoint
        == "http://b/traces"
    )
    assert (
        Settings.from_env(
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://a:4318", "OTEL_SDK_DISABLED": "true"}
        ).otel_traces_endpoint
        is None
    )
