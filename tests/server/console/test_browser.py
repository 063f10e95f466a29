"""The web console in a real browser (headless chromium) against a real `dr-kube serve` whose
incidents come from real runs: sign-in and its refusal, the list, a filter, live updates, the
incident page, approving in copilot mode (audited, the PR gets the change), a read-only user, and
a CSRF refusal."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_httpserver import HTTPServer
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.support.browser import console_errors, screenshot
from tests.support.console import (
    VIEWER,
    VIEWER_PASSWORD,
    audit_of,
    console_serve,
    fire,
    settled,
)
from tests.support.repos import git
from tests.support.service import TOKEN, ServiceGitHub

pytestmark = pytest.mark.slow
BRANCH = "dr-kube/online-boutique/frontend/oom"


def sign_in(driver: Any, url: str, secret: str, user: str = "") -> None:
    driver.get(f"{url}/ui")
    assert "/ui/login" in driver.current_url, "an anonymous visitor is sent to sign in"
    if user:
        driver.find_element(By.ID, "user").send_keys(user)
    wait(driver, lambda d: d.find_element(By.ID, "secret")).send_keys(secret)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()


def wait(driver: Any, predicate: Any, timeout: float = 20) -> Any:
    waiting = WebDriverWait(
        driver, timeout, poll_frequency=0.2, ignored_exceptions=[StaleElementReferenceException]
    )
    return waiting.until(predicate)


def texts(driver: Any, css: str) -> list[str]:
    """The elements' texts, read in one script: the polling may replace the rows between two
    WebDriver calls."""
    found: list[str] = driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]))"
        ".map(function (e) { return e.textContent.trim(); })",
        css,
    )
    return found


UNLABELLED = """
return Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
  .filter(function (e) { return !(e.id && document.querySelector('label[for="' + e.id + '"]')); })
  .map(function (e) { return e.outerHTML; });
