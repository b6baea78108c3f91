"""Documents and set-up shared by the delegation and alternate-administrator tests."""

from __future__ import annotations

from typing import Any

from tests.api.flows import SAMPLE_SIREN, become_principal, logged_in_expert

ALL_SERVICES = ["DECLARER_TVA", "PAYER_TVA", "MESSAGERIE"]

GRANT = """
mutation Grant($input: GrantDelegationInput!) {
  grantDelegation(input: $input) {
    delegation { id status startsAt endsAt services { service { code } rights } delegate { email } grantor { email } }
    userErrors { code field message }
  }
}
"""
UPDATE = """
mutation Update($input: UpdateDelegationInput!) {
  updateDelegation(input: $input) {
    delegation { id status endsAt services { service { code } rights } }
    userErrors { code field message }
  }
}
"""
REVOKE = """
mutation Revoke($input: RevokeDelegationInput!) {
  revokeDelegation(input: $input) { delegation { id status revokedAt } userErrors { code field message } }
}
"""
ALTERNATE_MUTATIONS = {
    "designate": """mutation($input: DesignateAlternateAdministratorInput!) {
      designateAlternateAdministrator(input: $input) { company { id alternateAdministrator { lastName suspended } } userErrors { code field message } } }""",
    "suspend": """mutation($input: SuspendAlternateAdministratorInput!) {
      suspendAlternateAdministrator(input: $input) { company { id alternateAdministrator { lastName suspended } } userErrors { code field message } } }""",
    "reactivate": """mutation($input: ReactivateAlternateAdministratorInput!) {
      reactivateAlternateAdministrator(input: $input) { company { id alternateAdministrator { lastName suspended } } userErrors { code field message } } }""",
    "remove": """mutation($input: RemoveAlternateAdministratorInput!) {
      removeAlternateAdministrator(input: $input) { company { id alternateAdministrator { lastName suspended } } userErrors { code field message } } }""",
}
COMPANY_DELEGATIONS = """
query CompanyDelegations($identifier: String!, $status: DelegationStatus) {
  company(identifier: $identifier) {
    myRole
    services { service { code } rights }
    delegations(first: 50, status: $status) { totalCount edges { node { id status delegate { email } } } }
  }
}
"""
AUTHORIZE = """
query Authorize($input: AuthorizeInput!) { authorize(input: $input) { allowed reason } }
"""


def grant_input(company_id: str, email: str, **overrides: Any) -> dict[str, Any]:
    values = {
        "companyId": company_id,
        "delegateEmail": email,
        "services": [{"serviceCode": "DECLARER_TVA", "rights": ["CONSULT", "DECLARE"]}],
    }
    values.update(overrides)
    return values


async def principal_with_company(api, deliver, settings, make_api, email="owner@example.fr"):
    """A logged-in principal administrator of the sample company (three services)."""
    client = await logged_in_expert(api, deliver, settings.mail_dir, make_api, email=email)
    await client.__aenter__()
    company = await become_principal(
        client, deliver, settings.letters_dir, SAMPLE_SIREN, ALL_SERVICES
    )
    return client, company


async def other_account(api, deliver, settings, make_api, email):
    client = await logged_in_expert(api, deliver, settings.mail_dir, make_api, email=email)
    await client.__aenter__()
    return client


async def ask(client, right="DECLARE", service="DECLARER_TVA", identifier=SAMPLE_SIREN):
    data = await client.data(
        AUTHORIZE, input={"companyIdentifier": identifier, "serviceCode": service, "right": right}
    )
    return data["authorize"]["allowed"], data["authorize"]["reason"]
