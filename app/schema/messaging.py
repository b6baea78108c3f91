"""The company's business email and its secure messaging with the tax office."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import strawberry
from strawberry.file_uploads import Upload

from app.domain.messaging import Access
from app.models import Message as MessageModel
from app.models import MessageAttachment as AttachmentModel
from app.models import MessageThread as ThreadModel
from app.schema.errors import UserError
from app.schema.nodes import (
    After,
    First,
    Node,
    PageInfo,
    decode_cursor,
    encode_cursor,
    page_size,
    to_global_id,
)

ATTACHMENTS_FIELD = strawberry.field(
    default_factory=list,
    description="Files sent through the GraphQL multipart request spec: PDF, PNG or JPEG "
    "(recognised by their content), at most 10 MiB each and 5 per message.",
)


@strawberry.type(description="The company's business email: where its notices go.")
class BusinessEmail:
    address: str | None = strawberry.field(
        description="The confirmed address in force, or null if the company has none yet."
    )
    confirmed_at: datetime | None = strawberry.field(description="When it was confirmed.")
    pending_address: str | None = strawberry.field(
        description="An address designated since, waiting for its confirmation link (72 h); "
        "the confirmed one stays in force until then."
    )
    pending_expires_at: datetime | None = strawberry.field(
        description="When the pending address's link stops working."
    )


@strawberry.input(description="Designate the company's business email (principal only).")
class DesignateBusinessEmailInput:
    company_id: strawberry.ID = strawberry.field(description="Global ID of the company.")
    email: str = strawberry.field(
        description="The address; it may be the login email. A link valid 72 h goes to it."
    )


@strawberry.type(description="Result of designating a business email.")
class DesignateBusinessEmailPayload:
    business_email: BusinessEmail | None = strawberry.field(
        description="The company's business email, the new address pending; null on error."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing changed.")


@strawberry.input(description="Confirm a business email with the token of its emailed link.")
class ConfirmBusinessEmailInput:
    token: str = strawberry.field(description="The `token` parameter of the emailed link.")


@strawberry.type(description="Result of confirming a business email.")
class ConfirmBusinessEmailPayload:
    confirmed: bool = strawberry.field(description="Whether the address is now in force.")
    user_errors: list[UserError] = strawberry.field(description="Why the link did not work.")


@strawberry.enum(description="What a thread is about, so that the office routes it.")
class MessageCategory(enum.Enum):
    DECLARATION = strawberry.enum_value("DECLARATION", description="A return or declaration.")
    PAYMENT = strawberry.enum_value("PAYMENT", description="A payment or a debit.")
    REFUND = strawberry.enum_value("REFUND", description="A refund or a credit.")
    TAX_ACCOUNT = strawberry.enum_value("TAX_ACCOUNT", description="The company's tax account.")
    OTHER = strawberry.enum_value("OTHER", description="Anything else.")


@strawberry.enum(description="Whether a thread is still open.")
class MessageThreadStatus(enum.Enum):
    OPEN = strawberry.enum_value("OPEN", description="Open: both sides may write.")
    CLOSED = strawberry.enum_value("CLOSED", description="Closed by the office; read only.")


@strawberry.enum(description="Who wrote a message.")
class MessageAuthorKind(enum.Enum):
    PROFESSIONAL = strawberry.enum_value(
        "PROFESSIONAL", description="A user of the company's professional space."
    )
    TAX_OFFICE = strawberry.enum_value("TAX_OFFICE", description="The company's tax office.")


@strawberry.type(description="The author of a message.")
class MessageAuthor:
    kind: MessageAuthorKind = strawberry.field(description="A professional or the tax office.")
    display_name: str = strawberry.field(
        description="The professional's name, or the tax office (its agents stay anonymous)."
    )


@strawberry.type(description="A file attached to a message.")
class Attachment:
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    file_name: str = strawberry.field(description="The name it was sent under.")
    media_type: str = strawberry.field(
        description="application/pdf, image/png or image/jpeg, as recognised from its content."
    )
    size: int = strawberry.field(description="Size in bytes.")
    download_url: str = strawberry.field(
        description="Path to download it with the same credentials (only for those who may "
        "read the thread)."
    )

    @classmethod
    def from_model(cls, attachment: AttachmentModel, prefix: str) -> Attachment:
        return cls(
            id=to_global_id("Attachment", attachment.id),
            file_name=attachment.file_name,
            media_type=attachment.media_type,
            size=attachment.size,
            download_url=f"{prefix}/attachments/{attachment.id}",
        )


@strawberry.type(description="One message of a thread.")
class Message:
    id: strawberry.ID = strawberry.field(description="Opaque identifier.")
    body: str = strawberry.field(description="The text.")
    sent_at: datetime = strawberry.field(description="When it was sent.")
    row: strawberry.Private[MessageModel]
    office: strawberry.Private[str | None]
    prefix: strawberry.Private[str]

    @strawberry.field(description="Who wrote it.")
    async def author(self, info: strawberry.Info) -> MessageAuthor:
        if self.row.author_account_id is None:
            return MessageAuthor(
                kind=MessageAuthorKind.TAX_OFFICE,
                display_name=f"Tax office ({self.office})" if self.office else "Tax office",
            )
        account = await info.context.loaders.accounts_by_id.load(self.row.author_account_id)
        return MessageAuthor(
            kind=MessageAuthorKind.PROFESSIONAL,
            display_name=f"{account.first_name} {account.last_name}",
        )

    @strawberry.field(description="Its attachments, in the order they were sent.")
    async def attachments(self, info: strawberry.Info) -> list[Attachment]:
        found = await info.context.loaders.attachments_by_message.load(self.row.id)
        return [Attachment.from_model(item, self.prefix) for item in found]


@strawberry.type(description="An edge of a message connection.")
class MessageEdge:
    cursor: str = strawberry.field(description="Opaque position of this edge.")
    node: Message = strawberry.field(description="The message.")


@strawberry.type(description="A page of messages, oldest first (Relay connection).")
class MessageConnection:
    edges: list[MessageEdge] = strawberry.field(description="The messages of this page.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    total_count: int = strawberry.field(description="Number of messages in all pages.")


async def message_connection(
    info: strawberry.Info, thread: ThreadModel, first: int | None, after: str | None, prefix: str
) -> MessageConnection:
    messages = await info.context.loaders.messages_by_thread.load(thread.id)
    position = decode_cursor(after) or 0
    following = [row for row in messages if row.id > position]
    size = page_size(first)
    edges = [
        MessageEdge(
            cursor=encode_cursor(row.id),
            node=Message(
                id=to_global_id("Message", row.id),
                body=row.body,
                sent_at=row.sent_at,
                row=row,
                office=thread.office,
                prefix=prefix,
            ),
        )
        for row in following[:size]
    ]
    return MessageConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(following) > size, end_cursor=edges[-1].cursor if edges else None
        ),
        total_count=len(messages),
    )


@strawberry.type(description="What the company and its office both see of a thread.")
class ThreadSummary:
    reference: str = strawberry.field(
        description="Reference number, quoted in the acknowledgement of receipt."
    )
    subject: str = strawberry.field(description="The subject given when it was opened.")
    category: MessageCategory = strawberry.field(description="What it is about.")
    status: MessageThreadStatus = strawberry.field(description="Open or closed.")
    office: str | None = strawberry.field(
        description="The tax office (département) it was sent to; null for a company whose "
        "registered office is abroad (the national office answers)."
    )
    created_at: datetime = strawberry.field(description="When it was opened.")
    last_message_at: datetime = strawberry.field(description="When its latest message was sent.")
    closed_at: datetime | None = strawberry.field(description="When the office closed it.")
    row: strawberry.Private[ThreadModel]

    @staticmethod
    def summary(thread: ThreadModel) -> dict[str, Any]:
        """The summary's values, for the constructors of the types built on it."""
        return {
            "reference": thread.reference,
            "subject": thread.subject,
            "category": MessageCategory[thread.category],
            "status": MessageThreadStatus[thread.status],
            "office": thread.office,
            "created_at": thread.created_at,
            "last_message_at": thread.last_message_at,
            "closed_at": thread.closed_at,
            "row": thread,
        }


