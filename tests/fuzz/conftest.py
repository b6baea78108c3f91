"""Prints how many fuzzed requests ran (`make fuzz` quotes it)."""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    from tests.fuzz.test_schema_fuzz import COUNTS

    if COUNTS:
        terminalreporter.write_line(
            f"fuzzed requests: {sum(COUNTS.values())} over {len(COUNTS)} caller/operation pairs"
        )
