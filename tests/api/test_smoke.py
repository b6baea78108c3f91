from tests.api.flows import VIEWER, active_expert, log_in
from tests.support import Api


async def test_expert_sign_up_activation_and_log_in(api, deliver, settings, make_api):
    account = await active_expert(api, deliver, settings.mail_dir)
    assert account["status"] == "ACTIVE"
    token = await log_in(api, account["email"])
    async with make_api(token=token) as client:
        data = await client.data(VIEWER)
    assert data["viewer"]["email"] == account["email"]
