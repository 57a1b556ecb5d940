"""Data: what the store holds (the table first), where it came from, refresh and import."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from catalog import text
from commentary.text.safe_text import md_escape
from data_sources.market import refresh
from data_sources.market.ecb import provider_difference
from data_sources.market.status import STATUS_LABELS_EN, STATUS_LABELS_KO, kst_time, status_table
from data_sources.settings import settings
from data_sources.store import csv_io
from data_sources.store.atomic import StoreError
from data_sources.store.prices import Store
from ui import chrome, loaders
from ui.details import folded_detail
from ui.i18n import lang, t
from ui.plot import plot
from ui.problems import say, words

OUTCOME_KEYS = {"ok": "data.outcome.ok", "partial": "data.outcome.partial", "offline": "data.outcome.offline",
                "error": "data.outcome.error"}
CURRENCY_KEYS = {"KRW": "data.currency.KRW", "CNY": "data.currency.CNY", "HKD": "data.currency.HKD"}


def show_bar():
    """A progress bar and the callback that feeds it each step in the reader's words."""
    bar = st.progress(0.0)
    return lambda fraction, step: bar.progress(min(fraction, 1.0), text=say(step, lang()))


def run_import(folder_choice: str, replace: bool) -> None:
    """Import the chosen folder under the import root; keep the outcome for the rerun that follows."""
    root = csv_io.import_root()
    try:
        folder = csv_io.folder_inside(root, folder_choice)
    except csv_io.ImportRootError as exc:  # one answer for every refusal: it tells nothing about other folders
        st.error(md_escape(say(exc, lang()), 300))
        return
    try:
        report = csv_io.import_folder(store, folder, progress=show_bar(), replace=replace, root=root)
    except StoreError as exc:
        st.error(md_escape(say(exc, lang()), 500))
        return
    outcome = {"folder": folder_choice, "imported": dict(report.imported), "problems": list(report.problems),
               "changes": [str(c) for c in report.changes], "held": report.held, "replace": replace,
               "left": report.progress_error is not None}
    st.session_state["_import_outcome"] = outcome
    if report.progress_error is not None:
        raise report.progress_error  # the reader navigated away: the import is stored, the page goes on
    st.rerun()  # the whole page (table, FX section, banner) now reads the new store


def show_import_outcome() -> None:
    """What the last import did: stored rows, rejected rows, or the stored values it would change."""
    outcome = st.session_state.get("_import_outcome")
    if not outcome:
        return
    if outcome["held"]:
        count = f"{len(outcome['changes']):,}"
        st.warning(t("data.held", folder=md_escape(outcome["folder"], 200), n=count))
        st.text("\n".join(outcome["changes"][:200])
                + ("\n" + t("data.more", n=f"{len(outcome['changes']) - 200:,}") if len(outcome["changes"]) > 200
                   else ""))
        confirm, cancel = st.columns(2)
        if confirm.button(t("data.replace", n=count), key="import_replace", type="primary"):
            run_import(outcome["folder"], replace=True)
        if cancel.button(t("data.cancel"), key="import_cancel"):
            st.session_state.pop("_import_outcome", None)
            st.rerun()
        show_problems(outcome["problems"])
        return
    rows, symbols = sum(outcome["imported"].values()), len(outcome["imported"])
    if outcome["left"]:
        st.info(t("data.left"))
    st.success(t("data.imported", symbols=f"{symbols:,}", rows=f"{rows:,}"))
    if outcome["replace"] and outcome["changes"]:
        st.caption(t("data.replaced", n=f"{len(outcome['changes']):,}"))
    show_problems(outcome["problems"])


def show_problems(problems: list) -> None:
    """Rejected rows and files (file, line, field and reason, in the reader's words), as plain text."""
    if problems:
        with st.expander(t("data.rejected", n=f"{len(problems):,}")):
            st.text("\n".join(say(p, lang()) for p in problems[:200]))


chrome.page_header(t("data.title"))
store = loaders.store()

try:
    snap = loaders.snapshot()
except StoreError as exc:
    st.error(md_escape(say(exc, lang()), 500))
    st.stop()