"""


def row_workloads(driver: Any) -> list[str]:
    return sorted(texts(driver, "#rows tbody tr td:nth-child(2) a"))


def test_the_console_in_a_browser(
    tmp_path: Path, gitops_with_origin: tuple[Path, Path], httpserver: HTTPServer, browser: Any
) -> None:
    clone, origin = gitops_with_origin
    fake = ServiceGitHub(httpserver).install()
    serve = console_serve(tmp_path, clone, fake.api)
    try:
        oom = fire(serve, "frontend")
        pull = fire(serve, "adservice")
        settled(serve, oom, "awaiting-approval")
        settled(serve, pull, "needs-human")

        # sign-in refused with a wrong token: the form again, an error, no session
        sign_in(browser, serve.url, "not-the-token")
        error = wait(browser, lambda d: d.find_element(By.ID, "login-error"))
        assert "Wrong token" in error.text and "/ui/login" in browser.current_url
        assert browser.get_cookie("drkube_session") is None
        screenshot(browser, "login-refused")

        # the API token signs in: the list, newest first, every column
        sign_in(browser, serve.url, TOKEN)
        wait(browser, lambda d: d.current_url.rstrip("/").endswith("/ui"))
        cookie = browser.get_cookie("drkube_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert row_workloads(browser) == ["adservice", "frontend"]
        header = texts(browser, "#rows thead th")
        assert header == ["Status", "Workload", "Namespace", "Category", "Age", "Alerts", "PR"]
        assert "Signed in as token (may act)" in browser.find_element(By.CLASS_NAME, "who").text
        assert browser.execute_script(UNLABELLED) == [], "every form control has its label"
        screenshot(browser, "incidents")

        # a filter applies as it changes (no reload) and the URL follows it
        browser.execute_script("window.stillHere = 'yes'")
        Select(browser.find_element(By.ID, "f-category")).select_by_visible_text("oom")
        wait(browser, lambda d: row_workloads(d) == ["frontend"])
        assert browser.current_url.endswith("/ui?category=oom")
        assert browser.execute_script("return window.stillHere") == "yes"
        Select(browser.find_element(By.ID, "f-category")).select_by_visible_text("any")
        wait(browser, lambda d: row_workloads(d) == ["adservice", "frontend"])

        # a new incident appears in the open list without a reload
        fresh = fire(serve, "cartservice")
        wait(browser, lambda d: "cartservice" in row_workloads(d), 30)
        assert browser.execute_script("return window.stillHere") == "yes"

        # the incident page: diagnosis, evidence, values and rendered diffs, blast radius, timeline
        browser.find_element(By.LINK_TEXT, "frontend").click()
        wait(browser, lambda d: d.find_element(By.ID, "root-cause"))
        assert browser.find_element(By.ID, "status").text == "awaiting-approval"
        assert "OOMKilled" in browser.find_element(By.CLASS_NAME, "evidence").text
        # the pod's log as the run collected it from the dump (read from the run's checkpoint)
        assert (
            "frontend-7d9c8b6f5b-x2x9k / server"
            in browser.find_element(By.ID, "ev-h").find_element(By.XPATH, "..").text
        )
        assert browser.find_element(By.ID, "log-0").text.strip()
        adds = browser.find_elements(By.CSS_SELECTOR, "#values-diff span.add")
        assert adds and any("memory" in a.text for a in adds)
        assert browser.find_elements(By.CSS_SELECTOR, "#rendered-diff span.add")
        assert "Nothing else changes" in browser.find_element(By.ID, "blast").text
        timeline = browser.find_element(By.ID, "timeline").text
        for kind in ("alert", "diagnosis", "attempt", "evidence"):
            assert kind in timeline, kind
        # the add lines are coloured: a green background, not the page's
        colour = adds[0].value_of_css_property("background-color")
        assert colour not in ("rgba(0, 0, 0, 0)", "transparent"), colour
        screenshot(browser, "incident", full=True)
        assert console_errors(browser) == [], "no script error, no CSP violation"

        # a forged CSRF token is refused and changes nothing
        browser.execute_script("document.querySelector('#approve').form.csrf.value = 'forged'")
        browser.find_element(By.ID, "approve").click()
        refusal = wait(browser, lambda d: d.find_element(By.ID, "refusal"))
        assert "CSRF" in refusal.text
        assert settled(serve, oom, "awaiting-approval")

        # approve, from the keyboard: the same record as Slack's button, then the PR has the change
        browser.get(f"{serve.url}/ui/incidents/{oom}")
        assert browser.execute_script(UNLABELLED) == [], "every form control has its label"
        approve = browser.find_element(By.ID, "approve")
        browser.execute_script("arguments[0].focus()", approve)
        assert approve.value_of_css_property("outline-style") != "none", "focus is visible"
        approve.send_keys(Keys.ENTER)
        said = wait(browser, lambda d: d.find_element(By.ID, "said"))
        assert "Approved" in said.text
        done = settled(serve, oom, "awaiting-review")
        assert done["pr_number"] == 1 and len(fake.calls("POST", r"/pulls$")) == 1
        assert "memory:" in git(origin, "show", f"{BRANCH}:values/online-boutique.yaml")
        [approval] = [a for a in audit_of(serve, oom) if a["message"].startswith("Open PR")]
        assert approval["message"] == "Open PR approved by token in the web console"
        assert approval["actor"] == "console:token" and approval["kind"] == "approval"
        assert approval["data"] == {"action": "open-pr", "signed_in_by": "token"}
        browser.refresh()
        wait(browser, lambda d: d.find_element(By.ID, "pr").text == "#1")
        assert (
            "approved by token in the web console" in browser.find_element(By.ID, "timeline").text
        )
        screenshot(browser, "incident-approved", full=True)
        screenshot(browser, "console", height=1250)  # the README's picture: docs/images/console.png

        # sign out; a read-only user sees no buttons and a forged action is refused and audited
        browser.find_element(By.CSS_SELECTOR, ".who button").click()
        wait(browser, lambda d: "/ui/login" in d.current_url)
        sign_in(browser, serve.url, VIEWER_PASSWORD, user=VIEWER)
        wait(browser, lambda d: d.find_elements(By.ID, "rows"))
        assert "(read-only)" in browser.find_element(By.CLASS_NAME, "who").text
        browser.get(f"{serve.url}/ui/incidents/{fresh}")
        wait(browser, lambda d: d.find_element(By.ID, "decide-h"))
        assert browser.find_element(By.ID, "read-only").is_displayed()
        assert not browser.find_elements(By.CSS_SELECTOR, "form[action$='/decide']")
        session = browser.get_cookie("drkube_session")["value"]
        page = httpx.get(
            f"{serve.url}/ui/incidents/{fresh}", cookies={"drkube_session": session}
        ).text
        csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
        assert csrf, "the sign-out form carries the session's CSRF token"
        before = settled(serve, fresh, "awaiting-approval", "needs-human", "awaiting-review")
        r = httpx.post(
            f"{serve.url}/ui/incidents/{fresh}/decide",
            data={"csrf": csrf.group(1), "action": "ignore", "text": "not mine"},
            cookies={"drkube_session": session},
            headers={"Origin": serve.url},
        )
        assert r.status_code == 403 and "read-only" in r.text
        assert settled(serve, fresh, before["status"])
        [refused] = [a for a in audit_of(serve, fresh) if a["message"].startswith("refused")]
        assert refused["message"] == (
            "refused ignore the incident from console user viewer: not an approver"
        )
        assert refused["actor"] == "console:viewer" and refused["data"]["refused"] is True
        assert console_errors(browser) == []
    finally:
        serve.stop()
