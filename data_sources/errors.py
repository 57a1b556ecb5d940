"""Errors of the data layer (and of ``commentary``) as a code and parameters, never prose for a page to parse.

A :class:`Problem` names what went wrong (``code``, e.g. ``"store.unreachable"``) and the facts a reader may
need (``params``: a ticker, a file, a line). Only ``ui/`` turns it into words, from the catalogs
(:func:`catalog.describe`, key ``problem.<code>``). :class:`DashboardError` carries one when it is raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Problem:
    """What went wrong, as a code and its parameters."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def __str__(self) -> str:  # for logs and the CLI's technical detail, never for readers
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.code}({args})"


class DashboardError(Exception):
    """An error that carries a :class:`Problem`."""

    def __init__(self, code: str, **params: Any) -> None:
        self.problem = Problem(code, params)
        super().__init__(str(self.problem))
