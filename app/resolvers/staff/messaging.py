"""Staff side of the messaging: the office's threads, replies, closing; information emails."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.domain import email_preferences, messaging
from app.models import MessageThread as ThreadModel
from app.resolvers.common import global_pk
from app.resolvers.errors import INPUT, attempt
from app.resolvers.staff.sessions import Info, staff_member
from app.schema.messaging import MessageThreadStatus
from app.schema.nodes import After, First, PageInfo, decode_cursor, encode_cursor, page_size
from app.schema.staff import types


async def _awaiting(info: Info, threads: list[ThreadModel]) -> list[types.StaffMessageThread]:
    found = await info.context.loaders.messages_by_thread.load_many([row.id for row in threads])
    return [
        types.StaffMessageThread.from_model(
            thread,
            awaiting_reply=bool(messages) and messages[-1].author_account_id is not None,
        )
        for thread, messages in zip(threads, found, strict=True)
    ]


async def message_threads(
    info: Info,
    status: Annotated[
        MessageThreadStatus | None,
        strawberry.argument(description="Only threads in this status (OPEN when omitted)."),
    ] = MessageThreadStatus.OPEN,
    first: First = None,
    after: After = None,
) -> types.StaffMessageThreadConnection:
    member = staff_member(info)
    size = page_size(first)
    page = await messaging.office_threads(
        info.context.runtime,
        member,
        status.value if status else None,
        size,
        decode_cursor(after),
    )
    nodes = await _awaiting(info, page.rows)
    edges = [
        types.StaffMessageThreadEdge(cursor=encode_cursor(node.row.id), node=node) for node in nodes
    ]
    return types.StaffMessageThreadConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None
        ),
        total_count=page.total,
    )


async def reply_to_thread(
    info: Info, input: Annotated[types.ReplyToThreadInput, INPUT]
) -> types.ReplyToThreadPayload:
    member = staff_member(info)
    ctx = info.context
    thread, errors = await attempt(
        messaging.staff_reply(
            ctx.runtime,
            ctx.caller,
            member,
            global_pk(input.thread_id, "MessageThread"),
            input.body,
            list(input.attachments),
        )
    )
    return types.ReplyToThreadPayload(
        thread=(await _awaiting(info, [thread]))[0] if thread else None, user_errors=errors
    )


async def close_thread(
    info: Info, input: Annotated[types.CloseThreadInput, INPUT]
) -> types.CloseThreadPayload:
    member = staff_member(info)
    ctx = info.context
    thread, errors = await attempt(
        messaging.close_thread(
            ctx.runtime, ctx.caller, member, global_pk(input.thread_id, "MessageThread")
        )
    )
    return types.CloseThreadPayload(
        thread=(await _awaiting(info, [thread]))[0] if thread else None, user_errors=errors
    )


async def send_information_email(
    info: Info, input: Annotated[types.SendInformationEmailInput, INPUT]
) -> types.SendInformationEmailPayload:
    member = staff_member(info)
    ctx = info.context
    recipients, errors = await attempt(
        email_preferences.send_information_email(
            ctx.runtime, ctx.caller, member, input.subject, input.body, input.reason
        )
    )
    return types.SendInformationEmailPayload(recipients=recipients, user_errors=errors)
