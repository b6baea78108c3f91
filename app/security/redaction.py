"""Keep client-supplied values out of error messages, in responses and in logs alike.

graphql-core quotes the offending value when a variable does not fit its type ("String cannot
represent a non string value: <the value>"); that value may be a password or a code.
"""

from __future__ import annotations

import re

_QUOTED_VALUE = re.compile(r"(cannot represent [^:]*?value): .*$", re.DOTALL)
_UNKNOWN_ENUM_VALUE = re.compile(
    r"\bValue .+? does not exist in (['\"][^'\"]+['\"] enum)", re.DOTALL
)
_FOUND_LITERAL = re.compile(r"(Expected value of type [^,]+), found .*$", re.DOTALL)
_FOUND_VALUE = re.compile(r"; found: .*$", re.DOTALL)


def without_values(message: str) -> str:
    message = _QUOTED_VALUE.sub(r"\1.", message)
    message = _UNKNOWN_ENUM_VALUE.sub(r"The value does not exist in \1", message)
    message = _FOUND_VALUE.sub(".", message)
    return _FOUND_LITERAL.sub(r"\1, found another value.", message)
