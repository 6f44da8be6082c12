"""The error behind a wrapped one: requests and urllib3 nest the cause of a failure several levels deep."""

from __future__ import annotations


def find_cause(exc: BaseException, wanted: type[BaseException]) -> BaseException | None:
    """The first ``wanted`` among ``exc``'s causes, contexts and wrapped errors (urllib3 nests them)."""
    pending, seen = [exc], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, wanted):
            return current
        linked = (current.__cause__, current.__context__, getattr(current, "reason", None), *current.args)
        pending.extend(item for item in linked if isinstance(item, BaseException))
    return None
