"""The company directory: import of the INSEE SIRENE stock files (legal units, establishments).

The real files hold tens of millions of rows: they are streamed and written in batches, so memory
stays bounded, and re-importing updates rows instead of duplicating them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, select, update
from stdnum.fr import siren as siren_number

from app.db import SessionFactory, dialect_insert, write_transaction
from app.models import Company

BATCH_SIZE = 1_000
ADDRESS_COLUMNS = {
    "address_complement": "complementAdresseEtablissement",
    "street_number": "numeroVoieEtablissement",
    "street_repetition": "indiceRepetitionEtablissement",
    "street_type": "typeVoieEtablissement",
    "street_name": "libelleVoieEtablissement",
    "postal_code": "codePostalEtablissement",
    "city": "libelleCommuneEtablissement",
}


@dataclass
class ImportReport:
    legal_units_read: int = 0
    companies_written: int = 0
    rejected_invalid_siren: int = 0
    head_offices_read: int = 0
    addresses_written: int = 0
    head_offices_without_company: int = 0
    notes: list[str] = field(default_factory=list)


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        yield from csv.DictReader(handle)


def _batches(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH_SIZE)):
        yield batch


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def company_name(row: dict[str, str]) -> str:
    """Legal entities have a denomination; individuals a first name and a last name."""
    denomination = _clean(row.get("denominationUniteLegale"))
    if denomination:
        return denomination
    person = " ".join(
        part
        for part in (_clean(row.get("prenom1UniteLegale")), _clean(row.get("nomUniteLegale")))
        if part
    )
    return person or "[ND]"


def _legal_units(path: Path, report: ImportReport, now: datetime) -> Iterator[dict[str, Any]]:
    for row in _rows(path):
        report.legal_units_read += 1
        siren = (row.get("siren") or "").strip()
        if not siren_number.is_valid(siren):
            report.rejected_invalid_siren += 1
            continue
        yield {
            "siren": siren,
            "name": company_name(row)[:255],
            "legal_form": _clean(row.get("categorieJuridiqueUniteLegale")),
            "administrative_status": _clean(row.get("etatAdministratifUniteLegale")),
            "updated_at": now,
        }


def _head_offices(path: Path, report: ImportReport) -> Iterator[dict[str, Any]]:
    for row in _rows(path):
        if (row.get("etablissementSiege") or "").strip().lower() != "true":
            continue
        report.head_offices_read += 1
        siren = (row.get("siren") or "").strip()
        if not siren_number.is_valid(siren):
            report.rejected_invalid_siren += 1
            continue
        address = {column: _clean(row.get(source)) for column, source in ADDRESS_COLUMNS.items()}
        yield {"key_siren": siren, **address}


async def import_sirene(
    sessions: SessionFactory, legal_units: Path, establishments: Path | None, now: datetime
) -> ImportReport:
    report = ImportReport()
    for batch in _batches(_legal_units(legal_units, report, now)):
        # A SIREN repeated within one batch would make one upsert hit the same row twice.
        unique = list({row["siren"]: row for row in batch}.values())
        async with write_transaction(sessions) as session:
            statement = dialect_insert(session)(Company.__table__)
            statement = statement.on_conflict_do_update(
                index_elements=[Company.siren],
                set_={
                    name: statement.excluded[name]
                    for name in ("name", "legal_form", "administrative_status", "updated_at")
                },
            )
            await session.execute(statement, unique)
        report.companies_written += len(unique)
    if establishments is not None:
        await _import_addresses(sessions, establishments, report, now)
    return report


async def _import_addresses(
    sessions: SessionFactory, path: Path, report: ImportReport, now: datetime
) -> None:
    table = Company.__table__
    # Core, not ORM: an executemany UPDATE keyed on SIREN rather than on the primary key.
    statement = (
        update(table)
        .where(table.c.siren == bindparam("key_siren"))
        .values({column: bindparam(column) for column in ADDRESS_COLUMNS} | {"updated_at": now})
    )
    for batch in _batches(_head_offices(path, report)):
        async with write_transaction(sessions) as session:
            known = set(
                await session.scalars(
                    select(Company.siren).where(
                        Company.siren.in_([row["key_siren"] for row in batch])
                    )
                )
            )
            rows = [row for row in batch if row["key_siren"] in known]
            report.head_offices_without_company += len(batch) - len(rows)
            if rows:
                await session.execute(statement, rows)
            report.addresses_written += len(rows)