@strawberry.type(description="A conversation between the company and its tax office.")
class MessageThread(Node, ThreadSummary):
    can_reply: bool = strawberry.field(
        description="Whether the viewer may write in it (open, and DECLARE on MESSAGERIE)."
    )
    viewer_id: strawberry.Private[int]

    @classmethod
    def from_model(cls, thread: ThreadModel, viewer_id: int, access: Access) -> MessageThread:
        return cls(
            id=to_global_id("MessageThread", thread.id),
            can_reply=access >= Access.WRITE and thread.status == "OPEN",
            viewer_id=viewer_id,
            **cls.summary(thread),
        )

    @strawberry.field(description="Messages the viewer has not read (their own aside).")
    async def unread_count(self, info: strawberry.Info) -> int:
        loader = info.context.loaders.unread_by_thread_and_account
        return await loader.load((self.row.id, self.viewer_id))

    @strawberry.field(description="The messages, oldest first.")
    async def messages(
        self, info: strawberry.Info, first: First = None, after: After = None
    ) -> MessageConnection:
        return await message_connection(info, self.row, first, after, "")


@strawberry.type(description="An edge of a thread connection.")
class MessageThreadEdge:
    cursor: str = strawberry.field(description="Opaque position of this edge.")
    node: MessageThread = strawberry.field(description="The thread.")


