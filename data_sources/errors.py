"""Errors of the data layer (and of ``commentary``) as a code and parameters, never prose for a page to parse.

A :class:`Problem` names what went wrong (``code``, e.g. ``"store.disk_full"``) and the facts a reader may
need (``params``: a ticker, a file, a line). A parameter may itself be a :class:`Problem` (the cause of another
one) or a list of them. Only the wording layer turns a problem into words, from the catalogs
(:func:`catalog.describe`, key ``problem.<code>``); the CLI does the same in English. :class:`DashboardError`
carries one when it is raised; each family (the store, the market adapters, feeds, CSV imports …) has its own
subclass that keeps the code it is given. Problems stored on disk (a refresh's outcome, a series' provenance)
are kept as :meth:`Problem.to_dict` and read back with :meth:`Problem.from_dict`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

#: The code of a message stored by an earlier version as plain English (``params["text"]``).
LEGACY = "legacy"


@dataclass(frozen=True)
class Problem:
    """What went wrong (or what is going on: a progress step), as a code and its parameters."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def __str__(self) -> str:  # for logs and tests, never for readers
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.code}({args})"

    def __reduce__(self) -> tuple:  # crosses to and from a helper process
        return (Problem, (self.code, dict(self.params)))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able form (nested problems included)."""
        return {"code": self.code, "params": {k: _plain(v) for k, v in self.params.items()}}

    @classmethod
    def from_dict(cls, value: object) -> Problem | None:
        """The problem stored as :meth:`to_dict`; a plain string (an earlier version's English message) becomes a
        :data:`LEGACY` problem holding it; nothing stored gives None."""
        if isinstance(value, Problem):
            return value
        if isinstance(value, Mapping) and isinstance(value.get("code"), str):
            params = value.get("params") if isinstance(value.get("params"), Mapping) else {}
            return cls(value["code"], {k: _revive(v) for k, v in params.items()})
        text = str(value or "").strip()
        return cls(LEGACY, {"text": text}) if text else None


def _plain(value: Any) -> Any:
    if isinstance(value, Problem):
        return value.to_dict()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _revive(value: Any) -> Any:
    if isinstance(value, Mapping) and isinstance(value.get("code"), str) and set(value) <= {"code", "params"}:
        return Problem.from_dict(value)
    if isinstance(value, list):
        return [_revive(v) for v in value]
    return value


class DashboardError(Exception):
    """An error that carries a :class:`Problem` (``str(err)`` is the problem's code and parameters, for logs)."""

    def __init__(self, code: str, **params: Any) -> None:
        self.problem = Problem(code, params)
        super().__init__(str(self.problem))

    @property
    def code(self) -> str:
        """The problem's code."""
        return self.problem.code

    @property
    def params(self) -> Mapping[str, Any]:
        """The problem's parameters."""
        return self.problem.params

    def __reduce__(self) -> tuple:  # comes back whole from a helper process
        return (_rebuild, (type(self), self.problem, dict(self.__dict__)))


def _rebuild(cls: type[DashboardError], problem: Problem, state: dict) -> DashboardError:
    err = cls.__new__(cls)
    DashboardError.__init__(err, problem.code, **problem.params)
    err.__dict__.update(state)
    return err


def toml_position(exc: Exception) -> dict[str, int]:
    """``{"line": …, "column": …}`` of a ``tomllib`` error (its message says "at line 3, column 7"), or ``{}``
    when it names none (e.g. "at end of document")."""
    found = re.search(r"at line (\d+), column (\d+)", str(exc))
    return {"line": int(found.group(1)), "column": int(found.group(2))} if found else {}


class StoreError(DashboardError, RuntimeError):
    """The local or shared store cannot be read or written (codes ``store.*``)."""


class MarketError(DashboardError, RuntimeError):
    """A market data source (Yahoo Finance, the ECB) could not be used (codes ``yahoo.*``, ``ecb.*``)."""


class InputError(DashboardError, ValueError):
    """Something a reader or an operator gave cannot be used: a CSV file, a symbol, a feed, a rules file."""
