"""Per-request dataloaders: each batch is one `select ... where key in (...)`, in key order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TypeVar

from strawberry.dataloader import DataLoader
from strawberry.exceptions import WrongNumberOfResultsReturned

from app.clock import Clock
from app.dataloaders.bank_accounts import (
    load_bank_accounts_by_company,
    load_bank_accounts_by_id,
)
from app.dataloaders.companies import (
    AdministratorName,
    HeldService,
    load_companies_by_id,
    load_principals_by_company,
    load_roles_by_account_and_company,
    load_services_by_company,
)
from app.dataloaders.delegations import (
    load_accounts_by_id,
    load_alternates_by_company,
    load_delegation_requests_by_id,
    load_delegations_by_company,
    load_delegations_by_id,
    load_live_delegations_by_company_and_delegate,
    load_pending_delegation_requests_by_company,
)
from app.dataloaders.history import HistoryKey, load_company_histories
from app.dataloaders.messaging import (
    load_attachments_by_message,
    load_business_emails_by_company,
    load_messages_by_thread,
    load_threads_by_company,
    load_threads_by_id,
    load_unread_by_thread_and_account,
)
from app.dataloaders.services import (
    load_pending_requests_by_account_and_company,
    load_service_requests_by_id,
)
from app.db import Reader, SessionFactory
from app.domain.business_emails import BusinessEmailState
from app.domain.history import HistoryPage
from app.models import (
    Account,
    BankAccount,
    Company,
    CompanyRole,
    Delegation,
    DelegationRequest,
    Message,
    MessageAttachment,
    MessageThread,
    ServiceRequest,
)

K = TypeVar("K")
V = TypeVar("V")


async def preload(loader: DataLoader[K, V], keys: Sequence[K]) -> list[V]:
    """The keys' values, loaded in one batch and kept in the loader, as `load_many` would.

    For a page that loads a hundred keys at once: `load_many` gives each key a future, a batch
    entry, a done callback and a place in a gather, and each result is handed over through the
    event loop. Here the missing keys go to the batch function directly and its values fill the
    loader's cache, where the page's fields then find them. A failing batch raises here, as
    `load_many` would, and leaves nothing cached.
    """
    if not loader.cache:
        return await loader.load_many(keys)
    cache = loader.cache_map
    missing = list(dict.fromkeys(key for key in keys if cache.get(key) is None))
    if missing:
        values = list(await loader.load_fn(missing))
        if len(values) != len(missing):
            raise WrongNumberOfResultsReturned(expected=len(missing), received=len(values))
        loader.prime_many(
            {
                key: value
                for key, value in zip(missing, values, strict=True)
                if not isinstance(value, BaseException)
            }
        )
    found = []
    for key in keys:
        future = cache.get(key)
        found.append(await (future if future is not None else loader.load(key)))
    return found


@dataclass(frozen=True)
class Dataloaders:
    reader: Reader
    companies_by_id: DataLoader[int, Company | None]
    roles_by_account_and_company: DataLoader[tuple[int, int], str | None]
    services_by_company: DataLoader[int, list[HeldService]]
    principals_by_company: DataLoader[int, tuple[AdministratorName, datetime] | None]
    pending_requests_by_account_and_company: DataLoader[tuple[int, int], list[ServiceRequest]]
    service_requests_by_id: DataLoader[int, ServiceRequest | None]
    accounts_by_id: DataLoader[int, Account | None]
    alternates_by_company: DataLoader[int, CompanyRole | None]
    delegations_by_company: DataLoader[int, list[Delegation]]
    delegations_by_id: DataLoader[int, Delegation | None]
    pending_delegation_requests_by_company: DataLoader[int, list[DelegationRequest]]
    delegation_requests_by_id: DataLoader[int, DelegationRequest | None]
    live_delegations_by_company_and_delegate: DataLoader[tuple[int, int], Delegation | None]
    bank_accounts_by_company: DataLoader[int, list[BankAccount]]
    bank_accounts_by_id: DataLoader[int, BankAccount | None]
    business_emails_by_company: DataLoader[int, BusinessEmailState]
    threads_by_company: DataLoader[int, list[MessageThread]]
    threads_by_id: DataLoader[int, MessageThread | None]
    messages_by_thread: DataLoader[int, list[Message]]
    attachments_by_message: DataLoader[int, list[MessageAttachment]]
    unread_by_thread_and_account: DataLoader[tuple[int, int], int]
    company_histories: DataLoader[HistoryKey, HistoryPage]

    @classmethod
    def build(cls, sessions: SessionFactory, clock: Clock) -> Dataloaders:
        reader = Reader(sessions)

        def loader(function):  # noqa: ANN001, ANN202  (any load_* function of this package)
            return DataLoader(partial(function, reader))

        return cls(
            reader=reader,
            companies_by_id=loader(load_companies_by_id),
            roles_by_account_and_company=loader(load_roles_by_account_and_company),
            services_by_company=loader(load_services_by_company),
            principals_by_company=loader(load_principals_by_company),
            pending_requests_by_account_and_company=loader(
                load_pending_requests_by_account_and_company
            ),
            service_requests_by_id=loader(load_service_requests_by_id),
            accounts_by_id=loader(load_accounts_by_id),
            alternates_by_company=loader(load_alternates_by_company),
            delegations_by_company=loader(load_delegations_by_company),
            delegations_by_id=loader(load_delegations_by_id),
            pending_delegation_requests_by_company=loader(
                load_pending_delegation_requests_by_company
            ),
            delegation_requests_by_id=loader(load_delegation_requests_by_id),
            live_delegations_by_company_and_delegate=loader(
                load_live_delegations_by_company_and_delegate
            ),
            bank_accounts_by_company=loader(load_bank_accounts_by_company),
            bank_accounts_by_id=loader(load_bank_accounts_by_id),
            business_emails_by_company=DataLoader(
                partial(load_business_emails_by_company, reader, clock)
            ),
            threads_by_company=loader(load_threads_by_company),
            threads_by_id=loader(load_threads_by_id),
            messages_by_thread=loader(load_messages_by_thread),
            attachments_by_message=loader(load_attachments_by_message),
            unread_by_thread_and_account=loader(load_unread_by_thread_and_account),
            company_histories=loader(load_company_histories),
        )
