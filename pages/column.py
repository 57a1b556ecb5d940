"""The column: each section's narrative beside the data that tests it, then the claims' scorecard.

URL: ``?c=<commentary id>&asof=column|all``.  Bundled commentaries come from ``commentary/columns``; a
reader may upload one more (kept in this session; its text is untrusted and rendered with HTML escaped).
"""

from __future__ import annotations

import time

import pandas as pd
import streamlit as st

from commentary.charts import sections as sc
from commentary.document.model import Commentary, CommentaryError
from commentary.document.upload import parse_upload
from commentary.scoring.facts import check_fact
from commentary.text.safe_text import md_body, md_escape, md_link
from data_sources.store.atomic import StoreError
from ui import chrome, column_cache, column_errors, column_parts, column_words, loaders
from ui.column_answer import LEAD_ID, verdict_lines
from ui.column_words import fact_line, observation_paragraph
from ui.i18n import lang, t
from ui.notebook import published_commentaries, reader_notebook, saved_commentaries
from ui.pin_key import render_pin_key
from ui.plot import plot
from ui.problems import say
from ui.tables import EVENT_DAY_ORDER, event_day_columns
from ui.verdicts import (
    call_label,
    detail_line,
    format_measured,
    method_parts,
    strength_label,
    summary_hint,
    verdict_label,
)
from ui.words import words

K = "col_"
UPLOADED = K + "uploaded"
ASOF_CHOICES = ("all", "column")
SOURCES = {"yahoo": "column.source.yahoo", "ecb": "column.source.ecb", "data": "column.source.data"}  # for readers


# --------------------------------------------------------------------------- cached loaders


# The column's figures, news and results are cached per content fingerprint, data version, language and as-of
# (ui/column_parts.py, ui/column_cache.py), whoever's column it is.


# --------------------------------------------------------------------------- helpers


def _render_body(trusted: bool, text: str) -> None:
    if not trusted:
        st.markdown(md_body(text))  # untrusted upload: no HTML, images or icons, ever
    else:
        st.markdown(text)


def _points(fig) -> int:
    """How many x values the figure's line traces hold (as-of mode: too few means nothing to read)."""
    return max((len(tr.x) for tr in fig.data if getattr(tr, "x", None) is not None and tr.mode == "lines"),
               default=0)


def _news_block(section, known_at: pd.Timestamp | None = None) -> None:
    if section.news is None:
        return
    try:
        items = column_parts.section_news(fingerprint, loaders.news_version(), section.id, known_at, section)
    except StoreError as exc:
        told = md_escape(say(exc, LANG), 300)
        st.caption(t("column.news.unreadable", reason=told))
        return
    label = t("column.news.label")
    if not items:
        st.caption(f"{label}: " + t("column.news.none"))
        return
    lines = []
    for row in items:
        head = md_link(row.get("title") or "—", row.get("link"))
        when = words(lang()).date(pd.Timestamp(row["published"]).tz_convert("Asia/Seoul")) if pd.notna(
            row.get("published")) else "—"
        lines.append(f"- {head} — {md_escape(row.get('source') or '')}, {when}")
    st.markdown(f"**{label}**\n\n" + "\n".join(lines))


# --------------------------------------------------------------------------- choosing a commentary

RUN_STARTED = time.monotonic()  # a big column's scoring is waited for until BUDGET_S into the run
chrome.page_header(t("column.page_title"), compact=True)
LANG = lang()

bundled = column_parts.bundled()
for bad in (c for c in bundled if isinstance(c, CommentaryError)):
    st.warning(t("column.bad_file", reason=column_errors.markdown(bad, LANG)))

def _upload_box() -> None:
    """The upload widget (at the bottom of the page) and what became of the last upload."""
    st.caption(t("column.upload_help"))
    st.file_uploader(t("column.upload"), type=["md"], key=K + "upload")
    _upload_messages()


def _upload_messages() -> None:
    """What became of the last upload (success, warning or error), in view whether the box is open or not."""
    for level, message in st.session_state.get(K + "upload_msg", []):
        getattr(st, level)(message)