st.subheader(t("data.series"))
table = status_table(snap, lang(), local_times=True)
raw_notes = [words(n, lang()).detail for n in table["note"] if n]  # re-base notes; the English folded below
table["note"] = [say(n, lang()) for n in table["note"]]
labels = STATUS_LABELS_KO if lang() == "ko" else STATUS_LABELS_EN
column_config = {col: labels.get(col, col) for col in table.columns}
column_config["rows"] = st.column_config.NumberColumn(labels.get("rows", "rows"), format="localized")
# key columns first, so a phone's first screen shows what is stored and how recent it is
st.dataframe(table, hide_index=True, width="stretch", column_config=column_config,
             column_order=["symbol", "rows", "last", "name", "source", "fetched_at", "first", "currency", "note"])
folded_detail(raw_notes, lang())
missing = table.loc[table["rows"] == 0, "symbol"].tolist()
if missing:
    st.caption(t("data.missing", symbols=", ".join(missing)))
last = store.last_refresh()
if last:
    outcome = str(last.get("outcome"))
    when, said = kst_time(last.get("at"), lang()), words(last.get("problems"), lang())
    st.caption(t("data.last_refresh", when=when, message=md_escape(said.text, 3000),
                 outcome=t(OUTCOME_KEYS[outcome]) if outcome in OUTCOME_KEYS else md_escape(outcome, 40)),
               help=md_escape(said.detail, 3000) if said.detail and said.detail != said.text else None)
with st.expander(t("data.technical")):  # an operator's detail, folded: a reader never needs the server's folder
    st.caption(t("data.store_folder", folder=md_escape(store.root, 300)) if isinstance(store, Store)
               else t("data.store_shared", where=md_escape(str(store.root), 300)))

left, right = st.columns(2)
with left:
    st.subheader(t("data.refresh_title"))
    if settings().offline:
        st.info(t("data.refresh_offline"))
    elif not loaders.may_refresh() or not isinstance(store, Store):
        st.info(t("data.refresh_shared"))
    elif st.button(t("data.refresh_button"), icon=":material/refresh:"):
        report = refresh.refresh_all(store, progress=show_bar())
        problems = [words(m, lang()) for m in (report.offline_reason, *report.errors.values()) if m]
        for i, said in enumerate(problems):  # Korean: the reason in Korean; the raw messages folded below
            offline = i == 0 and bool(report.offline_reason)
            st.warning(t("data.offline_prefix") * offline + md_escape(said.text, 500))
        if problems and lang() == "ko":
            with st.expander(t("data.raw_messages")):
                st.text("\n".join(said.detail for said in problems))
        st.success(t("data.refreshed", n=f"{len(report.fetched):,}"))
with right:
    st.subheader(t("data.import_title"))
    root = csv_io.import_root()
    if root is None:
        st.info(t("safety.import_off", command="`python -m data_sources import`"))
    else:
        folders = csv_io.import_folders(root)
        if not folders:
            st.info(t("data.import_none"))
        else:
            choice = st.selectbox(t("data.import_folder"), folders, key="import_dir")
            if st.button(t("data.import_button"), icon=":material/upload:", key="import_go"):
                st.session_state.pop("_import_outcome", None)
                run_import(choice, replace=False)
    show_import_outcome()

st.subheader(t("data.fx_title"))
st.caption(t("data.fx_note"))
LANG = lang()
pair = st.selectbox(t("data.currency_pick"), list(CURRENCY_KEYS), key="fx_pair",
                    format_func=lambda c: text(LANG, CURRENCY_KEYS[c]))
diff = provider_difference(snap.prices, f"{pair}=X", f"USD{pair}_ECB")
if diff.empty:
    st.info(t("data.fx_none", currency=t(CURRENCY_KEYS[pair])))
else:
    fig = go.Figure(go.Scatter(x=pd.to_datetime(diff["date"]), y=diff["diff_pct"], mode="lines",
                               name=t("data.fx_line")))
    fig.update_layout(height=260, margin={"t": 30, "b": 20}, yaxis_title="%",
                      title=t("data.fx_chart", currency=t(CURRENCY_KEYS[pair])))
    fig.update_xaxes(tickformat=t("data.fx_ticks"))
    plot(fig, key="data_fx")
    st.caption(t("data.fx_summary", days=f"{len(diff):,}", median=f"{diff['diff_pct'].abs().median():.2f}"))
