"""The example documents (GraphiQL's first tabs, examples/web, the sync example) stay valid."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import parse, validate

from app.ide import TABS, example_tabs
from app.schema.root import build_schema

DOCUMENTS = sorted((Path(__file__).parents[2] / "examples" / "web" / "documents").glob("*.graphql"))


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.stem)
def test_example_document_is_valid_against_the_schema(path):
    schema = build_schema()._schema
    document = parse(path.read_text(encoding="utf-8"))
    assert validate(schema, document) == []
    # One operation, named as its file: the web app and GraphiQL send that name.
    [operation] = document.definitions
    assert operation.name.value == path.stem


def test_graphiql_opens_with_the_four_examples():
    tabs = example_tabs()
    assert len(tabs) == len(TABS) == 4
    names = [parse(tab["query"]).definitions[0].name.value for tab in tabs]
    assert names == [name for name, _ in TABS] == ["LogIn", "Dashboard", "GrantDelegation", "SyncDelegations"]
