"""New column: paste a column's text, let the extractor propose claims, accept or drop each, add one of your
own, preview the verdicts, then save it to your notebook (or download the .md file).

Everything the reader types is untrusted: shown escaped, checked by the same parser as a commentary file.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from commentary.extract import ExtractError, extract
from commentary.library.draft import (
    MAX_TEXT_CHARS,
    Draft,
    check_draft,
    claim_ids,
    draft_id,
    draft_markdown,
    field_problems,
    proposal_claim,
)
from commentary.library.highlight import highlighted
from commentary.scoring import claims as scoring
from commentary.scoring.horizons import OFFSETS
from commentary.scoring.summary import claim_lines, overall_line
from commentary.text.safe_text import md_escape
from data_sources.db.repository import RepositoryError
from data_sources.universe import all_instruments
from ui import chrome, loaders
from ui.i18n import lang, tr
from ui.notebook import ensure_notebook, repository

K = "new_"
ZONES = ("Asia/Seoul", "America/New_York", "Asia/Hong_Kong", "Europe/London", "UTC")
HORIZON_CHOICES = (*OFFSETS, "year-end")
RULES = {"direction": ("오르거나 내린다", "rises or falls"), "outperform": ("A가 B보다 낫다", "A beats B"),
         "level": ("기간 끝에 어떤 수준 위/아래", "above/below a level at the end"),
         "stays": ("기간 내내 어떤 수준 위/아래", "stays above/below a level"),
         "no_move": ("크게 움직이지 않는다", "barely moves")}

chrome.page_header("새 칼럼", "New column")
LANG = lang()
state = st.session_state
st.markdown(tr("칼럼 본문을 붙여 넣으면 점검할 수 있는 주장을 제안합니다. 받아들일 주장을 고르고 저장하세요. "
               "저장한 칼럼은 내 노트북에만 보입니다.",
               "Paste a column's text: the page proposes checkable claims. Keep the ones you agree with and save. "
               "A saved column is visible in your notebook only."))

# --------------------------------------------------------------------------- the column's details

text = st.text_area(tr("본문", "Text"), key=K + "text", height=220,
                    help=tr(f"최대 {MAX_TEXT_CHARS:,}자", f"At most {MAX_TEXT_CHARS:,} characters"))
c1, c2 = st.columns(2)
title = c1.text_input(tr("제목", "Title"), key=K + "title")
author = c2.text_input(tr("필자", "Author"), key=K + "author")
c3, c4, c5, c6 = st.columns(4)
day = c3.date_input(tr("발행일", "Published"), key=K + "date", value=dt.date(2025, 4, 3),
                    min_value=dt.date(1900, 1, 1), max_value=dt.date(2199, 12, 31))
clock = c4.time_input(tr("시각", "Time"), key=K + "time", value=dt.time(9, 0))
zone = c5.selectbox(tr("시간대", "Time zone"), ZONES, key=K + "zone")
language = c6.selectbox(tr("언어", "Language"), ("ko", "en"), key=K + "lang", index=0 if LANG == "ko" else 1,
                        format_func={"ko": "한국어", "en": "English"}.get)
url = st.text_input(tr("원문 주소 (선택)", "Original's address (optional)"), key=K + "url")


def _draft(claims: list[dict]) -> Draft:
    return Draft(title=title, author=author, date=day if isinstance(day, dt.date) else dt.date(1, 1, 1),
                 text=text, time=clock.strftime("%H:%M") if clock else "", timezone=zone, url=url.strip() or None,
                 language=language, claims=claims)


def _problems(messages: list[str]) -> None:
    for message in messages:
        st.error(md_escape(message, 600))


# --------------------------------------------------------------------------- proposals

if st.button(tr("주장 제안받기", "Propose claims"), key=K + "propose"):
    state.pop(K + "proposals", None)
    problems = [p for p in field_problems(_draft([])) if p[0] == "text"]
    if problems:
        state[K + "propose_msg"] = [f"text: {p[1]}" for p in problems]
    else:
        try:
            found = extract(text, day)  # each sentence read as Korean when it has Hangul, else as English
        except ExtractError as exc:
            state[K + "propose_msg"] = [str(exc)]
        else:
            state[K + "proposals"] = list(found.proposals)
            state[K + "propose_msg"] = list(found.notes)
            for i in range(len(found.proposals)):
                state[f"{K}accept_{i}"] = False
for message in state.get(K + "propose_msg", []):
    st.warning(md_escape(message, 600))

proposals = state.get(K + "proposals", [])
if K + "proposals" in state and not proposals:
    st.info(tr("제안할 주장을 찾지 못했습니다. 아래에서 직접 추가하세요.",
               "No claim found in the text: add one of your own below."))
accepted: list[dict] = []
ids = claim_ids(len(proposals))
if proposals:
    st.subheader(tr(f"제안된 주장 {len(proposals)}개", f"{len(proposals)} proposed claims"))
for i, (proposal, cid) in enumerate(zip(proposals, ids, strict=True)):
    claim, why = proposal_claim(proposal, cid)
    with st.container(border=True):
        st.markdown(highlighted(proposal.sentence, [(s.start, s.end) for s in proposal.spans]))
        horizon = proposal.horizon.label() if proposal.horizon else "—"
        st.caption(md_escape(f"{cid} · {proposal.rule} · {'; '.join(proposal.symbols)} · {horizon}"))
        if claim is None:
            st.caption(md_escape(tr("점수화할 수 없음: ", "Cannot be scored: ") + str(why)))
            continue
        if st.checkbox(tr("이 주장 받아들이기", "Accept this claim"), key=f"{K}accept_{i}"):
            accepted.append(claim)

# --------------------------------------------------------------------------- one claim of the reader's own

instruments = all_instruments()
symbols = [i.symbol for i in instruments]
names = {i.symbol: f"{i.symbol} — {i.name_ko} / {i.name_en}" for i in instruments}
with st.expander(tr("주장 직접 추가", "Add a claim of your own"), expanded=False):
    own = st.checkbox(tr("이 주장을 포함", "Include this claim"), key=K + "own")
    b1, b2 = st.columns(2)
    rule_labels = {r: f"{r} — {tr(*words)}" for r, words in RULES.items()}
    rule_type = b1.selectbox(tr("규칙", "Rule"), list(RULES), key=K + "rule", format_func=rule_labels.get)
    series = b2.selectbox(tr("종목 (검색 가능)", "Series (type to search)"), symbols, key=K + "series",
                          format_func=names.get, index=symbols.index("NVDA") if "NVDA" in symbols else 0)
    b3, b4, b5 = st.columns(3)
    horizon_id = b3.selectbox(tr("기간", "Horizon"), HORIZON_CHOICES, key=K + "horizon", index=2)
    own_id = b4.text_input(tr("주장 id", "Claim id"), value="my-claim", key=K + "own_id")
    own_text = b5.text_input(tr("주장 문장", "Claim sentence"), key=K + "own_text")
    params: dict = {}
    if rule_type == "outperform":
        other = st.selectbox(tr("비교 대상 B", "Against B"), symbols, key=K + "series_b", format_func=names.get,
                             index=symbols.index("QQQ") if "QQQ" in symbols else 0)
        params = {"a": series, "b": other, "margin_pp": 0.0}
    elif rule_type == "direction":
        way = st.radio(tr("방향", "Direction"), ("up", "down"), key=K + "way", horizontal=True)
        params = {"series": series, "direction": way,
                  "threshold_pct": float(st.number_input(tr("최소 변화 (%)", "At least (%)"), 0.0, 100.0, 0.0,
                                                         key=K + "thr"))}
    elif rule_type in ("level", "stays"):
        side = st.radio(tr("쪽", "Side"), ("below", "above"), key=K + "side", horizontal=True)
        params = {"symbol": series, "side": side,
                  "level": float(st.number_input(tr("수준", "Level"), value=100.0, key=K + "level"))}
    else:
        params = {"symbol": series,
                  "threshold_pct": float(st.number_input(tr("변동폭 한도 (%)", "Within (%)"), 0.1, 100.0, 1.0,
                                                         key=K + "band"))}
    if own:
        words = own_text.strip() or f"{rule_type} {series} {horizon_id}"
        accepted.append({"id": own_id.strip(), "section": "text", "text_ko": words, "text_en": words,
                         "rule": {"type": rule_type, "params": params}, "horizons": [horizon_id],
                         "primary": horizon_id})

# --------------------------------------------------------------------------- preview, save, download

draft = _draft(accepted)
st.subheader(tr("판정 미리보기", "Verdict preview"))
item, problems = check_draft(draft)
if text.strip() or title.strip() or author.strip():
    _problems(problems)
else:
    st.info(tr("본문, 제목, 필자를 입력하면 여기에 판정이 나옵니다.",
               "Fill in the text, title and author and the verdicts appear here."))
if item is not None and item.claims:
    combined = scoring.combine_sources(scoring.scorecard(item.claims, loaders.prices(), item.published))
    st.markdown(md_escape(overall_line(item.claims, combined, LANG)))
    lines = claim_lines(item.claims, combined, LANG)
    st.dataframe(pd.DataFrame(lines, columns=[tr("주장", "Claim"), tr("기간", "Horizon"), tr("판정", "Verdict")]),
                 hide_index=True, width="stretch", key=K + "preview")
elif item is not None:
    st.caption(tr("받아들인 주장이 아직 없습니다.", "No claim accepted yet."))

s1, s2 = st.columns(2)
saved: tuple[str, str] | None = None  # shown on the run of the click only
if s1.button(tr("저장", "Save"), key=K + "save", type="primary"):
    if item is None:
        saved = ("error", tr("저장하지 못했습니다. 위의 문제를 고치세요.",
                                             "Not saved: fix the problems above."))
    else:
        try:
            notebook = ensure_notebook()
            repository().save_commentary(notebook, item.title, draft_markdown(draft), author=item.author,
                                         published=item.date.isoformat(), source_url=item.url or "")
        except RepositoryError as exc:
            saved = ("error", tr("저장하지 못했습니다: ", "Not saved: ") + str(exc))
        else:
            saved = ("success", tr(f"저장했습니다: {item.title} ('칼럼 목록'에서 열 수 있습니다)",
                                                   f"Saved: {item.title} (open it from the Library)"))
if saved:
    getattr(st, saved[0])(md_escape(saved[1], 600))
if item is not None:
    s2.download_button(tr(".md 파일 내려받기", "Download .md"), draft_markdown(draft),
                       file_name=f"{draft_id(draft)}.md", mime="text/markdown", key=K + "download")
