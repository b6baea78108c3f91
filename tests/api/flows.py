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
    """Sign up in expert mode; returns the payload's account and the emailed code."""
    data = await api.data(SIGN_UP_EXPERT, input=expert_input(**overrides))
    payload = data["signUpExpert"]
    assert payload["userErrors"] == []
    await deliver()
    account = payload["account"]
    return account, code_in(mail_to(mail_dir, account["email"])[-1])


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
    """Sign up in basic mode and click the confirmation link; returns the account and the link token."""
    data = await api.data(SIGN_UP_BASIC, input=basic_input(**overrides))
    payload = data["signUpBasic"]
    assert payload["userErrors"] == [], payload
    await deliver()
    business = overrides.get("businessEmail", basic_input()["businessEmail"])
    return payload["account"], token_in(mail_to(mail_dir, business)[-1])
