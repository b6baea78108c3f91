"""The authorization matrix, generated from the schemas.

For every type reachable by `node(id:)`, every field of `Company`, and every root field that
names a company (an argument or input field `companyId`, `companyIds`, `companyIdentifier` or
`identifier`), each role gets exactly what the rules say. A field the schema gains without an
entry here fails `test_the_matrix_covers_the_schema`.

Outcomes: `data` (answered, non-empty), `empty` (null, an empty list or connection, or
`allowed: false` for the decision points), `FORBIDDEN` / `UNAUTHENTICATED` (top-level errors),
and for mutations `allowed` (the operation ran: data or userErrors, no refusal). Mutation probes
carry an input that the domain refuses after its permission check (an invalid IBAN, an unknown
account...), so that the matrix changes nothing it reads afterwards.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLInputObjectType, get_named_type

from app.schema.root import build_schema
from app.schema.staff.root import build_staff_schema
from tests.api.company_flows import (
    People,
    add_bank_account,
    confirmed_business_email,
)
from tests.api.delegation_flows import principal_with_company
from tests.api.flows import SAMPLE_SIREN, add_company
from tests.api.test_api_tokens import _token
from tests.api.test_staff import _log_in, _member

PUBLIC = build_schema()._schema
STAFF = build_staff_schema()._schema
COMPANY_ARGUMENTS = {"companyId", "companyIds", "companyIdentifier", "identifier"}
ROLES = (
    "stranger",
    "delegate_without",
    "delegate_with",
    "suspended_alternate",
    "active_alternate",
    "principal",
    "token_without",
    "token_with",
    "staff_other_office",
)
HOLDERS = {
    "delegate_without",
    "delegate_with",
    "suspended_alternate",
    "active_alternate",
    "principal",
}
MANAGERS = {"principal", "active_alternate"}
TOKENS = {"token_without", "token_with"}
OTHER_COMPANY = "300123478"


def names_company(field: Any) -> bool:
    for name, argument in field.args.items():
        if name in COMPANY_ARGUMENTS:
            return True
        named = get_named_type(argument.type)
        if isinstance(named, GraphQLInputObjectType) and COMPANY_ARGUMENTS & set(named.fields):
            return True
    return False


def node_types(schema: Any) -> set[str]:
    return {
        name
        for name, graphql_type in schema.type_map.items()
        if any(i.name == "Node" for i in getattr(graphql_type, "interfaces", ()) or ())
    }


def rule(
    data: set[str] = frozenset(),
    *,
    forbidden: set[str] = frozenset(),
    outcome: str = "data",
    staff: str = "UNAUTHENTICATED",
) -> dict[str, str]:
    """Roles in `data` get `outcome`, those in `forbidden` FORBIDDEN, staff `staff`, the rest
    `empty` (or FORBIDDEN for a mutation)."""
    otherwise = "FORBIDDEN" if outcome == "allowed" else "empty"
    expected = {role: outcome if role in data else otherwise for role in ROLES}
    expected.update(dict.fromkeys(forbidden, "FORBIDDEN"))
    expected["staff_other_office"] = staff
    return expected


READERS = HOLDERS | TOKENS
# node(id:) of each type: the object below (see `world`), by role.
NODES: dict[str, dict[str, str]] = {
    "Company": rule(READERS, staff="empty"),
    "ServiceRequest": rule({"principal", *TOKENS}, staff="empty"),
    "Delegation": rule(
        {"principal", "active_alternate", "delegate_with", "token_with"},
        forbidden={"token_without"},
        staff="empty",
    ),
    "DelegationRequest": rule(
        {"principal", "active_alternate", "token_with"}, forbidden={"token_without"}, staff="empty"
    ),
    "ApiToken": rule({"principal"}, staff="empty"),
    "Account": rule({"principal", *TOKENS}, staff="empty"),
    "BankAccount": rule(
        {"principal", "active_alternate", "delegate_with", "token_with"},
        forbidden={"token_without"},
        staff="empty",
    ),
    "MessageThread": rule(
        {"principal", "active_alternate", "delegate_with", "token_with"},
        forbidden={"token_without"},
        staff="empty",
    ),
}
# company(identifier:) { <field> }, by role.
COMPANY_FIELDS: dict[str, dict[str, str]] = {
    **{name: rule(READERS) for name in ("id", "siren", "idsp", "name", "registeredOffice")},
    **{name: rule(READERS) for name in ("myRole", "reviewRequired", "principalAdministrator")},
    "alternateAdministrator": rule(READERS),
    "services": rule(READERS - {"suspended_alternate"}),
    "delegations": rule(
        {"principal", "active_alternate", "delegate_with", "delegate_without", "token_with"},
        forbidden={"token_without"},
    ),
    "delegationRequests": rule(MANAGERS | {"token_with"}, forbidden={"token_without"}),
    "bankAccounts": rule(
        {"principal", "active_alternate", "delegate_with", "token_with"},
        forbidden={"token_without"},
    ),
    "businessEmail": rule({"principal", "active_alternate", "delegate_with", *TOKENS}),
    "messageThreads": rule(
        {"principal", "active_alternate", "delegate_with", "token_with"},
        forbidden={"token_without"},
    ),
    "history": rule(MANAGERS),
    "pendingServiceRequests": rule(),  # only the viewer's own requests: none on this company
}
DECIDERS = {"principal", "active_alternate", "delegate_with", *TOKENS}
ROOT_FIELDS: dict[str, dict[str, str]] = {
    "company": rule(READERS),
    "authorize": rule(DECIDERS),
    "authorizePayment": rule(
        {"principal", "active_alternate", "delegate_with", "token_with"},
        forbidden={"token_without"},
    ),
    "designateAlternateAdministrator": rule({"principal", "token_with"}, outcome="allowed"),
    "suspendAlternateAdministrator": rule({"principal", "token_with"}, outcome="allowed"),
    "reactivateAlternateAdministrator": rule({"principal", "token_with"}, outcome="allowed"),
    "removeAlternateAdministrator": rule({"principal", "token_with"}, outcome="allowed"),
    "grantDelegation": rule(MANAGERS | {"token_with"}, outcome="allowed"),
    "requestDelegation": rule(
        {"stranger", *HOLDERS, "token_with"}, forbidden={"token_without"}, outcome="allowed"
    ),
    "requestSpecialService": rule({"principal"}, outcome="allowed"),
    "addCompany": rule({"stranger", *HOLDERS}, outcome="allowed"),
    "acknowledgeCompanyReview": rule({"principal"}, outcome="allowed"),
    "addBankAccount": rule({"principal"}, outcome="allowed"),
    "designateBusinessEmail": rule({"principal"}, outcome="allowed"),
    "sendMessage": rule(
        {"principal", "active_alternate", "delegate_with", "token_with"}, outcome="allowed"
    ),
    "removeCompany": rule({"stranger", *HOLDERS}, outcome="allowed"),
    "requestServiceAccess": rule({"stranger", *HOLDERS}, outcome="allowed"),
}
# The staff endpoint: a member of the company's office, and one of another office.
STAFF_FIELDS: dict[str, dict[str, str]] = {
    "company": {"staff_same_office": "data", "staff_other_office": "FORBIDDEN"},
    "replacePrincipalAdministrator": {
        "staff_same_office": "allowed",
        "staff_other_office": "FORBIDDEN",
    },
    "withdrawAccess": {"staff_same_office": "allowed", "staff_other_office": "FORBIDDEN"},
}


def test_the_matrix_covers_the_schema():
    assert node_types(PUBLIC) == set(NODES)
    assert set(PUBLIC.type_map["Company"].fields) == set(COMPANY_FIELDS)
    roots = {
        name
        for root in (PUBLIC.query_type, PUBLIC.mutation_type)
        for name, field in root.fields.items()
        if names_company(field)
    }
    assert roots == set(ROOT_FIELDS)
    staff_roots = {
        name
        for root in (STAFF.query_type, STAFF.mutation_type)
        for name, field in root.fields.items()
        if names_company(field)
    }
    assert staff_roots == set(STAFF_FIELDS)
    for table in (NODES, COMPANY_FIELDS, ROOT_FIELDS):
        for name, expected in table.items():
            assert set(expected) == set(ROLES), name


def outcome(response: Any, path: list[str], *, mutation: bool = False) -> str:
    codes = {error.get("extensions", {}).get("code") for error in response.errors or []}
    refusal = next((code for code in ("FORBIDDEN", "UNAUTHENTICATED") if code in codes), None)
    if refusal or (codes and not mutation):
        return refusal or "error:" + ",".join(sorted(str(c) for c in codes))
    value: Any = response.data
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    if mutation:
        return "allowed" if value is not None else "empty"
    if isinstance(value, dict) and ("allowed" in value or "totalCount" in value):
        # A decision point's refusal, or an empty connection.
        value = value.get("allowed", value.get("totalCount")) or None
    return "empty" if value is None or value in ([], {}) else "data"


COMPANY_SELECTIONS = {
    "registeredOffice": "registeredOffice",
    "services": "services { rights }",
    "alternateAdministrator": "alternateAdministrator { lastName }",
    "principalAdministrator": "principalAdministrator { lastName }",
    "delegations": "delegations(first: 5) { totalCount }",
    "delegationRequests": "delegationRequests { id }",
    "bankAccounts": "bankAccounts { iban }",
    "businessEmail": "businessEmail { address }",
    "messageThreads": "messageThreads(first: 5) { totalCount }",
    "history": "history(first: 5) { totalCount }",
    "pendingServiceRequests": "pendingServiceRequests { id }",
}
REASON = "Vérification des accès"


def _mutation(name: str, values: dict[str, Any]) -> tuple[str, dict]:
    input_type = name[0].upper() + name[1:] + "Input"
    document = (
        f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ userErrors {{ code }} }} }}"
    )
    return document, {"input": values}


class Matrix:
    """Runs the probes for each role and collects every answer that is not the rule's."""

    def __init__(self, ids: dict[str, str]) -> None:
        self.ids = ids
        self.mismatches: list[str] = []

    def check(self, what: str, role: str, got: str, expected: str) -> None:
        if got != expected:
            self.mismatches.append(f"{what} / {role}: got {got}, the rule says {expected}")

    async def reads(self, clients: dict[str, Any]) -> None:
        company = self.ids["Company"]
        roots = {
            "company": (f'query {{ company(identifier: "{SAMPLE_SIREN}") {{ id }} }}', {}),
            "authorize": (
                "query($input: AuthorizeInput!) { authorize(input: $input) { allowed } }",
                {
                    "input": {
                        "companyIdentifier": SAMPLE_SIREN,
                        "serviceCode": "DECLARER_TVA",
                        "right": "DECLARE",
                    }
                },
            ),
            "authorizePayment": (
                "query($input: AuthorizePaymentInput!) { authorizePayment(input: $input) { allowed } }",
                {
                    "input": {
                        "companyIdentifier": SAMPLE_SIREN,
                        "serviceCode": "PAYER_TVA",
                        "bankAccountId": self.ids["BankAccount"],
                    }
                },
            ),
        }
        del company
        for role, client in clients.items():
            for type_name, node_id in self.ids.items():
                response = await client.call(
                    f"query($id: ID!) {{ node(id: $id) {{ ... on {type_name} {{ id }} }} }}",
                    id=node_id,
                )
                self.check(
                    f"node {type_name}",
                    role,
                    outcome(response, ["node", "id"]),
                    NODES[type_name][role],
                )
            for field, expected in COMPANY_FIELDS.items():
                selection = COMPANY_SELECTIONS.get(field, field)
                response = await client.call(
                    f'query {{ company(identifier: "{SAMPLE_SIREN}") {{ {selection} }} }}'
                )
                # The sample company has no IDSP (a SIRENE company): its probe reads whether the
                # company shows at all.
                path = ["company"] if field == "idsp" else ["company", field]
                self.check(f"Company.{field}", role, outcome(response, path), expected[role])
            for field, (document, variables) in roots.items():
                got = outcome(await client.call(document, **variables), [field])
                self.check(field, role, got, ROOT_FIELDS[field][role])

    async def mutation(self, name: str, values: dict[str, Any], clients: dict[str, Any]) -> None:
        document, variables = _mutation(name, values)
        for role, client in clients.items():
            got = outcome(await client.call(document, **variables), [name], mutation=True)
            self.check(name, role, got, ROOT_FIELDS[name][role])


