"""The rules provider's guidance interpreter: reviewer comments to edits of a proposal."""

from __future__ import annotations

from dr_kube.diagnose.guidance import apply_guidance, interpret
from dr_kube.models import Change, Diagnosis, Proposal

VALUES = {
    "adService": {
        "resources": {
            "requests": {"cpu": "200m", "memory": "180Mi"},
            "limits": {"cpu": "300m", "memory": "300Mi"},
        }
    }
}
LIMIT = ["adService", "resources", "limits", "memory"]
CPU = ["adService", "resources", "limits", "cpu"]


def proposal(*changes: Change) -> Proposal:
    return Proposal(
        diagnosis=Diagnosis(category="oom", root_cause="x", confidence=0.9), changes=list(changes)
    )


def mem(new: str = "600Mi") -> Change:
    return Change(file="values/x.yaml", path=LIMIT, old="300Mi", new=new)


def test_use_a_value_sets_it_on_the_proposed_key() -> None:
    out = apply_guidance(proposal(mem()), ["use 384Mi"], VALUES)
    assert [c.new for c in out.changes] == ["384Mi"]


def test_raise_requests_too_adds_the_matching_request() -> None:
    out = apply_guidance(proposal(mem()), ["Raise requests too."], VALUES)
    request = out.changes[1]
    assert request.path == ["adService", "resources", "requests", "memory"]
    assert (request.old, request.new) == ("180Mi", "360Mi")


def test_dont_touch_cpu_drops_cpu_changes_and_can_leave_nothing() -> None:
    cpu = Change(file="values/x.yaml", path=CPU, old="300m", new="600m")
    assert apply_guidance(proposal(mem(), cpu), ["don't touch cpu"], VALUES).changes == [mem()]
    out = apply_guidance(proposal(cpu), ["Please don't touch CPU"], VALUES)
    assert out.changes == [] and "rules out" in (out.no_fix_reason or "")


def test_unknown_text_is_reported_and_changes_nothing() -> None:
    found = interpret(["make it better please"])
    assert found.unknown == ["make it better please"] and not found.understood
    assert apply_guidance(proposal(mem()), ["make it better please"], VALUES).changes == [mem()]


def test_set_a_request_explicitly() -> None:
    out = apply_guidance(proposal(mem()), ["set the memory request to 256mi"], VALUES)
    assert out.changes[-1].path[-2:] == ["requests", "memory"]
    assert out.changes[-1].new == "256Mi"