@strawberry.type(description="A page of threads, newest first (Relay connection).")
class MessageThreadConnection:
    edges: list[MessageThreadEdge] = strawberry.field(description="The threads of this page.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    total_count: int = strawberry.field(description="Number of threads in all pages.")
    unread_count: int = strawberry.field(
        description="Unread messages over the threads of this page."
    )


@strawberry.input(description="Open a thread with the company's tax office.")
class SendMessageInput:
    company_id: strawberry.ID = strawberry.field(description="Global ID of the company.")
    subject: str = strawberry.field(description="Subject (1 to 200 characters).")
    body: str = strawberry.field(description="Text (1 to 20,000 characters).")
    category: MessageCategory = strawberry.field(description="What it is about.")
    attachments: list[Upload] = ATTACHMENTS_FIELD


@strawberry.type(description="Result of sending a message.")
class SendMessagePayload:
    thread: MessageThread | None = strawberry.field(
        description="The new thread, with its reference number; null on error."
    )
    user_errors: list[UserError] = strawberry.field(description="Why nothing was sent.")


@strawberry.input(description="Continue a thread of the company.")
class ReplyToThreadInput:
    thread_id: strawberry.ID = strawberry.field(description="Global ID of the thread.")
    body: str = strawberry.field(description="Text (1 to 20,000 characters).")
    attachments: list[Upload] = ATTACHMENTS_FIELD


@strawberry.type(description="Result of replying to a thread.")
class ReplyToThreadPayload:
    thread: MessageThread | None = strawberry.field(description="The thread; null on error.")
    user_errors: list[UserError] = strawberry.field(description="Why nothing was sent.")


@strawberry.input(description="Mark every message of a thread read.")
class MarkThreadReadInput:
    thread_id: strawberry.ID = strawberry.field(description="Global ID of the thread.")


@strawberry.type(description="Result of marking a thread read.")
class MarkThreadReadPayload:
    thread: MessageThread | None = strawberry.field(description="The thread, now read.")
    user_errors: list[UserError] = strawberry.field(description="Always empty.")
