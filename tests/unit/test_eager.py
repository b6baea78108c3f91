"""`eagerly`: a resolver's coroutine answers at once when nothing it awaits is pending, and
otherwise finishes on the event loop with the same value, exception and cancellation."""

from __future__ import annotations

import asyncio
import inspect

import pytest
import strawberry
from strawberry.dataloader import DataLoader

from app.schema.eager import eagerly
from app.schema.nodes import selected_below


async def _plus_one(waited):
    return await waited + 1


def _done(value):
    future = asyncio.get_running_loop().create_future()
    future.set_result(value)
    return future


async def test_a_coroutine_that_never_waits_gives_its_value():
    async def answer():
        return 42

    assert eagerly(answer()) == 42


async def test_awaiting_what_is_already_done_gives_the_value_at_once():
    assert eagerly(_plus_one(_done(41))) == 42


async def test_awaiting_what_is_pending_gives_an_awaitable_of_the_same_value():
    future = asyncio.get_running_loop().create_future()
    result = eagerly(_plus_one(future))
    assert inspect.isawaitable(result)
    asyncio.get_running_loop().call_soon(future.set_result, 41)
    assert await result == 42
    # the executor gathers awaitables as tasks: that works too
    again = asyncio.get_running_loop().create_future()
    task = asyncio.ensure_future(eagerly(_plus_one(again)))
    again.set_result(1)
    assert await task == 2


async def test_an_exception_is_raised_where_the_coroutine_raises_it():
    async def fails_at_once():
        raise ValueError("at once")

    with pytest.raises(ValueError, match="at once"):
        eagerly(fails_at_once())

    future = asyncio.get_running_loop().create_future()
    pending = eagerly(_plus_one(future))
    future.set_exception(KeyError("later"))
    with pytest.raises(KeyError, match="later"):
        await pending


async def test_cancelling_the_awaiting_task_reaches_the_coroutine():
    reached = []

    async def waits(future):
        try:
            return await future
        except asyncio.CancelledError:
            reached.append("cancelled")
            raise

    future = asyncio.get_running_loop().create_future()
    task = asyncio.ensure_future(eagerly(waits(future)))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert reached == ["cancelled"]


async def test_a_loader_holding_the_key_answers_without_a_batch():
    batches = []

    async def load(keys):
        batches.append(list(keys))
        return [key * 10 for key in keys]

    loader = DataLoader(load)
    assert await loader.load_many([1, 2]) == [10, 20]
    assert eagerly(_plus_one(loader.load(2))) == 21
    pending = eagerly(_plus_one(loader.load(3)))
    assert inspect.isawaitable(pending)
    assert await pending == 31
    assert batches == [[1, 2], [3]]


@strawberry.type
class Item:
    a: int = 1
    b: int = 2
    c: int = 3


@strawberry.type
class Edge:
    node: Item


@strawberry.type
class Connection:
    edges: list[Edge]


seen: list[frozenset[str]] = []


@strawberry.type
class Query:
    @strawberry.field
    def items(self, info: strawberry.Info) -> Connection:
        seen.append(selected_below(info, "edges", "node"))
        return Connection(edges=[Edge(node=Item())])


def test_a_page_sees_the_fields_selected_under_its_nodes_through_fragments():
    document = """
    { items { edges { node { a } } edges { ... on Edge { node { ...More } } } } }
    fragment More on Item { b renamed: b }
    """
    seen.clear()
    result = strawberry.Schema(query=Query).execute_sync(document)
    assert result.errors is None
    assert seen == [frozenset({"a", "b"})]


async def test_two_coroutines_may_wait_on_the_same_pending_future():
    future = asyncio.get_running_loop().create_future()
    first, second = eagerly(_plus_one(future)), eagerly(_plus_one(future))
    asyncio.get_running_loop().call_soon(future.set_result, 1)
    assert await asyncio.gather(first, second) == [2, 2]
