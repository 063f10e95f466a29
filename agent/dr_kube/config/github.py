"""GitHub: the token that opens pull requests and the API it talks to."""

from __future__ import annotations

from pydantic import SecretStr

from dr_kube.config.env import EnvSection, env


class GitHubSettings(EnvSection):
    token: SecretStr | None = env(
        "GITHUB_TOKEN",
        "opens and updates PRs, replies to reviews, checks permissions",
        default=None,
    )
    api_url: str | None = env(
        "DRKUBE_GITHUB_API_URL",
        "GitHub Enterprise API URL",
        default=None,
        shown="`https://api.github.com`",
    )

    @property
    def token_value(self) -> str | None:
        return self.token.get_secret_value() if self.token is not None else None
