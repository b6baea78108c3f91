"""Official mail cannot be turned against its recipients: hourly caps, no stranger's words."""

from __future__ import annotations

from datetime import timedelta

from app.notifications.outbox import UNSOLICITED_EMAILS_PER_HOUR
from tests.api.delegation_flows import GRANT, grant_input, other_account, principal_with_company
from tests.api.flows import LOG_IN, SIGN_UP_EXPERT, active_expert, expert_input
from tests.support import body, mail_to

EMAIL = "claire.martin@example.fr"
REQUEST_RESET = """
mutation($input: RequestPasswordResetInput!) { requestPasswordReset(input: $input) { userErrors { code } } }
"""


async def test_reset_emails_are_capped_per_recipient_and_hour(
    api, deliver, settings, make_api, clock
):
    await active_expert(api, deliver, settings.mail_dir)  # its activation code counts too
    for index in range(UNSOLICITED_EMAILS_PER_HOUR + 3):
        async with make_api(ip=f"198.51.100.{index + 1}") as client:
            data = await client.data(REQUEST_RESET, input={"email": EMAIL})
            assert data["requestPasswordReset"]["userErrors"] == []
    await deliver()
    assert len(mail_to(settings.mail_dir, EMAIL)) == UNSOLICITED_EMAILS_PER_HOUR

    clock.advance(timedelta(hours=1))
    await api.data(REQUEST_RESET, input={"email": EMAIL})
    await deliver()
    assert len(mail_to(settings.mail_dir, EMAIL)) == UNSOLICITED_EMAILS_PER_HOUR + 1


async def test_the_cap_sees_through_the_case_of_the_address(api, deliver, settings):
    await active_expert(api, deliver, settings.mail_dir)
    for spelling in ("CLAIRE.MARTIN@example.fr", "Claire.Martin@EXAMPLE.FR") * 5:
        await api.data(SIGN_UP_EXPERT, input=expert_input(spelling))
    await deliver()
    assert len(mail_to(settings.mail_dir, EMAIL)) == UNSOLICITED_EMAILS_PER_HOUR


async def test_the_lock_out_notice_carries_no_typed_name(api, deliver, settings):
    await active_expert(api, deliver, settings.mail_dir, firstName="<b>Bonjour</b> cliquez ici")
    for _ in range(5):
        await api.data(LOG_IN, input={"email": EMAIL, "password": "wrong password guess"})
    await deliver()
    notice = mail_to(settings.mail_dir, EMAIL)[-1]
    assert notice["Subject"] == "Log-in attempts blocked"
    assert "cliquez" not in body(notice)


async def test_names_in_delegation_emails_are_quoted_as_typed_by_their_holder(
    api, deliver, settings, make_api
):
    owner, company = await principal_with_company(api, deliver, settings, make_api)
    firm = await other_account(api, deliver, settings, make_api, "firm@example.fr")
    try:
        await owner.data(GRANT, input=grant_input(company["id"], "firm@example.fr"))
    finally:
        await owner.__aexit__()
        await firm.__aexit__()
    await deliver()
    notice = mail_to(settings.mail_dir, "owner@example.fr")[-1]
    assert "«Claire Martin» (as typed by its holder)" in body(notice)