async def _world(app, api, deliver, settings, make_api) -> tuple[dict[str, Any], dict[str, str]]:
    """The company and one account (or token) per role; the ids of one object of each type."""
    owner, company = await principal_with_company(api, deliver, settings, make_api)
    cid = company["id"]
    people = People(owner, api, deliver, settings, make_api, cid)
    await confirmed_business_email(owner, api, deliver, settings.mail_dir, cid)
    bank = await add_bank_account(owner, cid)
    thread = await owner.data(
        "mutation($input: SendMessageInput!) { sendMessage(input: $input) { thread { id } } }",
        input={"companyId": cid, "subject": "Objet", "body": "Texte", "category": "OTHER"},
    )
    clients = {
        "stranger": await people.account("stranger@example.fr"),
        "delegate_without": await people.delegate(
            "without@example.fr", {"DECLARER_TVA": ["CONSULT"]}
        ),
        "delegate_with": await people.delegate(
            "with@example.fr",
            {
                "DECLARER_TVA": ["CONSULT", "DECLARE"],
                "PAYER_TVA": ["PAY"],
                "MESSAGERIE": ["CONSULT", "DECLARE"],
            },
        ),
        "active_alternate": await people.alternate(),
        "principal": owner,
    }
    asker = await people.account("asker@example.fr")
    request = await asker.data(
        "mutation($input: RequestDelegationInput!) { requestDelegation(input: $input) "
        "{ delegationRequest { id } } }",
        input={
            "companyIdentifier": SAMPLE_SIREN,
            "services": [{"serviceCode": "DECLARER_TVA", "rights": ["CONSULT"]}],
        },
    )
    await asker.__aexit__()
    other = await add_company(owner, OTHER_COMPANY)
    pending = await owner.data(
        "mutation($input: RequestServiceAccessInput!) { requestServiceAccess(input: $input) "
        "{ requests { id } } }",
        input={
            "companyIds": [other["id"]],
            "serviceCodes": ["DECLARER_TVA"],
            "capacity": "LEGAL_REPRESENTATIVE",
        },
    )
    received = await clients["delegate_with"].data(
        "query { viewer { delegationsReceived(first: 5) { edges { node { id } } } } }"
    )
    clients["token_without"] = make_api(token=await _token(owner, ["companies:read"]))
    clients["token_with"] = make_api(
        token=await _token(
            owner,
            [
                "companies:read",
                "delegations:read",
                "delegations:write",
                "bank-accounts:read",
                "messages:read",
                "messages:write",
            ],
        )
    )
    viewer = (await owner.data("query { viewer { id apiTokens { id } } }"))["viewer"]
    ids = {
        "Company": cid,
        "ServiceRequest": pending["requestServiceAccess"]["requests"][0]["id"],
        "Delegation": received["viewer"]["delegationsReceived"]["edges"][0]["node"]["id"],
        "DelegationRequest": request["requestDelegation"]["delegationRequest"]["id"],
        "ApiToken": viewer["apiTokens"][0]["id"],
        "Account": viewer["id"],
        "BankAccount": bank["id"],
        "MessageThread": thread["sendMessage"]["thread"]["id"],
    }
    return clients, ids


