"""Service status and maintenance notices; the gate that closes mutations during a window."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import strawberry
from graphql import FieldNode, GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from app.domain import maintenance
from app.models import MaintenanceNotice as MaintenanceNoticeModel

# Still open during a whole-site window: people must be able to leave, and staff to sign in
# professionals out of trouble later.
OPEN_DURING_MAINTENANCE = frozenset({"logIn", "logOut", "__typename"})


@strawberry.type(description="A maintenance window announced by the tax department.")
class MaintenanceNotice:
    id: strawberry.ID = strawberry.field(description="The notice's number, for staff.")
    starts_at: datetime = strawberry.field(description="Start of the window.")
    ends_at: datetime = strawberry.field(description="End of the window.")
    message: str = strawberry.field(description="What the tax department says about it.")
    service_codes: list[str] = strawberry.field(
        description="The online services concerned; empty for the whole site."
    )

    @classmethod
    def from_model(cls, notice: MaintenanceNoticeModel) -> MaintenanceNotice:
        return cls(
            id=strawberry.ID(str(notice.id)),
            starts_at=notice.starts_at,
            ends_at=notice.ends_at,
            message=notice.message,
            service_codes=list(notice.service_codes),
        )


@strawberry.type(description="Whether the professional space is open, and the windows announced.")
class ServiceStatus:
    available: bool = strawberry.field(
        description="False during a whole-site maintenance window: mutations other than logIn "
        "and logOut are refused with UNDER_MAINTENANCE."
    )
    notices: list[MaintenanceNotice] = strawberry.field(
        description="Windows in force or to come, soonest first."
    )


class MaintenanceGate(SchemaExtension):
    """Refuses a mutation during a whole-site window, quoting the notice and its end.

    Queries keep working, and only mutation requests pay for the look-up.
    """

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        document = context.graphql_document
        operation = next(
            (
                definition
                for definition in (document.definitions if document else ())
                if isinstance(definition, OperationDefinitionNode)
                and (
                    context.operation_name is None
                    or (definition.name and definition.name.value == context.operation_name)
                )
            ),
            None,
        )
        if operation is not None and operation.operation.value == "mutation":
            fields = {
                selection.name.value
                for selection in operation.selection_set.selections
                if isinstance(selection, FieldNode)
            }
            if not fields <= OPEN_DURING_MAINTENANCE:
                closure = await self._closure()
                if closure is not None:
                    context.result = ExecutionResult(data=None, errors=[closure])
        yield

    async def _closure(self) -> GraphQLError | None:
        runtime = self.execution_context.context.runtime
        now = runtime.clock.now()
        notices = await maintenance.current_and_coming(runtime.sessions, now)
        notice = maintenance.site_closure(notices, now)
        if notice is None:
            return None
        return GraphQLError(
            f"The professional space is under maintenance until {notice.ends_at.isoformat()}: "
            f"{notice.message}",
            extensions={
                "code": "UNDER_MAINTENANCE",
                "notice": notice.message,
                "endsAt": notice.ends_at.isoformat(),
            },
        )
