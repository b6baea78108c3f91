"""Execution plans: the per-field decisions graphql-core repeats for every object, taken once.

A dashboard answer holds thousands of fields, and most of them are leaves read straight from an
attribute (`siren`, `name`, `status`, `rights`). graphql-core runs its whole machinery for each
one: a response path, a resolve-info object, Strawberry's resolver wrapper, awaitable checks,
then `complete_value`. For one selection set on one type, what decides all of that (the field
definition, whether Strawberry resolves it by plain attribute access, its leaf type) is the same
for every object of the list, so it is looked up once per request and kept as a plan.

A planned leaf is then read and coerced in place. Anything that is not plainly a value of a leaf
type (null on a non-null field, a coercion that fails or returns nothing, an awaitable, an
exception, a list that is not a list) goes back to graphql-core's own `execute_field` for that
field, which produces exactly the error, path and null propagation it always did: the fast
path only ever answers what graphql-core would have answered without an error. Fields with a
resolver, arguments, permission classes or extensions always take graphql-core's path.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import enum
import inspect
import uuid
import weakref
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from operator import attrgetter
from typing import Any, NamedTuple

from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfoHelpers,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path, Undefined, gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

STRAWBERRY_DEFINITION = "strawberry-definition"  # GraphQLCoreConverter.DEFINITION_BACKREF
# Field metadata of a resolver field whose answer a page may have computed already, with the
# same resolver code, into its object's `answers` (see `answered` and Company.prefetch).
ANSWERED = "answered"


def answered(**field_options: Any) -> dict[str, Any]:  # noqa: ANN401
    """Options of a resolver field that execution takes from the object's `answers` when a page
    filled them in, and otherwise resolves as usual. Only for fields without arguments,
    permission classes or extensions: the plan checks it and resolves the others."""
    return {**field_options, "metadata": {ANSWERED: True}}


def _answer(python_name: str, source: object) -> object:
    answers = getattr(source, "answers", None)
    return MISS if answers is None else answers.get(python_name, MISS)


# Exactly these types (and enumerations) are taken as plain values: never awaitable, never an
# exception, never an iterable graphql-core would treat otherwise.
PLAIN_TYPES = frozenset(
    {str, int, float, bool, dt.datetime, dt.date, dt.time, decimal.Decimal, uuid.UUID}
)


def _plain(value: object) -> bool:
    kind = type(value)
    return kind in PLAIN_TYPES or isinstance(value, enum.Enum)


_OBJECT_TYPES: dict[type, bool] = {}


def _object(value: object) -> bool:
    """A Strawberry object: never null, never awaitable, never an exception."""
    kind = type(value)
    known = _OBJECT_TYPES.get(kind)
    if known is None:
        known = _OBJECT_TYPES[kind] = (
            hasattr(kind, "__strawberry_definition__")
            and not hasattr(kind, "__await__")
            and not issubclass(kind, BaseException)
        )
    return known


class _Miss:
    """The fast path could not answer: graphql-core decides."""


MISS = _Miss()


class Step(NamedTuple):
    """One response key of a selection set, as planned for one parent type."""

    response_name: str
    field_details_list: FieldDetailsList
    # None: graphql-core's own execute_field. Otherwise answers the field in place, or MISS.
    fast: Callable[..., Any] | None = None
    read: Callable[[Any], Any] | None = None
    coerce: Callable[[Any], Any] | None = None
    object_type: GraphQLObjectType | None = None
    return_type: Any = None  # the field's own type, non-null wrapper included
    non_null: bool = False
    item_non_null: bool = False


def _leaf(_context: object, step: Step, _parent: object, source: object, *_: object) -> object:
    """A scalar or enum read by attribute, or MISS."""
    try:
        value = step.read(source)  # type: ignore[misc]
        if value is None:
            return MISS if step.non_null else None
        if type(value) not in PLAIN_TYPES and not isinstance(value, enum.Enum):
            return MISS
        coerced = step.coerce(value)  # type: ignore[misc]
    except Exception:  # noqa: BLE001 - graphql-core reads the field again and reports the error
        return MISS
    return MISS if coerced is None or coerced is Undefined else coerced


def _leaves(context: object, step: Step, _parent: object, source: object, *_: object) -> object:
    """A list of scalars or enums read by attribute, or MISS. A tuple is immutable, and so are
    the plain values in it: its completion is kept for the rest of the request and plan."""
    try:
        value = step.read(source)  # type: ignore[misc]
    except Exception:  # noqa: BLE001 - graphql-core reads the field again and reports the error
        return MISS
    if value is None:
        return MISS if step.non_null else None
    kind = type(value)
    if kind is list:
        return _completed_leaves(step, value)
    if kind is not tuple:
        return MISS
    known_lists = context._leaf_lists  # type: ignore[attr-defined]  # noqa: SLF001
    known = known_lists.get((id(step), id(value)))
    if known is not None and known[0] is value:
        return known[1]
    completed = _completed_leaves(step, value)
    if completed is not MISS:
        known_lists[id(step), id(value)] = (value, completed)
    return completed


def _completed_leaves(step: Step, value: list | tuple) -> object:
    coerce, completed = step.coerce, []
    try:
        for item in value:
            if item is None:
                if step.item_non_null:
                    return MISS
                completed.append(None)
            elif (
                _plain(item) and (coerced := coerce(item)) is not None and coerced is not Undefined
            ):  # type: ignore[misc]
                completed.append(coerced)
            else:
                return MISS
    except Exception:  # noqa: BLE001 - graphql-core reads the field again and reports the error
        return MISS
    return completed


def _object_field(  # noqa: PLR0917 - the one signature of every planned step
    context: PlannedExecutionContext,
    step: Step,
    parent_type: GraphQLObjectType,
    source: object,
    path: Path | None,
    position_context: object,
) -> object:
    """An object read by attribute and completed without a resolve info, or MISS.

    The resolve info only ever reaches `is_type_of`, which for planned object types is none or
    Strawberry's own, which does not read it.
    """
    try:
        value = step.read(source)  # type: ignore[misc]
    except Exception:  # noqa: BLE001 - graphql-core reads the field again and reports the error
        return MISS
    if value is None:
        return MISS if step.non_null else None
    if not _object(value):
        return MISS
    object_type = step.object_type
    if (
        position_context is None
        and object_type.is_type_of is None  # type: ignore[union-attr]
        and not context.checks_object_types
    ):
        # An object all of whose fields are leaves, completed already: no path, no error.
        plan = context._subplan(object_type, step.field_details_list)  # type: ignore[arg-type]  # noqa: SLF001
        if plan is not None and plan[1]:
            done = context._leaf_object(plan[0], value)  # noqa: SLF001
            if done is not None:
                return done
    field_path = Path(path, step.response_name, parent_type.name)
    return _settled(
        context,
        step,
        field_path,
        context.complete_object_value,
        step.object_type,
        step.field_details_list,
        None,
        field_path,
        value,
        position_context,
    )


def _objects(  # noqa: PLR0917 - the one signature of every planned step
    context: PlannedExecutionContext,
    step: Step,
    parent_type: GraphQLObjectType,
    source: object,
    path: Path | None,
    position_context: object,
) -> object:
    """A list of objects read by attribute, completed item by item as graphql-core would
    (`complete_iterable_value`), or MISS when it is not a list of Strawberry objects."""
    try:
        value = step.read(source)  # type: ignore[misc]
    except Exception:  # noqa: BLE001 - graphql-core reads the field again and reports the error
        return MISS
    if value is None:
        return MISS if step.non_null else None
    if type(value) is not list or not all(map(_object, value)):
        return MISS
    field_path = Path(path, step.response_name, parent_type.name)
    list_type = step.return_type.of_type if step.non_null else step.return_type
    return _settled(
        context,
        step,
        field_path,
        context.complete_iterable_value,
        list_type.of_type,
        step.field_details_list,
        None,
        field_path,
        value,
        position_context,
    )


def _settled(
    context: PlannedExecutionContext,
    step: Step,
    field_path: Path,
    complete: Callable[..., Any],
    *arguments: Any,  # noqa: ANN401
) -> object:
    """A planned field's completion, settled as graphql-core's `execute_field` settles one: an
    error is handled at the field (null, or raised on to a non-null parent), and so is one
    raised while its completion is awaited."""
    details = step.field_details_list
    try:
        completed = complete(*arguments)
    except Exception as raw_error:  # noqa: BLE001 - as graphql-core's execute_field does
        context.handle_field_error(raw_error, step.return_type, details, field_path)
        return None
    if not context.is_awaitable(completed):
        return completed

    async def await_completed() -> object:
        try:
            return await completed
        except Exception as raw_error:  # noqa: BLE001 - as graphql-core's execute_field does
            context.handle_field_error(raw_error, step.return_type, details, field_path)
            return None

    return await_completed()


def _coercion(leaf_type: Any) -> Callable[[Any], Any]:  # noqa: ANN401
    """The leaf type's output coercion; for a Strawberry enumeration, its answers for its own
    members computed once (Strawberry looks each member up among the values every time)."""
    coerce = leaf_type.coerce_output_value
    members = getattr(leaf_type, "wrapped_cls", None)
    if not isinstance(members, type) or not issubclass(members, enum.Enum):
        return coerce
    # Keyed by identity: a member is a singleton, and an enumeration's own hash is Python code.
    names = {}
    for member in members:
        try:
            names[id(member)] = (member, coerce(member))
        except Exception:  # noqa: BLE001, S112 - left to the coercion itself, at its turn
            continue

    def coerce_member(value: Any) -> Any:  # noqa: ANN401
        known = names.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        return coerce(value)

    return coerce_member


def plan_step(
    context: PlannedExecutionContext,
    parent_type: GraphQLObjectType,
    response_name: str,
    details: FieldDetailsList,
) -> Step:
    """How one response key is answered: in place when Strawberry reads it by attribute (or
    a page answered it already), by graphql-core otherwise."""
    slow = Step(response_name, details)
    node = details[0].node
    field_def = context.schema.get_field(parent_type, node.name.value)
    manager = context.middleware_manager
    if field_def is None or (manager is not None and manager.middlewares) or node.arguments:
        return slow
    read = _reader(field_def)
    if read is None:
        return slow
    return _typed(slow._replace(read=read, return_type=field_def.type), field_def.type) or slow


def _reader(field_def: Any) -> Callable[[Any], Any] | None:  # noqa: ANN401
    """How to read the field's value off its object, if Strawberry would only read it."""
    definition = (field_def.extensions or {}).get(STRAWBERRY_DEFINITION)
    if definition is None:
        return None
    if getattr(field_def.resolve, "_is_default", False) and definition.default_resolver is getattr:
        return attrgetter(definition.python_name)
    if definition.metadata.get(ANSWERED) and not definition.extensions:
        # MISS when no page answered it: graphql-core then calls the resolver.
        return partial(_answer, definition.python_name)
    return None


