"""`preload`: a page's keys in one batch, kept in the loader, as `load_many` would give them."""

from __future__ import annotations

import pytest
from strawberry.dataloader import DataLoader
from strawberry.exceptions import WrongNumberOfResultsReturned

from app.dataloaders import preload


def _loader(answer=lambda keys: [key * 10 for key in keys]):
    batches: list[list[int]] = []

    async def batch(keys):
        batches.append(list(keys))
        return answer(keys)

    return DataLoader(batch), batches


async def test_one_batch_for_the_missing_keys_then_the_cache():
    loader, batches = _loader()
    assert await loader.load(2) == 20
    assert await preload(loader, [1, 2, 3, 1]) == [10, 20, 30, 10]
    assert batches == [[2], [1, 3]]  # 2 was known; 1 asked once
    assert await loader.load(3) == 30
    assert await loader.load_many([1, 2, 3]) == [10, 20, 30]
    assert batches == [[2], [1, 3]]


async def test_no_keys_no_batch():
    loader, batches = _loader()
    assert await preload(loader, []) == []
    assert batches == []


async def test_a_failing_batch_raises_and_caches_nothing():
    loader, batches = _loader(answer=lambda _keys: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        await preload(loader, [1, 2])
    with pytest.raises(ZeroDivisionError):
        await loader.load(1)  # asked again, not answered from a cache
    assert batches == [[1, 2], [1]]


async def test_a_wrong_number_of_values_is_refused():
    loader, _ = _loader(answer=lambda _keys: [1])
    with pytest.raises(WrongNumberOfResultsReturned):
        await preload(loader, [1, 2])


async def test_an_error_value_is_raised_for_its_key_as_load_would():
    def answer(keys):
        return [ValueError(f"no {key}") if key == 2 else key * 10 for key in keys]

    loader, batches = _loader(answer=answer)
    with pytest.raises(ValueError, match="no 2"):
        await preload(loader, [1, 2])
    assert await loader.load(1) == 10
    assert batches == [[1, 2], [2]]


async def test_a_loader_without_cache_loads_as_load_many():
    batches = []

    async def batch(keys):
        batches.append(list(keys))
        return [key + 1 for key in keys]

    loader = DataLoader(batch, cache=False)
    assert await preload(loader, [1, 2]) == [2, 3]
    assert batches == [[1, 2]]
