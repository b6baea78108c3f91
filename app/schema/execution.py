"""Checks that hold for every operation, whatever its shape.

- Scopes are a property of the types an API token may see: a `Company` reached through a
  mutation payload, a delegation or `node(id:)` needs `companies:read` all the same. The check
  runs where graphql-core completes an object, once per object and not once per field.
- A document with several operations must name the one to run (GraphQL spec, "GetOperation").
- No string literal may hold a NUL character (PostgreSQL cannot store one; no field needs one).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLObjectType,
    OperationDefinitionNode,
    StringValueNode,
    ValidationRule,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from app.security.permissions import TYPE_SCOPES, ScopeError, scope_allowed


class ScopedExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def complete_object_value(  # graphql-core's own signature, passed through as is
        self,
        return_type: GraphQLObjectType,
        *args: Any,  # noqa: ANN401
        **kwargs: Any,  # noqa: ANN401
    ) -> Any:  # noqa: ANN401
        scope = TYPE_SCOPES.get(return_type.name)
        if scope is not None and not scope_allowed(self.context_value.caller, scope):
            raise ScopeError(f"This API token lacks the scope {scope.value!r}.")
        return super().complete_object_value(return_type, *args, **kwargs)


class OperationNameRequired(SchemaExtension):
    """Refuse a document of several operations that does not say which one to run.

    Strawberry falls back to the first operation; the GraphQL spec asks for an error instead.
    """

    def on_validate(self) -> Iterator[None]:
        # Before validation runs: Strawberry checks for errors before the hooks' second halves.
        context = self.execution_context
        document = context.graphql_document
        # Strawberry's `operation_name` falls back to the first operation's: only the name the
        # request itself gave tells whether one was chosen.
        named = getattr(context, "_provided_operation_name", None) is not None
        if document is not None and not named:
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) > 1:
                context.pre_execution_errors = [
                    *(context.pre_execution_errors or []),
                    GraphQLError(
                        "This document holds several operations: say which one to run with "
                        "`operationName`."
                    ),
                ]
        yield


class NoNulInStrings(ValidationRule):
    def enter_string_value(self, node: StringValueNode, *_args: object) -> None:
        if "\x00" in node.value:
            self.report_error(
                GraphQLError("Strings may not contain the NUL character (U+0000).", node)
            )
