"""Resolvers that answer at once when what they await is already loaded.

A field whose resolver is a coroutine costs the executor a coroutine, an awaitable completion
and, in a list, a task per item, even when every loader it awaits already holds its value. A
page resolver can load what its items' fields need in one batch per loader (see
`Company.prefetch`); the item's field then runs its coroutine with `eagerly`, which returns the
value itself when the coroutine finishes without waiting, and otherwise an awaitable that lets
the event loop finish it. Awaiting a future that is already done does not suspend a coroutine,
so the two paths run the same code and give the same value, the same exception, in the same
order; only the cost differs.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Coroutine, Generator, Sequence
from typing import Any, TypeVar

import strawberry

T = TypeVar("T")


def eagerly(coroutine: Coroutine[Any, Any, T]) -> T | Awaitable[T]:
    """The coroutine's value if it finishes without waiting, else an awaitable of it."""
    try:
        waiting_on = coroutine.send(None)
    except StopIteration as finished:
        return finished.value
    # A future marks itself as waited on until a task takes it; until this one is awaited by
    # a task, another coroutine must be able to wait on the same future (two fields of a
    # company waiting on one loader key), so the mark is lifted here and set again below.
    if getattr(waiting_on, "_asyncio_future_blocking", None):
        waiting_on._asyncio_future_blocking = False  # noqa: SLF001 (asyncio's future protocol)
    return _Rest(coroutine, waiting_on)


class _Rest(Awaitable[T]):
    """The rest of a started coroutine: hands what it waits on to the task that awaits this."""

    __slots__ = ("coroutine", "waiting_on")

    def __init__(self, coroutine: Coroutine[Any, Any, T], waiting_on: Any) -> None:  # noqa: ANN401
        self.coroutine = coroutine
        self.waiting_on = waiting_on

    def __await__(self) -> Generator[Any, Any, T]:
        coroutine, waiting_on = self.coroutine, self.waiting_on
        if getattr(waiting_on, "_asyncio_future_blocking", None) is False:
            waiting_on._asyncio_future_blocking = True  # noqa: SLF001 (asyncio's future protocol)
        while True:
            try:
                sent = yield waiting_on
            except GeneratorExit:
                coroutine.close()
                raise
            except BaseException as error:  # noqa: BLE001 (thrown in by the task: passed on)
                try:
                    waiting_on = coroutine.throw(error)
                except StopIteration as finished:
                    return finished.value
            else:
                try:
                    waiting_on = coroutine.send(sent)
                except StopIteration as finished:
                    return finished.value


async def answer_page(
    info: strawberry.Info,
    page: Sequence[Any],
    fields: Sequence[tuple[str, Callable[[Any, strawberry.Info], Coroutine[Any, Any, Any]]]],
) -> None:
    """Runs each field's resolver code for every object of a page (once the page's loaders hold
    what it reads) and keeps the answers in the object's `answers`, by python name, for
    execution to read instead of calling the resolver (app/schema/planning.py, `answered`).
    An answer that raises is not kept: execution then calls the resolver, which raises the
    same error at the field's own path."""
    waiting = []
    for item in page:
        for python_name, resolve in fields:
            try:
                answer = eagerly(resolve(item, info))
            except Exception:  # noqa: BLE001, S112 - the field's resolver raises it in execution
                continue
            if inspect.isawaitable(answer):
                waiting.append((item, python_name, answer))
            else:
                item.answers[python_name] = answer
    if waiting:
        answers = await asyncio.gather(*(entry[2] for entry in waiting), return_exceptions=True)
        for (item, python_name, _), answer in zip(waiting, answers, strict=True):
            if not isinstance(answer, BaseException):
                item.answers[python_name] = answer
