"""Browser journeys: the small demo served by a real HTTP server, driven by Chromium.

Skipped when /usr/bin/chromium is missing (`make browser-deps` installs it). Screenshots go to
test-artifacts/browser/ (not committed).
"""
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "demo password 2024"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                item.add_marker(pytest.mark.skip(reason="Chromium is not installed (make browser-deps)"))


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """Seed the small demo into a fresh SQLite file and serve it on a free loopback port."""
    from werkzeug.serving import make_server

    from trainhub import create_app

    database = tmp_path_factory.mktemp("browser") / "demo.sqlite"
    environment = os.environ | {"TRAINHUB_DATABASE_URL": f"sqlite:///{database}",
                                "TRAINHUB_SECRET_KEY": "browser-journeys"}
    environment.pop("TRAINHUB_REDIS_URL", None)
    seeded = subprocess.run([sys.executable, "-m", "flask", "--app", "trainhub", "seed-demo", "--scale", "small",
                             "--password", PASSWORD], env=environment, capture_output=True, text=True, timeout=300)
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "browser-journeys",
                      "REDIS_URL": None})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "app": app, "database": database}
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Journey:
    """One user's browser tab: sign in, go to pages, take numbered screenshots."""

    def __init__(self, browser, base_url: str, name: str):
        self.context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.base_url, self.name, self.shots = base_url, name, 0
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("response", self._response)

    def _console(self, message) -> None:
        # Failed loads are reported with their address by _response; the rest (a CSP violation,
        # a script error) are errors of the page.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def _response(self, response) -> None:
        if response.status >= 500 or (response.status == 404 and not response.url.endswith("/favicon.ico")
                                      and response.request.resource_type != "document"):
            self.errors.append(f"{response.status} {response.url}")

    def sign_in(self, username: str) -> None:
        self.goto("/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("form:has(input[name=password]) [type=submit]")
        self.page.wait_for_load_state()
        assert "/login" not in self.page.url, self.page.inner_text("body")[:500]

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        assert response is not None and response.status < 400, (path, response and response.status)
        return response

    def shot(self, label: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.shots += 1
        path = ARTIFACTS / f"{self.name}-{self.shots:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def flashes(self) -> str:
        return " ".join(self.page.locator(".alert").all_inner_texts())

    def close(self) -> None:
        self.context.close()
        # A CSP violation or a script error shows up in the console.
        assert not self.errors, self.errors


@pytest.fixture
def journey(browser, demo_server, request):
    opened = []

    def start(name: str) -> Journey:
        tab = Journey(browser, demo_server["url"], f"{request.node.name}-{name}")
        opened.append(tab)
        return tab

    yield start
    for tab in opened:
        tab.close()
