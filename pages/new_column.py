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
from ui import chrome, column_errors, loaders
from ui.claim_form import claim_form, series_picker
from ui.draft_words import proposal_caption
from ui.i18n import lang, t
from ui.notebook import ensure_notebook, problem_text, reader_notebook, repository, saved_commentaries
from ui.pin_key import render_pin_key
from ui.plot import plot
from ui.problems import say
from ui.verdicts import claim_lines, overall_line
from ui.words import words

K = "new_"
ZONES = ("Asia/Seoul", "America/New_York", "Asia/Hong_Kong", "Europe/London", "UTC")
MAX_OWN_CLAIMS = 10
DAYS = {"min_value": dt.date(1900, 1, 1), "max_value": dt.date(2199, 12, 31)}  # any date a column may carry
MAX_SHOWN = 50  # proposals shown with their editors: each costs widgets on every rerun of this session
CHART_KEYS = {"compare": "new_column.chart.compare", "fx": "new_column.chart.fx",
              "event_day": "new_column.chart.event_day", "fx_window": "new_column.chart.fx_window"}
ZONE_KEYS = {"Asia/Seoul": "new_column.zone.seoul", "America/New_York": "new_column.zone.new_york",
             "Asia/Hong_Kong": "new_column.zone.hong_kong", "Europe/London": "new_column.zone.london",
             "UTC": "new_column.zone.utc"}
CONFIDENCE_KEYS = {"high": "extract.confidence_high", "medium": "extract.confidence_medium",
                   "low": "extract.confidence_low"}

LANG = lang()
chrome.page_header(t("new_column.page.title"))
state = st.session_state
st.markdown(t("new_column.page.intro"))

# --------------------------------------------------------------------------- the column's details

text = st.text_area(t("new_column.page.text"), key=K + "text", height=220,
                    help=t("new_column.page.text_help", limit=MAX_TEXT_CHARS))
c1, c2 = st.columns(2)
title = c1.text_input(t("new_column.page.title_field"), key=K + "title")
author = c2.text_input(t("new_column.page.author"), key=K + "author")
c3, c4, c5, c6 = st.columns(4)
day = c3.date_input(t("extract.published"), key=K + "date", value=None, help=t("extract.published_help"),
                    **DAYS)  # no date the reader never typed
anchor = day if isinstance(day, dt.date) else dt.date.today()  # where a new chart's window starts, until then
clock = c4.time_input(t("new_column.page.time"), key=K + "time", value=dt.time(9, 0))
zone = c5.selectbox(t("new_column.page.zone"), ZONES, key=K + "zone",
                    format_func={z: t(ZONE_KEYS[z]) for z in ZONES}.get)
language = c6.selectbox(t("new_column.page.language"), ("ko", "en"), key=K + "lang", index=0 if LANG == "ko" else 1,
                        format_func={"ko": t("new_column.page.in_ko"), "en": t("new_column.page.in_en")}.get)
url = st.text_input(t("new_column.page.url"), key=K + "url")


def _draft(claims: list[dict]) -> Draft:
    return Draft(title=title, author=author, date=day if isinstance(day, dt.date) else None,
                 text=text, time=clock.strftime("%H:%M") if clock else "", timezone=zone, url=url.strip() or None,
                 language=language, claims=claims)


def _problems(found: list[CommentaryError]) -> None:
    for problem in found:
        st.error(column_errors.markdown(problem, LANG))


def _events() -> list:
    try:
        return loaders.events()
    except EventsError:
        return []


# --------------------------------------------------------------------------- import a file

with st.expander(t("new_column.import.heading"), expanded=False):
    st.caption(t("new_column.import.help") + " " + t("new_column.import.limit",
                                                      megabytes=st.get_option("server.maxUploadSize")))
    upload = st.file_uploader(t("new_column.import.file"), type=["md"], key=K + "import")
    if upload is not None and st.button(t("new_column.import.save"), key=K + "import_go"):
        mine, _bad = saved_commentaries(reader_notebook())
        taken = {c.id: c.title for c in list_commentaries() if isinstance(c, Commentary)}
        taken.update({c.id: c.title for c in mine})
        try:
            imported = import_file(upload.getvalue(), upload.name, taken)
            notebook = ensure_notebook()
            repository().save_commentary(notebook, imported.item.title, imported.text, author=imported.item.author,
                                         published=imported.item.date.isoformat(),
                                         source_url=imported.item.url or "")
        except CommentaryError as exc:
            state[K + "import_msg"] = ("error", t("new_column.import.failed", reason=column_errors.plain(exc, LANG)))
        except RepositoryError as exc:
            state[K + "import_msg"] = ("error", t("new_column.import.failed", reason=str(exc)))
        except DatabaseUnavailable as exc:
            state[K + "import_msg"] = ("error", problem_text(exc))
        else:
            state[K + "import_msg"] = ("success", t("new_column.import.done", title=imported.item.title,
                                                    count=len(imported.item.claims)))
            for warning in imported.item.warnings:
                st.warning(column_errors.markdown(warning, LANG))
    if K + "import_msg" in state:
        level, message = state[K + "import_msg"]
        getattr(st, level)(md_escape(message, 700))