def _take_upload() -> None:
    """Parse the uploaded commentary (before the list of commentaries is built) and keep it for this session."""
    uploaded_file = st.session_state.get(K + "upload")
    messages: list[tuple[str, str]] = []
    st.session_state[K + "upload_msg"] = messages
    if uploaded_file is not None:
        file_name = md_escape(uploaded_file.name, 120)
        try:
            parsed = parse_upload(uploaded_file.getvalue(), uploaded_file.name)  # size-capped, parsed once per hash
        except CommentaryError as exc:
            messages.append(("error", t("column.upload_failed", reason=column_errors.markdown(exc, LANG))))
        else:
            if any(isinstance(c, Commentary) and c.id == parsed.id for c in bundled):
                messages.append(("warning", t("column.upload_taken", file=file_name)))
            else:
                st.session_state.setdefault(UPLOADED, {})[parsed.id] = parsed
                messages.append(("success", t("column.upload_loaded", file=file_name)))


_take_upload()


available: list[Commentary] = [c for c in bundled if isinstance(c, Commentary)]
available += list(st.session_state.get(UPLOADED, {}).values())
_known = {c.id for c in available}
available += [c for c in saved_commentaries(reader_notebook())[0] if c.id not in _known]  # the notebook's (untrusted)
_known = {c.id for c in available}
available += [c for c in published_commentaries() if c.id not in _known]  # the server library's (untrusted)
if not available:
    st.error(t("column.no_commentary"))
    st.stop()
ids = [c.id for c in available]
wanted = st.query_params.get("c") or (LEAD_ID if LEAD_ID in ids else ids[0])
if wanted not in ids:
    st.warning(t("column.not_found"))
    wanted = LEAD_ID if LEAD_ID in ids else ids[0]
if st.session_state.get(K + "choice") not in ids or st.session_state.get(K + "url_c") != wanted:
    st.session_state[K + "choice"] = wanted
    st.session_state[K + "url_c"] = wanted
names = {c.id: f"{c.title_in(LANG)} — {c.author_name(LANG)} ({words(LANG).date(c.date)})" for c in available}
ASOF_NAMES = {"all": t("column.asof.all"), "column": t("column.asof.column")}
asof_url = st.query_params.get("asof")
if K + "asof" not in st.session_state:
    st.session_state[K + "asof"] = asof_url if asof_url in ASOF_CHOICES else "all"
bar = st.container(horizontal=True, gap="small")  # one compact row (a phone too): controls fold into popovers
with bar.popover(t("column.controls"), icon=":material/tune:"):
    cid = st.selectbox(t("column.choose"), ids, format_func=names.get, key=K + "choice")
    asof = st.selectbox(t("column.prices_shown"), ASOF_CHOICES, key=K + "asof", format_func=ASOF_NAMES.get)
st.query_params["c"] = cid
st.session_state[K + "url_c"] = cid
st.query_params["asof"] = asof
item = next(c for c in available if c.id == cid)
trusted = any(c is item for c in bundled)
fingerprint = column_cache.fingerprint(item)

# --------------------------------------------------------------------------- header and the answer first

# the citation stays on the page: title, author and date in one line (an English page adds its English rendering)
st.markdown(column_words.citation(item, LANG))

try:
    version = loaders.store_version()
    loaders.snapshot()
    prices_ok = True
except StoreError as exc:
    st.error(t("safety.store_unreadable", reason=md_escape(say(exc, LANG), 500)))
    prices_ok = False

scored: column_cache.Scored | None = None  # the column's results (cached per content, data version and as-of)
scoring: column_cache.Job | None = None  # a big column being scored in the background
if prices_ok and item.claims:
    try:
        outcome = column_cache.results(item, version, asof, loaders.prices, column_parts.result_views(item), LANG,
                                       budget_s=column_cache.BUDGET_S - (time.monotonic() - RUN_STARTED))
    except column_cache.ScoringFailed:
        st.error(t("cache.failed"))
    else:
        scored, scoring = (outcome, None) if isinstance(outcome, column_cache.Scored) else (None, outcome)
readings: list = scored.readings if scored is not None else []
events_v = loaders.events_version()


def _verdict_summary() -> None:
    """The answer first: one line per claim (primary horizon) and the overall reading."""
    if not item.claims:
        st.caption(t("column.no_claims"))
        return
    if not prices_ok:
        st.info(t("column.no_prices"))
        return
    if scoring is not None:
        column_cache.show_progress(scoring, LANG)
        return
    if scored is None:
        return
    lines = verdict_lines(scored.view(LANG, "lines"), scored.view(LANG, "verdicts"))
    # one line per claim (hard breaks: no list indent, no gaps)
    st.markdown(f"**{t('column.verdicts')}** · {md_escape(scored.view(LANG, 'overall'))} "
                f"{t('column.method_link')}  \n" + "  \n".join(lines))
    if asof == "column":
        st.caption(t("column.asof_note"))

