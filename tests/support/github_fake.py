"""A stateful stand-in for GitHub's REST API on pytest-httpserver.

Responses follow GitHub's documented shapes (repository, pull request, issue comment, label), with
every `url` pointing back at the test server so PyGithub's follow-up calls arrive here too.
Every request is recorded, so tests assert exactly what was sent.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

USER = {
    "login": "dr-kube-bot",
    "id": 1001,
    "node_id": "U_kgDOAAAD6Q",
    "type": "Bot",
    "site_admin": False,
}


@dataclass
class FakeGitHub:
    server: HTTPServer
    owner: str = "acme"
    repo: str = "gitops"
    pulls: dict[int, dict[str, Any]] = field(default_factory=dict)
    comments: list[dict[str, Any]] = field(default_factory=list)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)

    @property
    def api(self) -> str:
        return self.server.url_for("").rstrip("/")

    @property
    def repo_url(self) -> str:
        return f"{self.api}/repos/{self.owner}/{self.repo}"

    def install(self) -> FakeGitHub:
        self.server.expect_request(re.compile(r"^/.*")).respond_with_handler(self.handle)
        return self

    def repository(self) -> dict[str, Any]:
        return {
            "id": 4242,
            "node_id": "R_kgDOAAAQkg",
            "name": self.repo,
            "full_name": f"{self.owner}/{self.repo}",
            "private": True,
            "owner": {**USER, "login": self.owner, "type": "Organization"},
            "html_url": f"https://github.com/{self.owner}/{self.repo}",
            "url": self.repo_url,
            "pulls_url": f"{self.repo_url}/pulls{{/number}}",
            "default_branch": "main",
            "permissions": {"admin": False, "push": True, "pull": True},
        }

    def pull(self, number: int, head: str, base: str, title: str, body: str) -> dict[str, Any]:
        return {
            "id": 900000 + number,
            "node_id": f"PR_kwDO{number:06d}",
            "number": number,
            "state": "open",
            "locked": False,
            "title": title,
            "body": body,
            "user": USER,
            "labels": [],
            "draft": False,
            "merged": False,
            "url": f"{self.repo_url}/pulls/{number}",
            "html_url": f"https://github.com/{self.owner}/{self.repo}/pull/{number}",
            "issue_url": f"{self.repo_url}/issues/{number}",
            "comments_url": f"{self.repo_url}/issues/{number}/comments",
            "head": {
                "label": f"{self.owner}:{head}",
                "ref": head,
                "sha": "0" * 40,
                "user": USER,
                "repo": self.repository(),
            },
            "base": {
                "label": f"{self.owner}:{base}",
                "ref": base,
                "sha": "1" * 40,
                "user": USER,
                "repo": self.repository(),
            },
            "created_at": "2026-11-24T21:10:00Z",
            "updated_at": "2026-11-24T21:10:00Z",
        }

    def calls(self, method: str, pattern: str) -> list[Any]:
        return [body for m, path, body in self.requests if m == method and re.search(pattern, path)]

    def handle(self, request: Request) -> Response:
        body = json.loads(request.data) if request.data else None
        path = request.path
        self.requests.append((request.method, path, body))
        if (
            request.headers.get("Authorization") != "token test-token"
            and request.headers.get("Authorization") != "Bearer test-token"
        ):
            return self.json(
                {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"},
                401,
            )
        base = f"/repos/{self.owner}/{self.repo}"
        if request.method == "GET" and path == base:
            return self.json(self.repository())
        if path == f"{base}/pulls" and request.method == "GET":
            head = request.args.get("head", "")
            state = request.args.get("state", "open")
            found = [
                p
                for p in self.pulls.values()
                if (not head or p["head"]["label"] == head) and p["state"] == state
            ]
            return self.json(found)
        if path == f"{base}/pulls" and request.method == "POST":
            if any(
                p["head"]["ref"] == body["head"] and p["state"] == "open"
                for p in self.pulls.values()
            ):
                return self.json(
                    {
                        "message": "Validation Failed",
                        "errors": [
                            {
                                "resource": "PullRequest",
                                "code": "custom",
                                "message": f"A pull request already exists for {self.owner}:{body['head']}.",
                            }
                        ],
                    },
                    422,
                )
            number = len(self.pulls) + 1
            self.pulls[number] = self.pull(
                number, body["head"], body["base"], body["title"], body.get("body", "")
            )
            return self.json(self.pulls[number], 201)
        match = re.fullmatch(rf"{base}/pulls/(\d+)", path)
        if match and request.method == "PATCH":
            pr = self.pulls[int(match.group(1))]
            pr.update({k: v for k, v in body.items() if k in ("title", "body", "state")})
            return self.json(pr)
        match = re.fullmatch(rf"{base}/issues/(\d+)/labels", path)
        if match and request.method == "POST":
            pr = self.pulls[int(match.group(1))]
            pr["labels"] = [
                {"id": i, "name": n, "color": "ededed", "default": False}
                for i, n in enumerate(body)
            ]
            return self.json(pr["labels"])
        match = re.fullmatch(rf"{base}/issues/(\d+)/comments", path)
        if match and request.method == "POST":
            comment = {
                "id": 5000 + len(self.comments),
                "node_id": "IC_kwDO",
                "body": body["body"],
                "user": USER,
                "html_url": f"https://github.com/{self.owner}/{self.repo}/pull/{match.group(1)}#issuecomment-{5000 + len(self.comments)}",
                "url": f"{self.repo_url}/issues/comments/{5000 + len(self.comments)}",
                "created_at": "2026-11-24T21:20:00Z",
                "updated_at": "2026-11-24T21:20:00Z",
            }
            self.comments.append(comment)
            return self.json(comment, 201)
        return self.json(
            {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}, 404
        )

    @staticmethod
    def json(data: Any, status: int = 200) -> Response:
        return Response(
            json.dumps(data), status=status, content_type="application/json; charset=utf-8"
        )