# --------------------------------------------------------------------------- sections

section_fields: list[SectionFields] = []
section_slots: dict[int, object] = {}  # section index -> where its chart preview goes
spans = paragraphs(text) if text.strip() and len(text) <= MAX_TEXT_CHARS else []
clean_text = normalise(text) if spans else ""
with st.expander(t("new_column.sections.heading"), expanded=False):
    split = st.checkbox(t("new_column.sections.split"), key=K + "split", disabled=not spans)
    if split and spans:
        labels = {n: t("new_column.sections.paragraph", number=n + 1, start=" ".join(clean_text[a:b].split())[:50])
                  for n, (a, b) in enumerate(spans)}
        cuts = st.multiselect(t("new_column.sections.cuts"),
                              list(range(1, len(spans))), key=K + "cuts", format_func=labels.get)
        starts = [0, *sorted(set(cuts))]
        for j, first in enumerate(starts):
            p = f"{K}s{j}_"
            default = default_chart("compare", [], anchor)
            with st.container(border=True):
                st.markdown(t("new_column.sections.part", number=j + 1) + md_escape(labels[first], 80))
                e1, e2, e3 = st.columns(3)
                heading_ko = e1.text_input(t("new_column.sections.heading_ko"), key=p + "hko", max_chars=120)
                heading_en = e2.text_input(t("new_column.sections.heading_en"), key=p + "hen", max_chars=120)
                kind = e3.selectbox(t("new_column.sections.kind"), CHART_KINDS, key=p + "kind",
                                    format_func={k: t(CHART_KEYS[k]) for k in CHART_KINDS}.get)
                default = default_chart(kind, [], anchor)
                if state.get(p + "kind_was") != kind:  # a new kind starts from its own sensible window
                    for name in ("start", "end", "base", "event"):
                        state.pop(p + name, None)
                    state.pop(p + "symbols", None)
                    state[p + "kind_was"] = kind
                symbols = series_picker(t("new_column.sections.series"), p + "symbols", default.symbols, False)
                f1, f2, f3 = st.columns(3)
                state.setdefault(p + "start", default.start)
                state.setdefault(p + "end", default.end)
                start_day = f1.date_input(t("new_column.sections.start"), key=p + "start", **DAYS)
                end_day = f2.date_input(t("new_column.sections.end"), key=p + "end", **DAYS)
                fields = SectionFields(first, heading_ko, heading_en, kind, symbols, start_day, end_day)
                if kind == "compare":
                    state.setdefault(p + "base", default.base_date)
                    fields.base_date = f3.date_input(t("new_column.sections.base"), key=p + "base",
                                                     **DAYS)
                elif kind in ("event_day", "fx_window"):
                    state.setdefault(p + "event", default.event_date)
                    fields.event_date = f3.date_input(t("new_column.sections.event"), key=p + "event",
                                                      **DAYS)
                section_fields.append(fields)
                section_slots[j] = st.container()

# --------------------------------------------------------------------------- proposals

if st.button(t("new_column.proposals.button"), key=K + "propose"):
    state.pop(K + "proposals", None)
    for old in [k for k in state if isinstance(k, str) and k.startswith((K + "p", K + "accept_"))]:
        del state[old]
    problems = [p for p in field_problems(_draft([])) if p.field == "text"]
    if problems:
        state[K + "propose_msg"] = [t("new_column.proposals.text_problem", problem=column_errors.what(p, LANG))
                                    for p in problems]
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
    st.info(t("new_column.proposals.none"))
accepted: list[dict] = []
slots: dict[int, object] = {}  # claim index in the draft -> where its messages and preview go
ids = claim_ids(len(proposals))
if proposals:
    st.subheader(t("new_column.proposals.count", count=len(proposals)))
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
        take = st.checkbox(t("new_column.proposals.accept"), key=f"{K}accept_{i}")
        with st.expander(t("new_column.proposals.edit")):
            edited = claim_form(f"{K}p{i}_", from_claim(claim))
        if take:
            slots[len(accepted)] = st.container()
            accepted.append(to_claim(edited))

# --------------------------------------------------------------------------- claims of the reader's own