with bar.popover(t("column.what_it_says"), icon=":material/article:"):
    st.markdown(md_escape(item.summary(LANG)))
    st.caption(column_words.retelling(item, LANG))
    original = md_link(t("column.read_original"), item.url) if item.url else ""
    if original.startswith("["):  # a link (md_link gives only the escaped label, never a bare "[", otherwise)
        st.markdown(original)
    else:
        st.caption(t("column.no_address"))
    for warning in item.warnings:  # the column named by its title: a saved one's file name is an internal id
        st.caption(f"⚠️ {column_errors.markdown(warning, LANG, item.title_in(LANG))}")
_verdict_summary()
for error in item.claim_errors:  # quotes the file's own claim id and rule values: escaped, never Markdown
    st.warning(t("safety.claim_not_scored", reason=column_errors.markdown(error, LANG, item.title_in(LANG))))

# --------------------------------------------------------------------------- sections

SECTION_LABEL = 40  # characters of a section's heading on its tab


def _section(section) -> None:
    """One section: its evidence (chart first: on a phone the columns stack) beside its narrative, then its news."""
    heading = section.heading(LANG)
    if len(heading) > SECTION_LABEL:  # cut short on its tab: whole here
        st.markdown(f"**{md_escape(heading)}**")
    right, left = st.columns([6, 5])  # the evidence first: on a phone (columns stacked) it comes before the text
    with left:
        body, cut = section.known_body(LANG) if asof == "column" else (section.body(LANG), False)
        _render_body(trusted, body)
        if cut:  # the rest tells what came after the column
            st.caption(t("column.after_hidden"))
    with right:
        if not prices_ok:
            st.info(t("column.no_evidence"))
        else:
            try:
                evidence = column_parts.figure(fingerprint, version, events_v, section.id, LANG, asof, item)
                if isinstance(evidence, ValueError):  # a refusal, cached like a figure
                    raise evidence
            except ValueError as exc:
                st.warning(t("safety.evidence_not_drawn", reason=md_escape(exc, 400)))
                evidence = None
            if isinstance(evidence, pd.DataFrame) and asof == "column" and (
                    evidence.empty or evidence["change_pct"].isna().all()):
                st.info(t("column.reaction_later", day=words(LANG).date(section.chart["event_date"])))
            elif isinstance(evidence, pd.DataFrame):
                day = words(LANG).date(section.chart["event_date"])
                title = t("column.one_day_title", day=day)
                bars = column_parts.event_day_chart(fingerprint, version, events_v, section.id, LANG, asof, title,
                                                    evidence)
                plot(bars, key=f"{K}fig_{section.id}")
                table = st.expander(t("column.as_table"), on_change="rerun", key=f"{K}table_{section.id}")
                if table.open:  # built only when opened: a grid before the first chart slows every visit
                    shown = evidence[[c for c in EVENT_DAY_ORDER if c in evidence.columns]]  # closes as text: 19,341.83
                    table.dataframe(shown, hide_index=True, width="stretch",
                                    column_config=event_day_columns(text_prices=True))
            elif evidence is not None and _points(evidence) < 2:
                st.info(t("column.too_few_points"))
            elif evidence is not None:
                plot(evidence, key=f"{K}fig_{section.id}")
                render_pin_key(evidence)  # the numbered badges' key, under the chart
    _news_block(section, item.published if asof == "column" else None)


if item.sections:
    # Each section in its own tab, built only when chosen: the first section's chart is drawn without waiting
    # for the other three (a browser lays out every chart it is sent before it draws the first).
    labels = [f"{n}. {md_escape(sec.heading(LANG), max_len=SECTION_LABEL)}" for n, sec in enumerate(item.sections, 1)]
    for section, tab in zip(item.sections, st.tabs(labels, key=f"{K}section_{item.id}", on_change="rerun"),
                            strict=True):
        if tab.open:
            with tab:
                _section(section)

# --------------------------------------------------------------------------- scorecard


