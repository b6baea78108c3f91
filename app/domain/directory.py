"""The company directory: import of the INSEE SIRENE stock files (legal units, establishments).

The real files hold tens of millions of rows: they are streamed and written in batches, so memory
stays bounded, and re-importing updates rows instead of duplicating them.

The hot loop is kept lean (`make bench-import`): columns are picked by position once from the
header, a row that is not a head office is skipped before anything is built from it, SIRENs are
checked once, with python-stdnum's Luhn checksum after a cheap length-and-digits test (the
establishments' are not checked again: an invalid one matches no company), and each batch
goes to the driver as plain tuples in one executemany (PostgreSQL: COPY into a temporary table,
then one upsert), with the timestamp converted once per import instead of once per row.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from stdnum import luhn

from app.db import SessionFactory, write_transaction
from app.models import Company

BATCH_SIZE = 5_000
UNIT_COLUMNS = ("siren", "name", "legal_form", "administrative_status", "updated_at")
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


def valid_siren(value: str) -> bool:
    return len(value) == 9 and value.isdigit() and luhn.checksum(value) == 0


def _rows(path: Path, names: Sequence[str]) -> Iterator[tuple[str, ...]]:
    """The named columns of each row, picked by position in one call; a column the file lacks
    (or a short row) reads as ''."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = [name.strip() for name in next(reader, [])]
        width = len(header)
        positions = {name: index for index, name in enumerate(header)}
        # Each row gets one "" appended, at position `width`, for the missing columns.
        pick = itemgetter(*(positions.get(name, width) for name in names))
        for row in reader:
            if len(row) != width:
                row = (row + [""] * width)[:width]  # noqa: PLW2901
            row.append("")
            yield pick(row)


def company_name(denomination: str, first_name: str, last_name: str) -> str:
    """Legal entities have a denomination; individuals a first name and a last name."""
    denomination = denomination.strip()
    if denomination:
        return denomination
    person = " ".join(part for part in (first_name.strip(), last_name.strip()) if part)
    return person or "[ND]"


UNIT_SOURCES = (
    "siren",
    "denominationUniteLegale",
    "prenom1UniteLegale",
    "nomUniteLegale",
    "categorieJuridiqueUniteLegale",
    "etatAdministratifUniteLegale",
)


def _legal_units(path: Path, report: ImportReport, now: object) -> Iterator[tuple[Any, ...]]:
    for siren, denomination, first_name, last_name, legal_form, status in _rows(path, UNIT_SOURCES):
        report.legal_units_read += 1
        number = siren.strip()
        if not valid_siren(number):
            report.rejected_invalid_siren += 1
            continue
        yield (
            number,
            company_name(denomination, first_name, last_name)[:255],
            legal_form.strip() or None,
            status.strip() or None,
            now,
        )


def _head_offices(path: Path, report: ImportReport) -> Iterator[tuple[str | None, ...]]:
    """Address columns then SIREN, of head offices only. Their SIRENs are not checked again:
    an invalid one matches no company of the directory, and counts as unknown."""
    for head_office, siren, *address in _rows(
        path, ("etablissementSiege", "siren", *ADDRESS_COLUMNS.values())
    ):
        if head_office != "true" and head_office.strip().lower() != "true":
            continue
        report.head_offices_read += 1
        yield (*[part.strip() or None for part in address], siren.strip())


def _batches(rows: Iterator[tuple[Any, ...]]) -> Iterator[list[tuple[Any, ...]]]:
    while batch := list(islice(rows, BATCH_SIZE)):
        yield batch


async def _pipelined(
    batches: Iterator[list[tuple[Any, ...]]],
) -> AsyncIterator[list[tuple[Any, ...]]]:
    """The batches, each read and parsed in a worker thread while the previous one is written:
    the CSV work and the database's work overlap. At most two batches are held at once."""
    upcoming = asyncio.ensure_future(asyncio.to_thread(next, batches, None))
    while (batch := await upcoming) is not None:
        upcoming = asyncio.ensure_future(asyncio.to_thread(next, batches, None))
        yield batch


def _stored_timestamp(session: AsyncSession, now: datetime) -> object:
    """`now` as the driver receives it for Company.updated_at, converted once."""
    dialect = session.bind.dialect
    processor = Company.__table__.c.updated_at.type.dialect_impl(dialect).bind_processor(dialect)
    return processor(now) if processor else now


async def import_sirene(
    sessions: SessionFactory, legal_units: Path, establishments: Path | None, now: datetime
) -> ImportReport:
    report = ImportReport()
    async with sessions() as session:
        stored_now = _stored_timestamp(session, now)
        postgres = session.bind.dialect.name == "postgresql"
    async for batch in _pipelined(_batches(_legal_units(legal_units, report, stored_now))):
        # A SIREN repeated within one batch would make one upsert hit the same row twice.
        unique = list({row[0]: row for row in batch}.values())
        async with write_transaction(sessions) as session:
            if postgres:
                await _copy_upsert_units(session, unique)
            else:
                await _execute_many(session, UPSERT_UNITS_SQLITE, unique)
        report.companies_written += len(unique)
    if establishments is not None:
        await _import_addresses(sessions, establishments, report, stored_now, postgres=postgres)
    return report


