"""Bank accounts: the principal manages them; others see them masked, or not at all."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.models import BankAccount, OutboxMessage
from app.schema.nodes import to_global_id
from tests.api.company_flows import (
    ADD_BANK_ACCOUNT,
    AUTHORIZE_PAYMENT,
    BANK_ACCOUNTS,
    BUSINESS_ADDRESS,
    FR_BIC,
    OTHER_FR_BIC,
    OTHER_FR_IBAN,
    REMOVE_BANK_ACCOUNT,
    People,
    add_bank_account,
    bank_input,
    confirmed_business_email,
    events,
)
from tests.api.delegation_flows import ALTERNATE_MUTATIONS, principal_with_company
from tests.api.flows import SAMPLE_SIREN
from tests.api.test_api_tokens import _token
from tests.api.test_nodes import NODE
from tests.support import mail_to

MASKED_FR = "FR76 **** **** **** **** ***0 189"
WHOLE_FR = "FR76 3000 6000 0112 3456 7890 189"
SEPA_REFERENCE = re.compile(r"^[A-Za-z0-9/\-?:().,'+ ]{1,35}$")


@pytest.fixture
async def owner(api, deliver, settings, make_api):
    client, company = await principal_with_company(api, deliver, settings, make_api)
    yield client, company
    await client.__aexit__()


async def _rows(app):
    async with app.state.runtime.sessions() as session:
        return list(await session.scalars(select(BankAccount).order_by(BankAccount.id)))


async def _outbox_count(app):
    async with app.state.runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(OutboxMessage))


async def test_the_principal_adds_an_account_and_everyone_concerned_hears_of_it(
    app, api, owner, deliver, settings
):
    client, company = owner
    await confirmed_business_email(client, api, deliver, settings.mail_dir, company["id"])

    added = await add_bank_account(client, company["id"])

    assert added["iban"] == WHOLE_FR
    assert added["masked"] is False
    assert added["bic"] == FR_BIC
    assert added["holderName"] == "Boulangerie des Trois Épis"
    assert added["usage"] == "PAYMENT"
    assert SEPA_REFERENCE.match(added["mandateReference"])
    assert added["mandateReference"].startswith(f"DGFIP{SAMPLE_SIREN}-")
    second = await add_bank_account(client, company["id"], iban=OTHER_FR_IBAN, bic=OTHER_FR_BIC)
    assert second["mandateReference"] != added["mandateReference"]
    await deliver()
    for address in ("owner@example.fr", BUSINESS_ADDRESS):
        notices = [m for m in mail_to(settings.mail_dir, address) if "Bank account" in m["Subject"]]
        assert len(notices) == 2
        assert MASKED_FR in notices[0].get_content()
        assert WHOLE_FR not in notices[0].get_content()
    [event, _] = await events(app, "BANK_ACCOUNT_ADDED")
    assert event.details["iban"] == MASKED_FR
    assert event.details["mandateReference"] == added["mandateReference"]
    listed = (await client.data(BANK_ACCOUNTS, identifier=SAMPLE_SIREN))["company"]
    assert [item["iban"] for item in listed["bankAccounts"]] == [
        WHOLE_FR,
        "FR14 2004 1010 0505 0001 3M02 606",
    ]


@pytest.mark.parametrize(
    ("overrides", "codes"),
    [
        ({"iban": "FR76 3000 6000 0112 3456 7890 188"}, [("INVALID_IBAN", ["iban"])]),
        ({"iban": "FR76"}, [("INVALID_IBAN", ["iban"])]),
        ({"bic": "BNPA1RPP"}, [("INVALID_BIC", ["bic"])]),
        (
            {"iban": "TR330006100519786457841326", "bic": "TCZBTR2A"},
            [("IBAN_NOT_SEPA", ["iban"])],
        ),
        ({"bic": "COBADEFFXXX"}, [("BIC_IBAN_MISMATCH", ["bic"])]),
        ({"holderName": "  "}, [("INVALID_HOLDER_NAME", ["holderName"])]),
        ({"holderName": "x" * 71}, [("INVALID_HOLDER_NAME", ["holderName"])]),
        ({"label": "compte\x1b[31m"}, [("INVALID_LABEL", ["label"])]),
        (
            {"iban": "nope", "bic": "nope", "holderName": ""},
            [
                ("INVALID_IBAN", ["iban"]),
                ("INVALID_BIC", ["bic"]),
                ("INVALID_HOLDER_NAME", ["holderName"]),
            ],
        ),
    ],
)
async def test_bad_input_is_refused_and_changes_nothing(app, owner, overrides, codes):
    client, company = owner
    before = await _outbox_count(app)

    data = await client.data(ADD_BANK_ACCOUNT, input=bank_input(company["id"], **overrides))

    payload = data["addBankAccount"]
    assert payload["bankAccount"] is None
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == codes
    assert await _rows(app) == []
    assert await _outbox_count(app) == before


async def test_overseas_and_monaco_accounts_are_accepted(owner):
    client, company = owner
    monaco = await add_bank_account(
        client, company["id"], iban="MC5811222000010123456789030", bic="CMCIMCM1XXX"
    )
    assert monaco["iban"].startswith("MC58")
    # A bank of La Réunion: a RE BIC goes with an FR IBAN.
    reunion = await add_bank_account(client, company["id"], iban=OTHER_FR_IBAN, bic="BNPARERXXXX")
    assert reunion["bic"] == "BNPARERXXXX"


async def test_the_same_iban_twice_is_refused_until_removed(app, owner):
    client, company = owner
    added = await add_bank_account(client, company["id"])

    data = await client.data(
        ADD_BANK_ACCOUNT, input=bank_input(company["id"], iban="fr7630006000011234567890189")
    )
    assert [e["code"] for e in data["addBankAccount"]["userErrors"]] == [
        "BANK_ACCOUNT_ALREADY_EXISTS"
    ]

    removed = await client.data(REMOVE_BANK_ACCOUNT, input={"bankAccountId": added["id"]})
    assert removed["removeBankAccount"]["userErrors"] == []
    again = await client.data(REMOVE_BANK_ACCOUNT, input={"bankAccountId": added["id"]})
    assert [e["code"] for e in again["removeBankAccount"]["userErrors"]] == [
        "BANK_ACCOUNT_ALREADY_REMOVED"
    ]
    assert (await client.data(BANK_ACCOUNTS, identifier=SAMPLE_SIREN))["company"][
        "bankAccounts"
    ] == []
    readded = await add_bank_account(client, company["id"])
    assert readded["mandateReference"] != added["mandateReference"]
    assert len(await events(app, "BANK_ACCOUNT_REMOVED")) == 1


async def test_removal_emails_the_principal(owner, deliver, settings):
    client, company = owner
    added = await add_bank_account(client, company["id"])
    await client.data(REMOVE_BANK_ACCOUNT, input={"bankAccountId": added["id"]})
    await deliver()
    subjects = [m["Subject"] for m in mail_to(settings.mail_dir, "owner@example.fr")]
    assert "Bank account removed: BOULANGERIE DES TROIS EPIS" in subjects


async def test_changes_need_a_log_in_in_the_last_15_minutes(app, owner, clock):
    client, company = owner
    added = await add_bank_account(client, company["id"])
    clock.advance(timedelta(minutes=16))

    data = await client.data(
        ADD_BANK_ACCOUNT, input=bank_input(company["id"], iban=OTHER_FR_IBAN, bic=OTHER_FR_BIC)
    )
    removal = await client.data(REMOVE_BANK_ACCOUNT, input={"bankAccountId": added["id"]})

    for payload in (data["addBankAccount"], removal["removeBankAccount"]):
        assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
            ("RECENT_LOGIN_REQUIRED", None)
        ]
    assert len(await _rows(app)) == 1
    assert (await _rows(app))[0].removed_at is None


def _forbidden(response):
    assert response.errors, response
    assert response.errors[0]["extensions"]["code"] == "FORBIDDEN"


async def test_only_the_principal_manages_bank_accounts(
    app, api, owner, deliver, settings, make_api
):
    client, company = owner
    people = People(client, api, deliver, settings, make_api, company["id"])
    added = await add_bank_account(client, company["id"])
    alternate = await people.alternate("alternate@example.fr")
    payer = await people.delegate("payer@example.fr", {"PAYER_TVA": ["CONSULT", "PAY"]})
    stranger = await people.account("stranger@example.fr")
    token = await _token(client, ["companies:read", "bank-accounts:read"])
    async with make_api(token=token) as software:
        callers = [alternate, payer, stranger, software]
        for caller in callers:
            _forbidden(
                await caller.call(
                    ADD_BANK_ACCOUNT,
                    input=bank_input(company["id"], iban=OTHER_FR_IBAN, bic=OTHER_FR_BIC),
                )
            )
            _forbidden(await caller.call(REMOVE_BANK_ACCOUNT, input={"bankAccountId": added["id"]}))
    for caller in (alternate, payer, stranger):
        await caller.__aexit__()
    # An unknown id answers as another company's does.
    _forbidden(
        await client.call(
            REMOVE_BANK_ACCOUNT, input={"bankAccountId": to_global_id("BankAccount", 999)}
        )
    )
    assert len(await _rows(app)) == 1
    assert (await _rows(app))[0].removed_at is None


async def test_the_staff_endpoint_offers_no_bank_account_change(app):
    from app.schema.staff.root import build_staff_schema

    fields = build_staff_schema()._schema.mutation_type.fields
    assert not [name for name in fields if "bank" in name.lower()]


async def test_each_role_sees_what_the_rules_say(app, api, owner, deliver, settings, make_api):
    client, company = owner
    people = People(client, api, deliver, settings, make_api, company["id"])
    added = await add_bank_account(client, company["id"])
    alternate = await people.alternate("alternate@example.fr")
    payer = await people.delegate("payer@example.fr", {"PAYER_TVA": ["PAY"]})
    declarer = await people.delegate(
        "declarer@example.fr", {"DECLARER_TVA": ["CONSULT", "DECLARE"], "PAYER_TVA": ["CONSULT"]}
    )
    stranger = await people.account("stranger@example.fr")

    async def seen(caller):
        company_view = (await caller.data(BANK_ACCOUNTS, identifier=SAMPLE_SIREN))["company"]
        by_node = (await caller.data(NODE + "", id=added["id"]))["node"]
        listed = [item["iban"] for item in company_view["bankAccounts"]] if company_view else None
        return listed, by_node

    assert (await seen(client))[0] == [WHOLE_FR]
    assert (await seen(alternate))[0] == [MASKED_FR]
    assert (await seen(payer))[0] == [MASKED_FR]
    assert (await seen(declarer)) == ([], None)
    assert (await seen(stranger)) == (None, None)
    masked = (await alternate.data(BANK_ACCOUNTS, identifier=SAMPLE_SIREN))["company"]
    assert masked["bankAccounts"][0]["masked"] is True
    assert masked["bankAccounts"][0]["bic"] == FR_BIC
    assert masked["bankAccounts"][0]["holderName"] == "Boulangerie des Trois Épis"

    await client.data(ALTERNATE_MUTATIONS["suspend"], input={"companyId": company["id"]})
    assert (await seen(alternate)) == ([], None)
    for caller in (alternate, payer, declarer, stranger):
        await caller.__aexit__()


async def test_api_tokens_need_the_bank_accounts_scope(owner, make_api):
    client, company = owner
    await add_bank_account(client, company["id"])
    without = await _token(client, ["companies:read"])
    with_scope = await _token(client, ["companies:read", "bank-accounts:read"])
    async with make_api(token=without) as software:
        _forbidden(await software.call(BANK_ACCOUNTS, identifier=SAMPLE_SIREN))
    async with make_api(token=with_scope) as software:
        data = await software.data(BANK_ACCOUNTS, identifier=SAMPLE_SIREN)
    assert [item["iban"] for item in data["company"]["bankAccounts"]] == [WHOLE_FR]


async def test_payment_services_get_the_whole_iban_only_when_allowed(
    api, owner, deliver, settings, make_api
):
    client, company = owner
    people = People(client, api, deliver, settings, make_api, company["id"])
    added = await add_bank_account(client, company["id"])
    payer = await people.delegate(
        "payer@example.fr", {"PAYER_TVA": ["PAY"], "DECLARER_TVA": ["CONSULT"]}
    )
    consulting = await people.delegate("consult@example.fr", {"PAYER_TVA": ["CONSULT"]})
    stranger = await people.account("stranger@example.fr")

    async def ask(caller, service="PAYER_TVA", account=added["id"], identifier=SAMPLE_SIREN):
        data = await caller.data(
            AUTHORIZE_PAYMENT,
            input={
                "companyIdentifier": identifier,
                "serviceCode": service,
                "bankAccountId": account,
            },
        )
        return data["authorizePayment"]

    allowed = await ask(client)
    assert allowed == {
        "allowed": True,
        "reason": "PRINCIPAL_ADMINISTRATOR",
        "iban": "FR7630006000011234567890189",
        "mandateReference": added["mandateReference"],
    }
    assert (await ask(payer))["reason"] == "DELEGATION"
    assert (await ask(payer))["iban"] == "FR7630006000011234567890189"
    refused = {
        (consulting, "PAYER_TVA"): "RIGHT_NOT_DELEGATED",
        (stranger, "PAYER_TVA"): "NO_ROLE_ON_COMPANY",
        (client, "DECLARER_TVA"): "RIGHT_NOT_SUPPORTED",
        (client, "PAYER_IS"): "SERVICE_NOT_HELD",
        (client, "NOPE"): "UNKNOWN_SERVICE",
    }
    for (caller, service), reason in refused.items():
        assert await ask(caller, service) == {
            "allowed": False,
            "reason": reason,
            "iban": None,
            "mandateReference": None,
        }
    assert (await ask(client, account="garbage"))["reason"] == "BANK_ACCOUNT_NOT_FOUND"
    await client.data(REMOVE_BANK_ACCOUNT, input={"bankAccountId": added["id"]})
    assert (await ask(client))["reason"] == "BANK_ACCOUNT_NOT_FOUND"
    assert (await ask(client, identifier="12"))["reason"] == "INVALID_COMPANY_IDENTIFIER"
    for caller in (payer, consulting, stranger):
        await caller.__aexit__()
