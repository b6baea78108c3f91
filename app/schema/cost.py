"""Query cost, computed before execution (GitHub's model), and the per-caller hourly budget.

- Nodes: for every connection (a field with a `first` argument), `first` (100 when omitted)
  times the `first` of every connection above it; a document asking for more than 500,000 nodes
  in all is refused (LIMIT_EXCEEDED) before any resolver runs.
- Points: the number of requests a client would need to fetch the same pages one connection at a
  time (each connection counts once per parent node), divided by 100, at least 1. Each caller (an
  account, a staff member, or else a client address) may spend 5,000 points an hour
  (`COST_POINTS_PER_HOUR`); past that,
  RATE_LIMITED with the reset time. `extensions.cost { requested remaining resetAt }` comes with
  every executed response (a document refused while parsing or validating costs nothing and
  carries none).
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)
from graphql.type.definition import GraphQLInterfaceType
from sqlalchemy import Executable, bindparam, case
from sqlalchemy.engine import Dialect
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionResult

from app.context import Context, StaffContext
from app.db import insert_for, write_transaction
from app.middleware import request_id_var
from app.models import CostBudget
from app.schema.nodes import MAX_PAGE_SIZE
from app.security.throttling import client_key

logger = logging.getLogger("app.graphql")
NODE_LIMIT = 500_000
WINDOW = timedelta(hours=1)


@dataclass(frozen=True)
class Cost:
    nodes: int
    points: int


def _first(field: FieldNode, variables: dict[str, Any]) -> int | None:
    """The page size a connection field asks for; None for a field that is not a connection."""
    for argument in field.arguments or ():
        if argument.name.value != "first":
            continue
        value = argument.value
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode):
            given = variables.get(value.name.value)
            return given if isinstance(given, int) else MAX_PAGE_SIZE
        return MAX_PAGE_SIZE
    return None


class _Walker:
    """Adds up a document's nodes and requests, descending through fragments."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: dict) -> None:
        self.schema = schema
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.nodes = 0
        self.requests = 0

    def walk(self, selections: SelectionSetNode | None, parent: Any, multiplier: int) -> None:  # noqa: ANN401
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                self.field(selection, parent, multiplier)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                self.walk(selection.selection_set, target, multiplier)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    target = self.schema.get_type(fragment.type_condition.name.value)
                    self.walk(fragment.selection_set, target, multiplier)

    def field(self, selection: FieldNode, parent: Any, multiplier: int) -> None:  # noqa: ANN401
        if not isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
            return
        definition = parent.fields.get(selection.name.value)
        if definition is None:
            return
        if "first" in definition.args:
            size = _first(selection, self.variables)
            size = MAX_PAGE_SIZE if size is None else max(size, 0)
            self.nodes += multiplier * size
            self.requests += multiplier
            multiplier *= max(size, 1)
        self.walk(selection.selection_set, get_named_type(definition.type), multiplier)


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: dict[str, Any] | None,
) -> Cost:
    operation = next(
        (
            d
            for d in document.definitions
            if isinstance(d, OperationDefinitionNode)
            and (operation_name is None or (d.name and d.name.value == operation_name))
        ),
        None,
    )
    if operation is None:
        return Cost(0, 1)
    walker = _Walker(schema, document, variables or {})
    walker.walk(operation.selection_set, schema.get_root_type(operation.operation), 1)
    return Cost(walker.nodes, max(1, round(walker.requests / 100)))


def _caller_key(context: Context | StaffContext) -> str:
    caller = context.caller
    if caller.staff_id is not None:
        return f"staff:{caller.staff_id}"
    if caller.account_id is not None:
        return f"account:{caller.account_id}"
    return f"client:{client_key(caller.ip)}"


@functools.cache
def _spending(dialect: Dialect) -> Executable:
    """The budget's one statement for this kind of database, built once: an upsert that
    restarts an expired window and returns the total. Its values are parameters (caller,
    now, window_opened_before, points)."""
    table = CostBudget.__table__
    now = bindparam("now", type_=table.c.window_start.type)
    points = bindparam("points", type_=table.c.points.type)
    expired = table.c.window_start <= bindparam(
        "window_opened_before", type_=table.c.window_start.type
    )
    insert = insert_for(dialect)(table)
    return (
        insert.values(caller_key=bindparam("caller"), window_start=now, points=points)
        .on_conflict_do_update(
            index_elements=[table.c.caller_key],
            set_={
                "points": case((expired, points), else_=table.c.points + points),
                "window_start": case((expired, now), else_=table.c.window_start),
            },
        )
        .returning(table.c.points, table.c.window_start)
    )


async def spend(
    context: Context | StaffContext, points: int, now: datetime
) -> tuple[bool, int, datetime]:
    """Take `points` from the caller's hour: (allowed, remaining, reset time).

    One statement (an upsert that restarts an expired window and returns the total), so that the
    accounting costs every request as little as possible. A refused request counts too: a
    caller hammering past its budget stays refused until the window resets.
    """
    async with write_transaction(context.runtime.sessions) as session:
        statement = _spending(session.bind.dialect)
        parameters = {
            "caller": _caller_key(context),
            "now": now,
            "window_opened_before": now - WINDOW,
            "points": points,
        }
        spent, window_start = (await session.execute(statement, parameters)).one()
    if window_start.tzinfo is None:  # SQLite gives the stored value back naive
        window_start = window_start.replace(tzinfo=UTC)
    allowance = context.runtime.settings.cost_points_per_hour
    return spent <= allowance, max(0, allowance - spent), window_start + WINDOW


class QueryCost(SchemaExtension):
    """Refuses documents over the node limit or the caller's budget; reports the cost."""

    report: dict[str, Any] | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        context = self.execution_context
        cost = operation_cost(
            context.schema._schema,  # noqa: SLF001  (graphql-core's schema behind Strawberry's)
            context.graphql_document,
            context.operation_name,
            context.variables,
        )
        if cost.nodes > NODE_LIMIT:
            context.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        f"This document may return {cost.nodes:,} nodes; at most {NODE_LIMIT:,} "
                        "are allowed. Ask for smaller pages (`first`).",
                        extensions={"code": "LIMIT_EXCEEDED", "nodes": cost.nodes},
                    )
                ],
            )
            yield
            return
        now = context.context.runtime.clock.now()
        try:
            allowed, remaining, reset_at = await spend(context.context, cost.points, now)
        except Exception:
            # Raised from an extension, the failure would escape the resolvers' masking: masked
            # here, logged with the request id.
            logger.exception("Unexpected error while spending the query cost")
            context.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "Unexpected error.",
                        extensions={
                            "code": "INTERNAL_SERVER_ERROR",
                            "requestId": request_id_var.get(),
                        },
                    )
                ],
            )
            yield
            return
        self.report = {
            "requested": cost.points,
            "nodes": cost.nodes,
            "remaining": remaining,
            "resetAt": reset_at.isoformat(),
        }
        if not allowed:
            seconds = max(1, math.ceil((reset_at - now).total_seconds()))
            context.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(
                        "This caller spent its points for the hour "
                        f"({context.context.runtime.settings.cost_points_per_hour:,}); the "
                        f"budget resets at {reset_at.isoformat()}.",
                        extensions={
                            "code": "RATE_LIMITED",
                            "retryAfterSeconds": seconds,
                            "resetAt": reset_at.isoformat(),
                        },
                    )
                ],
            )
        yield

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.report} if self.report else {}
