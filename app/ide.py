"""GraphiQL served from the gateway itself: pinned assets under /graphiql/, no third-party script.

The page carries a Content-Security-Policy that allows scripts from the gateway's own origin
only; the example documents of `examples/web/documents/` open as its first tabs (in a JSON data
block, which the policy does not treat as script). Also the example web app at `/app/`, served in
development only.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from app.demo import DEMO_PASSWORD, FIRM_EMAIL, OTHER_FIRM

ASSETS = Path(__file__).parent / "static" / "graphiql"
# Present in a checkout of the repository; an installed wheel has no examples.
EXAMPLES = Path(__file__).parent.parent / "examples" / "web"
DOCUMENTS = EXAMPLES / "documents"
# Variables that work on the demo data (`make demo`); the grant needs a company id from the
# dashboard.
TABS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("LogIn", {"input": {"email": FIRM_EMAIL, "password": DEMO_PASSWORD}}),
    ("Dashboard", {"first": 20}),
    (
        "GrantDelegation",
        {
            "input": {
                "companyId": "paste a company id from Dashboard",
                "delegateEmail": OTHER_FIRM.email,
                "services": [{"serviceCode": "DECLARER_TVA", "rights": ["CONSULT"]}],
            }
        },
    ),
    ("SyncDelegations", {"after": None}),
)
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
)
PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL · {title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/graphiql/graphiql.min.css">
<style>body {{ margin: 0; }} #graphiql {{ height: 100vh; }}</style>
</head>
<body>
<div id="graphiql" data-endpoint="{endpoint}">Loading GraphiQL…</div>
<script type="application/json" id="graphiql-tabs">{tabs}</script>
<script src="/graphiql/react.production.min.js"></script>
<script src="/graphiql/react-dom.production.min.js"></script>
<script src="/graphiql/graphiql.min.js"></script>
<script src="/graphiql/init.js"></script>
</body>
</html>
"""


def example_tabs() -> list[dict[str, str]]:
    """The first tabs: log in, the dashboard, a grant, the change feed (when the examples exist)."""
    tabs = []
    for name, variables in TABS:
        document = DOCUMENTS / f"{name}.graphql"
        if document.is_file():
            query = document.read_text(encoding="utf-8")
            tabs.append({"query": query, "variables": json.dumps(variables, indent=2)})
    return tabs


def graphiql_page(endpoint: str, title: str, *, with_examples: bool) -> HTMLResponse:
    # "</" cannot end the data block early once escaped; the rest of JSON is inert in HTML.
    tabs = json.dumps(example_tabs() if with_examples else []).replace("</", "<\\/")
    html = PAGE.format(endpoint=escape(endpoint), title=escape(title), tabs=tabs)
    return HTMLResponse(html, headers={"content-security-policy": CONTENT_SECURITY_POLICY})


class PolicedFiles(StaticFiles):
    """Static files under the same Content-Security-Policy as the GraphiQL page."""

    def file_response(self, *args: Any, **kwargs: Any) -> Response:  # noqa: ANN401
        response = super().file_response(*args, **kwargs)
        response.headers["content-security-policy"] = CONTENT_SECURITY_POLICY
        return response


def routes(*, graphiql: bool, development: bool) -> list[BaseRoute]:
    mounted: list[BaseRoute] = []
    if graphiql:
        mounted.append(Mount("/graphiql", PolicedFiles(directory=ASSETS), name="graphiql"))
    if development and EXAMPLES.is_dir():
        mounted.append(Mount("/app", PolicedFiles(directory=EXAMPLES, html=True), name="web_app"))
    return mounted
