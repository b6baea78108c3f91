"""Password policy (length and zxcvbn strength) and argon2id hashing off the event loop."""

from __future__ import annotations

import asyncio
import functools
import math
import os
import re
import unicodedata
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import argon2
import zxcvbn
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import matching

from app.domain.errors import WorkLimitError

MIN_LENGTH = 20
MAX_LENGTH = 256
# Score 4 (at least 10^10 guesses): score 3 still lets "password1234567890123" through.
MIN_SCORE = 4
# zxcvbn's matching grows quadratically; the first 72 characters tell its strength well enough.
STRENGTH_WINDOW = 72
# zxcvbn runs its dictionary matching once per leet-speak substitution table the password could
# use ("4" or "@" for "a", ...), so its cost is (substitution tables) x (length)^2: a 72-character
# string of leet characters costs seconds. The window shrinks until that product fits this budget
# (about a tenth of a second here), so that no password costs more.
STRENGTH_WORK_BUDGET = 200_000
# Expensive password work (strength estimates, argon2 hashes and verifications) one request may
# cause: enough for a password change (verify, estimate, hash), not for a batch of aliases.
MAX_PASSWORD_WORK_PER_REQUEST = 4
PERSONAL_TOKEN_MIN_LENGTH = 3
SERVICE_WORDS = ("impot", "dgfip", "espace professionnel", "espacepro")

PASS_PHRASE_ADVICE = (
    "Choose a pass-phrase of several unrelated words that only you would put together, "
    "for example four or five words with spaces, and avoid song lines, quotes and your own name."
)


class PasswordWorkBudget:
    """How much expensive password work the current request may still cause."""

    def __init__(self, units: int = MAX_PASSWORD_WORK_PER_REQUEST) -> None:
        self.remaining = units

    def spend(self) -> None:
        if self.remaining <= 0:
            raise WorkLimitError(
                "This request asks for more password checks than one request may run; "
                "send one operation per request."
            )
        self.remaining -= 1


@dataclass(frozen=True)
class PasswordProblem:
    code: str
    message: str


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def personal_tokens(email: str, first_name: str, last_name: str) -> list[str]:
    # The domain is left out: refusing "free" or "orange" would punish whole mail providers.
    local = email.partition("@")[0]
    words = [local, first_name, last_name]
    # "jean-pierre.martin" is also "jean", "pierre" and "martin".
    words += re.split(r"\W+", f"{local} {first_name} {last_name}")
    return sorted({_fold(w) for w in words if len(w) >= PERSONAL_TOKEN_MIN_LENGTH})


def cheap_password_problem(password: str, personal: list[str]) -> PasswordProblem | None:
    """The checks that cost nothing: length and the user's own words."""
    if len(password) < MIN_LENGTH:
        return PasswordProblem(
            "PASSWORD_TOO_SHORT",
            f"The password must have at least {MIN_LENGTH} characters. {PASS_PHRASE_ADVICE}",
        )
    if len(password) > MAX_LENGTH:
        return PasswordProblem(
            "PASSWORD_TOO_LONG", f"The password must have at most {MAX_LENGTH} characters."
        )
    folded = _fold(password)
    for word in [*personal, *SERVICE_WORDS]:
        if word and word in folded:
            return PasswordProblem(
                "PASSWORD_CONTAINS_PERSONAL_DATA",
                "The password must not be built on your email address, your name or the "
                f"service's name. {PASS_PHRASE_ADVICE}",
            )
    return None


def strength_window(password: str) -> str:
    """The prefix zxcvbn judges: at most 72 characters, fewer when leet-speak makes it costly."""
    window = password[:STRENGTH_WINDOW]
    tables = matching.enumerate_l33t_subs(
        matching.relevant_l33t_subtable(window, matching.L33T_TABLE)
    )
    affordable = math.isqrt(STRENGTH_WORK_BUDGET // max(1, len(tables)))
    return window[:affordable]


def strength_problem(password: str) -> PasswordProblem | None:
    """zxcvbn's estimate. No user inputs are passed: zxcvbn would keep them in a module-level
    dictionary shared by every thread, and `cheap_password_problem` already refuses them."""
    result = zxcvbn.zxcvbn(strength_window(password))
    if result["score"] < MIN_SCORE:
        feedback = result["feedback"]
        hints = " ".join(filter(None, [feedback.get("warning"), *feedback.get("suggestions", [])]))
        return PasswordProblem(
            "PASSWORD_TOO_WEAK",
            f"This password is too easy to guess. {hints} {PASS_PHRASE_ADVICE}".replace("  ", " "),
        )
    return None


def check_password(password: str, personal: list[str]) -> PasswordProblem | None:
    """Why this password is refused, or None. `personal` are the user's own words."""
    return cheap_password_problem(password, personal) or strength_problem(password)


def argon2_slots(parameters: argon2.Parameters, cpus: int | None = None) -> int:
    """How many argon2 computations a process runs at once; the others wait their turn.

    Each computation runs its `parallelism` lanes on threads of its own (4 in RFC 9106's
    profile), so cpus // parallelism of them already keep every core busy. More would not end
    sooner: they would only crowd the event loop off the CPU, so that reads answered by the same
    process wait behind log-ins, and each would hold its `memory_cost` (64 MiB) meanwhile. On
    this 2-core machine: one at a time.
    """
    return max(1, (cpus or os.cpu_count() or 1) // max(1, parameters.parallelism))


@functools.cache
def _argon2_pool(slots: int) -> ThreadPoolExecutor:
    # One pool per process and size, shared by every hasher: the bound is the process's.
    return ThreadPoolExecutor(max_workers=slots, thread_name_prefix="argon2")


class PasswordHasher:
    """argon2id; hashing and verifying run in a bounded pool of threads, never on the event
    loop, and queue there in arrival order (see `argon2_slots`)."""

    def __init__(self, parameters: argon2.Parameters) -> None:
        self._hasher = argon2.PasswordHasher.from_parameters(parameters)
        self._pool = _argon2_pool(argon2_slots(parameters))
        self._dummy_hash = self._hasher.hash("not a password: only burns the same work")
        self.verifications = 0  # counted so tests can prove unknown emails cost the same work

    async def hash(self, password: str, budget: PasswordWorkBudget) -> str:
        budget.spend()
        return await self._run(self._hasher.hash, password)

    async def verify(
        self, password_hash: str | None, password: str, budget: PasswordWorkBudget
    ) -> bool:
        """Check a password; with no hash (unknown email) check against a dummy one instead."""
        budget.spend()
        self.verifications += 1
        target = password_hash or self._dummy_hash
        try:
            ok = await self._run(self._hasher.verify, target, password)
        except (VerificationError, InvalidHashError):
            return False
        return ok and password_hash is not None

    async def _run(self, work: Callable[..., object], *args: str) -> object:
        return await asyncio.get_running_loop().run_in_executor(self._pool, work, *args)

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)


async def check_password_async(
    password: str, personal: list[str], budget: PasswordWorkBudget
) -> PasswordProblem | None:
    """Cheap checks at once; the strength estimate in a worker thread, within the budget."""
    problem = cheap_password_problem(password, personal)
    if problem:
        return problem
    budget.spend()
    return await asyncio.to_thread(strength_problem, password)
