"""Unit tests for rules: deadlines, codes, registration numbers, password policy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.clock import end_of_day_count
from app.domain.errors import WorkLimitError
from app.security import passwords, secrets


@pytest.mark.parametrize(
    ("start", "deadline"),
    [
        # Winter start, summer deadline: the end of 1 May in Paris is 22:00 UTC.
        (datetime(2026, 3, 2, 9, 0, tzinfo=UTC), datetime(2026, 5, 1, 22, 0, tzinfo=UTC)),
        # 23:30 UTC on 2 March is already 3 March in Paris: day 60 is 2 May.
        (datetime(2026, 3, 2, 23, 30, tzinfo=UTC), datetime(2026, 5, 2, 22, 0, tzinfo=UTC)),
        # Summer start, winter deadline: day 60 is 31 October, after the clocks go back.
        (datetime(2026, 9, 1, 12, 0, tzinfo=UTC), datetime(2026, 10, 31, 23, 0, tzinfo=UTC)),
    ],
)
def test_day_deadlines_end_at_midnight_in_paris(start, deadline):
    assert end_of_day_count(start, 60) == deadline


def test_codes_are_high_entropy_and_forgiving_to_type():
    codes = {secrets.new_code() for _ in range(200)}
    assert len(codes) == 200
    code = codes.pop()
    assert len(code) == 19
    assert secrets.normalize_code(code.lower().replace("-", " ")) == code
    assert secrets.normalize_code("o1il-0000-0000-0000") == "0111-0000-0000-0000"


def test_registration_numbers_carry_a_check_character():
    number = secrets.new_registration_number()
    assert secrets.is_valid_registration_number(number)
    body, check = number[:-1], number[-1]
    wrong = "0" if check != "0" else "1"
    assert not secrets.is_valid_registration_number(body + wrong)


PERSONAL = passwords.personal_tokens(
    "jean-pierre.martin@exemple-societe.fr", "Jean-Pierre", "Martin"
)


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("x" * 19, "PASSWORD_TOO_SHORT"),
        ("x" * 257, "PASSWORD_TOO_LONG"),
        ("password1234567890123", "PASSWORD_TOO_WEAK"),
        ("azertyuiopazertyuiop", "PASSWORD_TOO_WEAK"),
        ("Pierre mange des pommes vertes", "PASSWORD_CONTAINS_PERSONAL_DATA"),
        ("MÂRTÎN loves blue canoes a lot", "PASSWORD_CONTAINS_PERSONAL_DATA"),
        ("jean-pierre.martin rocks forever yes", "PASSWORD_CONTAINS_PERSONAL_DATA"),
        ("j'adore la DGFiP vraiment beaucoup", "PASSWORD_CONTAINS_PERSONAL_DATA"),
    ],
)
def test_refused_passwords(password, code):
    problem = passwords.check_password(password, PERSONAL)
    assert problem is not None
    assert problem.code == code


@pytest.mark.parametrize(
    "password",
    [
        "violet tambour glacier parapluie 1987",
        "Aujourd'hui 3 chats verts dansent sur le toit",
        "ночь улица фонарь аптека бессмысленный",
        "x" * 10 + " correct cheval agrafe batterie " + "é" * 200,
    ],
)
def test_accepted_passwords(password):
    assert passwords.check_password(password, PERSONAL) is None


async def test_hashing_uses_argon2id_and_rehashes_when_parameters_change():
    import argon2

    cheap = passwords.PasswordHasher(argon2.profiles.CHEAPEST)
    budget = passwords.PasswordWorkBudget()
    stored = await cheap.hash("violet tambour glacier parapluie 1987", budget)
    assert stored.startswith("$argon2id$")
    assert await cheap.verify(stored, "violet tambour glacier parapluie 1987", budget)
    assert not await cheap.verify(stored, "violet tambour glacier parapluie 1988", budget)
    assert not cheap.needs_rehash(stored)
    assert passwords.PasswordHasher(argon2.profiles.RFC_9106_LOW_MEMORY).needs_rehash(stored)


async def test_unknown_account_verification_fails_against_the_dummy_hash():
    import argon2

    hasher = passwords.PasswordHasher(argon2.profiles.CHEAPEST)
    budget = passwords.PasswordWorkBudget()
    assert not await hasher.verify(None, "not a password: only burns the same work", budget)
    assert hasher.verifications == 1


async def test_argon2_runs_as_many_computations_at_once_as_fill_the_cores():
    import argon2

    served = argon2.profiles.RFC_9106_LOW_MEMORY  # four lanes, each on a thread of its own
    assert served.parallelism == 4
    assert passwords.argon2_slots(served, cpus=2) == 1
    assert passwords.argon2_slots(served, cpus=16) == 4
    assert passwords.argon2_slots(argon2.profiles.CHEAPEST, cpus=2) == 2
    # One pool per process and size: a second hasher does not double the bound.
    first = passwords.PasswordHasher(argon2.profiles.CHEAPEST)
    second = passwords.PasswordHasher(argon2.profiles.CHEAPEST)
    assert first._pool is second._pool
    assert first._pool._max_workers == passwords.argon2_slots(argon2.profiles.CHEAPEST)


def test_served_default_is_rfc_9106():
    import argon2

    from app.settings import Settings

    assert Settings.from_env({}).argon2_parameters == argon2.profiles.RFC_9106_LOW_MEMORY


def test_the_served_process_freezes_its_startup_objects_and_collects_less_often():
    import gc

    from app.cli import settle_collector
    from app.settings import Settings

    assert Settings.from_env({}).gc_young_threshold == 20_000
    assert Settings.from_env({"GC_YOUNG_THRESHOLD": "0"}).gc_young_threshold == 0
    before = gc.get_threshold()
    try:
        settle_collector(0)
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() == 0
        settle_collector(20_000)
        assert gc.get_threshold() == (20_000, *before[1:])
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


LEET_PASSWORD = "4@8({[<3691!|1|70$5+7%2" * 4  # cost zxcvbn seconds when judged whole


def test_the_strength_window_keeps_zxcvbn_within_its_work_budget():
    from zxcvbn import matching

    window = passwords.strength_window(LEET_PASSWORD)
    tables = matching.enumerate_l33t_subs(
        matching.relevant_l33t_subtable(window, matching.L33T_TABLE)
    )
    assert len(tables) * len(window) ** 2 <= passwords.STRENGTH_WORK_BUDGET
    # Ordinary pass-phrases keep (nearly) their whole window.
    assert len(passwords.strength_window("violet tambour glacier parapluie horloge")) == 40


def test_a_request_runs_a_bounded_amount_of_password_work():
    budget = passwords.PasswordWorkBudget()
    for _ in range(passwords.MAX_PASSWORD_WORK_PER_REQUEST):
        budget.spend()
    with pytest.raises(WorkLimitError):
        budget.spend()


def test_the_estimate_shares_no_state_between_threads(monkeypatch):
    """zxcvbn keeps user inputs in a module-level dictionary: we never give it any."""
    seen = []
    real = passwords.zxcvbn.zxcvbn

    def spy(password, user_inputs=None, **kwargs):
        seen.append(user_inputs)
        return real(password, user_inputs, **kwargs)

    monkeypatch.setattr(passwords.zxcvbn, "zxcvbn", spy)
    passwords.check_password("violet tambour glacier parapluie 1987", PERSONAL)
    assert seen == [None]
    assert not hasattr(passwords, "_ZXCVBN_LOCK")
