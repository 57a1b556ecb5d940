"""The claim builder's widgets (New column page): a series picker that searches the universe, and one claim's
rule, series, numbers and horizons. Widget keys start with the prefix the page gives; values live in
``st.session_state`` like any widget's."""

from __future__ import annotations

import streamlit as st

from commentary.library.builder import (
    BUILT_IN_HORIZONS,
    SINGLE_SERIES_RULES,
    ClaimFields,
    horizon_ids,
    search_universe,
    symbol_label,
)
from commentary.scoring import rules
from ui.i18n import t, tr

RULES = {"direction": ("오르거나 내린다", "rises or falls"), "outperform": ("A가 B보다 낫다", "A beats B"),
         "level": ("기간 끝에 어떤 수준 위/아래", "above/below a level at the end"),
         "stays": ("기간 내내 어떤 수준 위/아래", "stays above/below a level"),
         "no_move": ("크게 움직이지 않는다", "barely moves")}
RULE_KEYS = {"touches": "extract.rule_touches"}  # rules whose labels live in the catalog


def series_picker(label: str, key: str, initial: list[str], single: bool) -> list[str]:
    """Series from the universe: a search box (Korean, English, aliases) narrowing a multiselect of members."""
    st.session_state.setdefault(key, list(initial))
    query = st.text_input(tr(f"{label} 검색 (한국어·영어)", f"Search {label} (Korean or English)"), key=key + "_q",
                          max_chars=60)
    chosen = [s for s in st.session_state[key] if isinstance(s, str)]
    options = list(dict.fromkeys([*chosen, *search_universe(query)]))
    help_text = tr("한 종목, 또는 여러 종목을 고르면 동일 가중 바스켓", "One series, or several members for an "
                   "equal-weight basket") if not single else tr("한 종목만", "one series only")
    return list(st.multiselect(label, options, key=key, format_func=symbol_label, help=help_text))


def claim_form(prefix: str, initial: ClaimFields) -> ClaimFields:
    """The builder's widgets for one claim (keys start with ``prefix``); returns the edited fields."""
    for name, value in (("id", initial.id), ("text", initial.text), ("rule", initial.rule),
                        ("dir", initial.direction), ("side", initial.side), ("level", float(initial.level)),
                        ("thr", float(initial.threshold_pct)), ("margin", float(initial.margin_pp)),
                        ("share", float(initial.share_pct)), ("horizons", list(initial.horizons)),
                        ("end", initial.end_date), ("end_name", initial.end_name)):
        st.session_state.setdefault(prefix + name, value)
    b1, b2 = st.columns(2)
    rule_labels = {r: f"{r} — {tr(*RULES[r]) if r in RULES else t(RULE_KEYS[r]) if r in RULE_KEYS else r}"
                   for r in rules.RULE_TYPES}
    rule = b1.selectbox(tr("규칙", "Rule"), rules.RULE_TYPES, key=prefix + "rule", format_func=rule_labels.get)
    cid = b2.text_input(tr("주장 id", "Claim id"), key=prefix + "id", max_chars=64)
    text = st.text_input(tr("주장 문장", "Claim sentence"), key=prefix + "text", max_chars=400)
    series = series_picker(tr("종목 A" if rule == "outperform" else "종목", "series A" if rule == "outperform"
                               else "series"), prefix + "series", initial.series, rule in SINGLE_SERIES_RULES)
    fields = ClaimFields(id=cid, text=text, rule=rule, series=series, section=initial.section)
    if rule == "outperform":
        fields.against = series_picker(tr("비교 대상 B", "series B"), prefix + "against", initial.against, False)
        fields.margin_pp = st.number_input(tr("최소 차이 (%p)", "By at least (pp)"), key=prefix + "margin",
                                           min_value=-100.0, max_value=100.0)
    elif rule == "direction":
        d1, d2 = st.columns(2)
        fields.direction = d1.radio(tr("방향", "Direction"), ("up", "down"), key=prefix + "dir", horizontal=True,
                                    format_func={"up": tr("상승", "up"), "down": tr("하락", "down")}.get)
        fields.threshold_pct = d2.number_input(tr("최소 변화 (%)", "At least (%)"), key=prefix + "thr",
                                               min_value=0.0, max_value=1000.0)
    elif rule in ("level", "stays", "touches"):
        d1, d2, d3 = st.columns(3)
        fields.side = d1.radio(tr("쪽", "Side"), ("below", "above"), key=prefix + "side", horizontal=True,
                               format_func={"below": tr("아래", "below"), "above": tr("위", "above")}.get)
        fields.level = d2.number_input(tr("수준", "Level"), key=prefix + "level", min_value=0.0)
        if rule == "stays":
            fields.share_pct = d3.number_input(tr("그쪽에 머문 비율 (%)", "Share of prints on that side (%)"),
                                               key=prefix + "share", min_value=0.0, max_value=100.0)
    else:
        fields.threshold_pct = st.number_input(tr("변동폭 한도 (%)", "Within (%)"), key=prefix + "thr",
                                               min_value=0.0, max_value=100.0)
    h1, h2, h3 = st.columns([2, 1, 1])
    fields.horizons = list(h1.multiselect(tr("기간", "Horizons"), BUILT_IN_HORIZONS, key=prefix + "horizons",
                                          help=tr("1W…12M: 발행일부터. year-end: 그해 말. YTD: 그해 전체.",
                                                  "1W…12M: from publication. year-end: 31 Dec. YTD: the calendar "
                                                  "year.")))
    fields.end_date = h2.text_input(tr("종료일 (YYYY-MM-DD)", "End date (YYYY-MM-DD)"), key=prefix + "end",
                                    max_chars=10)
    fields.end_name = h3.text_input(tr("종료일 이름 (선택)", "Its name (optional)"), key=prefix + "end_name",
                                    max_chars=40)
    ids_ = horizon_ids(fields) or ["—"]
    if st.session_state.get(prefix + "primary") not in ids_:
        st.session_state[prefix + "primary"] = initial.primary if initial.primary in ids_ else ids_[0]
    fields.primary = st.radio(tr("기준 기간 (이 기간으로 판정)", "Primary horizon (the claim is judged on it)"), ids_,
                              key=prefix + "primary", horizontal=True)
    return fields