def _plain_object_type(field_type: Any) -> bool:  # noqa: ANN401
    """An object type whose `is_type_of` needs no resolve info: none, or the one Strawberry
    writes for types with interfaces (an isinstance check that ignores the info)."""
    if type(field_type) is not GraphQLObjectType:
        return False
    is_type_of = field_type.is_type_of
    return is_type_of is None or (
        getattr(is_type_of, "__module__", None) == "strawberry.schema.schema_converter"
        and getattr(is_type_of, "__qualname__", "").endswith("._get_is_type_of.<locals>.is_type_of")
    )


def _typed(planned: Step, field_type: Any) -> Step | None:  # noqa: ANN401
    """The step for the field's type: leaves, objects and lists of either; None for others."""
    if is_non_null_type(field_type):
        field_type, planned = field_type.of_type, planned._replace(non_null=True)
    if is_leaf_type(field_type):
        return planned._replace(fast=_leaf, coerce=_coercion(field_type))
    if _plain_object_type(field_type):
        return planned._replace(fast=_object_field, object_type=field_type)
    if not is_list_type(field_type):
        return None
    item_type = field_type.of_type
    if is_non_null_type(item_type):
        item_type, planned = item_type.of_type, planned._replace(item_non_null=True)
    if is_leaf_type(item_type):
        return planned._replace(fast=_leaves, coerce=_coercion(item_type))
    if _plain_object_type(item_type):
        return planned._replace(fast=_objects, object_type=item_type)
    return None


