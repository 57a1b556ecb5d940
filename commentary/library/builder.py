"""The claim builder's data: one claim's fields as a reader edits them, to and from front-matter claims.

A proposal (:func:`commentary.library.draft.proposal_claim`) or a hand-built claim is held as
:class:`ClaimFields`; :func:`to_claim` writes the front-matter mapping the column loader checks, so every
problem is the loader's own :class:`CommentaryError` naming its field, ``claims[i]…`` (:func:`problems_by_claim`
sorts them to the claim they belong to).  Series are picked from the universe (:func:`search_universe`, Korean
and English names and the extractor's aliases); two or more picked members make an equal-weight basket.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from commentary.document.model import CommentaryError
from commentary.extract.rules import load_rules
from commentary.scoring.horizons import CALENDAR_NAMES, OFFSETS
from commentary.scoring.rules import RULE_TYPES
from data_sources.market.universe import all_instruments, instrument

#: The horizons offered as choices (an explicit end date is typed in as well).
BUILT_IN_HORIZONS: tuple[str, ...] = (*OFFSETS, *CALENDAR_NAMES)
#: Which rule parameter holds the claim's series (``against`` is outperform's ``b``).
SERIES_PARAM = {"outperform": "a", "direction": "series", "level": "symbol", "stays": "symbol", "touches": "symbol",
                "no_move": "symbol"}
SINGLE_SERIES_RULES = ("level", "stays", "touches")  # the loader takes one symbol only there
_CLAIM_INDEX = re.compile(r"claims\[(\d+)\]")


@dataclass
class ClaimFields:
    """One claim as the builder's widgets hold it."""

    id: str
    text: str = ""
    rule: str = "direction"
    series: list[str] = field(default_factory=list)
    against: list[str] = field(default_factory=list)  # outperform: B
    direction: str = "up"  # direction: up|down
    side: str = "below"  # level, stays, touches: below|above
    level: float = 100.0  # level, stays, touches
    threshold_pct: float = 0.0  # direction: at least; no_move: within
    margin_pp: float = 0.0  # outperform
    share_pct: float = 100.0  # stays
    horizons: list[str] = field(default_factory=list)  # built-in ids
    end_date: str = ""  # an explicit end, YYYY-MM-DD
    end_name: str = ""  # optional id for that end ({id, end})
    primary: str = ""
    section: str = "text"


def _series_value(members: Sequence[str]) -> Any:
    members = [m for m in members if m]
    if len(members) == 1:
        return members[0]
    return list(members) if members else None  # None: the loader says "missing (required by …)"


def horizon_values(fields: ClaimFields) -> list[Any]:
    """The claim's horizons in front-matter form: the built-ins picked, then the explicit end (named or not)."""
    out: list[Any] = list(fields.horizons)
    end = fields.end_date.strip()
    if end:
        name = fields.end_name.strip()
        out.append({"id": name, "end": end} if name else end)
    return out


def horizon_ids(fields: ClaimFields) -> list[str]:
    """The ids the primary horizon is chosen from."""
    return [h["id"] if isinstance(h, dict) else str(h) for h in horizon_values(fields)]


def to_claim(fields: ClaimFields) -> dict[str, Any]:
    """The front-matter claim mapping (not yet checked: the column loader does that)."""
    rule = fields.rule
    params: dict[str, Any] = {SERIES_PARAM.get(rule, "series"): _series_value(fields.series)}
    if rule == "outperform":
        params.update(b=_series_value(fields.against), margin_pp=float(fields.margin_pp))
    elif rule == "direction":
        params.update(direction=fields.direction, threshold_pct=float(fields.threshold_pct))
    elif rule in ("level", "stays", "touches"):
        params.update(level=float(fields.level), side=fields.side)
        if rule == "stays":
            params["share_pct"] = float(fields.share_pct)
    elif rule == "no_move":
        params["threshold_pct"] = float(fields.threshold_pct)
    ids = horizon_ids(fields)
    primary = fields.primary if fields.primary in ids else (ids[0] if len(ids) == 1 else fields.primary or None)
    text = " ".join(fields.text.split()) or describe(fields)
    return {"id": fields.id.strip(), "section": fields.section, "text_ko": text, "text_en": text,
            "rule": {"type": rule, "params": params}, "horizons": horizon_values(fields), "primary": primary}


def describe(fields: ClaimFields) -> str:
    """A plain sentence for a claim the reader did not word: ``"direction up NVDA (3M)"``."""
    how = {"outperform": f"beats {'+'.join(fields.against) or '?'}", "direction": fields.direction,
           "level": f"{fields.side} {fields.level:g}", "stays": f"stays {fields.side} {fields.level:g}",
           "touches": f"reaches {fields.side} {fields.level:g}",
           "no_move": f"within {fields.threshold_pct:g}%"}.get(fields.rule, fields.rule)
    return f"{'+'.join(fields.series) or '?'} {how} ({', '.join(horizon_ids(fields)) or '?'})"


