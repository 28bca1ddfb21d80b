"""Functions the tests serve as tools, by import path (``"python_tools_samples:add"``).

``conftest.py`` puts this folder on ``sys.path`` for the tests, as a user's own module would be.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import date
from enum import Enum
from typing import Literal

from plugstack_python_tools import tool
from pydantic import BaseModel, Field, field_validator


def add(a: int, b: int) -> int:
    """Add two integers.

    Args:
        a: The first addend.
        b: The second addend.
    """
    return a + b


def divide(a: float, b: float) -> float:
    """Divide a by b; b = 0 raises ZeroDivisionError."""
    return a / b


async def lookup_word(index: int, words: list[str] | None = None) -> str:
    """The word at ``index`` (async); an index past the end raises IndexError."""
    await asyncio.sleep(0)
    return (words or ["alpha", "beta", "gamma"])[index]


def where_sync() -> dict[str, str]:
    """The thread a sync tool runs in."""
    return {"thread": threading.current_thread().name}


async def where_async() -> dict[str, str]:
    """The thread an async tool runs in."""
    return {"thread": threading.current_thread().name}


class Unit(Enum):
    METERS = "m"
    KILOMETERS = "km"


class Point(BaseModel):
    x: float
    y: float


def distance(a: Point, b: Point, unit: Unit = Unit.METERS) -> dict[str, object]:
    """Euclidean distance between two points.

    Args:
        a: Where to start.
        b: Where to end.
        unit: The unit of the answer.
    """
    meters = ((a.x - b.x) ** 2 + (a.y - b.y) ** 2) ** 0.5
    value = meters / 1000 if unit is Unit.KILOMETERS else meters
    return {"distance": value, "unit": unit.value, "types": [type(a).__name__, type(unit).__name__]}


def describe(
    value: float, day: date, mode: Literal["short", "long"] = "short", count: int | None = None
) -> dict[str, str]:
    """The Python types the arguments arrived as."""
    return {"value": type(value).__name__, "day": type(day).__name__, "mode": mode, "count": type(count).__name__}


class Slug(BaseModel):
    text: str = Field(min_length=1)

    @field_validator("text")
    @classmethod
    def _lowercase(cls, value: str) -> str:
        if value != value.lower():
            raise ValueError("must be lower case")
        return value


def publish(slug: Slug) -> str:
    """Accept a slug that only pydantic can check (its validator has no JSON schema)."""
    return f"published {slug.text}"


def midpoint(a: Point, b: Point) -> Point:
    """A pydantic model as the return value."""
    return Point(x=(a.x + b.x) / 2, y=(a.y + b.y) / 2)


def nothing() -> None:
    """Return None."""


class Opaque:
    def __str__(self) -> str:
        return "an opaque thing"


def opaque() -> Opaque:
    """A return value with no JSON form."""
    return Opaque()


def leak() -> str:
    """Fail with a credential in the message, as an upstream SDK may."""
    raise RuntimeError("upstream refused: Incorrect API key provided: sk-live0123456789abcdef")


@tool(name="plus", description="Add two integers (served under another name).")
def add_renamed(a: int, b: int) -> int:
    return a + b


NOT_CALLABLE = 42
