"""Wiring only: nodes, edges and routers. `graph` is what `langgraph.json` points at.

In service mode (a checkpointer, and a run context with `await_review`), `finish` leads to
`review`, which pauses the run until a reviewer's comment resumes it with guidance. In copilot
mode a validated proposal goes to `approve` first, which pauses until an approver answers in Slack.
"""

from __future__ import annotations

from typing import Any

from langgraph.graph import START, StateGraph

from dr_kube.graph import nodes
from dr_kube.graph.context import RunContext
from dr_kube.graph.state import InputState, State


def build_graph(checkpointer: Any = None) -> Any:
    builder = StateGraph(State, context_schema=RunContext, input_schema=InputState)
    builder.add_node("load", nodes.load)
    builder.add_node("collect", nodes.collect)
    builder.add_node("analyze", nodes.analyze)
    builder.add_node("validate", nodes.validate)
    builder.add_node("publish", nodes.publish)
    builder.add_node("finish", nodes.finish)
    builder.add_node("review", nodes.review)
    builder.add_node("approve", nodes.approve)
    builder.add_edge(START, "load")
    builder.add_edge("load", "collect")
    builder.add_edge("collect", "analyze")
    builder.add_conditional_edges("analyze", nodes.after_analyze)
    builder.add_conditional_edges("validate", nodes.after_validate)
    builder.add_edge("publish", "finish")
    builder.add_conditional_edges("finish", nodes.after_finish)
    builder.add_edge("review", "analyze")
    builder.add_conditional_edges("approve", nodes.after_approve)
    return builder.compile(checkpointer=checkpointer)


graph = build_graph()
