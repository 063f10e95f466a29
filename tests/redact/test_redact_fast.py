"""The anchored search in `redact` masks exactly what each pattern's regex masks over the whole
text, and a big log is masked without running the regexes everywhere."""

from __future__ import annotations

import dataclasses
import random
import re
import sys
from functools import partial

import pytest

from dr_kube import redact as redact_module
from dr_kube.redact import FOLDS_TO_ASCII, PLACEHOLDER, _mask, _sub, all_patterns, redact

PATTERNS = all_patterns()

PIECES = [
    "password=hunter22",
    "db.password: 's3cr3t-value'",
    "x.api-key=abcd1234",
    "secretoken=zzzzzz",
    "passpassword:=qwerty12",
    "PRIVATE_KEY = AAAABBBB",
    "client_secret\n  =\n  multi-line-value",
    "ACCESSKEY:ABCDEFGH",
    "Authorization: Bearer abc.def-ghi_jkl",
    "basic   dXNlcjpwYXNzd29yZA==",
    "postgres://admin:pa55word@db:5432/app",
    "http://frontend:8080/x",
    "HTTPS://User:Pw@Host/",
    "redis://:only-pass@cache",
    "eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.SflKxwRJSMeKKF2Q",
    "AKIAABCDEFGHIJKLMNOP",
    "ASIAABCDEFGHIJKLMNO",
    "AIza" + "A" * 35,
    "ghp_" + "a" * 36,
    "github_pat_" + "b" * 40,
    "xoxb-1234567890-abc",
    "AccountKey=" + "k" * 24,
    "SharedAccessKey=" + "Z" * 30,
    "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
    "token",
    "key=",
    "://",
    "a.b.c.d.e.f.token=value1",
    "~~token~~=no",
    "tokentokentoken=again123",
    "naïve password=é-valeur",
    "ütoken=aaaa",
    "[REDACTED:jwt:abcdef]",
    "\r\n",
    "\n",
    " ",
    '"',
    "'",
    ";",
    "=",
    ":",
    "@",
    "/",
]


def random_text(rng: random.Random) -> str:
    return "".join(
        rng.choice(PIECES) + rng.choice(["", " ", "\n", ".", "-", "_", "="])
        for _ in range(rng.randrange(1, 30))
    )


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: p.kind)
def test_the_anchored_search_masks_what_the_regex_masks(
    pattern: redact_module.SecretPattern,
) -> None:
    rng = random.Random(pattern.kind)
    mask = partial(_mask, kind=pattern.kind, group=pattern.group, trim=pattern.trim)
    for _ in range(400):
        text = random_text(rng)
        lowered: dict[str, str] = {}
        assert _sub(pattern, text, lowered) == pattern.regex.sub(mask, text), text
        # a regex without a literal to anchor on runs over the whole text; a text without the
        # literal every match of a case-sensitive regex holds is not even lowered
        skipped = pattern.case_sensitive and pattern.must and pattern.must not in text
        if pattern.anchors and not skipped:
            assert lowered[text], "an ASCII-folding text must take the anchored path"


def test_every_character_a_case_blind_regex_takes_for_ascii_is_known() -> None:
    letters = re.compile(r"(?i)[a-z0-9]")
    found = {chr(c) for c in range(128, sys.maxunicode + 1) if letters.match(chr(c))}
    assert found == FOLDS_TO_ASCII


def reference_redact(text: str) -> str:
    """`redact` as it was: every regex over every stretch between placeholders."""
    for pattern in PATTERNS:
        parts = PLACEHOLDER.split(text)
        for i in range(0, len(parts), 2):
            parts[i] = pattern.regex.sub(
                partial(_mask, kind=pattern.kind, group=pattern.group, trim=pattern.trim), parts[i]
            )
        text = "".join(parts)
    return text


def test_redact_masks_what_it_masked_before() -> None:
    rng = random.Random(5)
    for _ in range(300):
        text = random_text(rng)
        assert redact(text) == reference_redact(text), text


@pytest.mark.parametrize("folded", sorted(FOLDS_TO_ASCII))
def test_texts_with_such_characters_take_the_regex_path(folded: str) -> None:
    text = f"{folded}token=hunter22 pa{folded}{folded}word=abcdefg {folded}ey=zzzz http{folded}://u:p@h"
    assert redact(text) == reference_redact(text)
    assert redact(text) != text


class CountingRegex:
    def __init__(self, regex: re.Pattern[str], tries: list[int]) -> None:
        self.regex, self.tries = regex, tries

    def match(self, string: str, pos: int = 0) -> re.Match[str] | None:
        self.tries.append(pos)
        return self.regex.match(string, pos)

    def sub(self, *args: object) -> str:
        raise AssertionError("the whole-text regex ran")


def test_a_megabyte_log_tries_the_regexes_only_near_anchors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    line = '{"severity":"info","message":"request complete","took_ms":12,"path":"/cart"}\n'
    text = line * (1_000_000 // len(line)) + "password=hunter22\n"
    tries: list[int] = []
    counting = [
        dataclasses.replace(p, regex=CountingRegex(p.regex, tries)) if p.anchors else p
        for p in PATTERNS
    ]
    monkeypatch.setattr(redact_module, "all_patterns", lambda: counting)
    out = redact(text)
    assert "hunter22" not in out and out.count("[REDACTED:") == 1
    assert 0 < len(tries) < 20
