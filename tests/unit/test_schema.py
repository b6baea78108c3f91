"""The exported schema is current, and every type, field and argument is described."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
)

from app.cli import export_schema
from app.schema.root import build_schema
from app.schema.staff.root import build_staff_schema

ROOT = Path(__file__).parents[2]


def test_schema_graphql_is_the_exported_schema():
    committed = (ROOT / "schema.graphql").read_text()
    assert committed == export_schema() + "\n", "run `make schema` and commit schema.graphql"


def test_staff_graphql_is_the_exported_staff_schema():
    committed = (ROOT / "staff.graphql").read_text()
    assert committed == export_schema(staff=True) + "\n", (
        "run `make schema` and commit staff.graphql"
    )


@pytest.mark.parametrize("build", [build_schema, build_staff_schema], ids=["public", "staff"])
def test_everything_is_described(build):
    schema = build()._schema
    missing = []
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__") or name in {"String", "Boolean", "Int", "Float", "ID", "DateTime"}:
            continue
        if not graphql_type.description:
            missing.append(name)
        if isinstance(
            graphql_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType
        ):
            for field_name, field in graphql_type.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for argument_name, argument in getattr(field, "args", {}).items():
                    if not argument.description:
                        missing.append(f"{name}.{field_name}({argument_name})")
        if isinstance(graphql_type, GraphQLEnumType):
            missing += [
                f"{name}.{value}" for value, v in graphql_type.values.items() if not v.description
            ]
    assert missing == []


@pytest.mark.parametrize("build", [build_schema, build_staff_schema], ids=["public", "staff"])
def test_every_mutation_takes_one_input_and_returns_its_payload(build):
    mutation = build()._schema.mutation_type
    for name, field in mutation.fields.items():
        capitalized = name[0].upper() + name[1:]
        assert list(field.args) == ["input"], name
        assert str(field.args["input"].type) == f"{capitalized}Input!"
        assert str(field.type) == f"{capitalized}Payload!"


def test_every_code_the_domain_raises_is_in_the_enum():
    import re

    from app.schema.errors import UserErrorCode

    raised = set()
    for path in (ROOT / "app" / "domain").glob("*.py"):
        raised |= set(re.findall(r'DomainError\(\s*"([A-Z_]+)"', path.read_text()))
    assert len(raised) > 20
    assert raised <= set(UserErrorCode.__members__)
