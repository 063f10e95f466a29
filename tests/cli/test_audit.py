"""`dr-kube audit verify | export` and `dr-kube history`: exit codes and output, on SQLite (and
`audit verify` on PostgreSQL through DRKUBE_DATABASE_URL)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from click.testing import CliRunner

from dr_kube.cli.main import main
from dr_kube.store import Store, open_store
from tests.support.history import add_incident, memory_change, oom


def seeded(path: Path) -> Path:
    store = open_store(None, path)
    for i in range(6):
        store.event("inc-a" if i % 2 else "inc-b", "test", f"record {i}", data={"i": i})
    store.close()
    return path


def invoke(*args: str, env: dict[str, str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env)
    return result.exit_code, result.output


def test_verify_exits_0_on_an_intact_trail_and_4_naming_the_changed_record(tmp_path: Path) -> None:
    db = seeded(tmp_path / "s.db")
    env = {"DRKUBE_DB": str(db), "DRKUBE_DATABASE_URL": ""}
    code, out = invoke("audit", "verify", env=env)
    assert code == 0 and "audit trail intact: 6 record(s)" in out
    store = open_store(None, db)
    with store.db.tx() as cur:
        cur.run("UPDATE audit SET message = 'forged' WHERE seq = 3")
    store.close()
    code, out = invoke("audit", "verify", env=env)
    assert code == 4 and "record 3 changed" in out, out
    code, out = invoke("audit", "verify", "--db", str(tmp_path / "missing.db"), env=env)
    assert code == 2 and "no store at" in out


def test_verify_names_a_deleted_record_on_postgres(postgres_url: str, tmp_path: Path) -> None:
    store = open_store(postgres_url, tmp_path / "unused.db")
    for i in range(5):
        store.event("inc", "test", f"record {i}")
    env = {"DRKUBE_DATABASE_URL": postgres_url}
    assert invoke("audit", "verify", env=env)[0] == 0
    with store.db.tx() as cur:
        cur.run("DELETE FROM audit WHERE seq = 2")
    store.close()
    code, out = invoke("audit", "verify", env=env)
    assert code == 4 and "record 2 deleted" in out, out


def test_export_prints_json_lines_since_a_time(tmp_path: Path) -> None:
    db = seeded(tmp_path / "s.db")
    env = {"DRKUBE_DB": str(db), "DRKUBE_DATABASE_URL": ""}
    code, out = invoke("audit", "export", "--since", "1h", env=env)
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [r["seq"] for r in lines] == [1, 2, 3, 4, 5, 6]
    assert set(lines[0]) >= {"seq", "ts", "incident_id", "kind", "actor", "message", "data", "hash"}
    code, out = invoke("audit", "export", "--since", "2099-01-01", env=env)
    assert code == 0 and out == ""
    code, out = invoke("audit", "export", "--incident", "inc-a", env=env)
    assert [json.loads(line)["seq"] for line in out.splitlines()] == [2, 4, 6]
    code, out = invoke("audit", "export", "--since", "last tuesday", env=env)
    assert code == 2 and "--since" in out


def history_store(path: Path) -> Store:
    store = open_store(None, path)
    cause, evidence = oom("cart", limit="128Mi")
    add_incident(
        store,
        "first",
        days_ago=10,
        root_cause=cause,
        evidence=evidence,
        changes=[memory_change("128Mi", "256Mi")],
        outcome="fixed: the alert resolved after the merge",
        merged=True,
        pr_url="https://github.com/acme/gitops/pull/4",
    )
    add_incident(
        store,
        "second",
        days_ago=2,
        root_cause=oom("cart", limit="256Mi")[0],
        changes=[memory_change("256Mi", "512Mi")],
        status="merged",
        outcome="not-enough: still OOMKilled",
        merged=True,
    )
    add_incident(store, "elsewhere", workload="ads", days_ago=1, root_cause="other")
    store.event("first", "pr", "merged by alice", actor="alice")
    return store


def test_history_prints_the_timeline_oldest_first(tmp_path: Path) -> None:
    history_store(tmp_path / "s.db").close()
    env = {"DRKUBE_DB": str(tmp_path / "s.db"), "DRKUBE_DATABASE_URL": ""}
    code, out = invoke("history", "shop/cart", "--events", env=env)
    assert code == 0, out
    assert out.splitlines()[0] == "shop/cart: 2 incident(s)"
    assert out.index("first") < out.index("second") and "elsewhere" not in out
    assert "fix:     cart.resources.limits.memory 128Mi → 256Mi" in out
    assert "outcome: not-enough: still OOMKilled" in out and "pull/4" in out
    assert "pr: merged by alice" in out
    code, out = invoke("history", "shop/cart", "--output", "json", env=env)
    items = [json.loads(line) for line in out.splitlines()]
    assert [i["id"] for i in items] == ["first", "second"] and items[1][
        "merged_at"
    ] > time.time() - 3 * 86400
    assert invoke("history", "shop/nothing", env=env) == (
        0,
        "shop/nothing: no incidents recorded\n",
    )
    code, out = invoke("history", "cart", env=env)
    assert code == 2 and "NAMESPACE/WORKLOAD" in out
