"""Library: every commentary (bundled, our own examples, the reader's saved ones) with its verdict summary,
searchable and sortable, each opening the column page; then each author's track record against chance.
Scores come from the column page's per-content cache (ui/library_view.py), so a big column is scored once, in
the background, with progress shown."""

from __future__ import annotations

import time
from concurrent.futures import Future

import pandas as pd
import streamlit as st

from commentary.document.column import list_commentaries
from commentary.document.model import Commentary
from commentary.library.importing import publish_problem
from commentary.text.safe_text import md_escape
from data_sources.readers.guard import DatabaseUnavailable
from data_sources.readers.repository import RepositoryError
from ui import chrome, column_cache, column_errors, library_view, loaders
from ui.i18n import lang, t
from ui.notebook import notebook_panel, problem_text, published_entries, reader_notebook, repository, saved_entries
from ui.verdicts import record_lines

RUN_STARTED = time.monotonic()
K = "lib_"


def _kind(item: Commentary, mine: set[str], public: set[str]) -> str:
    if item.id in mine:
        return t("library.kind.mine_published") if item.id in public else t("library.kind.mine")
    if item.id in public:
        return t("library.kind.public")
    if "(example)" in item.author:
        return t("library.kind.example")
    return t("library.kind.bundled")


def _link(item: Commentary, language: str) -> str:
    """An internal link to the column page (the id is a parser-checked slug; never the notebook's key: the
    column page finds the reader's notebook in this browser)."""
    return f"/column?c={item.id}&lang={language}"


chrome.page_header(t("library.title"))
LANG = lang()
notebook = reader_notebook()
bundled = [c for c in list_commentaries() if isinstance(c, Commentary)]
flash = st.session_state.pop(K + "flash", None)  # the outcome of the last publish click, shown once
if flash:
    getattr(st, flash[0])(md_escape(flash[1], 600))
entries, problems = saved_entries(notebook)
public_entries, public_problems = published_entries()
for problem in problems + public_problems:
    st.warning(t("library.unreadable", reason=md_escape(problem, 400)))
mine = [item for _row, item in entries]
my_rows = {row.id for row, _item in entries}
taken = {c.id for c in bundled}
items = bundled + [c for c in mine if c.id not in taken]
mine_ids = {c.id for c in mine}
taken |= mine_ids
items += [item for row, item in public_entries if item.id not in taken]  # other readers' (first publication wins)
public_ids = {item.id for _row, item in public_entries}

rows_by_id = library_view.column_rows(items, loaders.store_version(), loaders.prices, LANG, RUN_STARTED)
authors = sorted({c.author for c in items})
st.markdown(t("library.count", columns=len(items), authors=len(authors), mine=len(mine)))
if not notebook:
    st.caption(t("library.empty_notebook"))
running = [row.job for row in rows_by_id.values() if row.job is not None]
if running:
    st.caption(t("library.scoring_note"))
    column_cache.show_progress(running[0], LANG)


def _verdict_cells(row: library_view.Row) -> tuple[str, str]:
    if row.failed:
        return t("library.failed_row"), t("library.failed_row")
    if row.job is not None:
        return t("library.scoring_row"), t("library.scoring_row")
    return row.overall or "—", row.tally or "—"


query = st.text_input(t("library.search"), key=K + "q", max_chars=200)
needle = query.strip().casefold()
rows = []
for c in items:
    hay = " ".join([c.title, c.title_ko, c.author, c.author_ko, c.summary_ko, c.summary_en, c.id]).casefold()
    if needle and needle not in hay:
        continue
    overall, tally = _verdict_cells(rows_by_id[c.id])
    rows.append({"date": pd.Timestamp(c.date), "title": c.title_in(LANG), "author": c.author_name(LANG),
                 "kind": _kind(c, mine_ids, public_ids), "claims": len(c.claims), "verdicts": overall,
                 "tally": tally, "open": _link(c, LANG)})
# the key columns first and narrow (title pinned, the verdict tally beside it): a 390 px phone shows both whole
TABLE_COLUMNS = ["title", "tally", "open", "date", "author", "kind", "claims", "verdicts"]
table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
table = table.sort_values("date", ascending=False, kind="stable")
if table.empty:
    st.info(t("safety.no_match", query=md_escape(query, 200)))  # the reader's text quoted back, inert
