"""Bytes to dicts to models, translating json and pydantic errors into ones that cannot echo input.

Both libraries put input in their exceptions (``JSONDecodeError.doc`` holds the whole body, a
pydantic error can hold the offending value), so their exceptions are never chained: the
translated error is raised outside the ``except`` block and carries only positions, field
locations and error types.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from fetch import models
from fetch.errors import MalformedResponseError

M = TypeVar("M", bound=BaseModel)

_MAX_REPORTED = 3


def decode_json(
    content: bytes, *, path_template: str, status: int | None = None, request_id: str | None = None
) -> dict[str, Any]:
    """Parse a response body that must be a JSON object."""
    data, problem = _parse(content)
    if problem is None and isinstance(data, dict):
        return data
    code = "malformed_json" if problem is not None else "invalid_body"
    detail = problem or f"expected a JSON object, got {type(data).__name__}"
    raise MalformedResponseError(
        detail, code=code, status=status, path_template=path_template, request_id=request_id
    )


def try_json_object(content: bytes) -> dict[str, Any] | None:
    """The body as a JSON object, or None if it is anything else (error bodies may be HTML)."""
    data, problem = _parse(content)
    return data if problem is None and isinstance(data, dict) else None


def _parse(content: bytes) -> tuple[Any, str | None]:
    """The parsed value, or where parsing broke (a position only, never the text)."""
    try:
        return json.loads(content), None
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON at line {exc.lineno} column {exc.colno}"
    except UnicodeDecodeError as exc:
        return None, f"body is not valid UTF-8 at byte {exc.start}"
    except RecursionError:
        return None, "JSON nested too deeply"


def validate(model: type[M], body: dict[str, Any], *, path_template: str, request_id: str | None = None) -> M:
    """Validate a decoded body as ``model``; failures name field locations and error types only."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        detail = summarize_validation(exc)
    raise MalformedResponseError(
        detail, code="invalid_body", path_template=path_template, request_id=request_id
    )


def summarize_validation(exc: ValidationError) -> str:
    """``N validation errors: loc (type); ...`` with no input, no message text, no URL."""
    errors = exc.errors(include_input=False, include_url=False, include_context=False)
    parts = [f"{_safe_loc(e['loc'])} ({_safe_word(e['type'])})" for e in errors[:_MAX_REPORTED]]
    more = f"; and {len(errors) - _MAX_REPORTED} more" if len(errors) > _MAX_REPORTED else ""
    return f"{len(errors)} validation error(s): {'; '.join(parts)}{more}"


def _safe_loc(loc: tuple[int | str, ...]) -> str:
    # Dict keys in a loc come from the input; only names our models declare are shown.
    names = _model_field_names()
    return ".".join(str(p) if isinstance(p, int) or p in names else "?" for p in loc) or "body"


def _safe_word(value: str) -> str:
    return value if value.replace("_", "").isalnum() and len(value) <= 64 else "?"


@cache
def _model_field_names() -> frozenset[str]:
    names = {"text", "tool_use", "tool_result", "unknown"}  # the content-block tags
    for obj in vars(models).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            for name, field in obj.model_fields.items():
                names.add(name)
                if field.alias:
                    names.add(field.alias)
    return frozenset(names)
