"""Operation documents and multi-step flows shared by the API tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support import STRONG_PASSWORD, Api, code_in, mail_to, token_in

ACCOUNT_FIELDS = "id registrationNumber email mode status firstName lastName createdAt"

SIGN_UP_EXPERT = f"""
mutation SignUpExpert($input: SignUpExpertInput!) {{
  signUpExpert(input: $input) {{
    account {{ {ACCOUNT_FIELDS} }}
    userErrors {{ code field message }}
  }}
}}
"""

SIGN_UP_BASIC = f"""
mutation SignUpBasic($input: SignUpBasicInput!) {{
  signUpBasic(input: $input) {{
    account {{ {ACCOUNT_FIELDS} }}
    userErrors {{ code field message }}
  }}
}}
"""

CONFIRM_EMAIL = f"""
mutation ConfirmEmail($input: ConfirmEmailInput!) {{
  confirmEmail(input: $input) {{
    account {{ {ACCOUNT_FIELDS} }}
    userErrors {{ code field message }}
  }}
}}
"""

ACTIVATE_ACCOUNT = f"""
mutation ActivateAccount($input: ActivateAccountInput!) {{
  activateAccount(input: $input) {{
    account {{ {ACCOUNT_FIELDS} }}
    userErrors {{ code field message }}
  }}
}}
"""

LOG_IN = """
mutation LogIn($input: LogInInput!) {
  logIn(input: $input) {
    token expiresAt
    account { id email status }
    userErrors { code field message }
  }
}
"""

LOG_OUT = """
mutation LogOut($input: LogOutInput!) {
  logOut(input: $input) { userErrors { code } }
}
"""

VIEWER = """
query Viewer {
  viewer {
    id email status mode registrationNumber
    companies(first: 10) {
      totalCount
      edges { cursor node { id siren name registeredOffice myRole } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

# A company of the sample directory shipped in app/reference/sirene.
SAMPLE_SIREN = "300123403"
SAMPLE_COMPANY_NAME = "BOULANGERIE DES TROIS EPIS"


def expert_input(email: str = "claire.martin@example.fr", **overrides: Any) -> dict[str, Any]:
    values = {
        "email": email,
        "password": STRONG_PASSWORD,
        "firstName": "Claire",
        "lastName": "Martin",
    }
    values.update(overrides)
    return values


def basic_input(email: str = "paul.durand@example.fr", **overrides: Any) -> dict[str, Any]:
    values = {
        **expert_input(email, firstName="Paul", lastName="Durand"),
        "siren": SAMPLE_SIREN,
        "businessEmail": "contact@boulangerie-epis.example.fr",
    }
    values.update(overrides)
    return values


async def sign_up_expert(
    api: Api, deliver: Any, mail_dir: Path, **overrides: Any
) -> tuple[dict, str]:
    """Sign up in expert mode; returns the account's email (sign-up shows no account) and the code."""
    values = expert_input(**overrides)
    data = await api.data(SIGN_UP_EXPERT, input=values)
    payload = data["signUpExpert"]
    assert payload == {"account": None, "userErrors": []}, payload
    await deliver()
    return {"email": values["email"]}, code_in(mail_to(mail_dir, values["email"])[-1])


async def active_expert(api: Api, deliver: Any, mail_dir: Path, **overrides: Any) -> dict:
    account, code = await sign_up_expert(api, deliver, mail_dir, **overrides)
    data = await api.data(ACTIVATE_ACCOUNT, input={"email": account["email"], "code": code})
    assert data["activateAccount"]["userErrors"] == []
    return data["activateAccount"]["account"]


async def log_in(api: Api, email: str, password: str = STRONG_PASSWORD) -> str:
    data = await api.data(LOG_IN, input={"email": email, "password": password})
    assert data["logIn"]["userErrors"] == [], data
    return data["logIn"]["token"]


async def basic_until_letter(
    api: Api, deliver: Any, mail_dir: Path, **overrides: Any
) -> tuple[dict, str]:
    """Sign up in basic mode; returns the account's email and the emailed confirmation token."""
    values = basic_input(**overrides)
    data = await api.data(SIGN_UP_BASIC, input=values)
    payload = data["signUpBasic"]
    assert payload == {"account": None, "userErrors": []}, payload
    await deliver()
    return {"email": values["email"]}, token_in(mail_to(mail_dir, values["businessEmail"])[-1])


ADD_COMPANY = """
mutation AddCompany($input: AddCompanyInput!) {
  addCompany(input: $input) {
    company { id siren idsp name myRole }
    warnings { code message }
    userErrors { code field message }
  }
}
"""

REQUEST_SERVICE_ACCESS = """
mutation Request($input: RequestServiceAccessInput!) {
  requestServiceAccess(input: $input) {
    requests { id status expiresAt capacity services { code } company { id siren } }
    userErrors { code field message }
  }
}
"""

ACTIVATE_SERVICE_ACCESS = """
mutation ActivateService($input: ActivateServiceAccessInput!) {
  activateServiceAccess(input: $input) {
    company { id myRole services { service { code name } rights since } }
    userErrors { code field message }
  }
}
"""

DASHBOARD = """
query Dashboard($after: String) {
  viewer {
    companies(first: 100, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node {
        id siren name myRole
        services { service { code name } rights since }
        principalAdministrator { firstName lastName since }
        pendingServiceRequests { id status expiresAt }
      } }
    }
  }
}
"""


async def logged_in_expert(
    api: Api, deliver: Any, mail_dir: Path, make_api: Any, **overrides: Any
) -> Api:
    """An active expert-mode account and a client holding its session (enter it with `async with`)."""
    account = await active_expert(api, deliver, mail_dir, **overrides)
    return make_api(token=await log_in(api, account["email"]))


async def add_company(client: Api, identifier: str) -> dict:
    data = await client.data(ADD_COMPANY, input={"identifier": identifier})
    assert data["addCompany"]["userErrors"] == [], data
    return data["addCompany"]["company"]


async def become_principal(
    client: Api, deliver: Any, letters_dir: Path, identifier: str, services: list[str]
) -> dict:
    """Add a company, request services on it, and activate them with the posted code."""
    from tests.support import read_letters

    company = await add_company(client, identifier)
    data = await client.data(
        REQUEST_SERVICE_ACCESS,
        input={
            "companyIds": [company["id"]],
            "serviceCodes": services,
            "capacity": "LEGAL_REPRESENTATIVE",
        },
    )
    [request] = data["requestServiceAccess"]["requests"]
    await deliver()
    letter = [
        item for item in read_letters(letters_dir) if item["companyIdentifier"] == identifier
    ][-1]
    data = await client.data(
        ACTIVATE_SERVICE_ACCESS, input={"requestId": request["id"], "code": letter["code"]}
    )
    assert data["activateServiceAccess"]["userErrors"] == [], data
    return data["activateServiceAccess"]["company"]


STANDARD_CODES = [
    "CONSULTER_COMPTE_FISCAL",
    "DECLARER_TVA",
    "PAYER_TVA",
    "DECLARER_RESULTAT",
    "PAYER_IS",
    "PAYER_TS",
    "PAYER_CFE",
    "DECLARER_LOYERS",
    "MESSAGERIE",
]
