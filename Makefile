# One command each: `make run` serves on 127.0.0.1:8000 (SQLite under var/), `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run demo browser test test-postgres lint schema bench bench-storm bench-import bench-soak bench-abuse bench-history audit-http codegen fuzz

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python -m app serve

# Demo data (an accounting firm with 150 client companies, principals, an alternate, delegations in
# every status, pending requests) in the configured database, then the server; prints the logins.
demo: install
	$(BIN)/python -m app demo
	$(BIN)/python -m app serve

# The browser tests (tests/e2e) drive Debian's chromium; installed here when missing.
browser:
	@command -v chromium > /dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null)

test: install browser
	$(BIN)/python -m pytest

# Same suite on PostgreSQL: each test gets its own database on this server, dropped afterwards.
TEST_POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
test-postgres: install browser
	TEST_DATABASE_URL=$(TEST_POSTGRES_URL) $(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check app tests bench

# Every performance figure: the dashboard (latency, throughput, SQL statements per request at 100
# and 1,000 companies), the log-in storm and the directory import, each with its target.
bench: install
	@command -v wrk > /dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk > /dev/null)
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/login_storm.py
	$(BIN)/python bench/directory_import.py
	$(BIN)/python bench/soak.py

# The dashboard's p99 while 20 clients log in, against idle (argon2 pool of 6 threads, then bounded).
bench-storm: install
	$(BIN)/python bench/login_storm.py

# `companies import` of generated 100,000- and 1,000,000-unit SIRENE pairs: rows/s and peak RSS.
bench-import: install
	$(BIN)/python bench/directory_import.py

# Five minutes of mixed reads and writes after a warm-up: errors and the server's RSS growth.
bench-soak: install
	$(BIN)/python bench/soak.py

# History figures: appends/s with and without the hash chain, CSV export of 10k and 100k events.
bench-history: install
	$(BIN)/python bench/history.py

# Abuse-resistance figures: zxcvbn's worst case, a 40,000-id request, a log-in beside three.
bench-abuse: install
	$(BIN)/python bench/abuse.py

# Schema-driven fuzzing of both endpoints with every kind of caller: 520 documents for each of
# 20 caller/operation pairs, 10,400 requests; prints the count (CI runs 40 per pair).
fuzz: install
	FUZZ_EXAMPLES=520 $(BIN)/python -m pytest tests/fuzz -q

# GraphQL over HTTP: every graphql-http audit (npm) against a served instance, both endpoints.
audit-http: install
	tools/graphql-http-audit/run

# TypeScript clients: @graphql-codegen/cli (npm) generates types from schema.graphql and the
# example documents, and tsc checks them.
codegen:
	tools/codegen/run

schema: install
	$(BIN)/python -m app export-schema > schema.graphql
	$(BIN)/python -m app export-schema --staff > staff.graphql
