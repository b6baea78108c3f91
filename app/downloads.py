"""Attachment downloads: `/attachments/<id>` for professionals, `/staff/attachments/<id>` for staff.

Only those who may read the thread get the file; anyone else gets the same 404 as for an id
that does not exist.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from app.db import read_session
from app.domain import messaging
from app.domain.api_tokens import Scope
from app.domain.attachments import blob_path
from app.domain.messaging import Access
from app.domain.runtime import Runtime
from app.domain.staff_directory import may_act_on
from app.graphql_view import professional_caller, staff_caller
from app.security.permissions import scope_allowed

NOT_FOUND = {"errors": [{"message": "No such attachment.", "extensions": {"code": "NOT_FOUND"}}]}
UNAUTHENTICATED = {
    "errors": [{"message": "Log in first.", "extensions": {"code": "UNAUTHENTICATED"}}]
}


def _file(runtime: Runtime, found: messaging.AttachmentFile) -> Response:
    response = FileResponse(
        blob_path(runtime.settings.attachments_dir, found.attachment.sha256),
        media_type=found.attachment.media_type,
        filename=found.attachment.file_name,
        content_disposition_type="attachment",
    )
    response.headers["cache-control"] = "private, no-store"
    response.headers["content-security-policy"] = "default-src 'none'; sandbox"
    return response


async def attachment(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    account, caller = await professional_caller(runtime, request)
    if account is None:
        return JSONResponse(UNAUTHENTICATED, status_code=401)
    if not scope_allowed(caller, Scope.MESSAGES_READ):
        return JSONResponse(NOT_FOUND, status_code=404)
    now = runtime.clock.now()
    async with read_session(runtime.sessions) as session:
        found = await messaging.attachment_file(session, request.path_params["attachment_id"])
        allowed = found is not None and (
            await messaging.access_on(session, account.id, found.thread.company_id, now)
            >= Access.READ
        )
    if not allowed:
        return JSONResponse(NOT_FOUND, status_code=404)
    return _file(runtime, found)


async def staff_attachment(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    member, _ = await staff_caller(runtime, request)
    if member is None:
        return JSONResponse(UNAUTHENTICATED, status_code=401)
    async with read_session(runtime.sessions) as session:
        found = await messaging.attachment_file(session, request.path_params["attachment_id"])
    if found is None or not may_act_on(member, found.company):
        return JSONResponse(NOT_FOUND, status_code=404)
    return _file(runtime, found)


ROUTES = [
    Route("/attachments/{attachment_id:int}", attachment, methods=["GET"]),
    Route("/staff/attachments/{attachment_id:int}", staff_attachment, methods=["GET"]),
]
