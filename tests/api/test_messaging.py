"""Secure messaging with the tax office: who writes, who reads, attachments, staff replies."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app.models import Message, MessageAttachment, MessageThread, OutboxMessage
from tests.api.company_flows import (
    BUSINESS_ADDRESS,
    People,
    confirmed_business_email,
    events,
)
from tests.api.delegation_flows import ALTERNATE_MUTATIONS, principal_with_company
from tests.api.flows import SAMPLE_SIREN, become_principal, logged_in_expert
from tests.api.test_nodes import NODE
from tests.api.test_staff import _log_in, _member
from tests.dataloaders.counting import count_statements
from tests.support import mail_to

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64
THREAD_FIELDS = """id reference subject category status office canReply unreadCount
  messages(first: 10) { totalCount edges { node { body author { kind displayName }
    attachments { fileName mediaType size downloadUrl } } } }"""
SEND = f"""
mutation Send($input: SendMessageInput!) {{
  sendMessage(input: $input) {{ thread {{ {THREAD_FIELDS} }} userErrors {{ code field message }} }}
}}
"""
REPLY = f"""
mutation Reply($input: ReplyToThreadInput!) {{
  replyToThread(input: $input) {{ thread {{ {THREAD_FIELDS} }} userErrors {{ code field message }} }}
}}
"""
MARK_READ = """
mutation Read($input: MarkThreadReadInput!) {
  markThreadRead(input: $input) { thread { unreadCount } userErrors { code } }
}
"""
THREADS = f"""
query Threads($identifier: String!, $status: MessageThreadStatus) {{
  company(identifier: $identifier) {{
    messageThreads(first: 20, status: $status) {{
      totalCount unreadCount edges {{ node {{ {THREAD_FIELDS} }} }}
    }}
  }}
}}
"""
STAFF_THREADS = """
query { messageThreads(first: 20) { totalCount edges { node {
  id reference subject status awaitingReply company { siren name }
  messages { totalCount edges { node { body author { kind displayName }
    attachments { fileName downloadUrl } } } }
} } } }
"""
STAFF_REPLY = """
mutation Reply($input: ReplyToThreadInput!) {
  replyToThread(input: $input) { thread { status awaitingReply } userErrors { code field } }
}
"""
CLOSE = """
mutation Close($input: CloseThreadInput!) {
  closeThread(input: $input) { thread { status closedAt } userErrors { code field } }
}
"""


def _send_input(company_id, **overrides):
    values = {
        "companyId": company_id,
        "subject": "Échéancier de paiement",
        "body": "Bonjour,\nPouvons-nous étaler le paiement de la TVA de novembre ?\nMerci.",
        "category": "PAYMENT",
    }
    values.update(overrides)
    return values


@pytest.fixture
async def http(app):
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 5000)), base_url="http://t"
    ) as client:
        yield client


async def _upload(http, token, document, variables, files, *, path="/graphql", preflight=True):
    """A request of the GraphQL multipart request spec, files at input.attachments."""
    mapping = {str(i): [f"variables.input.attachments.{i}"] for i in range(len(files))}
    variables["input"]["attachments"] = [None] * len(files)
    headers = {"authorization": f"Bearer {token}"}
    if preflight:
        headers["graphql-preflight"] = "1"
    return await http.post(
        path,
        data={
            "operations": json.dumps({"query": document, "variables": variables}),
            "map": json.dumps(mapping),
        },
        files={str(i): item for i, item in enumerate(files)},
        headers=headers,
    )


def _token_of(client):
    return client.token


@pytest.fixture
async def owner(api, deliver, settings, make_api):
    client, company = await principal_with_company(api, deliver, settings, make_api)
    await confirmed_business_email(client, api, deliver, settings.mail_dir, company["id"])
    yield client, company
    await client.__aexit__()


@pytest.fixture
async def agent(app, staff_api, clock):
    totp = await _member(app)
    token = (await _log_in(staff_api, totp, clock))["token"]
    async with staff_api(token=token) as client:
        yield client


async def _count(app, model):
    async with app.state.runtime.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_messaging_needs_the_service_and_a_confirmed_business_email(
    app, api, deliver, settings, make_api
):
    client, company = await principal_with_company(api, deliver, settings, make_api)
    data = await client.data(SEND, input=_send_input(company["id"]))
    [error] = data["sendMessage"]["userErrors"]
    assert (error["code"], error["field"]) == ("MESSAGING_NOT_AVAILABLE", ["companyId"])
    assert "business email" in error["message"]
    assert "MESSAGERIE" not in error["message"]
    await client.__aexit__()

    async with await logged_in_expert(
        api, deliver, settings.mail_dir, make_api, email="other@example.fr"
    ) as other:
        other_company = await become_principal(
            other, deliver, settings.letters_dir, "300123478", ["DECLARER_TVA"]
        )
        data = await other.data(SEND, input=_send_input(other_company["id"]))
    [error] = data["sendMessage"]["userErrors"]
    assert error["code"] == "MESSAGING_NOT_AVAILABLE"
    assert "MESSAGERIE" in error["message"]
    assert "business email" in error["message"]
    assert await _count(app, MessageThread) == 0


async def test_a_message_opens_a_thread_and_is_acknowledged_to_the_business_email(
    app, owner, deliver, settings
):
    client, company = owner
    data = await client.data(SEND, input=_send_input(company["id"]))
    payload = data["sendMessage"]
    assert payload["userErrors"] == []
    thread = payload["thread"]
    assert thread["reference"].startswith("M20")
    assert (thread["status"], thread["office"], thread["category"]) == ("OPEN", "75", "PAYMENT")
    assert thread["canReply"] is True
    assert thread["unreadCount"] == 0
    [message] = thread["messages"]["edges"]
    assert message["node"]["author"] == {"kind": "PROFESSIONAL", "displayName": "Claire Martin"}
    await deliver()
    [ack] = [m for m in mail_to(settings.mail_dir, BUSINESS_ADDRESS) if "receipt" in m["Subject"]]
    assert ack["Subject"] == f"Acknowledgement of receipt {thread['reference']}"
    assert thread["reference"] in ack.get_content()
    assert "étaler" not in ack.get_content()  # the text stays in the messaging
    listed = (await client.data(THREADS, identifier=SAMPLE_SIREN))["company"]["messageThreads"]
    assert listed["totalCount"] == 1
    assert listed["edges"][0]["node"]["id"] == thread["id"]
    assert len(await events(app, "MESSAGE_THREAD_OPENED")) == 1


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"subject": " "}, "INVALID_SUBJECT", ["subject"]),
        ({"subject": "x" * 201}, "INVALID_SUBJECT", ["subject"]),
        ({"body": ""}, "INVALID_MESSAGE_BODY", ["body"]),
        ({"body": "x" * 20_001}, "INVALID_MESSAGE_BODY", ["body"]),
        ({"body": "bonjour\x1b[2J"}, "INVALID_MESSAGE_BODY", ["body"]),
    ],
)
async def test_bad_messages_are_refused(app, owner, overrides, code, field):
    client, company = owner
    data = await client.data(SEND, input=_send_input(company["id"], **overrides))
    assert [(e["code"], e["field"]) for e in data["sendMessage"]["userErrors"]] == [(code, field)]
    assert await _count(app, MessageThread) == 0


async def test_the_office_replies_the_company_reads_and_the_office_closes(
    app, owner, agent, deliver, settings
):
    client, company = owner
    thread = (await client.data(SEND, input=_send_input(company["id"])))["sendMessage"]["thread"]
    await deliver()

    queue = (await agent.data(STAFF_THREADS))["messageThreads"]
    assert queue["totalCount"] == 1
    [node] = [edge["node"] for edge in queue["edges"]]
    assert (node["reference"], node["awaitingReply"]) == (thread["reference"], True)
    assert node["company"] == {"siren": SAMPLE_SIREN, "name": "BOULANGERIE DES TROIS EPIS"}
    replied = await agent.data(
        STAFF_REPLY, input={"threadId": node["id"], "body": "Bonjour, c'est possible."}
    )
    assert replied["replyToThread"] == {
        "thread": {"status": "OPEN", "awaitingReply": False},
        "userErrors": [],
    }
    await deliver()
    for address in ("owner@example.fr", BUSINESS_ADDRESS):
        [notice] = [m for m in mail_to(settings.mail_dir, address) if "replied" in m["Subject"]]
        assert thread["reference"] in notice["Subject"]
        assert "c'est possible" not in notice.get_content()

    listed = (await client.data(THREADS, identifier=SAMPLE_SIREN))["company"]["messageThreads"]
    assert listed["unreadCount"] == 1
    seen = listed["edges"][0]["node"]
    assert seen["unreadCount"] == 1
    assert seen["messages"]["edges"][1]["node"]["author"] == {
        "kind": "TAX_OFFICE",
        "displayName": "Tax office (75)",
    }
    read = await client.data(MARK_READ, input={"threadId": thread["id"]})
    assert read["markThreadRead"] == {"thread": {"unreadCount": 0}, "userErrors": []}

    answer = await client.data(REPLY, input={"threadId": thread["id"], "body": "Merci !"})
    assert answer["replyToThread"]["userErrors"] == []
    assert answer["replyToThread"]["thread"]["messages"]["totalCount"] == 3

    closed = await agent.data(CLOSE, input={"threadId": thread["id"]})
    assert closed["closeThread"]["thread"]["status"] == "CLOSED"
    again = await agent.data(CLOSE, input={"threadId": thread["id"]})
    assert again["closeThread"]["userErrors"] == [{"code": "THREAD_CLOSED", "field": ["threadId"]}]
    late = await client.data(REPLY, input={"threadId": thread["id"], "body": "Encore une chose"})
    assert [e["code"] for e in late["replyToThread"]["userErrors"]] == ["THREAD_CLOSED"]
    staff_late = await agent.data(STAFF_REPLY, input={"threadId": thread["id"], "body": "Oui ?"})
    assert staff_late["replyToThread"]["userErrors"] == [
        {"code": "THREAD_CLOSED", "field": ["threadId"]}
    ]
    assert (await agent.data(STAFF_THREADS))["messageThreads"]["totalCount"] == 0
    assert len(await events(app, "MESSAGE_THREAD_CLOSED")) == 1


async def test_staff_of_another_office_neither_see_nor_answer(app, owner, staff_api, clock):
    client, company = owner
    thread = (await client.data(SEND, input=_send_input(company["id"])))["sendMessage"]["thread"]
    totp = await _member(app, email="lyon@dgfip.finances.gouv.fr", office="69")
    token = (await _log_in(staff_api, totp, clock, email="lyon@dgfip.finances.gouv.fr"))["token"]
    async with staff_api(token=token) as lyon:
        assert (await lyon.data(STAFF_THREADS))["messageThreads"]["totalCount"] == 0
        for document, variables in (
            (STAFF_REPLY, {"threadId": thread["id"], "body": "Bonjour"}),
            (CLOSE, {"threadId": thread["id"]}),
        ):
            response = await lyon.call(document, input=variables)
            assert response.errors[0]["extensions"]["code"] == "FORBIDDEN"
    assert await _count(app, Message) == 1


async def test_who_writes_and_who_reads(app, api, owner, deliver, settings, make_api):
    client, company = owner
    people = People(client, api, deliver, settings, make_api, company["id"])
    thread = (await client.data(SEND, input=_send_input(company["id"])))["sendMessage"]["thread"]
    alternate = await people.alternate("alternate@example.fr")
    writer = await people.delegate("writer@example.fr", {"MESSAGERIE": ["CONSULT", "DECLARE"]})
    reader = await people.delegate("reader@example.fr", {"MESSAGERIE": ["CONSULT"]})
    outsider = await people.delegate(
        "outsider@example.fr", {"DECLARER_TVA": ["CONSULT", "DECLARE"]}
    )
    stranger = await people.account("stranger@example.fr")

    for caller in (alternate, writer):
        sent = await caller.data(SEND, input=_send_input(company["id"]))
        assert sent["sendMessage"]["userErrors"] == []
        replied = await caller.data(REPLY, input={"threadId": thread["id"], "body": "Complément"})
        assert replied["replyToThread"]["userErrors"] == []
    for caller in (reader, outsider, stranger):
        for document, variables in (
            (SEND, _send_input(company["id"])),
            (REPLY, {"threadId": thread["id"], "body": "Complément"}),
        ):
            response = await caller.call(document, input=variables)
            assert response.errors[0]["extensions"]["code"] == "FORBIDDEN"

    listed = (await reader.data(THREADS, identifier=SAMPLE_SIREN))["company"]["messageThreads"]
    assert listed["totalCount"] == 3
    assert {edge["node"]["canReply"] for edge in listed["edges"]} == {False}
    assert (await reader.data(NODE, id=thread["id"]))["node"]["id"] == thread["id"]
    read = await reader.data(MARK_READ, input={"threadId": thread["id"]})
    assert read["markThreadRead"]["userErrors"] == []
    hidden = (await outsider.data(THREADS, identifier=SAMPLE_SIREN))["company"]["messageThreads"]
    assert hidden == {"totalCount": 0, "unreadCount": 0, "edges": []}
    for caller in (outsider, stranger):
        assert (await caller.data(NODE, id=thread["id"]))["node"] is None

    await client.data(ALTERNATE_MUTATIONS["suspend"], input={"companyId": company["id"]})
    suspended = (await alternate.data(THREADS, identifier=SAMPLE_SIREN))["company"]
    assert suspended["messageThreads"]["totalCount"] == 0
    for caller in (alternate, writer, reader, outsider, stranger):
        await caller.__aexit__()


async def test_attachments_go_through_multipart_and_only_readers_download_them(
    app, api, http, owner, agent, deliver, settings, make_api, staff_api, clock
):
    client, company = owner
    people = People(client, api, deliver, settings, make_api, company["id"])
    response = await _upload(
        http,
        _token_of(client),
        SEND,
        {"input": _send_input(company["id"])},
        [("bilan.pdf", PDF, "application/pdf"), ("../../scan.png", PNG, "image/png")],
    )
    assert response.status_code == 200, response.text
    payload = response.json()["data"]["sendMessage"]
    assert payload["userErrors"] == []
    attachments = payload["thread"]["messages"]["edges"][0]["node"]["attachments"]
    assert [(a["fileName"], a["mediaType"], a["size"]) for a in attachments] == [
        ("bilan.pdf", "application/pdf", len(PDF)),
        ("scan.png", "image/png", len(PNG)),
    ]
    url = attachments[0]["downloadUrl"]

    owner_get = await http.get(url, headers={"authorization": f"Bearer {_token_of(client)}"})
    assert owner_get.status_code == 200
    assert owner_get.content == PDF
    assert owner_get.headers["content-type"] == "application/pdf"
    assert owner_get.headers["content-disposition"].startswith("attachment;")
    assert (await http.get(url)).status_code == 401
    stranger = await people.account("stranger@example.fr")
    denied = await http.get(url, headers={"authorization": f"Bearer {_token_of(stranger)}"})
    await stranger.__aexit__()
    assert denied.status_code == 404
    assert (
        await http.get(
            "/attachments/999999", headers={"authorization": f"Bearer {_token_of(client)}"}
        )
    ).status_code == 404

    staff_token = f"Bearer {agent.token}"
    staff_get = await http.get("/staff" + url, headers={"authorization": staff_token})
    assert staff_get.content == PDF
    assert (
        await http.get("/staff" + url, headers={"authorization": f"Bearer {_token_of(client)}"})
    ).status_code == 401
    totp = await _member(app, email="lyon@dgfip.finances.gouv.fr", office="69")
    lyon = (await _log_in(staff_api, totp, clock, email="lyon@dgfip.finances.gouv.fr"))["token"]
    assert (
        await http.get("/staff" + url, headers={"authorization": f"Bearer {lyon}"})
    ).status_code == 404

    # The same content sent again is stored once.
    again = await _upload(
        http,
        _token_of(client),
        SEND,
        {"input": _send_input(company["id"])},
        [("copie.pdf", PDF, "application/pdf")],
    )
    assert again.json()["data"]["sendMessage"]["userErrors"] == []
    blobs = [p for p in Path(settings.attachments_dir).rglob("*") if p.is_file()]
    assert len(blobs) == 2
    assert await _count(app, MessageAttachment) == 3


async def test_staff_replies_carry_attachments_too(app, http, owner, agent):
    client, company = owner
    thread = (await client.data(SEND, input=_send_input(company["id"])))["sendMessage"]["thread"]
    response = await _upload(
        http,
        agent.token,
        STAFF_REPLY,
        {"input": {"threadId": thread["id"], "body": "Voici l'avis."}},
        [("avis.pdf", PDF, "application/pdf")],
        path="/staff/graphql",
    )
    assert response.json()["data"]["replyToThread"]["userErrors"] == []
    listed = (await client.data(THREADS, identifier=SAMPLE_SIREN))["company"]["messageThreads"]
    [reply] = listed["edges"][0]["node"]["messages"]["edges"][1:]
    [attachment] = reply["node"]["attachments"]
    assert attachment["downloadUrl"].startswith("/attachments/")
    download = await http.get(
        attachment["downloadUrl"], headers={"authorization": f"Bearer {_token_of(client)}"}
    )
    assert download.content == PDF


@pytest.mark.parametrize(
    ("files", "code", "field"),
    [
        (
            [("gros.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024 - 4), "application/pdf")],
            "ATTACHMENT_TOO_LARGE",
            ["attachments", "0"],
        ),
        (
            [("bilan.pdf", PDF, "application/pdf"), ("rapport.pdf", EXECUTABLE, "application/pdf")],
            "ATTACHMENT_TYPE_NOT_ALLOWED",
            ["attachments", "1"],
        ),
        (
            [("vide.pdf", b"", "application/pdf")],
            "ATTACHMENT_TYPE_NOT_ALLOWED",
            ["attachments", "0"],
        ),
        (
            [(f"{i}.pdf", PDF, "application/pdf") for i in range(6)],
            "TOO_MANY_ATTACHMENTS",
            ["attachments"],
        ),
    ],
    ids=["10MiB+1", "renamed-executable", "empty", "six-files"],
)
async def test_refused_attachments_leave_nothing_behind(
    app, http, owner, settings, deliver, files, code, field
):
    client, company = owner
    await deliver()
    outbox = await _count(app, OutboxMessage)
    response = await _upload(
        http, _token_of(client), SEND, {"input": _send_input(company["id"])}, files
    )
    payload = response.json()["data"]["sendMessage"]
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [(code, field)]
    assert await _count(app, MessageThread) == 0
    assert await _count(app, OutboxMessage) == outbox
    leftovers = [p for p in Path(settings.attachments_dir).rglob("*") if p.is_file()]
    assert leftovers == []


async def test_exactly_10_mib_is_accepted(http, owner):
    client, company = owner
    content = b"%PDF-" + b"0" * (10 * 1024 * 1024 - 5)
    response = await _upload(
        http,
        _token_of(client),
        SEND,
        {"input": _send_input(company["id"])},
        [("limite.pdf", content, "application/pdf")],
    )
    assert response.json()["data"]["sendMessage"]["userErrors"] == []


async def test_multipart_needs_the_preflight_header_and_json_cannot_carry_files(http, owner):
    client, company = owner
    response = await _upload(
        http,
        _token_of(client),
        SEND,
        {"input": _send_input(company["id"])},
        [("bilan.pdf", PDF, "application/pdf")],
        preflight=False,
    )
    assert response.status_code == 400
    assert "GraphQL-Preflight" in response.text
    as_json = await client.call(SEND, input=_send_input(company["id"], attachments=["bilan.pdf"]))
    assert as_json.errors
    assert "multipart" in as_json.errors[0]["message"]


async def test_thread_lists_cost_the_same_statements_however_many_threads(app, owner, agent):
    client, company = owner
    counts = []
    for size in (2, 8):
        while (await client.data(THREADS, identifier=SAMPLE_SIREN))["company"]["messageThreads"][
            "totalCount"
        ] < size:
            sent = await client.data(SEND, input=_send_input(company["id"]))
            thread_id = sent["sendMessage"]["thread"]["id"]
            await agent.data(STAFF_REPLY, input={"threadId": thread_id, "body": "Réponse"})
        with count_statements(app.state.engine) as statements:
            data = await client.data(THREADS, identifier=SAMPLE_SIREN)
        assert data["company"]["messageThreads"]["totalCount"] == size
        counts.append(len(statements))
        with count_statements(app.state.engine) as statements:
            staff_data = await agent.data(STAFF_THREADS)
        assert staff_data["messageThreads"]["totalCount"] == size
        counts.append(len(statements))
    assert (counts[0], counts[1]) == (counts[2], counts[3]), counts
