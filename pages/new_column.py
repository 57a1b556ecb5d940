"""New column: paste a column's text, let the extractor propose claims, accept or drop each, add one of your
own, preview the verdicts, then save it to your notebook (or download the .md file).

Everything the reader types is untrusted: shown escaped, checked by the same parser as a commentary file.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from catalog import describe
from commentary.document.column import CHART_KINDS, list_commentaries
from commentary.document.model import Commentary, CommentaryError
from commentary.extract import ExtractError
from commentary.extract.worker import extract_in_worker
from commentary.library.builder import ClaimFields, from_claim, no_data_problems, problems_by_claim, to_claim
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
from commentary.library.importing import import_file
from commentary.library.preview import claim_figure, score_draft, section_preview
from commentary.library.sections import SectionFields, default_chart, normalise, paragraphs
from commentary.text.safe_text import md_escape
from commentary.timeline.events import EventsError
from data_sources.market import added_symbols
from data_sources.readers.guard import DatabaseUnavailable
from data_sources.readers.repository import RepositoryError
from data_sources.settings import settings
from data_sources.store.atomic import StoreError
from ui import chrome, loaders
from ui.claim_form import claim_form, series_picker
from ui.draft_words import proposal_caption
from ui.i18n import lang, t, tr
from ui.notebook import ensure_notebook, problem_text, reader_notebook, repository, saved_commentaries
from ui.pin_key import render_pin_key
from ui.plot import plot
from ui.problems import say
from ui.verdicts import claim_lines, overall_line

K = "new_"
ZONES = ("Asia/Seoul", "America/New_York", "Asia/Hong_Kong", "Europe/London", "UTC")
MAX_OWN_CLAIMS = 10
MAX_SHOWN = 50  # proposals shown with their editors: each costs widgets on every rerun of this session
CHART_LABELS = {"compare": ("여러 종목 비교", "compare series"), "fx": ("환율", "exchange rate"),
                "event_day": ("사건 당일 움직임 표", "event-day moves (table)"),
                "fx_window": ("사건 전후 환율", "exchange rate around an event")}
CONFIDENCE_KEYS = {"high": "extract.confidence_high", "medium": "extract.confidence_medium",
                   "low": "extract.confidence_low"}

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
day = c3.date_input(t("extract.published"), key=K + "date", value=None, help=t("extract.published_help"),
                    min_value=dt.date(1900, 1, 1), max_value=dt.date(2199, 12, 31))  # no date the reader never typed
anchor = day if isinstance(day, dt.date) else dt.date.today()  # where a new chart's window starts, until then
clock = c4.time_input(tr("시각", "Time"), key=K + "time", value=dt.time(9, 0))
zone = c5.selectbox(tr("시간대", "Time zone"), ZONES, key=K + "zone")
language = c6.selectbox(tr("언어", "Language"), ("ko", "en"), key=K + "lang", index=0 if LANG == "ko" else 1,
                        format_func={"ko": "한국어", "en": "English"}.get)
url = st.text_input(tr("원문 주소 (선택)", "Original's address (optional)"), key=K + "url")


def _draft(claims: list[dict]) -> Draft:
    return Draft(title=title, author=author, date=day if isinstance(day, dt.date) else None,
                 text=text, time=clock.strftime("%H:%M") if clock else "", timezone=zone, url=url.strip() or None,
                 language=language, claims=claims)


def _problems(messages: list[str]) -> None:
    for message in messages:
        st.error(md_escape(message, 600))


def _events() -> list:
    try:
        return loaders.events()
    except EventsError:
        return []


# --------------------------------------------------------------------------- import a file

with st.expander(tr(".md 파일 가져오기", "Import a .md file"), expanded=False):
    st.caption(tr("칼럼 파일 형식(README의 'Commentary files')의 파일을 내 노트북에 그대로 저장합니다.",
                  "Stores a file in the commentary format (README, 'Commentary files') in your notebook, as it is."))
    upload = st.file_uploader(tr("칼럼 파일(.md)", "Commentary file (.md)"), type=["md"], key=K + "import")
    if upload is not None and st.button(tr("내 노트북에 저장", "Save it to my notebook"), key=K + "import_go"):
        mine, _bad = saved_commentaries(reader_notebook())
        taken = {c.id: c.title for c in list_commentaries() if isinstance(c, Commentary)}
        taken.update({c.id: c.title for c in mine})
        try:
            imported = import_file(upload.getvalue(), upload.name, taken)
            notebook = ensure_notebook()
            repository().save_commentary(notebook, imported.item.title, imported.text, author=imported.item.author,
                                         published=imported.item.date.isoformat(),
                                         source_url=imported.item.url or "")
        except (CommentaryError, RepositoryError) as exc:
            state[K + "import_msg"] = ("error", tr("가져오지 못했습니다 — ", "Not imported — ") + str(exc))
        except DatabaseUnavailable as exc:
            state[K + "import_msg"] = ("error", problem_text(exc))
        else:
            state[K + "import_msg"] = ("success", tr(f"가져왔습니다: {imported.item.title} (주장 "
                                                     f"{len(imported.item.claims)}개)",
                                                     f"Imported: {imported.item.title} "
                                                     f"({len(imported.item.claims)} claims)"))
            for warning in imported.item.warnings:
                st.warning(md_escape(warning, 400))
    if K + "import_msg" in state:
        level, message = state[K + "import_msg"]
        getattr(st, level)(md_escape(message, 700))

# --------------------------------------------------------------------------- sections

section_fields: list[SectionFields] = []
section_slots: dict[int, object] = {}  # section index -> where its chart preview goes
spans = paragraphs(text) if text.strip() and len(text) <= MAX_TEXT_CHARS else []
clean_text = normalise(text) if spans else ""
with st.expander(tr("구간 나누기와 차트", "Sections and their charts"), expanded=False):
    split = st.checkbox(tr("본문을 구간으로 나누고 구간마다 차트 고르기", "Split the text into sections, each with "
                           "its chart"), key=K + "split", disabled=not spans)
    if split and spans:
        labels = {n: f"¶{n + 1}: {' '.join(clean_text[a:b].split())[:50]}" for n, (a, b) in enumerate(spans)}
        cuts = st.multiselect(tr("새 구간이 시작하는 문단", "Paragraphs that start a new section"),
                              list(range(1, len(spans))), key=K + "cuts", format_func=labels.get)
        starts = [0, *sorted(set(cuts))]
        for j, first in enumerate(starts):
            p = f"{K}s{j}_"
            default = default_chart("compare", [], anchor)
            with st.container(border=True):
                st.markdown(tr(f"**{j + 1}부** — ", f"**Part {j + 1}** — ") + md_escape(labels[first], 80))
                e1, e2, e3 = st.columns(3)
                heading_ko = e1.text_input(tr("제목 (한국어)", "Heading (Korean)"), key=p + "hko", max_chars=120)
                heading_en = e2.text_input(tr("제목 (영어)", "Heading (English)"), key=p + "hen", max_chars=120)
                kind = e3.selectbox(tr("차트 종류", "Chart kind"), CHART_KINDS, key=p + "kind",
                                    format_func=lambda k: f"{k} — {tr(*CHART_LABELS[k])}")
                default = default_chart(kind, [], anchor)
                if state.get(p + "kind_was") != kind:  # a new kind starts from its own sensible window
                    for name in ("start", "end", "base", "event"):
                        state.pop(p + name, None)
                    state.pop(p + "symbols", None)
                    state[p + "kind_was"] = kind
                symbols = series_picker(tr("차트 종목", "chart series"), p + "symbols", default.symbols, False)
                f1, f2, f3 = st.columns(3)
                state.setdefault(p + "start", default.start)
                state.setdefault(p + "end", default.end)
                start_day = f1.date_input(tr("시작", "From"), key=p + "start", min_value=dt.date(1900, 1, 1),
                                          max_value=dt.date(2199, 12, 31))
                end_day = f2.date_input(tr("끝", "To"), key=p + "end", min_value=dt.date(1900, 1, 1),
                                        max_value=dt.date(2199, 12, 31))
                fields = SectionFields(first, heading_ko, heading_en, kind, symbols, start_day, end_day)
                if kind == "compare":
                    state.setdefault(p + "base", default.base_date)
                    fields.base_date = f3.date_input(tr("기준일 (=100)", "Base date (=100)"), key=p + "base",
                                                     min_value=dt.date(1900, 1, 1), max_value=dt.date(2199, 12, 31))
                elif kind in ("event_day", "fx_window"):
                    state.setdefault(p + "event", default.event_date)
                    fields.event_date = f3.date_input(tr("사건일", "Event date"), key=p + "event",
                                                      min_value=dt.date(1900, 1, 1), max_value=dt.date(2199, 12, 31))
                section_fields.append(fields)
                section_slots[j] = st.container()

# --------------------------------------------------------------------------- proposals

if st.button(tr("주장 제안받기", "Propose claims"), key=K + "propose"):
    state.pop(K + "proposals", None)
    for old in [k for k in state if isinstance(k, str) and k.startswith((K + "p", K + "accept_"))]:
        del state[old]
    problems = [p for p in field_problems(_draft([])) if p[0] == "text"]
    if problems:
        state[K + "propose_msg"] = [f"text: {p[1]}" for p in problems]
    elif not isinstance(day, dt.date):  # "올해", "세 달" mean nothing until the reader says when it was published
        state[K + "propose_msg"] = [t("extract.date_first")]
    else:
        try:  # in the worker process, within the time budget: this session waits, the others do not
            found = extract_in_worker(text, day)
        except ExtractError as exc:
            state[K + "propose_msg"] = [describe(exc.problem, LANG)]
        else:
            state[K + "proposals"] = list(found.proposals)
            state[K + "propose_msg"] = [describe(note, LANG) for note in found.notes]
            for i in range(min(len(found.proposals), MAX_SHOWN)):
                state[f"{K}accept_{i}"] = False
for message in state.get(K + "propose_msg", []):
    st.warning(md_escape(message, 600))

proposals = state.get(K + "proposals", [])
if len(proposals) > MAX_SHOWN:
    st.info(t("extract.shown_first", shown=MAX_SHOWN, total=len(proposals)))
    proposals = proposals[:MAX_SHOWN]
if K + "proposals" in state and not proposals:
    st.info(tr("제안할 주장을 찾지 못했습니다. 아래에서 직접 추가하세요.",
               "No claim found in the text: add one of your own below."))
accepted: list[dict] = []
slots: dict[int, object] = {}  # claim index in the draft -> where its messages and preview go
ids = claim_ids(len(proposals))
if proposals:
    st.subheader(tr(f"제안된 주장 {len(proposals)}개", f"{len(proposals)} proposed claims"))
for i, (proposal, cid) in enumerate(zip(proposals, ids, strict=True)):
    claim, why = proposal_claim(proposal, cid)
    with st.container(border=True):
        st.markdown(highlighted(proposal.sentence, [(s.start, s.end) for s in proposal.spans]))
        st.caption(md_escape(proposal_caption(proposal, i + 1, t(CONFIDENCE_KEYS[proposal.confidence]), LANG)))
        if proposal.hedge:
            st.caption(md_escape(t("extract.hedged", words=proposal.hedge)))
        if why is not None:
            st.caption(md_escape(describe(why, LANG)))
        if claim is None:  # a reported fact, or a rule the scoring cannot judge yet: shown, not accepted
            continue
        take = st.checkbox(tr("이 주장 받아들이기", "Accept this claim"), key=f"{K}accept_{i}")
        with st.expander(tr("고치기 (종목·규칙·방향·수준·기간)", "Edit (series, rule, direction, level, horizons)")):
            edited = claim_form(f"{K}p{i}_", from_claim(claim))
        if take:
            slots[len(accepted)] = st.container()
            accepted.append(to_claim(edited))

# --------------------------------------------------------------------------- claims of the reader's own

own_count = int(state.setdefault(K + "own_count", 1))
st.subheader(tr("직접 만드는 주장", "Claims of your own"))
with st.expander(tr("목록에 없는 종목 추가", "Add a symbol that is not listed")):
    st.caption(tr("야후 파이낸스 티커 (예: 0700.HK, 005930.KS, ASML). 온라인이면 야후에서 이름과 통화를 확인하고, "
                  "가격은 다음 새로 고침 때 받아 옵니다.",
                  "A Yahoo Finance ticker (e.g. 0700.HK, 005930.KS, ASML). Online, its name and currency are checked "
                  "on Yahoo; its prices are fetched by the next refresh."))
    a1, a2, a3, a4 = st.columns([2, 3, 3, 2])
    new_symbol = a1.text_input(tr("티커", "Ticker"), key=K + "add_sym", max_chars=24)
    new_ko = a2.text_input(tr("한국어 이름 (선택)", "Korean name (optional)"), key=K + "add_ko", max_chars=80)
    new_en = a3.text_input(tr("영어 이름 (선택)", "English name (optional)"), key=K + "add_en", max_chars=80)
    new_ccy = a4.text_input(tr("통화 (선택)", "Currency (optional)"), key=K + "add_ccy", max_chars=3)
    if st.button(tr("종목 추가", "Add the symbol"), key=K + "add_go", disabled=not new_symbol.strip()):
        online = loaders.may_refresh() and not settings().offline
        try:
            row = added_symbols.add_symbol(new_symbol, new_ko or None, new_en or None, new_ccy or None,
                                            store_root=loaders.local_root(), added_by="app",
                                            lookup=added_symbols.yahoo_lookup if online else None)
        except added_symbols.SymbolError as exc:
            st.error(md_escape(f"{new_symbol.strip()[:24]}: {say(exc, lang())}", 400))
        except StoreError as exc:
            st.error(md_escape(say(exc, lang()), 400))
        else:
            checked = (tr("야후에서 확인함", "checked on Yahoo") if row["validated"] == "yahoo"
                       else tr("야후에서 확인하지 못함 (오프라인)", "not checked on Yahoo (offline)"))
            st.success(md_escape(tr(f"{row['symbol']} ({row['name_ko']}) 추가됨 · {row['currency']} · {checked} · "
                                    "아직 가격 없음: 다음 새로 고침 때 받아 옵니다",
                                    f"Added {row['symbol']} ({row['name_en']}) · {row['currency']} · {checked} · "
                                    "not fetched yet: the next refresh fetches it"), 400))
for k in range(own_count):
    with st.expander(tr(f"주장 직접 추가 {k + 1}", f"Add a claim of your own {k + 1}"), expanded=k > 0):
        own = st.checkbox(tr("이 주장을 포함", "Include this claim"), key=f"{K}own{k}")
        initial = ClaimFields(id=f"my-claim-{k + 1}", series=["NVDA"], horizons=["3M"], primary="3M")
        fields = claim_form(f"{K}o{k}_", initial)
        if own:
            slots[len(accepted)] = st.container()
            accepted.append(to_claim(fields))
if own_count < MAX_OWN_CLAIMS and st.button(tr("주장 하나 더", "One more claim"), key=K + "own_more"):
    state[K + "own_count"] = own_count + 1
    st.rerun()

# --------------------------------------------------------------------------- preview, save, download

draft = _draft(accepted)
draft.sections = section_fields
st.subheader(tr("판정 미리보기", "Verdict preview"))
item, problems = check_draft(draft) if draft.date is not None else (None, [])
per_claim, general = problems_by_claim(problems)
prices = loaders.prices()
missing = no_data_problems(accepted, prices, draft.baskets)
for index, slot in slots.items():
    with slot:
        _problems(per_claim.get(index, []))
        for message in missing.get(index, []):
            st.warning(md_escape(message, 600))
if draft.date is None and (text.strip() or accepted):
    st.warning(t("extract.date_needed"))
if text.strip() or title.strip() or author.strip():
    _problems(general + [m for i, ms in per_claim.items() if i not in slots for m in ms])
else:
    st.info(tr("본문, 제목, 필자를 입력하면 여기에 판정이 나옵니다.",
               "Fill in the text, title and author and the verdicts appear here."))
if item is not None and item.claims:
    preview = score_draft(item, prices)
    lines = dict(zip([c.id for c in item.claims], claim_lines(item.claims, preview.combined, LANG), strict=True))
    st.markdown(md_escape(overall_line(item.claims, preview.combined, LANG)))  # the column page's words and odds
    st.dataframe(pd.DataFrame(list(lines.values()),
                              columns=[t("new_column.preview.claim"), t("new_column.preview.horizon"),
                                       t("new_column.preview.verdict")]),
                 hide_index=True, width="stretch", key=K + "preview")
    events = _events()
    by_id = {c.get("id"): n for n, c in enumerate(accepted)}
    for claim in item.claims:
        slot = slots.get(by_id.get(claim.id, -1))
        if slot is None:
            continue
        with slot:
            verdict = lines[claim.id]
            st.markdown(md_escape(f"{verdict[1]}: {verdict[2]}"))
            path = claim_figure(item, claim.id, preview, prices, events, LANG)
            plot(path, key=f"{K}path_{claim.id}")
            render_pin_key(path)
elif item is not None:
    st.caption(tr("받아들인 주장이 아직 없습니다.", "No claim accepted yet."))
if item is not None and section_fields:
    events = _events()
    for j, section in enumerate(item.sections):
        slot = section_slots.get(j)
        if slot is None:
            continue
        with slot:
            shown_chart = section_preview(item, section.id, prices, events, LANG)
            if isinstance(shown_chart, pd.DataFrame):
                st.dataframe(shown_chart, hide_index=True, width="stretch", key=f"{K}sec_{section.id}")
            else:
                plot(shown_chart, key=f"{K}sec_{section.id}")

s1, s2 = st.columns(2)
saved: tuple[str, str] | None = None  # shown on the run of the click only
if s1.button(tr("저장", "Save"), key=K + "save", type="primary"):
    if item is None or problems:  # a claim the loader left out would be lost silently
        saved = ("error", tr("저장하지 못했습니다. 위의 문제를 고치세요.", "Not saved: fix the problems above."))
    else:
        try:
            notebook = ensure_notebook()
            repository().save_commentary(notebook, item.title, draft_markdown(draft), author=item.author,
                                         published=item.date.isoformat(), source_url=item.url or "")
        except RepositoryError as exc:
            saved = ("error", tr("저장하지 못했습니다: ", "Not saved: ") + str(exc))
        except DatabaseUnavailable as exc:
            saved = ("error", problem_text(exc))
        else:
            saved = ("success", tr(f"저장했습니다: {item.title} ('칼럼 목록'에서 열고 서버 목록에 게시할 수 있습니다)",
                                   f"Saved: {item.title} (open it from the Library, and publish it there)"))
if saved:
    getattr(st, saved[0])(md_escape(saved[1], 600))
if item is not None:
    s2.download_button(tr(".md 파일 내려받기", "Download .md"), draft_markdown(draft),
                       file_name=f"{draft_id(draft)}.md", mime="text/markdown", key=K + "download")