def _members(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return []


def from_claim(claim: Mapping[str, Any], baskets: Mapping[str, Sequence[str]] | None = None) -> ClaimFields:
    """The fields of a front-matter claim (a proposal's), basket names opened into their members."""
    baskets = baskets or {}
    rule = (claim.get("rule") or {}).get("type", "direction")
    params = dict((claim.get("rule") or {}).get("params") or {})

    def members(name: str) -> list[str]:
        value = params.get(name)
        if isinstance(value, str) and value in baskets:
            return list(baskets[value])
        return _members(value)

    built_in, end_date, end_name = [], "", ""
    for h in claim.get("horizons") or []:
        if isinstance(h, str) and h in BUILT_IN_HORIZONS:
            built_in.append(h)
        elif isinstance(h, dict):
            end_date, end_name = str(h.get("end") or ""), str(h.get("id") or "")
        elif isinstance(h, str):
            end_date = h
    out = ClaimFields(id=str(claim.get("id") or ""), text=str(claim.get("text_en") or claim.get("text_ko") or ""),
                      rule=rule if rule in RULE_TYPES else "direction",
                      series=members(SERIES_PARAM.get(rule, "series")), horizons=built_in, end_date=end_date,
                      end_name=end_name, primary=str(claim.get("primary") or ""),
                      section=str(claim.get("section") or "text"))
    if rule == "outperform":
        out.against, out.margin_pp = members("b"), float(params.get("margin_pp") or 0.0)
    for name in ("direction", "side"):
        if params.get(name) in ("up", "down", "below", "above"):
            setattr(out, name, params[name])
    for name in ("level", "threshold_pct", "share_pct"):
        value = params.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            setattr(out, name, float(value))
    return out


def problems_by_claim(problems: Iterable[CommentaryError],
                      ) -> tuple[dict[int, list[CommentaryError]], list[CommentaryError]]:
    """The loader's problems sorted to the claim index their field names (``claims[i]…``), and the rest."""
    per: dict[int, list[CommentaryError]] = {}
    other: list[CommentaryError] = []
    for message in problems:
        m = _CLAIM_INDEX.match(message.field or "")
        if m:
            per.setdefault(int(m[1]), []).append(message)
        else:
            other.append(message)
    return per, other


# --------------------------------------------------------------------------- the universe, searchable


def _aliases() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for entry in load_rules().names:
        if len(entry.symbols) == 1:
            out.setdefault(entry.symbols[0], []).extend(entry.aliases)
    return out


def symbol_label(symbol: str) -> str:
    """``"NVDA — 엔비디아 / NVIDIA"`` (the symbol alone when it is not in the universe)."""
    inst = instrument(symbol)
    return f"{symbol} — {inst.name_ko} / {inst.name_en}" if inst else symbol


def search_universe(query: str, limit: int = 60) -> list[str]:
    """Universe symbols whose symbol, Korean or English name or an alias contains ``query`` (any case,
    spaces ignored); every symbol for an empty query."""
    symbols = [i.symbol for i in all_instruments()]
    needle = "".join(query.split()).casefold()
    if not needle:
        return symbols[:limit]
    aliases = _aliases()
    out = []
    for inst in all_instruments():
        hay = [inst.symbol, inst.name_ko, inst.name_en, *aliases.get(inst.symbol, [])]
        if any(needle in "".join(h.split()).casefold() for h in hay):
            out.append(inst.symbol)
    return out[:limit]


def no_data_problems(claims: Sequence[Mapping[str, Any]], prices: pd.DataFrame,
                     baskets: Mapping[str, Sequence[str]] | None = None) -> dict[int, list[CommentaryError]]:
    """Per claim index: each series of the claim with no stored price (its verdict would read "no data")."""
    baskets = baskets or {}
    held = set(prices["symbol"].unique()) if len(prices) and "symbol" in prices.columns else set()
    out: dict[int, list[CommentaryError]] = {}
    for i, claim in enumerate(claims):
        params = (claim.get("rule") or {}).get("params") or {}
        for name, value in params.items() if isinstance(params, dict) else ():
            members = list(baskets.get(value, [value])) if isinstance(value, str) else _members(value)
            for sym in members:
                if instrument(sym) is not None and sym not in held:
                    out.setdefault(i, []).append(CommentaryError(
                        "", None, f"claims[{i}].rule.params.{name}", "column_draft.no_prices", symbol=sym,
                        claim=str(claim.get("id"))))
    return out