def _claim_path() -> None:
    """The chosen claim's path chart and its readings in detail (inside the folded "paths" box)."""
    claim_names = {c.id: c.text(LANG) for c in item.claims}
    chosen = st.selectbox(t("column.choose_claim"), [c.id for c in item.claims],
                          format_func=lambda cid_: claim_names[cid_][:90], key=K + "claim")
    claim = item.claim(chosen)
    mine = [r for r in readings if r.claim_id == chosen]
    fig = column_parts.claim_figure(fingerprint, version, events_v, chosen, LANG, asof, item, readings)
    plot(fig, key=f"{K}path_{chosen}")
    render_pin_key(fig)
    detail = pd.DataFrame([{
        t("column.detail.horizon"): ("★ " if r.primary else "") + (claim.horizon(r.horizon).label(words(LANG))),
        t("column.detail.source"): t(SOURCES[r.source]) if r.source in SOURCES else r.source,
        t("column.detail.verdict"): verdict_label(r.verdict, LANG),
        t("column.detail.measured"): format_measured(r.measured, r.unit, LANG),
        "z": "—" if r.z != r.z else f"{r.z:+.2f}",
        t("column.detail.strength"): strength_label(r.strength, LANG),
        t("odds.detail.base"): "—" if not r.chances.base_rate >= 0 else f"{r.chances.base_rate * 100:.0f}%",
        t("odds.detail.windows"): r.chances.windows,
        t("odds.detail.percentile"): "—" if not r.chances.percentile >= 0 else f"{r.chances.percentile:.0f}",
        t("odds.detail.call"): call_label(r.chances.call, LANG) or "—",
        t("column.detail.reference"): words(LANG).date(r.reference_date),
        t("column.detail.end"): words(LANG).date(r.end_date),
        t("column.detail.actionable"): (
            f"{verdict_label(r.actionable_verdict, LANG)} {format_measured(r.actionable_measured, r.unit, LANG)}"
            if r.actionable_verdict else "—"),
        t("column.detail.detail"): detail_line(r.detail, LANG),
    } for r in mine])
    st.dataframe(detail, hide_index=True, width="stretch", key=K + "detail")


def _facts() -> None:
    """Each fact the column reports, checked on the closes known in this view."""
    prices_now = sc.cut_prices(loaders.prices(), item.published if asof == "column" else None)
    for fact in item.facts:
        lines = [f"- {md_escape(fact_line(check, LANG))}" for check in check_fact(fact, prices_now)]
        st.markdown(f"**{md_escape(fact.text(LANG))}**\n\n" + "\n".join(lines)
                    + (f"\n\n{md_escape(fact.reported(LANG))}" if fact.reported(LANG) else ""))



st.subheader(t("column.scorecard"))
if scored is not None:
    st.markdown(scored.view(LANG, "cards"))  # one card per claim: the claim whole, wrapping at any width
    st.caption(t("odds.grid.caption") + " " + summary_hint(LANG))
    table, styled = scored.view(LANG, "grid")  # the styles computed once, with the results
    claim_col = table.columns[0]
    st.expander(t("column.as_table"), icon=":material/table:").dataframe(
        styled, hide_index=True, width="stretch", key=K + "grid",  # sortable; every claim whole in its card above
        column_config={claim_col: st.column_config.TextColumn(claim_col, width="large")})
    st.download_button(t("column.download_csv"), scored.csv,
                       file_name=f"scorecard-{item.id}.csv", mime="text/csv", key=K + "csv")

    paths = st.expander(t("column.paths"), on_change="rerun",
                        key=K + "paths")
    if paths.open:  # built only when opened (the slowest figure of the page)
        with paths:
            _claim_path()

if item.facts and prices_ok:
    facts = st.expander(t("column.facts"), on_change="rerun",
                        key=K + "facts")
    if facts.open:
        with facts:
            _facts()

METHOD_TITLE, METHOD_BODY = method_parts(LANG)
st.subheader(METHOD_TITLE, anchor="method")
method_box = st.expander(t("column.show_method"), on_change="rerun", key=K + "method")
if method_box.open:
    method_box.markdown(METHOD_BODY)  # trusted: the catalog's text, the code's thresholds
    method_box.markdown(observation_paragraph(LANG, column_parts.lead_lag(version) if prices_ok else None))

upload = st.expander(t("column.load_other"), on_change="rerun",
                     key=K + "upload_open")
if upload.open:
    with upload:
        _upload_box()
else:  # the last upload's outcome stays in view after the box folds
    _upload_messages()
