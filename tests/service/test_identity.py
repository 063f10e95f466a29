"""The server forms one incident per workload (or node) and cause, whatever the alerts' order,
payloads or replicas: the real app (TestClient), workers, the store and a real git origin."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dr_kube.alerts import parse_incidents
from dr_kube.cluster.dump import DumpSource
from dr_kube.cluster.owners import OwnerResolver
from dr_kube.service.intake import GroupCommit
from dr_kube.store import open_store
from tests.support import replicas as r
from tests.support.service import alert, am_headers, branches, wait_for
from tests.support.service_fixtures import context_args, settings_for

URL = "/webhooks/alertmanager"
SETTLED = ("awaiting-review", "pushed", "needs-human", "joined", "resolved")


@pytest.fixture
def serve(tmp_path: Path, gitops_with_origin: tuple[Path, Path]) -> Iterator[Any]:
    """serve(dump) → TestClient of the app with its workers, reading the cluster from `dump`."""
    clients: list[TestClient] = []

    def make(dump: Path) -> TestClient:
        from dr_kube.server.app import build_app

        clone, _ = gitops_with_origin
        app, _, _ = build_app(
            settings_for(tmp_path), context_args(clone, cluster_dir=dump), start_workers=True
        )
        client = TestClient(app)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


def post(client: TestClient, *alerts: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.post(URL, content=json.dumps(r.payload(*alerts)), headers=am_headers())
    assert response.status_code == 202, response.text
    incidents: list[dict[str, Any]] = response.json()["incidents"]
    return incidents


def listed(client: TestClient) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get(
        "/api/v1/incidents?limit=1000", headers=am_headers()
    ).json()["items"]
    return items


def settled(client: TestClient, count: int) -> list[dict[str, Any]]:
    return wait_for(  # type: ignore[no-any-return]
        lambda: (
            (i := listed(client))
            and len(i) == count
            and all(x["status"] in SETTLED for x in i)
            and i
        )
    )


def detail(client: TestClient, incident_id: str) -> dict[str, Any]:
    found: dict[str, Any] = client.get(
        f"/api/v1/incidents/{incident_id}", headers=am_headers()
    ).json()
    return found


def test_ten_replicas_and_their_symptoms_are_one_incident_one_run_one_pr(
    serve: Any, tmp_path: Path, gitops_with_origin: tuple[Path, Path]
) -> None:
    _, origin = gitops_with_origin
    client = serve(r.write_dump(tmp_path / "dump", {"checkoutservice": 10}))
    post(client, r.replicas_mismatch("checkoutservice"))  # a symptom first
    for n in range(10):  # then each replica's OOM in its own delivery
        [stored] = post(client, r.oom_killed("checkoutservice", n))
        assert stored["key"] == "online-boutique/Deployment/checkoutservice/oom"
    post(client, r.crash_looping("checkoutservice", 4))
    [item] = settled(client, 1)
    assert item["status"] == "pushed" and item["category"] == "oom"
    assert item["key"] == "online-boutique/Deployment/checkoutservice/oom"
    assert item["alertnames"] == [
        "KubeDeploymentReplicasMismatch",
        "ContainerOOMKilled",
        "KubePodCrashLooping",
    ]
    assert item["firing"] == 12
    full = detail(client, item["id"])
    assert len(full["attempts"]) == 1, "one run for twelve alerts"
    assert len(full["held_alerts"]) == 12
    assert full["subjects"] == ["online-boutique/Deployment/checkoutservice"]
    assert branches(origin) == ["dr-kube/online-boutique/checkoutservice/oom"]
    assert "### Alerts (" in full["pr"]["body"]
    # one more alert after the PR joins it: no run, no branch
    post(client, r.oom_killed("checkoutservice", 9))
    assert len(detail(client, item["id"])["attempts"]) == 1 and len(listed(client)) == 1
    # it resolves when its last alert resolves, not before
    resolved = [r.oom_killed("checkoutservice", n, status="resolved") for n in range(10)]
    assert {i["action"] for i in post(client, *resolved)} == {"alert-resolved"}
    assert listed(client)[0]["firing"] == 2
    closing = [
        r.alert(a["labels"], "resolved")
        for a in (r.replicas_mismatch("checkoutservice"), r.crash_looping("checkoutservice", 4))
    ]
    assert [i["action"] for i in post(client, *closing)] == ["alert-resolved", "resolved"]
    assert listed(client)[0]["status"] == "resolved"


def test_a_node_not_ready_takes_in_the_workload_incidents_it_caused(
    serve: Any, tmp_path: Path, gitops_with_origin: tuple[Path, Path]
) -> None:
    _, origin = gitops_with_origin
    stranded = [
        r.stranded_pod("cartservice", 0, "worker-2"),
        r.stranded_pod("currencyservice", 0, "worker-2"),
    ]
    dump = r.write_dump(
        tmp_path / "dump",
        {"cartservice": 0, "currencyservice": 0},
        nodes=[r.node("worker-1"), r.node("worker-2", ready=False)],
        pods=stranded,
    )
    client = serve(dump)
    post(client, r.pod_not_ready("cartservice", 0))  # the pods' alerts first
    post(client, r.pod_not_ready("currencyservice", 0))
    items = settled(client, 2)
    post(client, r.node_not_ready("worker-2"))  # then the node's
    open_ = [i for i in listed(client) if i["status"] != "joined"]
    assert len(open_) == 1, items
    node = open_[0]
    assert node["key"] == "_cluster/Node/worker-2/node-not-ready"
    assert node["status"] == "needs-human" and node["firing"] == 3
    full = detail(client, node["id"])
    assert set(full["subjects"]) == {
        "_cluster/Node/worker-2",
        "online-boutique/Deployment/cartservice",
        "online-boutique/Deployment/currencyservice",
    }
    assert branches(origin) == []  # no values change fixes a node
    for resolved in (
        r.pod_not_ready("cartservice", 0, "resolved"),
        r.pod_not_ready("currencyservice", 0, "resolved"),
    ):
        post(client, resolved)
    assert detail(client, node["id"])["status"] == "needs-human"
    [ack] = post(client, r.node_not_ready("worker-2", status="resolved"))
    assert ack["action"] == "resolved"


def concurrent_intake(url_or_path: Any, tmp_path: Path, dump: Path) -> Any:
    """Two replicas' intakes (own store connection, own resolver) over one database, fed at once."""
    stores = [
        open_store(url_or_path if isinstance(url_or_path, str) else None, tmp_path / "shared.db", 3)
        for _ in range(2)
    ]
    for store in stores:
        store.init()
    intakes = [GroupCommit(s, resolve=OwnerResolver(DumpSource(dump)).resolve) for s in stores]
    workloads = ("checkoutservice", "cartservice", "currencyservice")
    deliveries = [
        parse_incidents(r.payload(alert))
        for n in range(10)
        for w in workloads
        for alert in (r.oom_killed(w, n), r.crash_looping(w, n))
    ] + [parse_incidents(r.payload(r.replicas_mismatch(w))) for w in workloads]

    def feed(k: int) -> None:
        for delivery in deliveries[k::2]:
            intakes[k].ingest(delivery)

    threads = [threading.Thread(target=feed, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for intake in intakes:
        intake.close()
    return stores[0]


def test_two_replicas_on_one_sqlite_file_open_one_incident_per_workload(tmp_path: Path) -> None:
    dump = r.write_dump(
        tmp_path / "dump", {"checkoutservice": 10, "cartservice": 10, "currencyservice": 10}
    )
    store = concurrent_intake(tmp_path / "shared.db", tmp_path, dump)
    rows = store.list_incidents()
    assert sorted(i["workload"] for i in rows) == [
        "cartservice",
        "checkoutservice",
        "currencyservice",
    ]
    assert all(i["alert_count"] == 21 for i in rows)


@pytest.mark.slow
def test_two_replicas_on_postgres_open_one_incident_per_workload(
    tmp_path: Path, postgres_url: str
) -> None:
    dump = r.write_dump(
        tmp_path / "dump", {"checkoutservice": 10, "cartservice": 10, "currencyservice": 10}
    )
    store = concurrent_intake(postgres_url, tmp_path, dump)
    rows = store.list_incidents()
    assert len(rows) == 3 and all(i["alert_count"] == 21 for i in rows)
    assert {len(store.alerts_of(i["id"])) for i in rows} == {21}


@pytest.mark.slow
def test_two_serve_replicas_on_postgres_one_incident_one_branch_per_workload(
    tmp_path: Path, gitops_with_origin: tuple[Path, Path], postgres_url: str
) -> None:
    """Two `dr-kube serve` processes on one PostgreSQL, each given half of the deliveries:
    pod-only OOM alerts from ten replicas of three Deployments, plus their symptoms."""
    import httpx

    from tests.support.repos import git
    from tests.support.service import Serve

    _, origin = gitops_with_origin
    workloads = ("checkoutservice", "cartservice", "currencyservice")
    dump = r.write_dump(tmp_path / "dump", dict.fromkeys(workloads, 10))
    env = {
        "DRKUBE_DATABASE_URL": postgres_url,
        "DRKUBE_WORKERS": "2",
        "DRKUBE_CLUSTER_DUMP": str(dump),
        "DRKUBE_PROVIDER": "rules",
    }
    servers = []
    for n in range(2):
        clone = tmp_path / f"replica{n}"
        git(tmp_path, "clone", "--quiet", str(origin), str(clone))
        servers.append(Serve(clone, tmp_path / f"db{n}" / "unused.db", env=env).start())
    deliveries = [
        json.dumps(r.payload(a))
        for n in range(10)
        for w in workloads
        for a in (r.oom_killed(w, n), r.crash_looping(w, n))
    ]
    deliveries += [json.dumps(r.payload(r.replicas_mismatch(w))) for w in workloads]
    try:

        def send(k: int) -> None:
            with httpx.Client(timeout=30) as http:
                for body in deliveries[k::2]:
                    response = http.post(
                        f"{servers[k].url}{URL}", content=body, headers=am_headers()
                    )
                    assert response.status_code == 202, response.text

        threads = [threading.Thread(target=send, args=(k,)) for k in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        items = wait_for(
            lambda: (i := servers[0].incidents()) and all(x["status"] in SETTLED for x in i) and i,
            120,
        )
        assert sorted(i["key"] for i in items) == sorted(
            f"online-boutique/Deployment/{w}/oom" for w in workloads
        )
        assert all(i["alert_count"] == 21 and i["firing"] == 21 for i in items)
        assert sorted(branches(origin)) == sorted(
            f"dr-kube/online-boutique/{w}/oom" for w in workloads
        )
        for item in items:
            full = httpx.get(
                f"{servers[1].url}/api/v1/incidents/{item['id']}", headers=am_headers()
            ).json()
            assert len(full["attempts"]) == 1, "one run per incident across both replicas"
    finally:
        for serve in servers:
            serve.stop()


def test_alerts_that_join_after_the_pr_is_open_are_listed_in_its_description(
    tmp_path: Path, gitops_with_origin: tuple[Path, Path], fake_github: Any
) -> None:
    from dr_kube.server.app import build_app

    clone, _ = gitops_with_origin
    dump = r.write_dump(tmp_path / "dump", {"checkoutservice": 4})
    args = context_args(clone, cluster_dir=dump, github_repo="acme/gitops")
    app, _, _ = build_app(settings_for(tmp_path), args, start_workers=True)
    with TestClient(app) as client:
        post(client, r.oom_killed("checkoutservice", 0))
        [item] = settled(client, 1)
        assert "### Alerts (" not in fake_github.pulls[1]["body"]  # one alert: no section
        # three more replicas and a symptom after the PR: no run, the description follows
        for n in (1, 2, 3):
            post(client, r.oom_killed("checkoutservice", n))
        post(client, r.crash_looping("checkoutservice", 2))
        wait_for(lambda: "### Alerts (5, 5 firing)" in fake_github.pulls[1]["body"], 20)
        body = fake_github.pulls[1]["body"]
        assert body.count("- `ContainerOOMKilled`") == 4 and "- `KubePodCrashLooping`" in body
        assert body.count("### Alerts (") == 1 and "### Evidence" in body
        # a resolution changes the counts; a re-send changes nothing and edits nothing
        post(client, r.oom_killed("checkoutservice", 1, status="resolved"))
        wait_for(lambda: "### Alerts (5, 4 firing)" in fake_github.pulls[1]["body"], 20)
        [again] = post(client, r.oom_killed("checkoutservice", 2))
        assert again["action"] == "repeated"
        assert len(detail(client, item["id"])["attempts"]) == 1
        assert len(fake_github.pulls) == 1


def test_only_news_about_an_open_incident_queues_one_refresh_of_its_pr(tmp_path: Path) -> None:
    store = open_store(None, tmp_path / "dr-kube.db", 3)

    def refreshes() -> int:
        with store.db.tx(write=False) as cur:
            row = cur.one("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'alerts' AND done = 0")
        return int(row["n"]) if row else 0

    def ingest(pod: str, status: str = "firing") -> str:
        sent = alert("cartservice", status=status, pod_suffix=pod)  # a deployment label
        return store.ingest(parse_incidents(r.payload(sent)))[0].action

    assert ingest("p0") == "created" and refreshes() == 0
    assert ingest("p1") == "joined" and refreshes() == 1
    assert ingest("p2") == "joined" and refreshes() == 1  # coalesced
    assert store.outbox_pending() == []  # the incident is still queued: its run writes the body
    with store.db.tx() as cur:  # the run ended with its PR open
        cur.run("UPDATE incidents SET status = 'awaiting-review', pr_number = 7")
    [refresh] = store.outbox_pending()
    assert refresh["kind"] == "alerts" and refresh["pr_number"] == 7
    store.outbox_done(refresh["id"], "posted")
    assert ingest("p2") == "joined" and refreshes() == 0  # no news
    assert ingest("p2", "resolved") == "alert-resolved"
    assert refreshes() == 1
