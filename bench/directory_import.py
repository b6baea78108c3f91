"""`companies import` of generated SIRENE stock files: legal-unit rows per second and peak RSS.

Generates a pair of files (StockUniteLegale with every real column; StockEtablissement with a
head office and a secondary establishment per unit) of 100,000 and of 1,000,000 legal units,
imports each into a fresh database with `python -m app companies import` in its own process, and
prints the rate and the process's peak RSS beside the targets: >= 50,000 legal-unit rows/s for
the legal-units file (the pair, with the establishments' addresses, is printed beside it for
reference), and peak RSS flat between the two sizes (at most 10 % apart).

    make bench-import                 # SQLite, then PostgreSQL at 127.0.0.1:5432
    BENCH_IMPORT_SIZES=100000 make bench-import
"""

from __future__ import annotations

import asyncio
import csv
import os
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
from stdnum import luhn

ROOT = Path(__file__).parents[1]
WORK = ROOT / "var" / "bench-import"
SIZES = tuple(int(size) for size in os.environ.get("BENCH_IMPORT_SIZES", "100000,1000000").split(","))
POSTGRES = "postgresql://postgres@127.0.0.1:5432"
TARGET_ROWS_PER_SECOND = 50_000
RSS_TOLERANCE = 0.10
SAMPLE = ROOT / "app" / "reference" / "sirene"


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as handle:
        return next(csv.reader(handle))


def generate(size: int) -> tuple[Path, Path]:
    units, establishments = WORK / f"units-{size}.csv", WORK / f"establishments-{size}.csv"
    if units.exists() and establishments.exists():
        return units, establishments
    WORK.mkdir(parents=True, exist_ok=True)
    unit_columns = header(SAMPLE / "StockUniteLegale_sample.csv")
    place_columns = header(SAMPLE / "StockEtablissement_sample.csv")
    with units.open("w", newline="", encoding="utf-8") as unit_file, establishments.open(
        "w", newline="", encoding="utf-8"
    ) as place_file:
        unit_writer, place_writer = csv.writer(unit_file), csv.writer(place_file)
        unit_writer.writerow(unit_columns)
        place_writer.writerow(place_columns)
        for index in range(size):
            base = f"{10_000_000 + index:08d}"
            siren = base + luhn.calc_check_digit(base)
            unit = dict.fromkeys(unit_columns, "")
            unit.update(
                siren=siren,
                statutDiffusionUniteLegale="O",
                dateCreationUniteLegale="2015-03-01",
                etatAdministratifUniteLegale="A",
                denominationUniteLegale=f"SOCIETE GENEREE {index}",
                categorieJuridiqueUniteLegale="5710",
                nicSiegeUniteLegale="00015",
            )
            unit_writer.writerow(unit.values())
            for nic, head in (("00015", "true"), ("00023", "false")):
                place = dict.fromkeys(place_columns, "")
                place.update(
                    siren=siren,
                    nic=nic,
                    siret=siren + nic,
                    etablissementSiege=head,
                    numeroVoieEtablissement=str(1 + index % 200),
                    typeVoieEtablissement="RUE",
                    libelleVoieEtablissement="DE LA REPUBLIQUE",
                    codePostalEtablissement=f"{75001 + index % 20}",
                    libelleCommuneEtablissement="PARIS",
                )
                place_writer.writerow(place.values())
    return units, establishments


async def fresh_postgres(name: str) -> str:
    connection = await asyncpg.connect(f"{POSTGRES}/postgres")
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


def run(env: dict[str, str], *args: str) -> tuple[float, int, str]:
    """Wall time, peak RSS (KiB) and output of one command in its own process."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "app", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    output = process.stdout.read().decode() + process.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(output)
    return elapsed, usage.ru_maxrss, output


def fresh_url(database: str, name: str) -> str:
    if database == "sqlite":
        path = WORK / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite+aiosqlite:///{path}"
    return asyncio.run(fresh_postgres(f"bench_{name}"))


def measure(database: str, size: int) -> dict[str, tuple[float, int]]:
    """The legal-units file alone, then the pair (units and establishments), each into a fresh
    database: (seconds, peak RSS in KiB) of the import command."""
    units, establishments = generate(size)
    figures = {}
    for kind, files in (("units", [units]), ("pair", [units, establishments])):
        env = {**os.environ, "DATABASE_URL": fresh_url(database, f"import_{kind}_{size}")}
        run(env, "db", "upgrade")
        elapsed, rss, output = run(env, "companies", "import", *map(str, files))
        if f"companies written: {size}" not in output:
            raise RuntimeError(output)
        if kind == "pair" and f"addresses written: {size}" not in output:
            raise RuntimeError(output)
        figures[kind] = (elapsed, rss)
    return figures


def main() -> None:
    results = {
        database: {size: measure(database, size) for size in SIZES}
        for database in ("sqlite", "postgresql")
    }
    print("\n`companies import` of generated SIRENE files (the establishments file holds a head")
    print("office and a secondary establishment per unit); one process per import, fresh database")
    print(f"{'database':<11}{'legal units':>12}{'file(s)':>9}{'seconds':>9}{'units/s':>10}{'peak RSS MiB':>14}  target")
    verdicts = []
    for database, figures in results.items():
        for size, kinds in figures.items():
            for kind, (elapsed, rss) in kinds.items():
                rate = size / elapsed
                # The target is a rate at scale: at 100,000 rows, starting the process weighs.
                if kind == "units" and size == max(SIZES):
                    ok = rate >= TARGET_ROWS_PER_SECOND
                    verdicts.append(ok)
                    target = f">= {TARGET_ROWS_PER_SECOND:,}/s {'PASS' if ok else 'FAIL'}"
                else:
                    target = "(reference: both files, same rows)"
                print(f"{database:<11}{size:>12,}{kind:>9}{elapsed:>9.1f}{rate:>10,.0f}{rss / 1024:>14.0f}  {target}")
        if len(figures) == 2:
            small, large = (figures[size]["pair"][1] for size in SIZES)
            growth = large / small - 1
            ok = growth <= RSS_TOLERANCE
            verdicts.append(ok)
            print(
                f"{database:<11}peak RSS of the pair, {SIZES[1]:,} vs {SIZES[0]:,} units: {growth:+.1%}"
                f"  <= +{RSS_TOLERANCE:.0%} {'PASS' if ok else 'FAIL'}"
            )
    print("all PASS" if all(verdicts) else "some FAIL")


if __name__ == "__main__":
    main()
