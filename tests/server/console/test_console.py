"""The console over HTTP, in-process: sign-in and its refusals, the proxy header trusted only from
configured addresses, CSRF and Origin checks on every action, read-only users, redaction, the
list's filters and pages, and a 5,000-line log paged."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from dr_kube.config.console import ConsoleSettings
from dr_kube.config.operators import OperatorSettings
from dr_kube.errors import ConfigError
from dr_kube.server.app import build_app
from dr_kube.server.console.auth import COOKIE
from dr_kube.store import Store
from tests.support.history import add_incident
from tests.support.service import TOKEN
from tests.support.service_fixtures import context_args, settings_for

BASE = "http://console.test"
SECRET = "console-secret-for-tests-0123456789abcdef"
PROXY = "10.1.2.3"


@pytest.fixture
def console(tmp_path: Path, gitops_repo: Path) -> Iterator[Any]:
    """console(client_ip=..., **console settings) → (TestClient, store)."""
    made: list[TestClient] = []

    def make(client_ip: str = "127.0.0.1", **overrides: Any) -> tuple[TestClient, Store]:
        values: dict[str, Any] = {
            "secret": SecretStr(SECRET),
            "approvers": frozenset({"token", "alice"}),
            "trusted_proxies": frozenset({"10.1.0.0/16"}),
            "page_size": 3,
            **overrides,
        }
        settings = settings_for(
            tmp_path,
            console=ConsoleSettings(**values),
            operators=OperatorSettings(mode="copilot"),
        )
        app, _, store = build_app(settings, context_args(gitops_repo), start_workers=False)
        client = TestClient(app, base_url=BASE, client=(client_ip, 40000), follow_redirects=False)
        client.__enter__()
        made.append(client)
        return client, store

    yield make
    for client in made:
        client.__exit__(None, None, None)


def sign_in(client: TestClient, secret: str = TOKEN, user: str = "") -> Any:
    return client.post(
        "/ui/login",
        data={"user": user, "secret": secret, "next": "/ui"},
        headers={"Origin": BASE},
    )


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "the page carries a CSRF token"
    return found.group(1)


def decide(client: TestClient, incident: str, csrf: str | None, **headers: str) -> Any:
    data = {"action": "open", **({"csrf": csrf} if csrf is not None else {})}
    return client.post(f"/ui/incidents/{incident}/decide", data=data, headers=headers)


def awaiting(store: Store, id: str = "inc-1", **kw: Any) -> str:
    add_incident(store, id, status="awaiting-approval", days_ago=0.01, **kw)
    return id


def events(store: Store, incident: str) -> list[str]:
    row = store.get_incident(incident)
    assert row is not None
    return [e["message"] for e in row["events"]]


def test_anonymous_visitors_are_sent_to_sign_in(console: Any) -> None:
    client, _ = console()
    r = client.get("/ui/incidents/x?a=1")
    assert r.status_code == 303
    assert r.headers["location"] == "/ui/login?next=%2Fui%2Fincidents%2Fx%3Fa%3D1"
    assert client.get("/ui/rows").status_code == 401
    page = client.get("/ui/login")
    assert page.status_code == 200 and 'label for="secret"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/ui/static/console.js").status_code == 200


def test_sign_in_refusals_and_the_session_cookie(console: Any) -> None:
    client, _ = console()
    wrong = sign_in(client, "wrong-token")
    assert wrong.status_code == 401 and "Wrong token" in wrong.text
    assert COOKIE not in wrong.headers.get("set-cookie", "")
    assert sign_in(client, "wrong-password", user="am").status_code == 401
    assert sign_in(client, "am-password", user="nobody").status_code == 401
    foreign = client.post(
        "/ui/login", data={"secret": TOKEN}, headers={"Origin": "http://evil.test"}
    )
    assert foreign.status_code == 403 and "another origin" in foreign.text
    assert client.post("/ui/login", data={"secret": TOKEN}).status_code == 403  # no Origin

    ok = sign_in(client)
    assert ok.status_code == 303 and ok.headers["location"] == "/ui"
    cookie = ok.headers["set-cookie"]
    for part in ("HttpOnly", "SameSite=strict", "Path=/ui"):
        assert part.lower() in cookie.lower(), part
    assert TOKEN not in cookie and SECRET not in cookie
    assert "Signed in as <strong>token</strong>" in client.get("/ui").text

    # a cookie altered by its holder is not a session
    value = client.cookies.get(COOKIE)
    assert value
    client.cookies.clear()
    client.cookies.set(COOKIE, value[:-2] + ("00" if value[-2:] != "00" else "11"))
    assert client.get("/ui").status_code == 303
    client.cookies.clear()
    client.cookies.set(COOKIE, value)
    assert client.get("/ui").status_code == 200


def test_wrong_sign_ins_from_one_address_are_paused(console: Any) -> None:
    client, _ = console(client_ip="192.0.2.50")
    for _ in range(10):
        assert sign_in(client, "guess").status_code == 401
    paused = sign_in(client)
    assert paused.status_code == 429 and "Too many wrong sign-ins" in paused.text
    other = TestClient(client.app, base_url=BASE, client=("192.0.2.51", 1), follow_redirects=False)
    assert sign_in(other).status_code == 303, "another address is not held back"


def test_the_basic_user_signs_in_read_only(console: Any) -> None:
    client, store = console()
    incident = awaiting(store)
    assert sign_in(client, "am-password", user="am").status_code == 303
    page = client.get(f"/ui/incidents/{incident}").text
    assert "(read-only)" in page and 'id="read-only"' in page
    assert 'action="/ui/incidents/inc-1/decide"' not in page
    r = decide(client, incident, csrf_of(page), Origin=BASE)
    assert r.status_code == 403 and "read-only" in r.text
    assert store.get_incident(incident)["status"] == "awaiting-approval"  # type: ignore[index]
    assert events(store, incident) == ["refused open the PR from console user am: not an approver"]


def test_the_proxy_header_counts_only_from_the_proxy(console: Any) -> None:
    direct, store = console(client_ip="192.0.2.7")
    awaiting(store)
    forged = direct.get("/ui", headers={"X-Forwarded-User": "alice"})
    assert forged.status_code == 303, "the header from anyone else is ignored"

    proxied, _ = console(client_ip=PROXY)
    page = proxied.get("/ui/incidents/inc-1", headers={"X-Forwarded-User": "alice"})
    assert page.status_code == 200 and "Signed in as <strong>alice</strong>" in page.text
    r = decide(proxied, "inc-1", csrf_of(page.text), Origin=BASE, **{"X-Forwarded-User": "alice"})
    assert r.status_code == 303 and r.headers["location"].endswith("decided=queued-open")
    assert events(store, "inc-1") == ["Open PR approved by alice in the web console"]
    # another user through the proxy: not an approver, and alice's CSRF token is not theirs
    bob = {"X-Forwarded-User": "bob", "Origin": BASE}
    assert "read-only" in proxied.get("/ui", headers=bob).text
    assert decide(proxied, "inc-1", csrf_of(page.text), **bob).status_code == 403
    # without the header the proxy's requests are anonymous
    assert proxied.get("/ui").status_code == 303


def test_every_action_checks_csrf_and_origin(console: Any) -> None:
    client, store = console()
    incident = awaiting(store)
    sign_in(client)
    csrf = csrf_of(client.get(f"/ui/incidents/{incident}").text)
    assert decide(client, incident, None, Origin=BASE).status_code == 403
    assert decide(client, incident, "0" * 64, Origin=BASE).status_code == 403
    assert decide(client, incident, csrf, Origin="http://evil.test").status_code == 403
    assert decide(client, incident, csrf).status_code == 403  # neither Origin nor Referer
    assert events(store, incident) == [], "nothing was decided or recorded"
    # a token from another session is refused too
    other, _ = console()
    sign_in(other)
    assert decide(other, incident, csrf, Origin=BASE).status_code == 403
    assert (
        client.post("/ui/logout", data={"csrf": "bad"}, headers={"Origin": BASE}).status_code == 403
    )
    # the right token from this page, with a Referer of this host, is accepted
    ok = decide(client, incident, csrf, Referer=f"{BASE}/ui/incidents/{incident}")
    assert ok.status_code == 303
    assert events(store, incident) == ["Open PR approved by token in the web console"]
    again = decide(client, incident, csrf, Origin=BASE)
    assert again.status_code == 409 and "Nothing to approve" in again.text


def test_ask_for_a_change_and_ignore_follow_slacks_rules(console: Any) -> None:
    client, store = console()
    incident = awaiting(store, pr_url="https://github.com/acme/gitops/pull/7")
    sign_in(client)
    csrf = csrf_of(client.get(f"/ui/incidents/{incident}").text)
    post = {"headers": {"Origin": BASE}}
    empty = client.post(
        f"/ui/incidents/{incident}/decide", data={"csrf": csrf, "action": "change"}, **post
    )
    assert empty.status_code == 409 and "Please write something" in empty.text
    r = client.post(
        f"/ui/incidents/{incident}/decide",
        data={"csrf": csrf, "action": "change", "text": "use 384Mi"},
        **post,
    )
    assert r.status_code == 303
    row = store.get_incident(incident)
    assert row is not None
    [review] = row["reviews"]
    assert review["event"] == "console:change" and review["author"] == "console:token"
    assert review["body"] == "use 384Mi"
    r = client.post(
        f"/ui/incidents/{incident}/decide",
        data={"csrf": csrf, "action": "ignore", "text": "known noise"},
        **post,
    )
    assert r.status_code == 303
    assert store.get_incident(incident)["status"] == "closed"  # type: ignore[index]
    assert events(store, incident)[-2:] == [
        "change requested by token in the web console: use 384Mi",
        "ignored by token in the web console: known noise",
    ]
    bad = client.post(
        f"/ui/incidents/{incident}/decide", data={"csrf": csrf, "action": "merge"}, **post
    )
    assert bad.status_code == 400


def test_pages_hold_no_secrets(console: Any) -> None:
    client, store = console()
    incident = awaiting(store, root_cause="leaked password=hunter2hunter2 in the env")
    github_token = "ghp_" + "a1B2c3D4e5" * 4
    store.event(incident, "note", f"a token {github_token} and {TOKEN} seen")
    sign_in(client)
    pages = [client.get("/ui").text, client.get(f"/ui/incidents/{incident}").text]
    for page in pages:
        for secret in (TOKEN, SECRET, github_token, "hunter2hunter2", "am-password"):
            assert secret not in page
    assert "[REDACTED:" in pages[1]


def test_filters_and_pages(console: Any) -> None:
    client, store = console()
    for n, (ns, category) in enumerate(
        [("shop", "oom"), ("shop", "crashloop"), ("pay", "oom"), ("pay", "oom"), ("shop", "oom")]
    ):
        add_incident(store, f"i{n}", namespace=ns, workload=f"w{n}", category=category, days_ago=n)
    sign_in(client)
    page = client.get("/ui").text
    assert "5 incidents, 1–3 shown" in page
    assert re.findall(r'data-id="(i\d)"', page) == ["i0", "i1", "i2"]
    assert 'href="/ui?offset=3"' in page
    older = client.get("/ui?offset=3").text
    assert re.findall(r'data-id="(i\d)"', older) == ["i3", "i4"]
    rows = client.get("/ui/rows?namespace=shop&category=oom").text
    assert re.findall(r'data-id="(i\d)"', rows) == ["i0", "i4"] and "<html" not in rows
    assert "No incidents match" in client.get("/ui/rows?status=failed").text
    options = re.findall(r'<option value="([^"]+)"', page)
    assert {"pay", "shop", "oom", "crashloop", "resolved"} <= set(options)


def test_a_5000_line_log_is_paged(console: Any) -> None:
    client, store = console()
    incident = awaiting(store)
    lines = [f"line {n} password=s3cr3t-{n}" for n in range(5000)]
    with store.db.tx() as cur:
        cur.run(
            "UPDATE incidents SET incident = ? WHERE id = ?",
            (json.dumps({"logs": lines}), incident),
        )
    sign_in(client)
    page = client.get(f"/ui/incidents/{incident}").text
    assert "line 99 " in page and "line 100 " not in page
    assert "The other 4900 lines" in page and "s3cr3t" not in page
    assert f'href="/ui/incidents/{incident}/log?source=0&amp;offset=100"' in page
    middle = client.get(f"/ui/incidents/{incident}/log?source=0&offset=100").text
    assert "lines 101–600 of 5000" in middle and "line 599 " in middle
    assert 'href="?source=0&amp;offset=600"' in middle and "s3cr3t" not in middle
    last = client.get(f"/ui/incidents/{incident}/log?offset=4500").text
    assert "line 4999 " in last and "Later lines" not in last
    assert client.get(f"/ui/incidents/{incident}/log?source=1").status_code == 404


def test_settings_refuse_a_short_secret_and_a_bad_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRKUBE_CONSOLE_SECRET", "short")
    with pytest.raises(ConfigError, match=r"DRKUBE_CONSOLE_SECRET='\*\*\*'.*32"):
        ConsoleSettings.load()
    monkeypatch.delenv("DRKUBE_CONSOLE_SECRET")
    monkeypatch.setenv("DRKUBE_CONSOLE_TRUSTED_PROXIES", "10.0.0.0/8, not-an-ip")
    with pytest.raises(ConfigError, match="not-an-ip"):
        ConsoleSettings.load()


def test_the_console_can_be_turned_off(console: Any) -> None:
    client, _ = console(enabled=False)
    assert client.get("/ui").status_code == 404
