"""`python -m app demo`: a realistic data set for GraphiQL and the example web app.

Loaded into the configured database through the domain functions wherever a rule applies
(delegations, requests, the alternate), so the data carries its history, emails and letters as
real use would; only the directory rows, the accounts and the principals' roles are written
directly, the way an imported directory and finished sign-ups would have left them.
Running it again changes nothing: it prints the logins and stops.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

from sqlalchemy import insert, select
from stdnum import luhn

from app.clock import Clock, FrozenClock
from app.db import SessionFactory
from app.domain import alternates, companies, delegation_requests, delegations, services
from app.domain.accounts import Identity, new_account
from app.domain.delegations import ServiceGrant
from app.domain.directory import import_sirene
from app.domain.runtime import Caller, Runtime
from app.models import Account, Company, CompanyRole, CompanyService, Role
from app.models.accounts import AccountMode, AccountStatus
from app.models.services import Capacity
from app.reference.services import STANDARD_SERVICES
from app.security.passwords import PasswordWorkBudget

# Every demo account has this password: a pass-phrase, as the password rules advise.
DEMO_PASSWORD = "cheval agrafe batterie correcte 2026"
FIRM_EMAIL = "cabinet.aubert@demo.example"
# The firm's own company, in the sample directory: CABINET COMPTABLE AUBERT ET ASSOCIES.
FIRM_SIREN = "300123544"
CLIENT_COMPANIES = 150
# SIRENs 80000000x.. are neither in the sample directory nor in the bench's range.
DEMO_SIREN_PREFIX = 80000000
TRADES = (
    "BOULANGERIE", "GARAGE", "PHARMACIE", "LIBRAIRIE", "MENUISERIE", "FLEURISTE",
    "CAVE", "BOUCHERIE", "IMPRIMERIE", "CABINET DENTAIRE",
)  # fmt: skip
PLACES = (
    ("75011", "PARIS", "RUE OBERKAMPF"), ("69003", "LYON", "COURS GAMBETTA"),
    ("13006", "MARSEILLE", "RUE PARADIS"), ("33000", "BORDEAUX", "COURS DE L'INTENDANCE"),
    ("59000", "LILLE", "RUE NATIONALE"), ("31000", "TOULOUSE", "RUE D'ALSACE-LORRAINE"),
    ("44000", "NANTES", "RUE CREBILLON"), ("67000", "STRASBOURG", "GRAND RUE"),
)  # fmt: skip
SURNAMES = ("MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "LEROY")


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    what: str


FIRM = DemoAccount(
    FIRM_EMAIL, "Hélène", "Aubert", "accounting firm: its own company, delegate of 150 companies"
)
PRINCIPALS = (
    DemoAccount("claire.martin@demo.example", "Claire", "Martin", "principal of 60 companies"),
    DemoAccount("paul.bernard@demo.example", "Paul", "Bernard", "principal of 50 companies"),
    DemoAccount("sophie.leroy@demo.example", "Sophie", "Leroy", "principal of 40 companies"),
)
ALTERNATE = DemoAccount(
    "luc.petit@demo.example", "Luc", "Petit", "alternate administrator of 3 of Claire's companies"
)
OTHER_FIRM = DemoAccount(
    "cabinet.morel@demo.example",
    "Marc",
    "Morel",
    "second firm: expired and revoked delegations, pending delegation requests",
)
NEWCOMER = DemoAccount(
    "nadia.roux@demo.example", "Nadia", "Roux", "pending service request (letter posted)"
)
ACCOUNTS = (FIRM, *PRINCIPALS, ALTERNATE, OTHER_FIRM, NEWCOMER)
COMPANIES_PER_PRINCIPAL = (60, 50, 40)
SCHEDULED_DELEGATIONS = 10
ALL_RIGHTS = [
    ServiceGrant("DECLARER_TVA", ["CONSULT", "DECLARE"]),
    ServiceGrant("PAYER_TVA", ["PAY"]),
    ServiceGrant("MESSAGERIE", ["CONSULT"]),
]


def demo_sirens(count: int) -> list[str]:
    bases = [f"{DEMO_SIREN_PREFIX * 10 + index:08d}"[-8:] for index in range(count)]
    return [base + luhn.calc_check_digit(base) for base in bases]


def _company_name(index: int) -> str:
    return f"{TRADES[index % len(TRADES)]} {SURNAMES[index // 20 % len(SURNAMES)]} {index + 1}"


def logins() -> str:
    width = max(len(account.email) for account in ACCOUNTS)
    lines = [f"Demo accounts (password for each: {DEMO_PASSWORD}):"]
    lines += [f"  {account.email:<{width}}  {account.what}" for account in ACCOUNTS]
    return "\n".join(lines)


async def load_demo(runtime: Runtime) -> bool:
    """Loads the data set; False (and nothing written) when it is already there."""
    sessions = runtime.sessions
    async with sessions() as session:
        if await session.scalar(select(Account.id).where(Account.email_key == FIRM_EMAIL)):
            return False
    now = runtime.clock.now()
    sample = resources.files("app.reference") / "sirene"
    with resources.as_file(sample) as folder:
        await import_sirene(
            sessions,
            Path(folder) / "StockUniteLegale_sample.csv",
            Path(folder) / "StockEtablissement_sample.csv",
            now,
        )
    ids = await _accounts(runtime, now)
    client_ids = await _client_companies(sessions, now)
    await _principals(sessions, ids, client_ids, now)
    await _delegations(runtime, ids, client_ids)
    return True


async def _accounts(runtime: Runtime, now: datetime) -> dict[str, int]:
    password_hash = await runtime.passwords.hash(DEMO_PASSWORD, PasswordWorkBudget())
    async with runtime.sessions() as session, session.begin():
        joined = now - timedelta(days=400)
        rows = []
        for account in ACCOUNTS:
            identity = Identity(account.email, DEMO_PASSWORD, account.first_name, account.last_name)
            row = new_account(identity, password_hash, AccountMode.EXPERT, joined)
            row.status, row.activated_at = AccountStatus.ACTIVE, joined
            rows.append(row)
        session.add_all(rows)
    return {row.email: row.id for row in rows}


async def _client_companies(sessions: SessionFactory, now: datetime) -> list[int]:
    sirens = demo_sirens(CLIENT_COMPANIES)
    async with sessions() as session, session.begin():
        await session.execute(
            insert(Company),
            [
                {
                    "siren": siren,
                    "name": _company_name(index),
                    "street_number": str(1 + index % 97),
                    "street_name": PLACES[index % len(PLACES)][2],
                    "postal_code": PLACES[index % len(PLACES)][0],
                    "city": PLACES[index % len(PLACES)][1],
                    "updated_at": now,
                }
                for index, siren in enumerate(sirens)
            ],
        )
        rows = await session.execute(
            select(Company.siren, Company.id).where(Company.siren.in_(sirens))
        )
        found = dict(rows.all())
    return [found[siren] for siren in sirens]


async def _principals(
    sessions: SessionFactory, ids: dict[str, int], client_ids: list[int], now: datetime
) -> None:
    since = now - timedelta(days=365)
    async with sessions() as session:
        firm_company = await session.scalar(select(Company.id).where(Company.siren == FIRM_SIREN))
    held: list[tuple[int, int]] = [(ids[FIRM_EMAIL], firm_company)]
    start = 0
    for principal, count in zip(PRINCIPALS, COMPANIES_PER_PRINCIPAL, strict=True):
        held += [(ids[principal.email], company) for company in client_ids[start : start + count]]
        start += count
    async with sessions() as session, session.begin():
        await session.execute(
            insert(CompanyRole),
            [
                {"company_id": company, "account_id": account, "role": Role.PRINCIPAL_ADMINISTRATOR,
                 "since": since}
                for account, company in held
            ],
        )  # fmt: skip
        await session.execute(
            insert(CompanyService),
            [
                {"company_id": company, "service_code": service.code, "since": since}
                for _, company in held
                for service in STANDARD_SERVICES
            ],
        )


def _caller(account_id: int) -> Caller:
    return Caller(account_id=account_id, ip="127.0.0.1", user_agent="python -m app demo")


def _at(runtime: Runtime, clock: Clock) -> Runtime:
    return Runtime(runtime.sessions, clock, runtime.settings, runtime.passwords)


async def _delegations(runtime: Runtime, ids: dict[str, int], client_ids: list[int]) -> None:
    now = runtime.clock.now()
    owners: list[int] = []
    for principal, count in zip(PRINCIPALS, COMPANIES_PER_PRINCIPAL, strict=True):
        owners += [ids[principal.email]] * count
    claire = _caller(ids[PRINCIPALS[0].email])
    morel = _caller(ids[OTHER_FIRM.email])

    # Months ago, Claire gave a second firm two delegations: one ran out, one she revoked.
    past = _at(runtime, FrozenClock(now - timedelta(days=120)))
    await delegations.grant(
        past, claire, client_ids[0], OTHER_FIRM.email, ALL_RIGHTS[:1], None,
        now - timedelta(days=30),
    )  # fmt: skip
    revoked = await delegations.grant(
        past, claire, client_ids[1], OTHER_FIRM.email, ALL_RIGHTS[:1], None, None
    )
    later = _at(runtime, FrozenClock(now - timedelta(days=60)))
    await delegations.revoke(later, claire, revoked.id)

    # Every client company delegates to the firm; the last ones from next month only.
    for index, (owner, company) in enumerate(zip(owners, client_ids, strict=True)):
        scheduled = index >= CLIENT_COMPANIES - SCHEDULED_DELEGATIONS
        starts_at = now + timedelta(days=30) if scheduled else None
        await delegations.grant(
            runtime, _caller(owner), company, FIRM_EMAIL, ALL_RIGHTS, starts_at, None
        )

    for company in client_ids[:3]:
        await alternates.designate_alternate(runtime, claire, company, ALTERNATE.email)

    # The second firm asks three of Claire's companies for a delegation; she has not answered.
    async with runtime.sessions() as session:
        sirens = list(
            await session.scalars(select(Company.siren).where(Company.id.in_(client_ids[2:5])))
        )
    for siren in sirens:
        await delegation_requests.request(
            runtime, morel, siren, ALL_RIGHTS[:1], "Bonjour, pouvez-vous nous déléguer la TVA ?"
        )

    # A newcomer asked for the VAT services of a company of the directory: the code is posted.
    newcomer = _caller(ids[NEWCOMER.email])
    company, _ = await companies.add_company(runtime, newcomer, "300123403")
    await services.request_service_access(
        runtime,
        newcomer,
        [company.id],
        ["DECLARER_TVA", "PAYER_TVA"],
        Capacity.LEGAL_REPRESENTATIVE,
    )
