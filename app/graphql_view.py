"""The Strawberry ASGI view: authenticates the request and builds the context."""

from __future__ import annotations

import re
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from strawberry.types.unset import UNSET

from app.context import Context, StaffContext
from app.dataloaders import Dataloaders
from app.domain import api_tokens
from app.domain.credentials import authenticate
from app.domain.runtime import Caller, Runtime
from app.domain.staff import authenticate_staff
from app.ide import graphiql_page
from app.models import Account, StaffMember
from app.observability.requests import note_caller, note_error_code
from app.persisted_queries import PersistedQueries, PersistedQueryError
from app.security.cookies import session_cookie_name
from app.security.redaction import without_values

# No argument of the schema needs more items than this (the largest, companyIds, takes 100): a
# longer list is refused before any GraphQL work, however it is nested.
MAX_LIST_ITEMS = 1_000
UNREPRESENTABLE = (
    "The request holds a string that is not valid Unicode text (a lone surrogate) or holds the "
    "NUL character; neither is accepted in any field."
)
TOO_LONG = f"The request holds a list of more than {MAX_LIST_ITEMS} items; no field takes so many."
# No input nests deeper than a handful of levels.
MAX_NESTING = 32
TOO_DEEP = f"The request nests values more than {MAX_NESTING} levels deep; no field needs that."


# A multipart POST is a "simple" request a foreign page could send without a CORS preflight; a
# custom header forces one (the convention of Apollo's upload clients, or our own name).
PREFLIGHT_HEADERS = ("graphql-preflight", "apollo-require-preflight")
NO_PREFLIGHT = (
    "A multipart request (file upload) must carry a GraphQL-Preflight header (or "
    "Apollo-Require-Preflight), so that a browser cannot send it from another site."
)


def _problem(value: object) -> str | None:
    """Why the decoded JSON cannot be a request (checked at any depth), or None.

    Walked with an explicit stack: a recursive walk would fail on deep nesting itself.
    """
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_NESTING:
            return TOO_DEEP
        if isinstance(item, str):
            if "\x00" in item:
                return UNREPRESENTABLE
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return UNREPRESENTABLE
        elif isinstance(item, dict):
            stack.extend((child, depth + 1) for child in (*item.keys(), *item.values()))
        elif isinstance(item, list):
            if len(item) > MAX_LIST_ITEMS:
                return TOO_LONG
            stack.extend((child, depth + 1) for child in item)
    return None


def bearer_token(request: Request) -> str | None:
    cookie = session_cookie_name(request.app.state.runtime.settings)
    return _authorization_bearer(request) or request.cookies.get(cookie)


def _authorization_bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _caller(request: Request, **identity: object) -> Caller:
    return Caller(
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
        **identity,  # type: ignore[arg-type]
    )


async def professional_caller(runtime: Runtime, request: Request) -> tuple[Account | None, Caller]:
    """The account behind the request's session (cookie or bearer) or API token, if any."""
    token = bearer_token(request)
    account, session_id, api_token = None, None, None
    if token and api_tokens.is_api_token(token):
        found_token = await api_tokens.authenticate(runtime, token)
        account, api_token = found_token or (None, None)
    elif token:
        found = await authenticate(runtime, token)
        if found:
            account, session_id = found[0], found[1].id
    kind = "api_token" if api_token else "session" if account else "anonymous"
    note_caller(kind, f"account:{account.id}" if account else None)
    caller = _caller(
        request,
        account_id=account.id if account else None,
        session_id=session_id,
        scopes=frozenset(api_token.scopes) if api_token else None,
        api_token_id=api_token.id if api_token else None,
    )
    return account, caller


async def staff_caller(runtime: Runtime, request: Request) -> tuple[StaffMember | None, Caller]:
    """The staff member behind the request's bearer token, if any (never a cookie)."""
    token = _authorization_bearer(request)
    found = await authenticate_staff(runtime, token) if token else None
    member, staff_session = found or (None, None)
    note_caller("staff" if member else "anonymous", f"staff:{member.id}" if member else None)
    caller = _caller(
        request,
        staff_id=member.id if member else None,
        session_id=staff_session.id if staff_session else None,
    )
    return member, caller


GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
# graphql-core ends some validation messages with a guess from the schema ("Did you mean
# 'node'?"): where introspection is off, that would reveal the schema piece by piece.
SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def _request_error(response: dict[str, Any]) -> bool:
    """A request error (unparsable document, invalid document, variables that do not coerce):
    nothing was executed, so there is no data and no error has a path."""
    errors = response.get("errors") or []
    return response.get("data") is None and bool(errors) and not any(e.get("path") for e in errors)


def _code_of(error: dict[str, Any]) -> str:
    """A stable code for GraphQL's own errors, which come without one (Apollo's names)."""
    message = error.get("message", "")
    if message.startswith("Syntax Error"):
        return "GRAPHQL_PARSE_FAILED"
    if message.startswith("Variable '$"):
        return "BAD_USER_INPUT"
    if error.get("path"):
        return "INTERNAL_SERVER_ERROR"
    return "GRAPHQL_VALIDATION_FAILED"


