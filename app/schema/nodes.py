"""The Relay `Node` interface, opaque global IDs and connection plumbing."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Iterator
from typing import Annotated

import strawberry
from graphql import FieldNode, FragmentDefinitionNode, FragmentSpreadNode, SelectionSetNode

from app.schema.errors import LimitExceededError

MAX_PAGE_SIZE = 100
# Keys are 64-bit signed integers in both databases: anything larger names nothing.
MAX_KEY = 2**63 - 1

# The arguments every connection takes.
First = Annotated[int | None, strawberry.argument(description="Page size, at most 100.")]
After = Annotated[
    str | None, strawberry.argument(description="Cursor after which the page starts.")
]


@strawberry.interface(description="An object with a global, opaque ID, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID = strawberry.field(description="Global ID; opaque, pass it back as is.")


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    raw = f"{type_name}:{pk}".encode()
    return strawberry.ID(base64.urlsafe_b64encode(raw).decode().rstrip("="))


def from_global_id(global_id: str) -> tuple[str, int] | None:
    """(type name, primary key), or None for anything that is not one of our IDs."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, pk = base64.urlsafe_b64decode(padded).decode().partition(":")
        key = int(pk)
    except (binascii.Error, UnicodeError, ValueError):
        return None
    # Only the digits we write: int() also reads " 12", "+12" and "1_2".
    if not pk.isdigit() or not pk.isascii() or key > MAX_KEY:
        return None
    return type_name, key


def page_size(first: int | None) -> int:
    if first is None:
        return MAX_PAGE_SIZE
    if not 0 <= first <= MAX_PAGE_SIZE:
        raise LimitExceededError(f"`first` must be between 0 and {MAX_PAGE_SIZE}.")
    return first


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"cursor:{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    decoded = from_global_id(cursor)
    if decoded is None or decoded[0] != "cursor":
        return None
    return decoded[1]


@strawberry.type(description="Where a page of a connection stands.")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    end_cursor: str | None = strawberry.field(
        description="Cursor of the last item of the page; pass it as `after` for the next page."
    )


def selected_below(info: strawberry.Info, *path: str) -> frozenset[str]:
    """Names of the fields the document selects at `path` under the field being resolved (for a
    connection: "edges", "node"), through fragments. Directives are not evaluated: a field
    under `@skip` counts as selected, which only makes a page load a little more than it needs."""
    raw = info._raw_info  # noqa: SLF001 (the parsed document, which Strawberry's Info wraps)
    fragments = raw.fragments
    level: list[SelectionSetNode | None] = [node.selection_set for node in raw.field_nodes]
    for name in path:
        level = [
            field.selection_set for field in _fields(level, fragments) if field.name.value == name
        ]
    return frozenset(field.name.value for field in _fields(level, fragments))


def _fields(
    selection_sets: Iterable[SelectionSetNode | None],
    fragments: dict[str, FragmentDefinitionNode],
) -> Iterator[FieldNode]:
    for selection_set in selection_sets:
        if selection_set is None:
            continue
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is not None:
                    yield from _fields([fragment.selection_set], fragments)
            else:  # an inline fragment
                yield from _fields([selection.selection_set], fragments)  # type: ignore[attr-defined]
