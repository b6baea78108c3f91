"""Resolvers for the business email and the secure messaging."""

from __future__ import annotations

from typing import Annotated

import strawberry

from app.domain import business_emails, messaging
from app.models import MessageThread as ThreadModel
from app.resolvers.common import global_pk, viewer_id
from app.resolvers.errors import INPUT, attempt
from app.schema import messaging as types
from app.schema.companies import messaging_access


async def designate_business_email(
    info: strawberry.Info, input: Annotated[types.DesignateBusinessEmailInput, INPUT]
) -> types.DesignateBusinessEmailPayload:
    viewer_id(info)
    ctx = info.context
    company, errors = await attempt(
        business_emails.designate(
            ctx.runtime, ctx.caller, global_pk(input.company_id, "Company"), input.email
        )
    )
    if company is None:
        return types.DesignateBusinessEmailPayload(business_email=None, user_errors=errors)
    state = await ctx.loaders.business_emails_by_company.load(company.id)
    return types.DesignateBusinessEmailPayload(
        business_email=types.BusinessEmail(
            address=state.address,
            confirmed_at=state.confirmed_at,
            pending_address=state.pending_address,
            pending_expires_at=state.pending_expires_at,
        ),
        user_errors=[],
    )


async def confirm_business_email(
    info: strawberry.Info, input: Annotated[types.ConfirmBusinessEmailInput, INPUT]
) -> types.ConfirmBusinessEmailPayload:
    ctx = info.context
    company, errors = await attempt(business_emails.confirm(ctx.runtime, ctx.caller, input.token))
    return types.ConfirmBusinessEmailPayload(confirmed=company is not None, user_errors=errors)


async def _thread(info: strawberry.Info, thread: ThreadModel) -> types.MessageThread:
    account_id = viewer_id(info)
    role = await info.context.loaders.roles_by_account_and_company.load(
        (account_id, thread.company_id)
    )
    access = await messaging_access(info.context, thread.company_id, role)
    return types.MessageThread.from_model(thread, account_id, access)


async def send_message(
    info: strawberry.Info, input: Annotated[types.SendMessageInput, INPUT]
) -> types.SendMessagePayload:
    viewer_id(info)
    ctx = info.context
    thread, errors = await attempt(
        messaging.send_message(
            ctx.runtime,
            ctx.caller,
            global_pk(input.company_id, "Company"),
            input.subject,
            input.body,
            input.category.value,
            list(input.attachments),
        )
    )
    return types.SendMessagePayload(
        thread=await _thread(info, thread) if thread else None, user_errors=errors
    )


async def reply_to_thread(
    info: strawberry.Info, input: Annotated[types.ReplyToThreadInput, INPUT]
) -> types.ReplyToThreadPayload:
    viewer_id(info)
    ctx = info.context
    thread, errors = await attempt(
        messaging.reply(
            ctx.runtime,
            ctx.caller,
            global_pk(input.thread_id, "MessageThread"),
            input.body,
            list(input.attachments),
        )
    )
    return types.ReplyToThreadPayload(
        thread=await _thread(info, thread) if thread else None, user_errors=errors
    )


async def mark_thread_read(
    info: strawberry.Info, input: Annotated[types.MarkThreadReadInput, INPUT]
) -> types.MarkThreadReadPayload:
    viewer_id(info)
    ctx = info.context
    thread, errors = await attempt(
        messaging.mark_read(ctx.runtime, ctx.caller, global_pk(input.thread_id, "MessageThread"))
    )
    return types.MarkThreadReadPayload(
        thread=await _thread(info, thread) if thread else None, user_errors=errors
    )