UPSERT_UNITS_SQLITE = (
    "INSERT INTO companies (siren, name, legal_form, administrative_status, updated_at) "
    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (siren) DO UPDATE SET name = excluded.name, "
    "legal_form = excluded.legal_form, administrative_status = excluded.administrative_status, "
    "updated_at = excluded.updated_at"
)


async def _execute_many(session: AsyncSession, sql: str, rows: list[tuple[Any, ...]]) -> None:
    connection = await session.connection()
    await connection.exec_driver_sql(sql, rows)


async def _copy(session: AsyncSession, table: str, columns: Sequence[str], rows: list) -> None:
    connection = await session.connection()
    # An import is repeatable: a crash may lose the last batches' commits, never corrupt them,
    # and running the import again restores them. So commits need not wait for the disk.
    await connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
    raw = await connection.get_raw_connection()
    await raw.driver_connection.copy_records_to_table(table, records=rows, columns=list(columns))


async def _copy_upsert_units(session: AsyncSession, rows: list[tuple[Any, ...]]) -> None:
    connection = await session.connection()
    await connection.exec_driver_sql(
        "CREATE TEMPORARY TABLE IF NOT EXISTS import_units (siren text, name text, "
        "legal_form text, administrative_status text, updated_at timestamptz) "
        "ON COMMIT DELETE ROWS"
    )
    await _copy(session, "import_units", UNIT_COLUMNS, rows)
    await connection.exec_driver_sql(
        "INSERT INTO companies (siren, name, legal_form, administrative_status, updated_at) "
        "SELECT siren, name, legal_form, administrative_status, updated_at FROM import_units "
        "ON CONFLICT (siren) DO UPDATE SET name = excluded.name, "
        "legal_form = excluded.legal_form, administrative_status = excluded.administrative_status, "
        "updated_at = excluded.updated_at"
    )


async def _import_addresses(
    sessions: SessionFactory,
    path: Path,
    report: ImportReport,
    stored_now: object,
    *,
    postgres: bool,
) -> None:
    columns = list(ADDRESS_COLUMNS)
    async for batch in _pipelined(_batches(_head_offices(path, report))):
        async with write_transaction(sessions) as session:
            if postgres:
                written = await _copy_update_addresses(session, columns, batch, stored_now)
            else:
                written = await _update_addresses_sqlite(session, columns, batch, stored_now)
        report.addresses_written += written
        report.head_offices_without_company += len(batch) - written


async def _update_addresses_sqlite(
    session: AsyncSession, columns: list[str], batch: list, stored_now: object
) -> int:
    connection = await session.connection()
    before = (await connection.exec_driver_sql("SELECT total_changes()")).scalar_one()
    assignments = ", ".join(f"{column} = ?" for column in columns)
    sql = f"UPDATE companies SET {assignments}, updated_at = ? WHERE siren = ?"  # noqa: S608
    await connection.exec_driver_sql(sql, [(*row[:-1], stored_now, row[-1]) for row in batch])
    # total_changes() counts the rows the UPDATEs changed: SIRENs absent from the directory
    # change none.
    return (await connection.exec_driver_sql("SELECT total_changes()")).scalar_one() - before


async def _copy_update_addresses(
    session: AsyncSession, columns: list[str], batch: list, stored_now: object
) -> int:
    connection = await session.connection()
    # siren with the column's own type, so that the join can use the companies' unique index.
    definitions = ", ".join([*(f"{column} text" for column in columns), "siren varchar(9)"])
    await connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE IF NOT EXISTS import_addresses ({definitions}) "
        "ON COMMIT DELETE ROWS"
    )
    await _copy(session, "import_addresses", [*columns, "siren"], batch)
    # A batch is a few thousand rows against a directory of millions: look each one up by the
    # index. Left to itself, the planner (with no statistics on the temporary table) may hash
    # the whole directory for every batch, which makes the import quadratic.
    await connection.exec_driver_sql("SET LOCAL enable_hashjoin = off")
    await connection.exec_driver_sql("SET LOCAL enable_mergejoin = off")
    assignments = ", ".join(f"{column} = source.{column}" for column in columns)
    result = await connection.exec_driver_sql(
        f"UPDATE companies SET {assignments}, updated_at = $1 "  # noqa: S608
        "FROM import_addresses AS source WHERE companies.siren = source.siren",
        (stored_now,),
    )
    return result.rowcount