else:  # cards first: titles wrap and every one opens on a phone; the sortable grid folded below
    st.markdown(library_view.cards_markdown(table.to_dict("records"), LANG))
    grid = st.expander(t("library.grid"), icon=":material/table:")
    grid.dataframe(table, hide_index=True, width="stretch", key=K + "table", column_config={
        "date": st.column_config.DateColumn(t("library.col.date"), format="YYYY-MM-DD"),
        "title": st.column_config.TextColumn(t("library.col.title"), width=library_view.TITLE_PX, pinned=True),
        "tally": st.column_config.TextColumn(t("library.col.tally"), width=library_view.TALLY_PX),
        "author": st.column_config.TextColumn(t("library.col.author")),
        "kind": st.column_config.TextColumn(t("library.col.kind")),
        "claims": st.column_config.NumberColumn(t("library.col.claims")),
        "verdicts": st.column_config.TextColumn(t("library.col.verdicts"), width="large"),
        "open": st.column_config.LinkColumn(t("library.col.open"), display_text=t("library.col.open_text")),
    })

if entries:
    with st.expander(t("library.publish.panel"), expanded=False):
        st.caption(t("library.publish.note"))
        by_row = {row.id: (row, item) for row, item in entries}
        chosen = st.selectbox(t("library.publish.column"), list(by_row), key=K + "mine",
                              format_func=lambda rid: f"{by_row[rid][1].title_in(LANG)[:80]} ({by_row[rid][1].date})")
        row, item = by_row[chosen]
        library_ids = {c.id: c.title for c in bundled}
        library_ids.update({i.id: i.title for r, i in public_entries if r.id not in my_rows})
        p1, p2, p3 = st.columns(3)
        if row.published_at is None:
            if p1.button(t("library.publish.button"), key=K + "publish"):
                refused = publish_problem(item, library_ids, set())
                problem = column_errors.plain(refused, LANG) if refused is not None else None
                try:
                    if problem is None:
                        repository().publish_commentary(notebook, row.id)
                except RepositoryError as exc:
                    problem = str(exc)
                except DatabaseUnavailable as exc:
                    problem = problem_text(exc)
                st.session_state[K + "flash"] = (
                    ("error", t("library.publish.failed", reason=problem)) if problem else
                    ("success", t("library.publish.done", title=item.title_in(LANG))))
                st.rerun()
        else:
            p1.caption(t("library.publish.when", when=f"{row.published_at:%Y-%m-%d %H:%M} UTC"))
            if p2.button(t("library.publish.take_back"), key=K + "unpublish"):
                try:
                    repository().publish_commentary(notebook, row.id, published=False)
                except DatabaseUnavailable as exc:
                    st.session_state[K + "flash"] = ("error", problem_text(exc))
                else:
                    st.session_state[K + "flash"] = ("success", t("library.publish.taken_back",
                                                                  title=item.title_in(LANG)))
                st.rerun()
        p3.download_button(t("library.publish.download"), row.body, file_name=f"{item.id}.md",
                           mime="text/markdown", key=K + "export")

notebook_panel()  # this browser's notebook on another device: only with its key
st.subheader(t("library.record_title"))
st.caption(t("odds.record.caption"))
record = library_view.record(loaders.store_version(), rows_by_id, loaders.prices, RUN_STARTED)
if record is None:
    st.caption(t("library.record_waiting"))
elif isinstance(record, Future):
    library_view.wait_for(record, t("library.record_running"))
else:
    for rec in record.to_dict("records"):
        head = md_escape(next((c.author_name(LANG) for c in items if c.author == rec["author"]), rec["author"]))
        st.markdown("  \n".join(record_lines(rec, head, LANG)))
cut = library_view.cut_columns(items)
if cut:
    st.caption(t("library.record_cut", limit=library_view.RECORD_CALLS_PER_COLUMN,
                 titles=md_escape(", ".join(c.title_in(LANG)[:60] for c in cut[:5]), 400)))
st.caption(t("library.record_note"))
