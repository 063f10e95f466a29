"""Thin nodes: each reads the state, calls one plain step, and returns what changed."""

from __future__ import annotations

from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from dr_kube.gitops.image_history import image_tag_history, may_need_image_history
from dr_kube.graph import steps
from dr_kube.graph.context import RunContext
from dr_kube.graph.result import build_result
from dr_kube.graph.state import State
from dr_kube.models import PublishFailure

# Failures no other proposal can mend: retrying would only repeat them.
FINAL_CODES = frozenset({"protected-namespace", "wrong-file"})


def fresh_round() -> dict[str, Any]:
    """A new round of proposals: the run's start, and each reviewer's or approver's answer."""
    return {
        "attempts": 0,
        "feedback": [],
        "tried": [],
        "rejected_reasons": [],
        "checked": None,
        "proposal": None,
        "publish_failure": None,
    }


def load(state: State, runtime: Runtime[RunContext]) -> dict[str, Any]:
    return fresh_round()


def collect(state: State, runtime: Runtime[RunContext]) -> dict[str, Any]:
    ctx = runtime.context
    evidence = steps.gather(ctx, state["incident"])
    location, values_text, error = steps.find_values(ctx, state["incident"], evidence)
    return {
        "evidence": evidence,
        "location": location,
        "values_text": values_text,
        "locate_error": error,
        "values_history": image_tag_history(ctx.repo, location)
        if may_need_image_history(state["incident"], evidence)
        else [],
    }


def analyze(state: State, runtime: Runtime[RunContext]) -> dict[str, Any]:
    proposal = steps.propose(runtime.context, steps.proposal_request(dict(state), runtime.context))
    update: dict[str, Any] = {"proposal": proposal, "checked": None}
    if proposal.changes:
        update["attempts"] = state.get("attempts", 0) + 1
    return update


def validate(state: State, runtime: Runtime[RunContext]) -> dict[str, Any]:
    proposal = state["proposal"]
    location = state["location"]
    assert proposal is not None and location is not None and state.get("values_text") is not None
    checked = steps.check(
        runtime.context,
        state["incident"],
        state["evidence"],
        location,
        state["values_text"] or "",
        proposal,
    )
    update: dict[str, Any] = {"checked": checked}
    if not checked.ok:
        errors = [str(i) for i in checked.issues]
        update["feedback"] = errors
        update["rejected_reasons"] = [
            *state.get("rejected_reasons", []),
            *(f"attempt {state.get('attempts', 1)}: {e}" for e in errors),
        ]
        update["tried"] = steps.tried_changes(dict(state), proposal.changes)
        update["approved"] = False  # another proposal needs another approval
    else:
        update["feedback"] = []  # a stale error from an earlier attempt must not block this one
    return update


def publish(state: State, runtime: Runtime[RunContext]) -> dict[str, Any]:
    proposal, checked, location = state["proposal"], state["checked"], state["location"]
    assert proposal is not None and checked is not None and location is not None
    done = steps.publish(
        runtime.context, state["incident"], proposal, checked, location, state.get("attempts", 1)
    )
    if isinstance(done, PublishFailure):
        return {"publish_failure": done}  # an open PR keeps what it carried
    return {"pr": done, "published_changes": checked.changes, "publish_failure": None}


def finish(state: State, runtime: Runtime[RunContext]) -> dict[str, Any]:
    usage = runtime.context.provider.usage
    return {"result": build_result(dict(state), usage).to_json_dict()}


def review(state: State, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Pause until a reviewer's comment arrives; it becomes guidance for another analysis."""
    answer = interrupt({"pr": state.get("pr"), "result": state.get("result")})
    guidance = answer.get("guidance", "") if isinstance(answer, dict) else str(answer)
    return {
        "guidance": [*state.get("guidance", []), guidance],
        "review_round": state.get("review_round", 0) + 1,
        **fresh_round(),
    }


def approve(state: State, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Copilot mode: pause before publishing until an approver answers in Slack.

    *Open PR* re-reads the values from the working copy (the worker fetched the base just before
    resuming) so the proposal is validated again on a fresh base; *Request change* becomes
    guidance for another analysis, like a PR review comment."""
    answer = interrupt({"kind": "approval", "result": state.get("result")})
    action = answer.get("action", "open") if isinstance(answer, dict) else "open"
    update: dict[str, Any] = {"review_round": state.get("review_round", 0) + 1}
    if action == "open":
        location, values_text, error = steps.find_values(
            runtime.context, state["incident"], state["evidence"]
        )
        return {
            **update,
            "approved": True,
            "location": location,
            "values_text": values_text,
            "locate_error": error,
            "checked": None,
        }
    guidance = answer.get("guidance", "") if isinstance(answer, dict) else str(answer)
    return {
        **update,
        "guidance": [*state.get("guidance", []), guidance],
        **fresh_round(),
    }


def after_approve(state: State) -> Literal["validate", "analyze", "finish"]:
    if state.get("approved"):
        return "validate" if state.get("location") is not None else "finish"
    return "analyze"


def awaits_approval(state: State, mode: str) -> bool:
    """Copilot mode, a validated proposal, no PR yet and nobody approved it."""
    checked = state.get("checked")
    return (
        mode == "copilot"
        and checked is not None
        and checked.ok
        and not state.get("approved")
        and state.get("pr") is None
    )


def after_finish(
    state: State, runtime: Runtime[RunContext]
) -> Literal["review", "approve", "__end__"]:
    """Service mode waits for review once a PR exists; the CLI always ends here."""
    if runtime.context.publish and awaits_approval(state, runtime.context.mode):
        return "approve"
    if state.get("publish_failure") is not None:
        return "__end__"  # the incident fails; a later alert re-opens the work
    if runtime.context.await_review and state.get("pr") is not None:
        return "review"
    return "__end__"


def after_analyze(state: State) -> Literal["validate", "finish"]:
    proposal = state.get("proposal")
    if proposal is not None and proposal.changes and state.get("location") is not None:
        return "validate"
    return "finish"


def after_validate(
    state: State, runtime: Runtime[RunContext]
) -> Literal["publish", "analyze", "finish"]:
    checked = state.get("checked")
    if checked is not None and checked.ok:
        if same_changes(checked.changes, state.get("published_changes")):
            return "finish"  # the open PR already carries exactly this change
        mode = runtime.context.mode
        if not runtime.context.publish or mode == "observe":
            return "finish"
        if awaits_approval(state, mode):
            return "finish"  # the proposal is posted; `approve` waits after `finish`
        return "publish"
    final = checked is not None and any(i.code in FINAL_CODES for i in checked.issues)
    if not final and state.get("attempts", 0) < runtime.context.max_attempts:
        return "analyze"
    return "finish"


def same_changes(changes: list[Any], published: list[Any] | None) -> bool:
    if published is None:
        return False
    return [c.model_dump(mode="json") for c in changes] == [
        c.model_dump(mode="json") for c in published
    ]