own_count = int(state.setdefault(K + "own_count", 1))
st.subheader(t("new_column.own.heading"))
with st.expander(t("new_column.symbol.heading")):
    st.caption(t("new_column.symbol.help"))
    a1, a2, a3, a4 = st.columns([2, 3, 3, 2])
    new_symbol = a1.text_input(t("new_column.symbol.ticker"), key=K + "add_sym", max_chars=24)
    new_ko = a2.text_input(t("new_column.symbol.name_ko"), key=K + "add_ko", max_chars=80)
    new_en = a3.text_input(t("new_column.symbol.name_en"), key=K + "add_en", max_chars=80)
    new_ccy = a4.text_input(t("new_column.symbol.currency"), key=K + "add_ccy", max_chars=3)
    if st.button(t("new_column.symbol.add"), key=K + "add_go", disabled=not new_symbol.strip()):
        online = loaders.may_refresh() and not settings().offline
        try:
            row = added_symbols.add_symbol(new_symbol, new_ko or None, new_en or None, new_ccy or None,
                                            store_root=loaders.local_root(), added_by="app",
                                            lookup=added_symbols.yahoo_lookup if online else None)
        except added_symbols.SymbolError as exc:
            st.error(md_escape(t("new_column.symbol.problem", symbol=new_symbol.strip()[:24],
                                 reason=say(exc, LANG)), 400))
        except StoreError as exc:
            st.error(md_escape(say(exc, LANG), 400))
        else:
            checked = t("new_column.symbol.checked" if row["validated"] == "yahoo" else "new_column.symbol.unchecked")
            st.success(md_escape(t("new_column.symbol.added", symbol=row["symbol"], currency=row["currency"],
                                   name=row["name_ko"] if LANG == "ko" else row["name_en"], checked=checked), 400))
for k in range(own_count):
    with st.expander(t("new_column.own.claim", number=k + 1), expanded=k > 0):
        own = st.checkbox(t("new_column.own.include"), key=f"{K}own{k}")
        initial = ClaimFields(id=f"my-claim-{k + 1}", series=["NVDA"], horizons=["3M"], primary="3M")
        fields = claim_form(f"{K}o{k}_", initial)
        if own:
            slots[len(accepted)] = st.container()
            accepted.append(to_claim(fields))
if own_count < MAX_OWN_CLAIMS and st.button(t("new_column.own.more"), key=K + "own_more"):
    state[K + "own_count"] = own_count + 1
    st.rerun()

# --------------------------------------------------------------------------- preview, save, download

draft = _draft(accepted)
draft.sections = section_fields
st.subheader(t("new_column.verdicts.heading"))
item, problems = check_draft(draft) if draft.date is not None else (None, [])
per_claim, general = problems_by_claim(problems)
prices = loaders.prices()
missing = no_data_problems(accepted, prices, draft.baskets)
for index, slot in slots.items():
    with slot:
        _problems(per_claim.get(index, []))
        for problem in missing.get(index, []):
            st.warning(column_errors.markdown(problem, LANG))
if draft.date is None and (text.strip() or accepted):
    st.warning(t("extract.date_needed"))
if text.strip() or title.strip() or author.strip():
    _problems(general + [m for i, ms in per_claim.items() if i not in slots for m in ms])
else:
    st.info(t("new_column.verdicts.empty"))
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
            st.markdown(md_escape(t("new_column.verdicts.line", horizon=verdict[1], verdict=verdict[2])))
            path = claim_figure(item, claim.id, preview, prices, events, words(LANG))
            plot(path, key=f"{K}path_{claim.id}")
            render_pin_key(path)
elif item is not None:
    st.caption(t("new_column.verdicts.none_accepted"))
if item is not None and section_fields:
    events = _events()
    for j, section in enumerate(item.sections):
        slot = section_slots.get(j)
        if slot is None:
            continue
        with slot:
            shown_chart = section_preview(item, section.id, prices, events, words(LANG))
            if isinstance(shown_chart, pd.DataFrame):
                st.dataframe(shown_chart, hide_index=True, width="stretch", key=f"{K}sec_{section.id}")
            else:
                plot(shown_chart, key=f"{K}sec_{section.id}")

s1, s2 = st.columns(2)
saved: tuple[str, str] | None = None  # shown on the run of the click only
if s1.button(t("new_column.save.button"), key=K + "save", type="primary"):
    if item is None or problems:  # a claim the loader left out would be lost silently
        saved = ("error", t("new_column.save.fix_first"))
    else:
        try:
            notebook = ensure_notebook()
            repository().save_commentary(notebook, item.title, draft_markdown(draft), author=item.author,
                                         published=item.date.isoformat(), source_url=item.url or "")
        except RepositoryError as exc:
            saved = ("error", t("new_column.save.failed", reason=str(exc)))
        except DatabaseUnavailable as exc:
            saved = ("error", problem_text(exc))
        else:
            saved = ("success", t("new_column.save.done", title=item.title))
if saved:
    getattr(st, saved[0])(md_escape(saved[1], 600))
if item is not None:
    s2.download_button(t("new_column.save.download"), draft_markdown(draft),
                       file_name=f"{draft_id(draft)}.md", mime="text/markdown", key=K + "download")
