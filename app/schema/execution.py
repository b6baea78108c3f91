"""Checks that hold for every operation, whatever its shape.

- Scopes are a property of the types an API token may see: a `Company` reached through a
  mutation payload, a delegation or `node(id:)` needs `companies:read` all the same. The check
  runs where graphql-core completes an object, once per object and not once per field.
- A document with several operations must name the one to run (GraphQL spec, "GetOperation").
- No string literal may hold a NUL character (PostgreSQL cannot store one; no field needs one).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import strawberry
from graphql import (
    ASTValidationRule,
    GraphQLError,
    GraphQLObjectType,
    OperationDefinitionNode,
    StringValueNode,
    ValidationRule,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.types import ExecutionContext

from app.middleware import request_id_var
from app.observability.requests import current_record, note_operation
from app.schema.cost import QueryCost
from app.schema.errors import EXPOSED_ERRORS
from app.schema.planning import PlannedExecutionContext
from app.security.permissions import TYPE_SCOPES, ScopeError, scope_allowed
from app.security.redaction import without_values


class ScopedExecutionContext(PlannedExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        # Only an API token has scopes; a session sees every type its permissions allow.
        caller = getattr(self.context_value, "caller", None)
        self.checks_object_types = caller is None or caller.scopes is not None

    def check_object_type(self, return_type: GraphQLObjectType) -> None:
        scope = TYPE_SCOPES.get(return_type.name)
        if scope is not None and not scope_allowed(self.context_value.caller, scope):
            raise ScopeError(f"This API token lacks the scope {scope.value!r}.")


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


MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 2_000

logger = logging.getLogger("app.graphql")


def _unexpected(error: GraphQLError) -> bool:
    """An exception other than our own top-level errors and GraphQL's (scalars refuse values
    with GraphQLError, so that a refused literal is never taken for a failure)."""
    original = error.original_error
    return original is not None and not isinstance(original, (*EXPOSED_ERRORS, GraphQLError))


def _should_mask(error: GraphQLError) -> bool:
    """Unexpected exceptions are masked; our own top-level errors and GraphQL's are not."""
    return _unexpected(error)


class MaskUnexpectedErrors(MaskErrors):
    """ "Unexpected error.", with the request id that finds the logged traceback."""

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id_var.get()}
        return masked


class GatewaySchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log unexpected failures as errors; client mistakes at INFO, never with their values.

        Expected refusals (limits, log-in, scopes) are answers, not events worth a log line.
        Variables are never logged: they hold passwords and codes.
        """
        del execution_context
        for error in errors:
            original = error.original_error
            if isinstance(original, (*EXPOSED_ERRORS, ScopeError)):
                continue
            if not _unexpected(error):
                logger.info("Refused GraphQL request: %s", without_values(error.message))
            else:
                logger.error(
                    "Unexpected error in %s",
                    ".".join(str(key) for key in error.path or []) or "the request",
                    exc_info=original,
                )


class ObservedOperation(SchemaExtension):
    """Names the operation in the request's record and, when tracing, gives it a span.

    Lifecycle hooks only: nothing here runs per field.
    """

    def on_operation(self) -> Iterator[None]:
        record = current_record()
        if record is None or record.tracer is None:
            yield
            self._note(None)
            return
        with record.tracer.start_as_current_span("graphql.operation") as span:
            yield
            self._note(span)

    def _note(self, span: Any) -> None:  # noqa: ANN401
        context = self.execution_context
        try:
            name, kind = context.operation_name, context.operation_type.value
        except RuntimeError:  # the document did not parse, or names no such operation
            name, kind = context.operation_name, None
        note_operation(name, kind)
        if span is not None:
            span.update_name(f"{kind or 'graphql'} {name or 'anonymous'}")
            span.set_attribute("graphql.operation.name", name or "")
            span.set_attribute("graphql.operation.type", kind or "")


def gateway_extensions(*, introspection: bool) -> list[Callable[[], SchemaExtension]]:
    """Limits, caches, masking and checks shared by every GraphQL endpoint.

    Factories: each request gets fresh extension instances (the parse and validation caches
    themselves are shared at module level by Strawberry).
    """
    # The depth and alias limits are validation rules built once here, not by Strawberry's
    # limiter extensions, which build a new rule class per request: the validation cache is
    # keyed on the rules too, and would then never answer.
    rules: list[type[ASTValidationRule]] = [
        depth_rule(MAX_DEPTH, None, None),
        aliases_rule(MAX_ALIASES),
        NoNulInStrings,
    ]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: MaskUnexpectedErrors(
            should_mask_error=_should_mask, error_message="Unexpected error."
        ),
        OperationNameRequired,
        QueryCost,
        ObservedOperation,
    ]
    return extensions
