"""The secret kinds of `detect-secrets`' regex plugins, as patterns `redact` can anchor.

DR-Kube does not grow its own list of token formats: every regex plugin of detect-secrets (Stripe,
Twilio, SendGrid, GitLab, npm, PyPI, OpenAI, Square, Artifactory, Discord, Mailchimp, ...) is read
here, minus the few `redact` covers better itself (private keys as a whole block, URL passwords,
JWTs) or that are not secrets (public IP addresses). For each regex the literal text every match
holds (`sk_live_`, `glpat-`) and how far before it a match may start are read from the regex
itself, so `redact` tries it only around those literals; a regex without such a literal runs over
the whole text.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from functools import cache
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

# Plugins left out, and why.
SKIPPED = {
    "PrivateKeyDetector": "redact masks the whole key block, not its first line",
    "BasicAuthDetector": "redact's url-password pattern masks the same",
    "JwtTokenDetector": "redact's jwt pattern masks the same, with fewer false hits",
    "IPPublicDetector": "an IP address is evidence, not a secret",
    "KeywordDetector": "redact's secret-assignment pattern covers `name = value`",
    # IBM's keyword forms (`cloudant_password = ...`) are secret-assignments and their URL forms
    # url-passwords; their regexes anchor on `http` and `key`, in every line of a log.
    "CloudantDetector": "redact's secret-assignment and url-password patterns cover it",
    "IbmCloudIamDetector": "redact's secret-assignment pattern covers it",
    "IbmCosHmacDetector": "redact's secret-assignment pattern covers it",
    "SoftlayerDetector": "redact's secret-assignment pattern covers it",
    "TelegramBotTokenDetector": "no literal to anchor on: a digit run and a colon, in every log",
    "DiscordBotTokenDetector": "no literal to anchor on: it would run over every whole text",
    "GitHubTokenDetector": "redact's github-token pattern masks the same and `github_pat_`",
}
# What a token may go on with after a plugin's fixed-length match (`sk_live_` + 24 characters is
# the shortest Stripe key, not the only length): masked with it.
TAIL = "[A-Za-z0-9_-]*"
# A regex whose literal sits further than this into a match runs over the whole text.
MAX_REACH = 64


@dataclass(frozen=True)
class PluginPattern:
    kind: str  # `stripe-access-key`
    regex: re.Pattern[str]
    group: int  # the group holding the secret (0: the whole match)
    anchors: tuple[str, ...]  # literals every match holds (lowercase unless case-sensitive)
    reach: int  # the most characters a match may start before its anchor
    must: str  # a literal every match holds, however far in (`/:_authToken=`); may be empty
    case_sensitive: bool


def kind_of(secret_type: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", secret_type.lower()).strip("-")


def _literal_strings(items: list[Any]) -> set[str] | None:
    """The strings a sequence of regex items can only be (a literal, an alternation of literals,
    groups of those), or None when it can be anything else."""
    found = {""}
    for op, arg in items:
        if op is sre.LITERAL:
            found = {s + chr(arg) for s in found}
        elif op is sre.IN and all(o is sre.LITERAL for o, _ in arg):
            found = {s + chr(c) for s in found for _, c in arg}
        elif op is sre.SUBPATTERN:
            inner = _literal_strings(list(arg[-1]))
            if inner is None:
                return None
            found = {s + t for s in found for t in inner}
        elif op is sre.BRANCH:
            alternatives: set[str] = set()
            for branch in arg[1]:
                inner = _literal_strings(list(branch))
                if inner is None:
                    return None
                alternatives |= inner
            found = {s + t for s in found for t in alternatives}
        else:
            return None
    return found


def _prefixes(items: list[Any]) -> set[str]:
    """The literal prefixes one of which starts every match of a sequence (maybe short, maybe
    empty): `(?:A3T[A-Z0-9]|AKIA)…` → {A3T, AKIA}."""
    found = {""}
    for op, arg in items:
        if op is sre.LITERAL:
            found = {s + chr(arg) for s in found}
            continue
        if op is sre.SUBPATTERN:
            alternatives = [list(arg[-1])]
        elif op is sre.BRANCH:
            alternatives = [list(branch) for branch in arg[1]]
        else:
            break
        inner = set().union(*(_prefixes(a) for a in alternatives))
        found = {s + t for s in found for t in inner}
        break  # what follows an alternation may differ by alternative
    return found


def anchors_of(regex: re.Pattern[str]) -> tuple[tuple[str, ...], int]:
    """The first literal (two characters or more) every match holds, and how far into a match it
    may sit; `((), 0)` when there is none close enough to the start."""
    items = list(sre_parse.parse(regex.pattern, regex.flags))
    blind = bool(regex.flags & re.IGNORECASE)

    def fold(text: str) -> str:
        return text.lower() if blind else text

    starts = _prefixes(items)
    if min(map(len, starts)) >= 2:  # every match starts with one of these
        return tuple(sorted({fold(s) for s in starts})), 0
    reach = 0
    for i, (op, arg) in enumerate(items):
        strings = _literal_strings([(op, arg)])
        if strings is not None and all(strings):
            # extend with the literals that follow
            j = i + 1
            while j < len(items):
                more = _literal_strings([items[j]])
                if more is None or len(more) != 1:
                    break
                strings = {s + next(iter(more)) for s in strings}
                j += 1
            if min(map(len, strings)) >= 2:
                return tuple(sorted({fold(s) for s in strings})), reach
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue
        width = sre_parse.SubPattern(sre_parse.State(), [(op, arg)]).getwidth()[1]
        reach += width
        if reach > MAX_REACH:
            break
    return (), 0


def with_tail(regex: re.Pattern[str]) -> re.Pattern[str]:
    """A regex ending in a repeat also takes the rest of the token it matched the start of."""
    items = list(sre_parse.parse(regex.pattern, regex.flags))
    if items and items[-1][0] in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        return re.compile(f"(?:{regex.pattern}){TAIL}", regex.flags)
    return regex


def must_of(regex: re.Pattern[str]) -> str:
    """The longest run of literals (three or more) among a regex's top-level items: a text
    without it holds no match."""
    best, run = "", ""
    for op, arg in sre_parse.parse(regex.pattern, regex.flags):
        run = run + chr(arg) if op is sre.LITERAL else ""
        best = max(best, run, key=len)
    return best if len(best) >= 3 else ""


def secret_group(regex: re.Pattern[str]) -> int:
    """detect-secrets reports a regex's groups as the secret; a group names the secret only when
    it is not a mere prefix alternation (`(ghp|gho)_...` reports `ghp`)."""
    if regex.groups == 0:
        return 0
    items = list(sre_parse.parse(regex.pattern, regex.flags))
    for op, arg in items:
        if op is sre.SUBPATTERN and arg[0] == 1:
            return 0 if _literal_strings(list(arg[-1])) is not None else 1
    return 1


@cache
def plugin_patterns() -> tuple[PluginPattern, ...]:
    """Every regex of detect-secrets' regex plugins but the SKIPPED ones."""
    import importlib
    import pkgutil

    import detect_secrets.plugins as plugins
    from detect_secrets.plugins.base import RegexBasedDetector

    found: list[PluginPattern] = []
    for info in sorted(pkgutil.iter_modules(plugins.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{plugins.__name__}.{info.name}")
        for name, value in sorted(vars(module).items()):
            if (
                not inspect.isclass(value)
                or not issubclass(value, RegexBasedDetector)
                or value is RegexBasedDetector
                or value.__module__ != module.__name__
                or name in SKIPPED
            ):
                continue
            kind = kind_of(str(value.secret_type))
            for regex in value().denylist:
                regex = with_tail(regex)
                anchors, reach = anchors_of(regex)
                case_sensitive = not regex.flags & re.IGNORECASE
                must = must_of(regex)
                found.append(
                    PluginPattern(
                        kind,
                        regex,
                        secret_group(regex),
                        anchors,
                        reach,
                        must if case_sensitive else must.lower(),
                        case_sensitive,
                    )
                )
    return tuple(found)
