"""The claim builder's widgets (New column page): a series picker that searches the universe, and one claim's
rule, series, numbers and horizons. Widget keys start with the prefix the page gives; values live in
``st.session_state`` like any widget's."""

from __future__ import annotations

import re

import streamlit as st

from commentary.library.builder import (
    BUILT_IN_HORIZONS,
    SINGLE_SERIES_RULES,
    ClaimFields,
    horizon_ids,
    search_universe,
)
from commentary.scoring import rules
from data_sources.market.universe import instrument
from ui.i18n import lang, t

RULE_KEYS = {"direction": "new_column.form_rule.direction", "outperform": "new_column.form_rule.outperform",
             "level": "new_column.form_rule.level", "stays": "new_column.form_rule.stays",
             "no_move": "new_column.form_rule.no_move", "touches": "extract.rule_touches"}
PLAIN_TICKER = re.compile(r"\^?[A-Z]{1,5}")  # what a reader may see as a name: NVDA, ^SOX; not 0700.HK
WORD_KEYS = {"up": "new_column.form.up", "down": "new_column.form.down", "below": "new_column.form.below",
             "above": "new_column.form.above"}
HORIZON_KEYS = {"1W": "new_column.form_horizon.w1", "1M": "new_column.form_horizon.m1",
                "3M": "new_column.form_horizon.m3", "6M": "new_column.form_horizon.m6",
                "12M": "new_column.form_horizon.m12", "year-end": "new_column.form_horizon.year_end",
                "YTD": "new_column.form_horizon.ytd"}


def horizon_label(horizon: str) -> str:
    """A built-in horizon in the reader's words ("3개월", "연말"); a dated horizon's own name as typed."""
    return t(HORIZON_KEYS[horizon]) if horizon in HORIZON_KEYS else horizon


def series_label(symbol: str) -> str:
    """A series by its name in the page's language, with its ticker when that is a plain one ("엔비디아 (NVDA)",
    but "삼성전자", never "005930.KS"); the symbol alone when the universe does not know it."""
    found = instrument(symbol)
    if found is None:
        return symbol
    return f"{found.name(lang())} ({symbol})" if PLAIN_TICKER.fullmatch(symbol) else found.name(lang())


def series_picker(label: str, key: str, initial: list[str], single: bool) -> list[str]:
    """Series from the universe: a search box (Korean, English, aliases) narrowing a multiselect of members."""
    st.session_state.setdefault(key, list(initial))
    query = st.text_input(t("new_column.form.search", label=label), key=key + "_q", max_chars=60)
    chosen = [s for s in st.session_state[key] if isinstance(s, str)]
    options = list(dict.fromkeys([*chosen, *search_universe(query)]))
    help_text = t("new_column.form.single_help" if single else "new_column.form.basket_help")
    return list(st.multiselect(label, options, key=key, format_func={s: series_label(s) for s in options}.get,
                               help=help_text))


def claim_form(prefix: str, initial: ClaimFields) -> ClaimFields:
    """The builder's widgets for one claim (keys start with ``prefix``); returns the edited fields."""
    for name, value in (("text", initial.text), ("rule", initial.rule),
                        ("dir", initial.direction), ("side", initial.side), ("level", float(initial.level)),
                        ("thr", float(initial.threshold_pct)), ("margin", float(initial.margin_pp)),
                        ("share", float(initial.share_pct)), ("horizons", list(initial.horizons)),
                        ("end", initial.end_date), ("end_name", initial.end_name)):
        st.session_state.setdefault(prefix + name, value)
    rule = st.selectbox(t("new_column.form.rule"), rules.RULE_TYPES, key=prefix + "rule",
                        format_func={r: t(RULE_KEYS[r]) if r in RULE_KEYS else r for r in rules.RULE_TYPES}.get)
    text = st.text_input(t("new_column.form.sentence"), key=prefix + "text", max_chars=400)
    series = series_picker(t("new_column.form.series_a" if rule == "outperform" else "new_column.form.series"),
                           prefix + "series", initial.series, rule in SINGLE_SERIES_RULES)
    fields = ClaimFields(id=initial.id,  # the file's internal name, never shown: the page numbers the claims
                          text=text, rule=rule, series=series, section=initial.section)
    if rule == "outperform":
        fields.against = series_picker(t("new_column.form.series_b"), prefix + "against", initial.against, False)
        fields.margin_pp = st.number_input(t("new_column.form.margin"), key=prefix + "margin",
                                           min_value=-100.0, max_value=100.0)
    elif rule == "direction":
        d1, d2 = st.columns(2)
        fields.direction = d1.radio(t("new_column.form.direction"), ("up", "down"), key=prefix + "dir",
                                    horizontal=True, format_func={d: t(WORD_KEYS[d]) for d in ("up", "down")}.get)
        fields.threshold_pct = d2.number_input(t("new_column.form.threshold"), key=prefix + "thr",
                                               min_value=0.0, max_value=1000.0)
    elif rule in ("level", "stays", "touches"):
        d1, d2, d3 = st.columns(3)
        fields.side = d1.radio(t("new_column.form.side"), ("below", "above"), key=prefix + "side", horizontal=True,
                               format_func={s: t(WORD_KEYS[s]) for s in ("below", "above")}.get)
        fields.level = d2.number_input(t("new_column.form.level"), key=prefix + "level", min_value=0.0)
        if rule == "stays":
            fields.share_pct = d3.number_input(t("new_column.form.share"),
                                               key=prefix + "share", min_value=0.0, max_value=100.0)
    else:
        fields.threshold_pct = st.number_input(t("new_column.form.within"), key=prefix + "thr",
                                               min_value=0.0, max_value=100.0)
    h1, h2, h3 = st.columns([2, 1, 1])
    fields.horizons = list(h1.multiselect(t("new_column.form.horizons"), BUILT_IN_HORIZONS, key=prefix + "horizons",
                                          format_func={h: horizon_label(h) for h in BUILT_IN_HORIZONS}.get,
                                          help=t("new_column.form.horizons_help")))
    fields.end_date = h2.text_input(t("new_column.form.end"), key=prefix + "end",
                                    max_chars=10)
    fields.end_name = h3.text_input(t("new_column.form.end_name"), key=prefix + "end_name",
                                    max_chars=40)
    ids_ = horizon_ids(fields) or ["—"]
    if st.session_state.get(prefix + "primary") not in ids_:
        st.session_state[prefix + "primary"] = initial.primary if initial.primary in ids_ else ids_[0]
    fields.primary = st.radio(t("new_column.form.primary"), ids_, key=prefix + "primary", horizontal=True,
                              format_func={h: horizon_label(h) for h in ids_}.get)
    return fields
