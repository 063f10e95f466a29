"""Slack: one thread per incident, copilot approvals over signed interactivity, observe mode,
and a Slack that is slow or down never holding up the PR path."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from dr_kube.config.operators import OperatorSettings
from tests.support.repos import git
from tests.support.service import alert, am_headers, only_incident, payload, wait_for
from tests.support.slack_fake import (
    APPROVER,
    CHANNEL,
    GROUP,
    GROUP_MEMBER,
    SIGNING_SECRET,
    STRANGER,
    FakeSlack,
    block_actions,
    slack_request,
    view_submission,
)

BRANCH = "dr-kube/online-boutique/adservice/oom"


def operators(slack_url: str, mode: str = "auto", **extra: Any) -> OperatorSettings:
    values: dict[str, Any] = {
        "mode": mode,
        "slack_token": SecretStr("xoxb-test-token"),
        "slack_channel": CHANNEL,
        "slack_signing_secret": SecretStr(SIGNING_SECRET),
        "slack_approvers": frozenset({APPROVER, GROUP}),
        "slack_api_url": slack_url,
        "slack_backoff": 0.05,
        "grafana_url": "http://grafana.dr-kube.local",
        **extra,
    }
    return OperatorSettings(**values)


def fire(client: Any, workload: str = "adservice") -> None:
    r = client.post(
        "/webhooks/alertmanager", content=json.dumps(payload(alert(workload))), headers=am_headers()
    )
    assert r.status_code == 202, r.text


def press(client: Any, body: dict[str, Any], **kw: Any) -> Any:
    raw, headers = slack_request(body, **kw)
    return client.post("/webhooks/slack", content=raw, headers=headers)


def actions_of(message: dict[str, Any]) -> list[str]:
    blocks = message["blocks"]
    if isinstance(blocks, str):  # chat.update arrives form-encoded: blocks as a JSON string
        blocks = json.loads(blocks)
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def decisions_of(message: dict[str, Any]) -> str:
    blocks = message["blocks"]
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return " ".join(e["text"] for b in blocks if b["type"] == "context" for e in b["elements"])


def has_branch(origin: Path) -> bool:
    return bool(git(origin, "for-each-ref", "--format=%(refname)", f"refs/heads/{BRANCH}").strip())


def test_copilot_opens_nothing_until_an_approver_presses_open_pr(
    make_client: Any,
    fake_github: Any,
    fake_slack: FakeSlack,
    gitops_with_origin: tuple[Path, Path],
) -> None:
    _, origin = gitops_with_origin
    client, _, _ = make_client(
        github_repo="acme/gitops", operators=operators(fake_slack.url, "copilot")
    )
    fire(client)
    inc = wait_for(lambda: (d := only_incident(client))["status"] == "awaiting-approval" and d)
    root = wait_for(lambda: fake_slack.find("chat.postMessage"))[0]
    assert root["channel"] == CHANNEL and "thread_ts" not in root
    assert fake_slack.calls[0]["auth"] == "Bearer xoxb-test-token"
    text = json.dumps(root["blocks"], ensure_ascii=False)
    for part in ("online-boutique/adservice", "oom", "Root cause", "Evidence", "→", "Grafana"):
        assert part in text, part
    buttons = [
        e["action_id"] for b in root["blocks"] if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["drkube_open_pr", "drkube_request_change", "drkube_ignore"]
    assert not fake_github.calls("POST", r"/pulls$") and not has_branch(origin)

    # someone else presses Open PR: an ephemeral refusal, logged, nothing changes
    r = press(client, block_actions(STRANGER, "drkube_open_pr", inc["id"]))
    assert r.status_code == 200 and r.json()["status"] == "refused"
    refusal = fake_slack.find("chat.postEphemeral")[0]
    assert refusal["user"] == STRANGER and "only DR-Kube approvers" in refusal["text"]
    after = only_incident(client)
    assert after["status"] == "awaiting-approval" and after["reviews"] == []
    assert any(
        "refused open the PR from Slack user U0STRANGER" in e["message"] for e in after["events"]
    )

    # Request change: a modal; its text takes the review-comment path (analyze + validate)
    r = press(client, block_actions(APPROVER, "drkube_request_change", inc["id"]))
    assert r.json()["status"] == "modal"
    modal = fake_slack.find("views.open")[0]
    assert modal["view"]["callback_id"] == "drkube_change"
    assert modal["view"]["private_metadata"] == inc["id"]
    r = press(client, view_submission(APPROVER, "drkube_change", inc["id"], "use 384Mi"))
    assert r.status_code == 200 and r.json()["status"] == "queued"
    wait_for(
        lambda: (
            (d := only_incident(client))["status"] == "awaiting-approval"
            and d["reviews_applied"] == 1
        )
    )
    updated = wait_for(
        lambda: [
            m
            for m in fake_slack.find("chat.postMessage")
            if "Updated proposal" in m["text"] and "384Mi" in json.dumps(m.get("blocks"))
        ]
    )[0]
    assert updated["thread_ts"] == fake_slack.posted_ts(root)  # in the incident's thread
    # the decided proposal loses its buttons and says who decided what
    [settled] = wait_for(lambda: fake_slack.find("chat.update"))
    assert settled["ts"] == fake_slack.posted_ts(root) and settled["channel"] == CHANNEL
    assert actions_of(settled) == []
    assert "Change requested by <@U0APPROVER>: “use 384Mi”" in decisions_of(settled)
    assert actions_of(updated) == ["drkube_open_pr", "drkube_request_change", "drkube_ignore"]
    assert not fake_github.calls("POST", r"/pulls$") and not has_branch(origin)

    # a member of the approvers' user group presses Open PR: validated again, then the PR
    r = press(client, block_actions(GROUP_MEMBER, "drkube_open_pr", inc["id"]))
    assert r.json()["status"] == "queued"
    done = wait_for(lambda: (d := only_incident(client))["status"] == "awaiting-review" and d)
    assert done["pr_number"] == 1 and len(fake_github.calls("POST", r"/pulls$")) == 1
    assert "memory: 384Mi" in git(origin, "show", f"{BRANCH}:values/online-boutique.yaml")
    assert fake_slack.find("usergroups.users.list")[0]["usergroup"] == GROUP
    [approval] = [e for e in done["events"] if e["message"].startswith("Open PR approved")]
    assert approval["message"] == "Open PR approved by U0GROUPMEM in Slack channel C0DRKUBE01"
    assert approval["actor"] == "slack:U0GROUPMEM"  # who approved, in the audit record itself
    wait_for(lambda: any("Opened" in m["text"] for m in fake_slack.find("chat.postMessage")))
    approved = wait_for(lambda: fake_slack.find("chat.update")[1:])
    assert len(approved) == 1, "the first proposal, already settled, is left alone"
    assert approved[0]["ts"] == fake_slack.posted_ts(updated) and actions_of(approved[0]) == []
    assert "Approved by <@U0GROUPMEM>: opening the PR" in decisions_of(approved[0])
    roots = [m for m in fake_slack.find("chat.postMessage") if "thread_ts" not in m]
    assert len(roots) == 1  # one thread per incident
    ops = only_incident(client)["operations"]
    assert ops["mode"] == "copilot" and ops["slack_channel"] == CHANNEL
    assert ops["slack_thread"] == fake_slack.posted_ts(root)
    # pressing Open PR again changes nothing
    assert (
        press(client, block_actions(APPROVER, "drkube_open_pr", inc["id"])).json()["status"]
        == "stale"
    )


def test_ignore_closes_the_incident_with_the_reason(
    make_client: Any, fake_github: Any, fake_slack: FakeSlack
) -> None:
    client, _, _ = make_client(
        github_repo="acme/gitops", operators=operators(fake_slack.url, "copilot")
    )
    fire(client)
    inc = wait_for(lambda: (d := only_incident(client))["status"] == "awaiting-approval" and d)
    assert (
        press(client, block_actions(APPROVER, "drkube_ignore", inc["id"])).json()["status"]
        == "modal"
    )
    assert fake_slack.find("views.open")[0]["view"]["callback_id"] == "drkube_ignore"
    r = press(client, view_submission(STRANGER, "drkube_ignore", inc["id"], "nah"))
    assert r.json()["response_action"] == "errors"  # not an approver
    r = press(client, view_submission(APPROVER, "drkube_ignore", inc["id"], "known batch job"))
    assert r.status_code == 200
    done = only_incident(client)
    assert done["status"] == "closed"
    assert done["outcome"] == "ignored by slack:U0APPROVER: known batch job"
    assert not fake_github.calls("POST", r"/pulls$")
    wait_for(
        lambda: any(
            "ignored this incident" in m["text"] for m in fake_slack.find("chat.postMessage")
        )
    )
    [settled] = wait_for(lambda: fake_slack.find("chat.update"))
    [root] = [m for m in fake_slack.find("chat.postMessage") if "thread_ts" not in m]
    assert settled["ts"] == fake_slack.posted_ts(root) and actions_of(settled) == []
    assert "Ignored by <@U0APPROVER>: “known batch job”" in decisions_of(settled)


def test_a_resolved_alert_takes_the_buttons_off_an_undecided_proposal(
    make_client: Any, fake_github: Any, fake_slack: FakeSlack
) -> None:
    client, _, _ = make_client(
        github_repo="acme/gitops", operators=operators(fake_slack.url, "copilot")
    )
    fire(client)
    wait_for(lambda: only_incident(client)["status"] == "awaiting-approval")
    [root] = wait_for(lambda: fake_slack.find("chat.postMessage"))
    assert actions_of(root)
    r = client.post(
        "/webhooks/alertmanager",
        content=json.dumps(payload(alert("adservice", status="resolved"))),
        headers=am_headers(),
    )
    assert r.status_code == 202
    [settled] = wait_for(lambda: fake_slack.find("chat.update"))
    assert settled["ts"] == fake_slack.posted_ts(root) and actions_of(settled) == []
    assert "resolved before a decision" in decisions_of(settled)
    assert only_incident(client)["status"] == "resolved"


def test_forged_old_unsigned_and_replayed_requests_get_401_and_change_nothing(
    make_client: Any, fake_slack: FakeSlack
) -> None:
    client, _, _ = make_client(workers=False, operators=operators(fake_slack.url, "copilot"))
    fire(client)
    inc = only_incident(client)
    before = [e["kind"] for e in inc["events"]]
    body = block_actions(APPROVER, "drkube_open_pr", inc["id"])
    assert press(client, body, signed=False).status_code == 401
    assert press(client, body, secret="not-the-secret").status_code == 401
    r = press(client, body, age=6 * 60)
    assert r.status_code == 401 and "older than 5 minutes" in r.json()["detail"]
    raw, headers = slack_request(body)
    signature = headers["X-Slack-Signature"]
    # change the last hex digit (a fixed "00" suffix equals the real one once in 256 runs)
    headers["X-Slack-Signature"] = signature[:-1] + ("1" if signature[-1] == "0" else "0")
    assert client.post("/webhooks/slack", content=raw, headers=headers).status_code == 401
    # a valid request is answered (nothing to approve yet: no run happened), its replay is refused
    raw, headers = slack_request(body)
    assert client.post("/webhooks/slack", content=raw, headers=headers).json()["status"] == "stale"
    r = client.post("/webhooks/slack", content=raw, headers=headers)
    assert r.status_code == 401 and "replayed" in r.json()["detail"]
    after = only_incident(client)
    assert after["status"] == "queued" and after["reviews"] == []
    assert [e["kind"] for e in after["events"]] == before


def test_observe_mode_posts_the_diagnosis_and_opens_nothing(
    make_client: Any, fake_github: Any, fake_slack: FakeSlack, gitops_with_origin: tuple[Path, Path]
) -> None:
    _, origin = gitops_with_origin
    client, _, _ = make_client(
        github_repo="acme/gitops", operators=operators(fake_slack.url, "observe")
    )
    fire(client)
    done = wait_for(lambda: (d := only_incident(client))["status"] == "observed" and d)
    assert done["pr_number"] is None and not has_branch(origin)
    root = wait_for(lambda: fake_slack.find("chat.postMessage"))[0]
    assert "Proposed change" in json.dumps(root["blocks"], ensure_ascii=False)
    assert all(b["type"] != "actions" for b in root["blocks"])


def pr_ready_after(client: Any) -> float:
    started = time.monotonic()
    fire(client)
    wait_for(lambda: only_incident(client)["status"] == "awaiting-review", interval=0.02)
    return time.monotonic() - started


def test_slack_down_or_slow_never_blocks_the_pr_path(
    make_client: Any, fake_github: Any, fake_slack: FakeSlack
) -> None:
    # Slack unreachable: the PR opens; the message is retried with backoff, then recorded
    down = operators("http://127.0.0.1:9/api/", slack_max_tries=3, slack_timeout=1)
    client, _, _ = make_client(github_repo="acme/gitops", operators=down)
    assert pr_ready_after(client) < 20
    inc = only_incident(client)
    assert inc["pr_number"] == 1
    events = wait_for(
        lambda: [e for e in only_incident(client)["events"] if "Slack unreachable" in e["message"]]
    )
    assert "not sent after 3 tries" in events[0]["message"]


def test_a_slow_slack_does_not_hold_up_the_pr(
    make_client: Any, fake_github: Any, fake_slack: FakeSlack
) -> None:
    fake_slack.delay = 1.0  # every Web API call takes a second
    client, _, _ = make_client(github_repo="acme/gitops", operators=operators(fake_slack.url))
    started = time.monotonic()
    fire(client)
    assert time.monotonic() - started < 0.5  # the webhook never waits for Slack
    wait_for(lambda: only_incident(client)["status"] == "awaiting-review", interval=0.02)
    assert only_incident(client)["pr_number"] == 1
    wait_for(lambda: fake_slack.find("chat.postMessage"))  # and the thread still gets its root
