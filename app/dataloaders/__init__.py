"""Per-request dataloaders: each batch is one `select ... where key in (...)`, in key order."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from strawberry.dataloader import DataLoader

from app.dataloaders.companies import load_companies_by_id, load_roles_by_account_and_company
from app.db import SessionFactory
from app.models import Company


@dataclass(frozen=True)
class Dataloaders:
    companies_by_id: DataLoader[int, Company | None]
    roles_by_account_and_company: DataLoader[tuple[int, int], str | None]

    @classmethod
    def build(cls, sessions: SessionFactory) -> Dataloaders:
        return cls(
            companies_by_id=DataLoader(partial(load_companies_by_id, sessions)),
            roles_by_account_and_company=DataLoader(
                partial(load_roles_by_account_and_company, sessions)
            ),
        )
