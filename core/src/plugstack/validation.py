"""Validating requests: the one way every router turns bad input into a 400 naming the field."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from plugstack.errors import BadRequestError

__all__ = ["bad_request_from", "validate_request"]

RequestT = TypeVar("RequestT", bound=BaseModel)


def validate_request(cls: type[RequestT], request: RequestT | None, params: dict[str, Any]) -> RequestT:
    """``request`` as given, or built from keyword ``params``; a 400 naming the field if invalid."""
    if request is not None:
        if params:
            raise TypeError("pass either a request object or keyword arguments, not both")
        return request
    try:
        return cls.model_validate(params)
    except ValidationError as exc:
        raise bad_request_from(exc) from None


def bad_request_from(exc: ValidationError) -> BadRequestError:
    """A 400 whose message names each invalid field (and never echoes pydantic internals).

    pydantic puts the union member it tried into the location (``content.str``,
    ``content.list[dict[str,any]]``); those are left out and the member errors of one
    field are joined with "or".
    """
    problems: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False):
        field = ".".join(str(part) for part in error["loc"] if not _is_union_member(part)) or "body"
        messages = problems.setdefault(field, [])
        if error["msg"] not in messages:
            messages.append(error["msg"])
    text = "; ".join(f"{field}: {' or '.join(messages)}" for field, messages in problems.items())
    return BadRequestError("invalid request: " + text, param=next(iter(problems), None))


_TYPE_NAMES = frozenset({"str", "int", "float", "bool", "list", "dict", "none"})


def _is_union_member(part: str | int) -> bool:
    """A location part naming a union member (a type), not a field: fields are snake_case."""
    return isinstance(part, str) and (part in _TYPE_NAMES or not part.isidentifier() or part[:1].isupper())
