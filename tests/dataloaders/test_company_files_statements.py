"""Bank accounts, business emails and message threads on a dashboard: statements stay flat."""

from __future__ import annotations

from sqlalchemy import insert, select

from app.models import (
    Account,
    BankAccount,
    BusinessEmail,
    CompanyRole,
    Message,
    MessageAttachment,
    MessageThread,
)
from tests.api.flows import logged_in_expert
from tests.dataloaders.counting import count_statements
from tests.dataloaders.fixtures import make_principal_of_many

COMPANY_FILES = """
query Files {
  viewer { companies(first: 100) { totalCount edges { node {
    id
    bankAccounts { iban mandateReference }
    businessEmail { address pendingAddress }
    messageThreads(first: 5) { totalCount unreadCount edges { node {
      reference unreadCount
      messages(first: 5) { totalCount edges { node {
        body author { kind displayName } attachments { fileName downloadUrl }
      } } }
    } } }
  } } } }
}
"""


async def _give_each_company_files(runtime, account_id: int) -> None:
    now = runtime.clock.now()
    async with runtime.sessions() as session:
        ids = list(
            await session.scalars(
                select(CompanyRole.company_id).where(CompanyRole.account_id == account_id)
            )
        )
        await session.execute(
            insert(BankAccount),
            [
                {
                    "company_id": cid,
                    "iban": "FR7630006000011234567890189",
                    "bic": "BNPAFRPPXXX",
                    "holder_name": "Holder",
                    "label": "",
                    "mandate_reference": f"DGFIPTEST-{account_id}-{cid}",
                    "added_by_account_id": account_id,
                    "added_at": now,
                }
                for cid in ids
            ],
        )
        await session.execute(
            insert(BusinessEmail),
            [
                {"company_id": cid, "address": f"c{cid}@example.fr", "confirmed_at": now}
                for cid in ids
            ],
        )
        for cid in ids:
            for index in range(2):
                thread = MessageThread(
                    reference=f"MT-{account_id}-{cid}-{index}",
                    company_id=cid,
                    office="75",
                    subject="Objet",
                    category="OTHER",
                    status="OPEN",
                    opened_by_account_id=account_id,
                    created_at=now,
                    last_message_at=now,
                )
                session.add(thread)
                await session.flush()
                for author in (account_id, None):
                    message = Message(
                        thread_id=thread.id, author_account_id=author, body="Texte", sent_at=now
                    )
                    session.add(message)
                    await session.flush()
                    session.add(
                        MessageAttachment(
                            message_id=message.id,
                            sha256="0" * 64,
                            file_name="a.pdf",
                            media_type="application/pdf",
                            size=10,
                        )
                    )
        await session.commit()


async def test_company_files_cost_the_same_statements_at_10_and_60_companies(
    app, api, deliver, settings, make_api
):
    runtime = app.state.runtime
    counts = []
    for size in (10, 60):
        email = f"files{size}@example.fr"
        client = await logged_in_expert(api, deliver, settings.mail_dir, make_api, email=email)
        async with client:
            async with runtime.sessions() as session:
                account_id = await session.scalar(select(Account.id).where(Account.email == email))
            await make_principal_of_many(runtime, account_id, size, offset=size * 11)
            await _give_each_company_files(runtime, account_id)
            with count_statements(app.state.engine) as statements:
                data = await client.data(COMPANY_FILES)
        edges = data["viewer"]["companies"]["edges"]
        assert len(edges) == size
        node = edges[0]["node"]
        assert node["bankAccounts"][0]["iban"] == "FR76 3000 6000 0112 3456 7890 189"
        assert node["messageThreads"]["totalCount"] == 2
        assert node["messageThreads"]["unreadCount"] == 2
        assert node["messageThreads"]["edges"][0]["node"]["messages"]["totalCount"] == 2
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
