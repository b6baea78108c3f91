"""Tax offices: a company belongs to the office of its registered office's département."""

from __future__ import annotations

import re

# Corsica: postal codes 200xx and 201xx are Corse-du-Sud (2A), 202xx to 206xx Haute-Corse (2B).
CORSE_DU_SUD_LAST_PREFIX = "201"
OVERSEAS = ("971", "972", "973", "974", "975", "976", "977", "978")
_METROPOLITAN = re.compile(r"^(0[1-9]|[1-8][0-9]|9[0-5])$")


def is_office(code: str) -> bool:
    """A département code staff can be attached to: 01-95, 2A, 2B or an overseas one."""
    return code in {"2A", "2B", *OVERSEAS} or (code != "20" and bool(_METROPOLITAN.match(code)))


def office_of(postal_code: str | None) -> str | None:
    """The département of a French postal code, or None for a missing or foreign one."""
    code = (postal_code or "").strip()
    if len(code) != 5 or not code.isdigit():  # French postal codes have five digits
        return None
    if code.startswith("20"):
        return "2A" if code[:3] <= CORSE_DU_SUD_LAST_PREFIX else "2B"
    if code[:3] in OVERSEAS:
        return code[:3]
    return code[:2]


def postal_code_prefixes(office: str) -> tuple[str, ...]:
    """The postal-code prefixes of an office, so that a query can filter on them."""
    if office == "2A":
        return ("200", "201")
    if office == "2B":
        return ("202", "203", "204", "205", "206")
    return (office,)
