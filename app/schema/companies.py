"""Companies as seen by the viewer."""

from __future__ import annotations

import enum

import strawberry

from app.models import Company as CompanyModel
from app.schema.nodes import Node, PageInfo, to_global_id


@strawberry.enum(description="The role the viewer holds on a company.")
class CompanyRole(enum.Enum):
    PRINCIPAL_ADMINISTRATOR = strawberry.enum_value(
        "PRINCIPAL_ADMINISTRATOR", description="Runs the company's services; at most one."
    )
    ALTERNATE_ADMINISTRATOR = strawberry.enum_value(
        "ALTERNATE_ADMINISTRATOR", description="Designated by the principal; manages delegations."
    )
    DELEGATE = strawberry.enum_value("DELEGATE", description="Holds delegated rights.")
    NONE = strawberry.enum_value("NONE", description="Company added, no rights yet.")


@strawberry.type(description="A company of the directory on which the viewer holds a role.")
class Company(Node):
    siren: str | None = strawberry.field(description="SIREN (9 digits) of the company.")
    name: str = strawberry.field(description="Name from the SIRENE directory.")
    registered_office: list[str] = strawberry.field(
        description="Postal address of the registered office, one line per item; letters go here."
    )
    my_role: CompanyRole = strawberry.field(description="The role the viewer holds on it.")

    @classmethod
    def from_model(cls, company: CompanyModel, role: str | None) -> Company:
        return cls(
            id=to_global_id("Company", company.id),
            siren=company.siren,
            name=company.name,
            registered_office=company.registered_office_lines(),
            my_role=CompanyRole[role] if role else CompanyRole.NONE,
        )


@strawberry.type(description="An edge of a company connection.")
class CompanyEdge:
    cursor: str = strawberry.field(description="Opaque position of this edge.")
    node: Company = strawberry.field(description="The company.")


@strawberry.type(description="A page of companies (Relay connection).")
class CompanyConnection:
    edges: list[CompanyEdge] = strawberry.field(description="The companies of this page.")
    page_info: PageInfo = strawberry.field(description="Pagination state.")
    total_count: int = strawberry.field(description="Number of companies in all pages.")
