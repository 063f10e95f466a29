"""The hybrid LLM provider: analyzers first, their finding as the LLM's hint, analyzers as fallback.

Per incident (one provider object per run; a new incident resets its usage):
- attempt 1: the analyzers run, then the LLM is asked with their finding as a hint. A valid-looking
  LLM proposal goes to validation; an LLM failure (transport, timeout, invalid output after the
  retries, budget) returns the analyzers' proposal and says why in `diagnosis.provider`.
- a retry after the LLM's proposal failed validation: the analyzers' next candidate, which the
  planner keeps inside the workload's block and policy, so a bad LLM answer ends in the analyzers'
  fix (or their no-fix diagnosis), never in an invalid PR. Only when the analyzers could not name
  the failure is the LLM asked again, with the validation errors (up to `DRKUBE_LLM_ATTEMPTS`
  proposals per incident).
- reviewer guidance always goes to the LLM: a human asked for something the rules cannot read.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from dr_kube.config.llm import Backend, LLMSettings, load_settings
from dr_kube.diagnose.llm.budget import HOURLY, Budget, HourlyCounter
from dr_kube.diagnose.llm.clients import LLMError, StructuredLLM
from dr_kube.diagnose.llm.prompt import Prompt, build_prompt
from dr_kube.diagnose.llm.schema import to_proposal
from dr_kube.diagnose.provider import ProposalRequest, Provider
from dr_kube.diagnose.rules import RulesProvider
from dr_kube.errors import ProviderError
from dr_kube.models import Change, Proposal, Usage

log = logging.getLogger(__name__)


@dataclass
class Trace:
    """What the provider did for the current incident: for tests, benchmarks and logs."""

    prompts: list[Prompt] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    llm_changes: list[list[Change]] = field(default_factory=list)
    fallbacks: list[str] = field(default_factory=list)


class HybridProvider:
    def __init__(
        self,
        backend: Backend,
        settings: LLMSettings,
        llm: StructuredLLM | None = None,
        hourly: HourlyCounter = HOURLY,
    ) -> None:
        self.name: str = backend
        self.settings = settings
        self.llm = llm or StructuredLLM(backend, settings)
        self.rules = RulesProvider()
        self.budget = Budget(
            settings.calls_per_incident,
            settings.tokens_per_incident,
            settings.calls_per_hour,
            hourly,
        )
        self.trace = Trace()
        self._incident: str | None = None

    @property
    def usage(self) -> Usage:
        return self.budget.usage

    @usage.setter
    def usage(self, value: Usage) -> None:
        self.budget.usage = value

    @property
    def label(self) -> str:
        return f"{self.name}:{self.llm.model}"

    def _start(self, request: ProposalRequest) -> None:
        fresh = request.attempt == 1 and not (request.tried or request.feedback or request.guidance)
        if fresh or request.incident.id != self._incident:
            self._incident = request.incident.id
            self.budget.reset()
            self.trace = Trace()

    def propose(self, request: ProposalRequest) -> Proposal:
        self._start(request)
        hint = self.rules.propose(request)
        llm_rejected = bool(
            request.feedback and request.tried and request.tried[-1] in self.trace.llm_changes
        )
        # Retry the LLM with its errors only where it is the sole proposer: the analyzers have
        # neither a change nor a name for the failure.
        rules_know = bool(hint.changes) or hint.diagnosis.category != "unknown"
        if llm_rejected and rules_know and not request.guidance:
            return self._rules(hint, f"{self.name}'s proposal failed validation")
        if len(self.trace.llm_changes) >= self.settings.llm_attempts and not request.guidance:
            return self._rules(hint, f"{self.name} made {len(self.trace.llm_changes)} proposals")
        prompt = build_prompt(request, hint)
        self.trace.prompts.append(prompt)
        try:
            reply = self.llm.ask(prompt, self.budget)
        except LLMError as failure:
            return self._rules(hint, failure.reason, fallback=True)
        self.trace.seconds.append(reply.seconds)
        location = request.location
        proposal = to_proposal(
            reply.answer,
            values_file=location.values_file if location else None,
            values=request.values,
            defaults=location.chart.defaults if location and location.chart else None,
            provider=self.label,
            container=hint.diagnosis.container or request.evidence.focus_container,
        )
        disagrees = proposal.diagnosis.category != hint.diagnosis.category
        if disagrees and hint.diagnosis.confidence >= CONFIDENT and not request.guidance:
            # A confident analyzer rests on quoted evidence; a model that names another class
            # is more likely wrong than the evidence.
            self.trace.llm_changes.append(proposal.changes)
            return self._rules(
                hint, f"{self.name} said {proposal.diagnosis.category}; the evidence says otherwise"
            )
        if proposal.changes:
            if proposal.changes in request.tried:
                return self._rules(hint, f"{self.name} repeated a rejected change", fallback=True)
            self.trace.llm_changes.append(proposal.changes)
            return proposal
        self.trace.llm_changes.append([])
        if hint.changes:
            return self._rules(hint, f"{self.name} proposed no change")
        if hint.diagnosis.category == "unknown" and proposal.diagnosis.category != "unknown":
            return proposal  # the LLM widens what the analyzers could name
        return self._rules(hint, f"{self.name} proposed no change either")

    def _rules(self, hint: Proposal, reason: str, fallback: bool = False) -> Proposal:
        if fallback:
            log.warning("falling back to the analyzers: %s", reason)
        self.trace.fallbacks.append(reason)
        text = f"rules (fallback: {reason})" if fallback else f"rules ({reason})"
        return hint.model_copy(
            update={"diagnosis": hint.diagnosis.model_copy(update={"provider": text})}
        )


# Analyzer confidence at which the model may not overrule the failure class.
CONFIDENT = 0.85


def choose_backend(name: str, settings: LLMSettings) -> Backend:
    if name == "gemini":
        if settings.gemini_api_key is None:
            raise ProviderError("--provider gemini needs GEMINI_API_KEY or GOOGLE_API_KEY")
        return "gemini"
    if name == "ollama":
        return "ollama"
    if name == "auto":
        if settings.gemini_api_key is not None:
            return "gemini"
        if settings.ollama_host:
            return "ollama"
        raise ProviderError(
            "--provider auto needs GEMINI_API_KEY / GOOGLE_API_KEY or OLLAMA_HOST; "
            "use --provider rules for the analyzers alone"
        )
    raise ProviderError(f"unknown LLM provider {name!r}")


def make_llm_provider(name: str) -> Provider:
    """`gemini`, `ollama` or `auto` (Gemini when a key is set, else Ollama when a host is set)."""
    settings = load_settings()
    return HybridProvider(choose_backend(name, settings), settings)
