"""The Strawberry ASGI view: authenticates the request and builds the context."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from app.context import Context
from app.dataloaders import Dataloaders
from app.domain.credentials import authenticate
from app.domain.runtime import Caller, Runtime
from app.security.cookies import SESSION_COOKIE


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return request.cookies.get(SESSION_COOKIE)


class GatewayGraphQL(GraphQL):
    """Reads the runtime the lifespan put on `app.state`."""

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        runtime: Runtime = request.app.state.runtime
        token = bearer_token(request)  # type: ignore[arg-type]
        found = await authenticate(runtime, token) if token else None
        account, user_session = found or (None, None)
        caller = Caller(
            account_id=account.id if account else None,
            session_id=user_session.id if user_session else None,
            ip=request.client.host if request.client else None,
            user_agent=request.headers.get("user-agent"),
        )
        return Context(
            request=request,  # type: ignore[arg-type]
            response=response,  # type: ignore[arg-type]
            runtime=runtime,
            caller=caller,
            viewer=account,
            loaders=Dataloaders.build(runtime.sessions),
        )
