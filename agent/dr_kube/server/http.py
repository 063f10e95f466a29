"""HTTP helpers every route shares: problem responses and bounded JSON bodies (size here, depth,
numbers and text through `safejson`: a malformed body is a 400, never a 500)."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException, Request
from pydantic import ValidationError

from dr_kube.safejson import JsonInputError, loads
from dr_kube.server.schemas import Problem

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem} for code in (400, 401, 404, 413, 415, 422)
}


def problem(code: int, detail: str) -> HTTPException:
    return HTTPException(status_code=code, detail=detail)


async def read_body(request: Request, max_body: int) -> bytes:
    """The raw body (signatures cover the exact bytes), bounded by the body limit."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_body:
            raise problem(413, f"body is over the {max_body}-byte limit")
    return bytes(body)


async def read_json(request: Request, max_body: int) -> bytes:
    """The body of a JSON request: 415 for another content type, 413 when too large, 400 when
    Content-Length is invalid."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json" and not ctype.endswith("+json"):
        raise problem(415, f"content type must be application/json, not {ctype or 'missing'!r}")
    length = request.headers.get("content-length")
    if length is not None:
        try:
            if int(length) > max_body:
                raise problem(413, f"body of {length} bytes is over the {max_body}-byte limit")
        except ValueError:
            raise problem(400, "invalid Content-Length") from None
    return await read_body(request, max_body)


def decode(body: bytes, check_text: bool = True) -> Any:
    """The decoded body, or a 400 naming what is wrong with it (syntax, depth, a number, text)."""
    try:
        return loads(body, check_text=check_text)
    except JsonInputError as exc:
        raise problem(400, f"body refused: {exc}") from None


def first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"
