"""scheduleMaintenance, cancelMaintenance (staff), serviceStatus, and the windows enforced."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.api.delegation_flows import ask, principal_with_company
from tests.api.flows import LOG_IN, VIEWER, active_expert
from tests.api.test_staff import ME, _log_in, _member
from tests.support import STRONG_PASSWORD, error_codes

SCHEDULE = """
mutation Schedule($input: ScheduleMaintenanceInput!) {
  scheduleMaintenance(input: $input) {
    notice { id startsAt endsAt message serviceCodes }
    userErrors { code field }
  }
}
"""
CANCEL = """
mutation Cancel($input: CancelMaintenanceInput!) {
  cancelMaintenance(input: $input) { notice { id } userErrors { code field } }
}
"""
STATUS = "{ serviceStatus { available notices { startsAt endsAt message serviceCodes } } }"
RESET = 'mutation { requestPasswordReset(input: {email: "a@example.fr"}) { userErrors { code } } }'
REASON = "Mise à jour des serveurs du centre de Lyon"


@pytest.fixture
async def national(app, staff_api, clock):
    totp = await _member(app, email="national@dgfip.finances.gouv.fr", national=True)
    token = (await _log_in(staff_api, totp, clock, email="national@dgfip.finances.gouv.fr"))[
        "token"
    ]
    async with staff_api(token=token) as client:
        yield client


def _window(clock, start_in=timedelta(hours=1), length=timedelta(hours=2), **overrides):
    values = {
        "startsAt": (clock.now() + start_in).isoformat(),
        "endsAt": (clock.now() + start_in + length).isoformat(),
        "message": "Maintenance programmée : le service revient à 6 h.",
        "serviceCodes": [],
        "reason": REASON,
    }
    values.update(overrides)
    return values


async def test_a_whole_site_window_closes_mutations_but_log_in_and_queries(
    app, api, deliver, settings, national, staff_api, clock
):
    await active_expert(api, deliver, settings.mail_dir)
    scheduled = (await national.data(SCHEDULE, input=_window(clock)))["scheduleMaintenance"]
    assert scheduled["userErrors"] == []
    status = (await api.data(STATUS))["serviceStatus"]
    assert status["available"] is True
    assert [notice["message"] for notice in status["notices"]] == [
        "Maintenance programmée : le service revient à 6 h."
    ]
    assert (await api.call(RESET)).errors is None

    clock.advance(timedelta(hours=1))

    assert (await api.data(STATUS))["serviceStatus"]["available"] is False
    refused = await api.call(RESET)
    [error] = refused.errors
    assert error["extensions"]["code"] == "UNDER_MAINTENANCE"
    assert error["extensions"]["notice"] == "Maintenance programmée : le service revient à 6 h."
    assert error["extensions"]["endsAt"] == scheduled["notice"]["endsAt"]
    logged_in = await api.data(
        LOG_IN, input={"email": "claire.martin@example.fr", "password": STRONG_PASSWORD}
    )
    assert logged_in["logIn"]["userErrors"] == []
    assert (await api.data(VIEWER))["viewer"]["email"] == "claire.martin@example.fr"
    # The staff endpoint stays open: a mutation (staffLogIn) and a query.
    totp = await _member(app)
    token = (await _log_in(staff_api, totp, clock))["token"]
    async with staff_api(token=token) as agent:
        assert (await agent.data(ME))["me"] is not None

    clock.advance(timedelta(hours=2))
    assert (await api.data(STATUS))["serviceStatus"]["available"] is True
    assert (await api.call(RESET)).errors is None


async def test_a_window_on_some_services_refuses_them_in_authorize(
    api, deliver, settings, make_api, national, clock
):
    owner, _ = await principal_with_company(api, deliver, settings, make_api)
    try:
        await national.data(
            SCHEDULE, input=_window(clock, start_in=timedelta(0), serviceCodes=["DECLARER_TVA"])
        )
        assert await ask(owner) == (False, "UNDER_MAINTENANCE")
        assert await ask(owner, right="PAY", service="PAYER_TVA") == (
            True,
            "PRINCIPAL_ADMINISTRATOR",
        )
        assert (await api.data(STATUS))["serviceStatus"]["available"] is True
        assert (await api.call(RESET)).errors is None
    finally:
        await owner.__aexit__()


async def test_cancelling_reopens_at_once(api, national, clock):
    notice = (await national.data(SCHEDULE, input=_window(clock, start_in=timedelta(0))))[
        "scheduleMaintenance"
    ]["notice"]
    assert (await api.call(RESET)).errors[0]["extensions"]["code"] == "UNDER_MAINTENANCE"

    cancelled = await national.data(CANCEL, input={"noticeId": notice["id"], "reason": REASON})

    assert cancelled["cancelMaintenance"]["userErrors"] == []
    assert (await api.call(RESET)).errors is None
    again = await national.data(CANCEL, input={"noticeId": notice["id"], "reason": REASON})
    assert error_codes(again["cancelMaintenance"]) == ["MAINTENANCE_NOT_FOUND"]


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"reason": "short"}, "REASON_REQUIRED", ["reason"]),
        ({"message": " "}, "INVALID_MESSAGE", ["message"]),
        ({"serviceCodes": ["NOPE"]}, "UNKNOWN_SERVICE", ["serviceCodes", "0"]),
        ({"length": timedelta(0)}, "END_BEFORE_START", ["endsAt"]),
    ],
)
async def test_schedule_errors(api, national, clock, overrides, code, field):
    length = overrides.pop("length", timedelta(hours=2))
    data = await national.data(SCHEDULE, input=_window(clock, length=length, **overrides))
    payload = data["scheduleMaintenance"]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]
    assert (await api.data(STATUS))["serviceStatus"]["notices"] == []


async def test_only_national_staff_schedule(app, staff_api, clock):
    totp = await _member(app)
    token = (await _log_in(staff_api, totp, clock))["token"]
    async with staff_api(token=token) as local:
        response = await local.call(SCHEDULE, input=_window(clock))
    assert response.errors[0]["extensions"]["code"] == "FORBIDDEN"
