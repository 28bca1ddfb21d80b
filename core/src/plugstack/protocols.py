"""Checking provider objects against their API's Protocol, and probing optional methods.

Probes look attributes up statically (:func:`inspect.getattr_static`), so an object whose
``__getattr__`` answers every name (or raises for every name) is never asked: only what
its class really defines counts.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

__all__ = ["missing_methods", "optional_attribute", "optional_method", "protocol_methods"]


def protocol_methods(protocol: type) -> list[str]:
    """The public methods ``protocol`` declares, its bases' included, in definition order."""
    names: dict[str, None] = {}
    for cls in reversed(protocol.__mro__):
        if cls is object or getattr(cls, "_is_protocol", False) is False:
            continue
        for name, value in vars(cls).items():
            if not name.startswith("_") and callable(value):
                names[name] = None
    return list(names)


def optional_attribute(obj: object, name: str) -> Any:
    """``obj.name``, if ``obj``'s class (or the object itself) really defines it; else ``None``."""
    try:
        inspect.getattr_static(obj, name)
    except AttributeError:
        return None
    return getattr(obj, name)


def optional_method(obj: object, name: str) -> Callable[..., Any] | None:
    """``obj.name`` bound, if ``obj`` really defines it as a method (see :func:`optional_attribute`)."""
    method = optional_attribute(obj, name)
    return method if callable(method) else None


def missing_methods(obj: object, protocol: type, optional: frozenset[str] = frozenset()) -> list[str]:
    """The methods of ``protocol`` that ``obj`` lacks, leaving out the ``optional`` ones."""
    return [name for name in protocol_methods(protocol) if name not in optional and optional_method(obj, name) is None]