@pytest.fixture
def settings_overrides():
    return {"cost_points_per_hour": 10**9}


async def test_each_role_gets_what_the_rules_say(
    app, api, deliver, settings, make_api, staff_api, clock
):
    clients, ids = await _world(app, api, deliver, settings, make_api)
    cid = ids["Company"]
    lyon = await _member(app, email="lyon@dgfip.finances.gouv.fr", office="69")
    paris = await _member(app)
    staff_tokens = {
        "staff_other_office": (
            await _log_in(staff_api, lyon, clock, email="lyon@dgfip.finances.gouv.fr")
        )["token"],
        "staff_same_office": (await _log_in(staff_api, paris, clock))["token"],
    }
    clients["staff_other_office"] = make_api(token=staff_tokens["staff_other_office"])
    for role in ("token_without", "token_with", "staff_other_office"):
        await clients[role].__aenter__()
    matrix = Matrix(ids)
    await matrix.reads(clients)
    for name, values in (
        (
            "designateAlternateAdministrator",
            {"companyId": cid, "accountEmail": "nobody@example.fr"},
        ),
        (
            "grantDelegation",
            {
                "companyId": cid,
                "delegateEmail": "nobody@example.fr",
                "services": [{"serviceCode": "DECLARER_TVA", "rights": ["CONSULT"]}],
            },
        ),
        ("requestDelegation", {"companyIdentifier": SAMPLE_SIREN, "services": []}),
        (
            "requestSpecialService",
            {"companyId": cid, "serviceCode": "DECLARER_TVA", "justification": ""},
        ),
        ("addCompany", {"identifier": "123"}),
        ("acknowledgeCompanyReview", {"companyId": cid}),
        ("addBankAccount", {"companyId": cid, "iban": "nope", "bic": "nope", "holderName": "x"}),
        ("designateBusinessEmail", {"companyId": cid, "email": "not an address"}),
        ("sendMessage", {"companyId": cid, "subject": "", "body": "", "category": "OTHER"}),
        ("removeCompany", {"companyId": cid}),
        (
            "requestServiceAccess",
            {"companyIds": [cid], "serviceCodes": [], "capacity": "LEGAL_REPRESENTATIVE"},
        ),
    ):
        await matrix.mutation(name, values, clients)
    # The alternate's lifecycle: everyone else is refused first, then the principal acts.
    others = {role: c for role, c in clients.items() if role not in {"principal", "token_with"}}
    principal = {"principal": clients["principal"]}
    await matrix.mutation("suspendAlternateAdministrator", {"companyId": cid}, others)
    await matrix.mutation("suspendAlternateAdministrator", {"companyId": cid}, principal)
    await matrix.reads({"suspended_alternate": clients["active_alternate"]})
    await matrix.mutation("reactivateAlternateAdministrator", {"companyId": cid}, others)
    await matrix.mutation("reactivateAlternateAdministrator", {"companyId": cid}, principal)
    await matrix.mutation("removeAlternateAdministrator", {"companyId": cid}, others)
    await matrix.mutation(
        "removeAlternateAdministrator", {"companyId": cid}, {"token_with": clients["token_with"]}
    )
    for role, token in staff_tokens.items():
        async with staff_api(token=token) as agent:
            response = await agent.call(
                f'query {{ company(identifier: "{SAMPLE_SIREN}") {{ company {{ name }} }} }}'
            )
            matrix.check(
                "staff company", role, outcome(response, ["company"]), STAFF_FIELDS["company"][role]
            )
            for name, values in (
                (
                    "withdrawAccess",
                    {
                        "companyIdentifier": SAMPLE_SIREN,
                        "accountEmail": "nobody@example.fr",
                        "reason": REASON,
                    },
                ),
                (
                    "replacePrincipalAdministrator",
                    {
                        "companyIdentifier": SAMPLE_SIREN,
                        "newPrincipalEmail": "nobody@example.fr",
                        "reason": REASON,
                    },
                ),
            ):
                document, variables = _mutation(name, values)
                got = outcome(await agent.call(document, **variables), [name], mutation=True)
                matrix.check(f"staff {name}", role, got, STAFF_FIELDS[name][role])
    for client in clients.values():
        await client.__aexit__()
    assert not matrix.mismatches, "\n".join(matrix.mismatches)