def _gathered(results: dict[str, Any], awaitable_fields: list[str]) -> Awaitable[dict[str, Any]]:
    """The results once their awaitable fields are awaited, together (graphql-core's way)."""

    async def get_results() -> dict[str, Any]:
        if len(awaitable_fields) == 1:
            field = awaitable_fields[0]
            results[field] = await results[field]
        else:
            awaited = await gather_with_cancel(*(results[field] for field in awaitable_fields))
            results.update(zip(awaitable_fields, awaited, strict=True))
        return results

    return get_results()


def _gathered_items(completed: list[Any], awaitable_indices: list[int]) -> Awaitable[list[Any]]:
    """The list once its awaitable items are awaited, together (graphql-core's way)."""

    async def get_completed_results() -> list[Any]:
        if len(awaitable_indices) == 1:
            index = awaitable_indices[0]
            completed[index] = await completed[index]
        else:
            awaited = await gather_with_cancel(*(completed[index] for index in awaitable_indices))
            for index, item in zip(awaitable_indices, awaited, strict=True):
                completed[index] = item
        return completed

    return get_completed_results()


# Awaitables handed to a finished execution's helpers, settled here (see `_helpers`).
_LEFT_OVER: set[asyncio.Future[Any]] = set()


def _helpers(context: PlannedExecutionContext) -> GraphQLResolveInfoHelpers:
    """The resolve-info helpers graphql-core gives every resolver, holding their execution
    weakly. graphql-core binds them to the execution itself, a reference cycle: each request's
    execution, and with it its context, loaders and every value they hold, then outlived the
    request until the cyclic collector found it; under load, those collections freed some
    100,000 objects at a time and stalled every request in flight for 100-250 ms (the dashboard's
    p99). Without the cycle, reference counting frees a request's objects when it ends."""
    execution = weakref.ref(context)

    def gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
        alive = execution()
        return alive.gather_async_work(values) if alive else gather_with_cancel(*values)

    def track(values: Sequence[Any]) -> None:
        alive = execution()
        if alive is not None:
            alive.track_async_work(values)
            return
        # The execution is over: settle what is left, as it would have, so errors are observed.
        pending = [value for value in values if inspect.isawaitable(value)]
        if pending:
            future = asyncio.gather(*pending, return_exceptions=True)
            _LEFT_OVER.add(future)
            future.add_done_callback(_LEFT_OVER.discard)

    return GraphQLResolveInfoHelpers(gather=gather, track=track)


class PlannedExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's execution, with plain fields answered through a plan made per request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        self.async_helpers = _helpers(self)
        # Keyed on the grouped field set's identity, which graphql-core's memoised subfield
        # collection keeps stable for every object of a list; the set is kept alive with its plan
        # so that its identity cannot be reused.
        self._plans: dict[tuple[str, int], tuple[GroupedFieldSet, tuple[Step, ...]]] = {}
        # Per object type and field group (kept alive likewise): the subfields' plan, None when
        # something is deferred, and whether every step is a leaf read by attribute.
        self._subplans: dict[tuple[GraphQLObjectType, int], tuple[FieldDetailsList, Any]] = {}
        # Objects whose steps are all leaves, completed once per request and plan: the same
        # catalogue entry under every company of a page. Kept with the object, for identity.
        self._leaf_objects: dict[tuple[int, int], tuple[object, dict[str, Any]]] = {}
        self._leaf_lists: dict[tuple[int, int], tuple[tuple, list[Any]]] = {}

    def _plan(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> tuple[Step, ...]:
        key = (parent_type.name, id(fields))
        cached = self._plans.get(key)
        if cached is not None and cached[0] is fields:
            return cached[1]
        steps = tuple(
            plan_step(self, parent_type, name, details) for name, details in fields.items()
        )
        self._plans[key] = (fields, steps)
        return steps

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,  # noqa: ANN401
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,  # noqa: ANN401
    ) -> Any:  # noqa: ANN401
        """graphql-core's `execute_fields`, with planned leaves answered in place."""
        return self._run(
            parent_type,
            source_value,
            path,
            self._plan(parent_type, grouped_field_set),
            position_context,
        )

    def _run(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,  # noqa: ANN401
        path: Path | None,
        steps: tuple[Step, ...],
        position_context: Any,  # noqa: ANN401
    ) -> Any:  # noqa: ANN401
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        try:
            for step in steps:
                response_name = step.response_name
                if step.fast is not None:
                    result = step.fast(
                        self, step, parent_type, source_value, path, position_context
                    )
                    if result is not MISS:
                        results[response_name] = result
                        if step.object_type is not None and is_awaitable(result):
                            awaitable_fields.append(response_name)
                        continue
                result = self.execute_field(
                    parent_type,
                    source_value,
                    step.field_details_list,
                    Path(path, response_name, parent_type.name),
                    position_context,
                )
                if result is not Undefined:
                    results[response_name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise

        return _gathered(results, awaitable_fields) if awaitable_fields else results

    # Whether `check_object_type` can refuse anything for this request (a subclass says so):
    # most requests complete thousands of objects, and skip the call for each.
    checks_object_types = False

    def check_object_type(self, return_type: GraphQLObjectType) -> None:
        """Raise to refuse completing an object of this type (the error lands on its field).
        Called only when `checks_object_types` is true."""

    def complete_value(  # noqa: PLR0917 - graphql-core's own signature
        self,
        return_type: Any,  # noqa: ANN401
        field_details_list: FieldDetailsList,
        info: Any,  # noqa: ANN401
        path: Path,
        result: Any,  # noqa: ANN401
        position_context: Any,  # noqa: ANN401
    ) -> Any:  # noqa: ANN401
        """Objects and lists go straight to their completion; anything else to graphql-core.

        A Strawberry object or a Python list is never null, never an exception and never
        awaitable, so graphql-core's checks before those two completions cannot fire for them.
        """
        inner = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
        if type(inner) is GraphQLObjectType and _object(result):
            return self.complete_object_value(
                inner, field_details_list, info, path, result, position_context
            )
        if type(inner) is GraphQLList and type(result) is list:
            return self.complete_iterable_value(
                inner.of_type, field_details_list, info, path, result, position_context
            )
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def complete_object_value(  # noqa: PLR0917 - graphql-core's own signature
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        info: Any,  # noqa: ANN401
        path: Path,
        result: Any,  # noqa: ANN401
        position_context: Any,  # noqa: ANN401
    ) -> Any:  # noqa: ANN401
        """graphql-core's, with the subfields executed directly when nothing is deferred."""
        if self.checks_object_types:
            self.check_object_type(return_type)
        if position_context is None:
            is_type_of = return_type.is_type_of
            if is_type_of is None or is_type_of(result, info) is True:
                plan = self._subplan(return_type, field_details_list)
                if plan is not None:
                    steps, leaves_only = plan
                    if leaves_only:
                        completed = self._leaf_object(steps, result)
                        if completed is not None:
                            return completed
                    return self._run(return_type, result, path, steps, None)
        return super().complete_object_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _subplan(
        self, return_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> tuple[tuple[Step, ...], bool] | None:
        """The plan of an object's subfields (graphql-core's memoised collection, then ours), or
        None when the selection defers something."""
        key = (return_type, id(field_details_list))
        cached = self._subplans.get(key)
        if cached is not None:
            return cached[1]
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(
            return_type, field_details_list
        )
        plan = None
        if not new_defer_usages:
            steps = self._plan(return_type, grouped_field_set)
            plan = (steps, all(step.fast in {_leaf, _leaves} for step in steps))
        self._subplans[key] = (field_details_list, plan)
        return plan

    def _leaf_object(self, steps: tuple[Step, ...], source: object) -> dict[str, Any] | None:
        """The answer for an object all of whose steps are leaves, once per object and plan;
        None when one of them misses (graphql-core then completes it, errors and all). The same
        answer can stand at several places of the response: it holds no path and no error."""
        key = (id(steps), id(source))
        known = self._leaf_objects.get(key)
        if known is not None and known[0] is source:
            return known[1]
        results = {}
        for step in steps:
            value = step.fast(self, step, None, source, None, None)  # type: ignore[misc]
            if value is MISS:
                return None
            results[step.response_name] = value
        self._leaf_objects[key] = (source, results)
        return results

    def complete_iterable_value(  # noqa: PLR0917 - graphql-core's own signature
        self,
        item_type: Any,  # noqa: ANN401
        field_details_list: FieldDetailsList,
        info: Any,  # noqa: ANN401
        path: Path,
        items: Any,  # noqa: ANN401
        position_context: Any,  # noqa: ANN401
    ) -> Any:  # noqa: ANN401
        """graphql-core's, for a Python list of Strawberry objects without `@stream`: each item
        completed as an object straight away (an object is never null, never awaitable, never an
        exception, so graphql-core's checks per item cannot fire). Errors are handled per item
        and the awaitable items gathered exactly as graphql-core does."""
        object_type = self._listed_object_type(item_type, field_details_list, path, items)
        if object_type is None:
            return super().complete_iterable_value(
                item_type, field_details_list, info, path, items, position_context
            )
        is_awaitable = self.is_awaitable
        complete = self._item_completion(object_type, field_details_list, info, position_context)
        completed: list[Any] = []
        awaitable_indices: list[int] = []
        try:
            for index, item in enumerate(items):
                item_path = Path(path, index, None)
                try:
                    done = complete(item, item_path)
                except Exception as raw_error:  # noqa: BLE001 - as graphql-core's item completion
                    self.handle_field_error(raw_error, item_type, field_details_list, item_path)
                    done = None
                else:
                    if is_awaitable(done):
                        done = self._awaited_item(done, item_type, field_details_list, item_path)
                        awaitable_indices.append(index)
                completed.append(done)
        except Exception:
            if awaitable_indices:
                self.settle_in_background([completed[index] for index in awaitable_indices])
            raise
        if not awaitable_indices:
            return completed
        return _gathered_items(completed, awaitable_indices)

    def _item_completion(
        self,
        object_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        info: Any,  # noqa: ANN401
        position_context: Any,  # noqa: ANN401
    ) -> Callable[[Any, Path], Any]:
        """How each item of a list of objects is completed: what `complete_object_value` decides
        for every item (no scope check, nothing deferred, no `is_type_of`), decided once."""
        plan = None
        if position_context is None and not self.checks_object_types:
            plan = self._subplan(object_type, field_details_list)
        if plan is None or object_type.is_type_of is not None:
            complete = self.complete_object_value
            return lambda item, item_path: complete(
                object_type, field_details_list, info, item_path, item, position_context
            )
        steps, leaves_only = plan
        run = self._run
        if not leaves_only:
            return lambda item, item_path: run(object_type, item, item_path, steps, None)
        leaf_object = self._leaf_object

        def leaf_or_run(item: Any, item_path: Path) -> Any:  # noqa: ANN401
            done = leaf_object(steps, item)
            return run(object_type, item, item_path, steps, None) if done is None else done

        return leaf_or_run

    def _listed_object_type(
        self,
        item_type: Any,  # noqa: ANN401
        field_details_list: FieldDetailsList,
        path: Path,
        items: Any,  # noqa: ANN401
    ) -> GraphQLObjectType | None:
        """The object type of a Python list of Strawberry objects without `@stream`, else None."""
        object_type = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if (
            type(object_type) is not GraphQLObjectType
            or type(items) is not list
            or not all(map(_object, items))
            or self.get_stream_usage(field_details_list, path) is not None
        ):
            return None
        return object_type

    def _awaited_item(
        self,
        done: Awaitable[Any],
        item_type: Any,  # noqa: ANN401
        field_details_list: FieldDetailsList,
        item_path: Path,
    ) -> Awaitable[Any]:
        async def await_completed() -> object:
            try:
                return await done
            except Exception as raw_error:  # noqa: BLE001 - as graphql-core's item completion
                self.handle_field_error(raw_error, item_type, field_details_list, item_path)
                return None

        return await_completed()
