"""Documents and set-up shared by the bank-account, business-email and messaging tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.models import AuditEvent
from tests.api.delegation_flows import ALTERNATE_MUTATIONS, GRANT, grant_input, other_account
from tests.support import mail_to, token_in

BANK_FIELDS = "id iban masked bic holderName label mandateReference usage addedAt"
ADD_BANK_ACCOUNT = f"""
mutation Add($input: AddBankAccountInput!) {{
  addBankAccount(input: $input) {{ bankAccount {{ {BANK_FIELDS} }} userErrors {{ code field message }} }}
}}
"""
REMOVE_BANK_ACCOUNT = f"""
mutation Remove($input: RemoveBankAccountInput!) {{
  removeBankAccount(input: $input) {{ bankAccount {{ {BANK_FIELDS} }} userErrors {{ code field message }} }}
}}
"""
BANK_ACCOUNTS = f"""
query Bank($identifier: String!) {{
  company(identifier: $identifier) {{ bankAccounts {{ {BANK_FIELDS} }} }}
}}
"""
AUTHORIZE_PAYMENT = """
query Pay($input: AuthorizePaymentInput!) {
  authorizePayment(input: $input) { allowed reason iban mandateReference }
}
"""
DESIGNATE = """
mutation Designate($input: DesignateBusinessEmailInput!) {
  designateBusinessEmail(input: $input) {
    businessEmail { address confirmedAt pendingAddress pendingExpiresAt }
    userErrors { code field message }
  }
}
"""
CONFIRM_BUSINESS_EMAIL = """
mutation Confirm($input: ConfirmBusinessEmailInput!) {
  confirmBusinessEmail(input: $input) { confirmed userErrors { code field message } }
}
"""
BUSINESS_EMAIL = """
query Business($identifier: String!) {
  company(identifier: $identifier) { businessEmail { address confirmedAt pendingAddress } }
}
"""
FR_IBAN = "FR76 3000 6000 0112 3456 7890 189"
FR_BIC = "BNPAFRPPXXX"
OTHER_FR_IBAN = "FR1420041010050500013M02606"
OTHER_FR_BIC = "PSSTFRPPPAR"
BUSINESS_ADDRESS = "compta@boulangerie.example.fr"


def bank_input(company_id: str, **overrides: Any) -> dict[str, Any]:
    values = {
        "companyId": company_id,
        "iban": FR_IBAN,
        "bic": FR_BIC,
        "holderName": "Boulangerie des Trois Épis",
        "label": "Compte courant",
    }
    values.update(overrides)
    return values


async def add_bank_account(client, company_id: str, **overrides: Any) -> dict[str, Any]:
    data = await client.data(ADD_BANK_ACCOUNT, input=bank_input(company_id, **overrides))
    assert data["addBankAccount"]["userErrors"] == [], data
    return data["addBankAccount"]["bankAccount"]


async def confirmed_business_email(
    client, api, deliver, mail_dir, company_id: str, address: str = BUSINESS_ADDRESS
) -> None:
    """Designate `address` and use its emailed link."""
    data = await client.data(DESIGNATE, input={"companyId": company_id, "email": address})
    assert data["designateBusinessEmail"]["userErrors"] == [], data
    await deliver()
    token = token_in(mail_to(mail_dir, address)[-1])
    data = await api.data(CONFIRM_BUSINESS_EMAIL, input={"token": token})
    assert data["confirmBusinessEmail"] == {"confirmed": True, "userErrors": []}


@dataclass
class People:
    """Puts accounts in each role on the owner's company."""

    owner: Any
    api: Any
    deliver: Any
    settings: Any
    make_api: Any
    company_id: str

    async def account(self, email: str) -> Any:
        """An active account holding no role on the company (a client, enter it)."""
        return await other_account(self.api, self.deliver, self.settings, self.make_api, email)

    async def delegate(self, email: str, services: dict[str, list[str]]) -> Any:
        """An account holding a delegation with `services` ({code: rights})."""
        client = await self.account(email)
        data = await self.owner.data(
            GRANT,
            input=grant_input(
                self.company_id,
                email,
                services=[{"serviceCode": code, "rights": r} for code, r in services.items()],
            ),
        )
        assert data["grantDelegation"]["userErrors"] == [], data
        return client

    async def alternate(self, email: str = "alternate@example.fr") -> Any:
        """An account designated alternate administrator."""
        client = await self.account(email)
        data = await self.owner.data(
            ALTERNATE_MUTATIONS["designate"],
            input={"companyId": self.company_id, "accountEmail": email},
        )
        assert data["designateAlternateAdministrator"]["userErrors"] == [], data
        return client


async def events(app, kind: str) -> list[AuditEvent]:
    async with app.state.runtime.sessions() as session:
        return list(
            await session.scalars(
                select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.id)
            )
        )
