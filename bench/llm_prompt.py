"""LLM figures on the sample incidents: prompt size, calls per incident, and (with --local) the real
Gemma 3 270M's token counts and latency.

    .venv/bin/python bench/llm_prompt.py [--local]

Prompt tokens are estimated as characters / 3.5 (the estimate the budgets use); with --local they
are also counted by the model's own tokenizer (llama-server's /tokenize). "Calls per incident" runs
each sample through the graph with an LLM whose first proposal is valid (it answers the analyzers'
own change), which is the case the ≤ 1.2 target is about.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "agent"))

from dr_kube.alerts import load_incidents  # noqa: E402
from dr_kube.cluster.dump import DumpSource  # noqa: E402
from dr_kube.config.llm import LLMSettings  # noqa: E402
from dr_kube.diagnose.llm.budget import HourlyCounter  # noqa: E402
from dr_kube.diagnose.llm.clients import StructuredLLM  # noqa: E402
from dr_kube.diagnose.llm.prompt import build_prompt  # noqa: E402
from dr_kube.diagnose.llm.providers import HybridProvider  # noqa: E402
from dr_kube.diagnose.llm.schema import LLMChange, LLMProposal  # noqa: E402
from dr_kube.diagnose.rules import RulesProvider  # noqa: E402
from dr_kube.graph.context import RunContext  # noqa: E402
from dr_kube.graph.runner import run_incident  # noqa: E402
from dr_kube.graph.steps import find_values, gather, proposal_request  # noqa: E402
from dr_kube.incidents.model import Incident  # noqa: E402
from dr_kube.policy import load_policy  # noqa: E402

SAMPLES = ROOT / "agent" / "issues"


class EchoModel:
    """A chat model whose structured answer is the analyzers' own proposal (a valid first answer)."""

    def __init__(self) -> None:
        self.answer: LLMProposal | None = None

    def with_structured_output(self, *args: Any, **kwargs: Any) -> EchoModel:
        return self

    def invoke(self, messages: Any) -> dict[str, Any]:
        text = "".join(str(m[1]) for m in messages)
        raw = AIMessage(
            content="{}",
            usage_metadata={"input_tokens": len(text) // 4, "output_tokens": 80, "total_tokens": 0},
        )
        return {"raw": raw, "parsed": self.answer, "parsing_error": None}


def context(provider: Any) -> RunContext:
    return RunContext(
        repo=ROOT,
        policy=load_policy(ROOT),
        provider=provider,
        source=DumpSource(SAMPLES / "cluster"),
        chart_dirs=[SAMPLES / "charts"],
    )


def rules_answer(incident: Incident) -> tuple[LLMProposal, Any]:
    rules = RulesProvider()
    ctx = context(rules)
    evidence = gather(ctx, incident)
    location, text, error = find_values(ctx, incident, evidence)
    state = {
        "incident": incident,
        "evidence": evidence,
        "location": location,
        "values_text": text,
        "locate_error": error,
    }
    request = proposal_request(state, ctx)
    hint = rules.propose(request)
    answer = LLMProposal(
        category=hint.diagnosis.category
        if hint.diagnosis.category in LLMProposal.model_fields["category"].annotation.__args__  # type: ignore[union-attr]
        else "unknown",
        root_cause=hint.diagnosis.root_cause[:300],
        evidence=[e[:160] for e in hint.diagnosis.evidence[:3]],
        changes=[LLMChange(path=[str(p) for p in c.path], new=str(c.new)) for c in hint.changes],
        confidence=hint.diagnosis.confidence,
        no_fix_reason=(hint.no_fix_reason or "")[:200],
    )
    return answer, build_prompt(request, hint)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--local", action="store_true", help="also run the real local model")
    args = parser.parse_args()
    samples = sorted(SAMPLES.glob("sample_*.json"))
    settings = LLMSettings(ollama_host="http://127.0.0.1:1", num_predict=320, max_retries=0)
    print(f"{'sample':<28} {'chars':>6} {'~tokens':>8} {'calls':>5} {'status':>9}  provider")
    calls: list[int] = []
    estimates: list[int] = []
    for path in samples:
        incident = load_incidents(path)[0]
        answer, prompt = rules_answer(incident)
        model = EchoModel()
        model.answer = answer
        llm = StructuredLLM("ollama", settings, chat_model=model)
        provider = HybridProvider("ollama", settings, llm=llm, hourly=HourlyCounter())
        result = run_incident(incident, context(provider))
        calls.append(result.usage.llm_calls)
        estimates.append(prompt.estimated_tokens)
        label = result.diagnosis.provider if result.diagnosis else "-"
        print(
            f"{path.stem:<28} {prompt.chars:>6} {prompt.estimated_tokens:>8} "
            f"{result.usage.llm_calls:>5} {result.fix.status:>9}  {label}"
        )
    print(
        f"\nprompt tokens (chars/3.5): mean {statistics.mean(estimates):.0f}, max {max(estimates)}; "
        f"LLM calls per incident (first proposal valid): mean {statistics.mean(calls):.2f}"
    )
    if args.local:
        run_local(samples, settings)
    return 0


def run_local(samples: list[Path], settings: LLMSettings) -> None:
    import requests

    from dr_kube.diagnose.llm.local_server import LocalModel

    print("\nreal local model (Gemma 3 270M, llama.cpp, 2 cores):")
    with LocalModel() as model:
        assert model.adapter is not None
        local = settings.model_copy(
            update={"ollama_host": model.url, "ollama_model": model.model_name}
        )
        for path in samples:
            incident = load_incidents(path)[0]
            provider = HybridProvider("ollama", local, hourly=HourlyCounter())
            started = time.monotonic()
            result = run_incident(incident, context(provider))
            seconds = time.monotonic() - started
            real = "-"
            if provider.trace.prompts:
                p = provider.trace.prompts[0]
                tokens = requests.post(
                    f"{model.adapter.upstream}/tokenize",
                    json={"content": p.system + "\n" + p.user},
                    timeout=30,
                ).json()["tokens"]
                real = str(len(tokens))
            label = result.diagnosis.provider if result.diagnosis else "-"
            print(
                f"{path.stem:<28} tokens {real:>5} in/out {result.usage.tokens_in:>5}/"
                f"{result.usage.tokens_out:<4} calls {result.usage.llm_calls} {seconds:5.1f}s "
                f"{result.fix.status:>9}  {label}"
            )


if __name__ == "__main__":
    sys.exit(main())
