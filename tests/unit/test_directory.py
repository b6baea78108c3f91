"""Import of the SIRENE stock files into the company directory."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from app.clock import FrozenClock
from app.db import create_engine, create_session_factory
from app.domain.directory import import_sirene
from app.migrate import upgrade
from app.models import Company
from tests.databases import ESTABLISHMENTS, LEGAL_UNITS


async def _empty_database(url):
    engine = create_engine(url)
    await upgrade(engine)
    return engine, create_session_factory(engine)


async def test_import_reads_the_real_columns_and_counts_rejects(empty_database_url):
    engine, sessions = await _empty_database(empty_database_url)
    report = await import_sirene(sessions, LEGAL_UNITS, ESTABLISHMENTS, FrozenClock().now())

    assert report.legal_units_read == 17
    assert report.rejected_invalid_siren == 1
    assert report.companies_written == 16
    assert report.head_offices_read == 16
    assert report.addresses_written == 16
    async with sessions() as session:
        individual = await session.scalar(select(Company).where(Company.siren == "300129996"))
        bakery = await session.scalar(select(Company).where(Company.siren == "300123403"))
    assert individual.name == "CLAIRE FONTAINE"
    assert individual.legal_form == "1000"
    # The secondary establishment's address (rue de l'Entrepôt) never replaces the head office.
    assert bakery.registered_office_lines() == ["12 RUE DES LILAS", "75019 PARIS"]
    await engine.dispose()


async def test_reimport_updates_instead_of_duplicating(empty_database_url, tmp_path):
    engine, sessions = await _empty_database(empty_database_url)
    await import_sirene(sessions, LEGAL_UNITS, ESTABLISHMENTS, FrozenClock().now())
    renamed = tmp_path / "renamed.csv"
    with (
        LEGAL_UNITS.open(encoding="utf-8") as source,
        renamed.open("w", encoding="utf-8", newline="") as target,
    ):
        reader = csv.DictReader(source)
        writer = csv.DictWriter(target, reader.fieldnames)
        writer.writeheader()
        for row in reader:
            if row["siren"] == "300123403":
                row["denominationUniteLegale"] = "BOULANGERIE RENOMMEE"
            writer.writerow(row)

    await import_sirene(sessions, renamed, None, FrozenClock().now())

    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Company)) == 16
        bakery = await session.scalar(select(Company).where(Company.siren == "300123403"))
    assert bakery.name == "BOULANGERIE RENOMMEE"
    assert bakery.postal_code == "75019"  # the address imported earlier stays
    await engine.dispose()


async def test_unknown_columns_are_ignored_and_batches_stream(
    empty_database_url, tmp_path, monkeypatch
):
    from app.domain import directory

    monkeypatch.setattr(directory, "BATCH_SIZE", 3)
    path = tmp_path / "units.csv"
    path.write_text(
        "extraColumn,siren,denominationUniteLegale\n"
        + "".join(f"x,{siren},COMPANY {index}\n" for index, siren in enumerate(_sirens(10)))
    )
    engine, sessions = await _empty_database(empty_database_url)

    report = await import_sirene(sessions, path, None, FrozenClock().now())

    assert report.companies_written == 10
    await engine.dispose()


def _sirens(count: int) -> list[str]:
    from stdnum import luhn

    bases = [f"{70000000 + index:08d}" for index in range(count)]
    return [base + luhn.calc_check_digit(base) for base in bases]


def test_command_line_upgrade_and_import(empty_database_url):
    env = {"DATABASE_URL": empty_database_url, "PATH": ""}
    subprocess.run(
        [sys.executable, "-m", "app", "db", "upgrade"],
        env=env,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    result = subprocess.run(
        [sys.executable, "-m", "app", "companies", "import", str(LEGAL_UNITS), str(ESTABLISHMENTS)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert "companies written: 16" in result.stdout
    assert "rows rejected (invalid SIREN): 1" in result.stdout
