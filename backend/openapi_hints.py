"""`declares`: a validator says, in JSON Schema, the constraint it checks.

Pydantic's Field says lengths, bounds and patterns in the schema it generates; a
validator (a name from a tuple, a 户号's format, "these two together") says nothing
unless marked. backend/api/registry.py copies the mark onto the field, or, from a
root validator, onto the model, when it builds /api/openapi.json. A leaf module,
so the domain's validators (backend/identifiers.py, backend/tickets/schemas.py)
can be marked without importing the HTTP layer.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def declares(**schema: Any) -> Callable[[F], F]:
    """Mark a validator with the JSON Schema of the constraint it checks."""
    def mark(func: F) -> F:
        func.openapi = schema  # type: ignore[attr-defined]
        return func

    return mark


# What str.strip() removes: JSON Schema's \s (ECMA 262) and the characters Python also counts as space.
_KEPT = r"[^\s\x1c-\x1f\x85]"


def stripped_at_least(n: int) -> str:
    """A pattern for "at least `n` characters once spaces around are stripped" (n >= 1)."""
    return _KEPT if n == 1 else rf"{_KEPT}[\s\S]{{{n - 2},}}{_KEPT}"


def declared(func: Callable[..., Any]) -> dict[str, Any]:
    """What a validator declares ({} when unmarked)."""
    return getattr(func, "openapi", {})