class HardenedGraphQL(GraphQL):
    """What both endpoints check before GraphQL work, and how they word errors.

    Responses follow the GraphQL over HTTP specification: a client that accepts
    `application/graphql-response+json` gets that media type, and a request error answers 400
    without a `data` entry; `application/json` clients keep the 200 they expect.
    """

    def __init__(
        self,
        *args: Any,  # noqa: ANN401
        suggestions: bool = True,
        persisted_queries: PersistedQueries | None = None,
        **kwargs: Any,  # noqa: ANN401
    ) -> None:
        super().__init__(*args, **kwargs)
        self.suggestions = suggestions
        self.persisted_queries = persisted_queries or PersistedQueries()

    # The endpoint GraphiQL talks to, and whether it opens with the examples' documents.
    ide_endpoint = "/graphql"
    ide_title = "espace professionnel"
    ide_examples = True

    async def render_graphql_ide(self, request: Request) -> Response:  # noqa: ARG002
        return graphiql_page(
            self.ide_endpoint, self.ide_title, with_examples=self.ide_examples
        )

    def should_render_graphql_ide(self, request: Any) -> bool:  # noqa: ANN401
        # A GET naming a persisted query by its hash is a GraphQL request, not a visit.
        if request.query_params.get("extensions") is not None:
            return False
        return super().should_render_graphql_ide(request)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:  # noqa: ANN401
        try:
            return await super().run(request, context, root_value)
        except PersistedQueryError as error:
            return JSONResponse(error.body(), status_code=error.status)

    async def execute_operation(self, **kwargs: Any) -> Any:  # noqa: ANN401
        data = kwargs["request_data"]
        if not isinstance(data, list):
            trusted = kwargs["context"].caller.api_token_id is not None
            kwargs["request_data"] = self.persisted_queries.resolve(data, trusted=trusted)
        return await super().execute_operation(**kwargs)

    async def get_sub_response(self, request: Request) -> Response:
        sub_response = await super().get_sub_response(request)
        sub_response.graphql_request = request  # type: ignore[attr-defined]
        return sub_response

    def create_response(self, response_data: Any, sub_response: Response) -> Response:  # noqa: ANN401
        request = getattr(sub_response, "graphql_request", None)
        accept = request.headers.get("accept", "") if request is not None else ""
        modern = GRAPHQL_RESPONSE_JSON in accept
        if modern and isinstance(response_data, dict) and _request_error(response_data):
            response_data = {key: v for key, v in response_data.items() if key != "data"}
            sub_response.status_code = 400
        response = super().create_response(response_data, sub_response)
        if modern:
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
        return response

    def encode_json(self, data: object) -> str:
        """orjson: about fifteen times faster than `json.dumps` on a dashboard answer (and
        UTF-8 text as RFC 8259 asks, where `json` escapes every non-ASCII character). A value
        orjson refuses (an integer beyond 64 bits) is encoded by `json` as before."""
        try:
            return orjson.dumps(data).decode()
        except TypeError:
            return str(super().encode_json(data))

    def decode_json(self, data: str | bytes) -> object:
        try:
            decoded = super().decode_json(data)
        except RecursionError:
            raise HTTPException(400, TOO_DEEP) from None
        problem = _problem(decoded)
        if problem:
            raise HTTPException(400, problem)
        return decoded

    async def parse_multipart(self, request: Any) -> dict[str, str]:  # noqa: ANN401
        if not any(request.headers.get(name) for name in PREFLIGHT_HEADERS):
            raise HTTPException(400, NO_PREFLIGHT)
        return await super().parse_multipart(request)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response: dict[str, Any] = dict(await super().process_result(request, result))
        for error in response.get("errors") or []:
            error["message"] = without_values(error["message"])
            if not self.suggestions:
                error["message"] = SUGGESTION.sub("", error["message"])
            extensions = error.setdefault("extensions", {})
            extensions.setdefault("code", _code_of(error))
            note_error_code(extensions["code"])
        return response  # type: ignore[return-value]


class GatewayGraphQL(HardenedGraphQL):
    """The professionals' endpoint; reads the runtime the lifespan put on `app.state`."""

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        runtime: Runtime = request.app.state.runtime
        account, caller = await professional_caller(runtime, request)  # type: ignore[arg-type]
        return Context(
            request=request,  # type: ignore[arg-type]
            response=response,  # type: ignore[arg-type]
            runtime=runtime,
            caller=caller,
            viewer=account,
            loaders=Dataloaders.build(runtime.sessions, runtime.clock),
        )


class StaffGraphQL(HardenedGraphQL):
    """The tax department's endpoint: staff sessions only, sent as a bearer token.

    A professional's session or API token is simply not a staff session here, and the
    professional session cookie is never read.
    """

    ide_endpoint = "/staff/graphql"
    ide_title = "administration fiscale"
    ide_examples = False

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> StaffContext:
        runtime: Runtime = request.app.state.runtime
        member, caller = await staff_caller(runtime, request)  # type: ignore[arg-type]
        return StaffContext(
            request=request,  # type: ignore[arg-type]
            response=response,  # type: ignore[arg-type]
            runtime=runtime,
            caller=caller,
            member=member,
            loaders=Dataloaders.build(runtime.sessions, runtime.clock),
        )
