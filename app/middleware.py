"""ASGI middleware: body-size limit and security headers (the request id comes from
`app.observability.middleware`, which wraps this one)."""

from __future__ import annotations

import contextvars
import logging

from starlette.datastructures import MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to log records, so a masked error can be found from its response."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class QueryStringFilter(logging.Filter):
    """Drops query strings from uvicorn's access log: link tokens and GraphQL variables."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].partition("?")[0], *args[3:])
        return True


class BodyTooLargeError(Exception):
    pass


class GatewayMiddleware:
    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, max_upload_body_bytes: int, hsts: bool
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_upload_body_bytes = max_upload_body_bytes
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Given by the outer ObservedRequests middleware, which logs the request under it.
        request_id = request_id_var.get()
        headers = dict(scope["headers"])
        # File uploads (multipart) may be larger than any other request body.
        uploading = headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data")
        limit = self.max_upload_body_bytes if uploading else self.max_body_bytes
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._too_large(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLargeError
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._add_headers(MutableHeaders(scope=message), request_id)
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLargeError:
            await self._too_large(scope, receive, send_with_headers)

    def _add_headers(self, headers: MutableHeaders, request_id: str) -> None:
        headers["x-request-id"] = request_id
        for name, value in SECURITY_HEADERS.items():
            headers.setdefault(name, value)
        if self.hsts:
            headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            {
                "errors": [
                    {"message": "Request body too large.", "extensions": {"code": "LIMIT_EXCEEDED"}}
                ]
            },
            status_code=413,
        )
        await response(scope, receive, send)
