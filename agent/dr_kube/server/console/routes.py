"""The console's pages and its one action: the list, an incident, its log, sign-in, decisions."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dr_kube.decisions import WHAT, Action, Decider
from dr_kube.redact import redact
from dr_kube.server.console import views
from dr_kube.server.console.auth import COOKIE, Gate, User
from dr_kube.server.console.pages import HEADERS, render
from dr_kube.server.deps import ServiceDep
from dr_kube.server.http import read_body
from dr_kube.server.routes.incidents import detail
from dr_kube.service.wiring import Service
from dr_kube.store import listing
from dr_kube.store.audit import records

log = logging.getLogger(__name__)
router = APIRouter(prefix="/ui", include_in_schema=False)
Facet = Annotated[str | None, Query(max_length=200)]
ACTIONS: tuple[Action, ...] = ("open", "change", "ignore")
SAID = {
    "queued-open": "Approved: the PR is being opened (validated again on a fresh base).",
    "queued-change": "Change requested: the proposal is being reworked.",
    "ignored-ignore": "Ignored: the incident is closed.",
}


def gate(request: Request) -> Gate:
    found: Gate = request.app.state.console
    return found


def known_secrets(s: Service) -> list[str]:
    settings, ops = s.settings, s.followup.settings
    held = [
        settings.alertmanager_token,
        settings.basic_password,
        settings.github_secret,
        settings.console.secret,
        ops.slack_token,
        ops.slack_signing_secret,
        ops.argocd_token,
    ]
    return [v.get_secret_value() for v in held if v is not None]


def scrub(data: Any, secrets: list[str]) -> Any:
    """Every string masked as the logs and the API mask them (numbers and keys kept)."""
    if isinstance(data, dict):
        return {k: scrub(v, secrets) for k, v in data.items()}
    if isinstance(data, list):
        return [scrub(v, secrets) for v in data]
    if isinstance(data, str):
        return redact(data, secrets)
    return data


def to_login(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/ui/login?{urlencode({'next': target})}", status_code=303)


def refused(user: User | None, why: str, status: int = 403) -> HTMLResponse:
    return render("refused.html", status, user=user, csrf="", why=why)


def safe_next(target: str | None) -> str:
    if target and target.startswith("/ui") and not target.startswith("/ui/login"):
        return target if "//" not in target and "\\" not in target else "/ui"
    return "/ui"


async def form(request: Request, s: Service) -> dict[str, str]:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/x-www-form-urlencoded":
        return {}
    body = await read_body(request, s.settings.max_body)
    try:
        parsed = parse_qs(body.decode(), max_num_fields=20)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {k: v[0] for k, v in parsed.items() if v}


# ---- sign-in -------------------------------------------------------------------------------------
@router.get("/login")
async def login_page(request: Request, next: Annotated[str | None, Query()] = None) -> Response:
    g = gate(request)
    if g.user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render("login.html", user=None, csrf="", next=safe_next(next), error=None, name="")


@router.post("/login")
async def login(request: Request, s: ServiceDep) -> Response:
    g = gate(request)
    problem = g.origin_problem(request)
    if problem:
        return refused(None, f"Sign-in refused: {problem}.")
    fields = await form(request, s)
    name = fields.get("user", "").strip()[:200]
    target = safe_next(fields.get("next"))
    if g.throttled(request):
        error = "Too many wrong sign-ins from this address: wait a few minutes."
        return render("login.html", 429, user=None, csrf="", next=target, error=error, name=name)
    user = g.sign_in(name, fields.get("secret", ""))
    if user is None:
        g.failed(request)
        error = "Wrong token, or wrong user and password."
        return render("login.html", 401, user=None, csrf="", next=target, error=error, name=name)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        g.sessions.issue(user.name, user.via),
        max_age=int(g.sessions.lifetime),
        path="/ui",
        httponly=True,
        samesite="strict",
        secure=g.secure(request),
    )
    return response


@router.post("/logout")
async def logout(request: Request, s: ServiceDep) -> Response:
    g = gate(request)
    user = g.user(request)
    if user is None:
        return to_login(request)
    fields = await form(request, s)
    problem = g.origin_problem(request)
    if problem or not g.csrf_ok(user, fields.get("csrf")):
        return refused(
            user, f"Sign-out refused: {problem or 'the CSRF token is missing or wrong'}."
        )
    response = RedirectResponse("/ui/login", status_code=303)
    response.delete_cookie(COOKIE, path="/ui", httponly=True, samesite="strict")
    return response


# ---- the list ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ListQuery:
    """What the list shows: its filters and where the page starts (the list and its rows)."""

    filters: listing.Filters
    offset: int


def list_query(
    namespace: Facet = None,
    status: Facet = None,
    category: Facet = None,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> ListQuery:
    return ListQuery(listing.Filters(namespace or None, status or None, category or None), offset)


ListQueryDep = Annotated[ListQuery, Depends(list_query)]


def list_context(s: Service, q: ListQuery) -> dict[str, Any]:
    filters, offset = q.filters, q.offset
    page = listing.page(s.store, filters, s.settings.console.page_size, offset)
    query = {k: v for k, v in vars(filters).items() if v}
    return {
        "page": page,
        "filters": filters,
        "facets": listing.facets(s.store),
        "query": query,
        "rows_url": "/ui/rows?" + urlencode({**query, "offset": offset}),
        "pager": lambda at: "/ui?" + urlencode({**query, "offset": at}),
    }


@router.get("")
async def incidents(request: Request, s: ServiceDep, q: ListQueryDep) -> Response:
    user = gate(request).user(request)
    if user is None:
        return to_login(request)
    ctx = await run_in_threadpool(list_context, s, q)
    return render("list.html", user=user, csrf=gate(request).csrf_token(user), **ctx)


@router.get("/rows")
async def rows(request: Request, s: ServiceDep, q: ListQueryDep) -> Response:
    """The table's body and pager alone: what the list page polls to stay current."""
    if gate(request).user(request) is None:
        return HTMLResponse("sign in again", status_code=401, headers=HEADERS)
    ctx = await run_in_threadpool(list_context, s, q)
    return render("rows.html", **ctx)


