"""A gateway served over HTTP on 127.0.0.1 with the demo data, and headless Chromium.

The browser is Debian's `chromium` package (`make test` installs it when missing), driven by
Playwright for Python; Playwright never downloads a browser of its own here.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Screenshots and other artefacts a CI run keeps.
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", "var/test-artifacts"))


@dataclass(frozen=True)
class Served:
    url: str
    log: Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[Served]:
    port = _free_port()
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": database_url,
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "MAIL_DIR": str(tmp_path / "mail"),
        "LETTERS_DIR": str(tmp_path / "letters"),
        "ATTACHMENTS_DIR": str(tmp_path / "attachments"),
        "OUTBOX_POLL_SECONDS": "0.2",
    }
    subprocess.run(
        [sys.executable, "-m", "app", "demo"], env=env, check=True, capture_output=True, timeout=120
    )
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "app", "serve", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the gateway did not start:\n" + log.read_text())
            time.sleep(0.1)
        yield Served(url, log)
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()