# ---- one incident --------------------------------------------------------------------------------
def logs_of(s: Service, incident_id: str, generation: int) -> list[views.LogSource]:
    held = s.followup.ops.incident(incident_id)
    stored = json.loads(held["incident"]) if held and held.get("incident") else {}
    try:
        evidence = s.worker.evidence(incident_id, generation)
    except Exception:  # a checkpoint that cannot be read: the page shows what the store holds
        log.warning("could not read the evidence of incident %s", incident_id, exc_info=True)
        evidence = None
    return views.log_sources(stored, evidence)


def incident_context(s: Service, incident_id: str) -> dict[str, Any] | None:
    row = s.store.get_incident(incident_id)
    if row is None:
        return None
    ops = s.followup.ops.get(incident_id)
    audit = list(records(s.store.db, incident=incident_id, limit=2000))
    shown = detail(dict(row), ops)
    logs = logs_of(s, incident_id, int(row["generation"]))
    data = scrub(
        {
            "incident": shown.model_dump(mode="json"),
            "timeline": [vars(e) for e in views.timeline(row, audit, ops)],
            "logs": [
                {"title": src.title, "total": len(src.lines), "head": src.lines[: views.LOG_HEAD]}
                for src in logs
            ],
        },
        known_secrets(s),
    )
    return {**data, "log_head_size": views.LOG_HEAD}


@router.get("/incidents/{incident_id}")
async def incident(
    request: Request,
    incident_id: str,
    s: ServiceDep,
    decided: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    g = gate(request)
    user = g.user(request)
    if user is None:
        return to_login(request)
    ctx = await run_in_threadpool(incident_context, s, incident_id)
    if ctx is None:
        return render("refused.html", 404, user=user, csrf="", why=f"No incident {incident_id!r}.")
    return render(
        "incident.html", user=user, csrf=g.csrf_token(user), said=SAID.get(decided or ""), **ctx
    )


@router.get("/incidents/{incident_id}/log")
async def incident_log(
    request: Request,
    incident_id: str,
    s: ServiceDep,
    source: Annotated[int, Query(ge=0, le=1000)] = 0,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    user = gate(request).user(request)
    if user is None:
        return to_login(request)

    def read() -> list[views.LogSource] | None:
        row = s.store.get_incident(incident_id)
        return None if row is None else logs_of(s, incident_id, int(row["generation"]))

    sources = await run_in_threadpool(read)
    if sources is None or source >= len(sources):
        why = f"No incident {incident_id!r}." if sources is None else f"No log {source}."
        return render("refused.html", 404, user=user, csrf="", why=why)
    page = views.log_page(sources[source].lines, offset)
    page.lines = [redact(line, known_secrets(s)) for line in page.lines]
    return render(
        "log.html",
        user=user,
        csrf=gate(request).csrf_token(user),
        incident_id=incident_id,
        title=redact(sources[source].title, known_secrets(s)),
        source=source,
        log=page,
        page_size=views.LOG_PAGE,
    )


# ---- decisions -----------------------------------------------------------------------------------
@router.post("/incidents/{incident_id}/decide")
async def decide(request: Request, incident_id: str, s: ServiceDep) -> Response:
    """Approve (open the PR), ask for a change, or ignore: the rules and records of Slack's
    buttons (`dr_kube.decisions`), for users in DRKUBE_CONSOLE_APPROVERS."""
    g = gate(request)
    user = g.user(request)
    if user is None:
        return refused(None, "Sign in first.", 401)
    problem = g.origin_problem(request)
    if problem:
        return refused(user, f"Refused: {problem}.")
    fields = await form(request, s)
    if not g.csrf_ok(user, fields.get("csrf")):
        return refused(user, "Refused: the CSRF token is missing or wrong. Reload the page.")
    action = fields.get("action", "")
    if action not in ACTIONS:
        return refused(user, f"Unknown action {action[:40]!r}.", 400)
    kind: Action = action
    who = Decider(
        user=user.name,
        channel="console",
        mention=user.name,
        where="the web console",
        via="the web console",
        data={"signed_in_by": user.via},
    )
    decisions = s.followup.decisions
    if not user.can_act:
        await run_in_threadpool(decisions.refuse, incident_id, who, kind)
        return refused(
            user, f"You are signed in read-only: only DR-Kube approvers may {WHAT[kind]}."
        )
    text = fields.get("text", "")[:2000]
    if kind == "open":
        decided = await run_in_threadpool(decisions.approve, incident_id, who)
    elif kind == "change":
        decided = await run_in_threadpool(decisions.request_change, incident_id, who, text)
    else:
        decided = await run_in_threadpool(decisions.ignore, incident_id, who, text)
    if decided.outcome in ("unknown", "invalid", "stale"):
        return refused(user, decided.message, 409 if decided.outcome != "unknown" else 404)
    where = f"/ui/incidents/{incident_id}?" + urlencode({"decided": f"{decided.outcome}-{kind}"})
    return RedirectResponse(where, status_code=303)
