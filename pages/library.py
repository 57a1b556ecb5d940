"""Library: every commentary (bundled, our own examples, the reader's saved ones) with its verdict summary,
searchable and sortable, each opening the column page; then each author's track record against chance."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from commentary.document.column import list_commentaries
from commentary.document.model import Commentary
from commentary.library.export import export_commentary
from commentary.library.importing import publish_problem
from commentary.library.track_record import Call, calls_for, track_record
from commentary.scoring import claims as scoring
from commentary.scoring.combine import combine_sources
from commentary.scoring.summary import overall_line, primary_verdicts, verdict_tally
from commentary.text.safe_text import md_escape
from data_sources.readers.guard import DatabaseUnavailable
from data_sources.readers.repository import RepositoryError
from ui import chrome, loaders
from ui.i18n import lang, t, tr
from ui.notebook import notebook_panel, problem_text, published_entries, reader_notebook, repository, saved_entries
from ui.verdicts import record_lines

K = "lib_"
TITLE_PX, TALLY_PX = 120, 230  # 120 + 230 px fit a phone's 358 px content width (the title pinned)


@st.cache_data(ttl=600, max_entries=256, show_spinner=False)
def _scored(version: str, digest: str, text: str) -> tuple[dict[str, str], list[Call]]:
    """({lang: overall line}, calls for the track record) of one commentary (its exported text), per store version."""
    del version, digest
    from commentary.document.column import parse_commentary

    item = parse_commentary(text, "library")
    readings = scoring.readings(item.claims, loaders.prices(), item.published)
    combined = combine_sources(scoring.scorecard_frame(readings))
    lines = {lg: overall_line(item.claims, combined, lg) for lg in ("ko", "en")}
    verdicts = primary_verdicts(item.claims, combined)
    lines |= {f"tally_{lg}": verdict_tally(verdicts, lg) for lg in ("ko", "en")}
    return lines, calls_for(item, readings)


def _digest(item: Commentary) -> tuple[str, str]:
    text = export_commentary(item)
    return hashlib.sha256(text.encode()).hexdigest(), text


def _score(item: Commentary) -> tuple[dict[str, str], list[Call]]:
    return _scored(loaders.store_version(), *_digest(item))


@st.cache_data(ttl=600, max_entries=16, show_spinner=False)
def _record(version: str, digests: tuple[str, ...], _calls: tuple[Call, ...]) -> pd.DataFrame:
    """Every author's record against chance (keyed by store version and the commentaries' digests)."""
    del version, digests
    return track_record(_calls, scoring.wide_prices(loaders.prices()))


def _kind(item: Commentary, mine: set[str], public: set[str]) -> str:
    if item.id in mine:
        return tr("내 칼럼 (게시됨)", "yours, published") if item.id in public else tr("내 칼럼", "yours")
    if item.id in public:
        return tr("독자가 게시", "published by a reader")
    if "(example)" in item.author:
        return tr("대시보드 예시", "our example")
    return tr("기본 칼럼", "bundled")


def _link(item: Commentary, language: str) -> str:
    """An internal link to the column page (the id is a parser-checked slug; never the notebook's key: the
    column page finds the reader's notebook in this browser)."""
    return f"/column?c={item.id}&lang={language}"


chrome.page_header("칼럼 목록", "Library")
LANG = lang()
notebook = reader_notebook()
bundled = [c for c in list_commentaries() if isinstance(c, Commentary)]
flash = st.session_state.pop(K + "flash", None)  # the outcome of the last publish click, shown once
if flash:
    getattr(st, flash[0])(md_escape(flash[1], 600))
entries, problems = saved_entries(notebook)
public_entries, public_problems = published_entries()
for problem in problems + public_problems:
    st.warning(tr("저장된 칼럼 하나를 읽지 못했습니다: ", "A saved column cannot be read: ") + md_escape(problem, 400))
mine = [item for _row, item in entries]
my_rows = {row.id for row, _item in entries}
taken = {c.id for c in bundled}
items = bundled + [c for c in mine if c.id not in taken]
mine_ids = {c.id for c in mine}
taken |= mine_ids
items += [item for row, item in public_entries if item.id not in taken]  # other readers' (first publication wins)
public_ids = {item.id for _row, item in public_entries}

scored = {c.id: _score(c) for c in items}
authors = sorted({c.author for c in items})
st.markdown(tr(f"**칼럼 {len(items)}편, 필자 {len(authors)}명.** 내 칼럼 {len(mine)}편은 이 노트북에만 보입니다.",
               f"**{len(items)} columns by {len(authors)} authors.** Your {len(mine)} saved column(s) are visible "
               "in your notebook only."))
if not notebook:
    st.caption(tr("'새 칼럼' 페이지에서 칼럼을 저장하면 여기에 함께 보입니다.",
                  "Save a column on the 'New column' page and it appears here too."))

query = st.text_input(tr("검색 (제목·필자·요약)", "Search (title, author, summary)"), key=K + "q", max_chars=200)
needle = query.strip().casefold()
rows = []
for c in items:
    hay = " ".join([c.title, c.title_ko, c.author, c.author_ko, c.summary_ko, c.summary_en, c.id]).casefold()
    if needle and needle not in hay:
        continue
    rows.append({"date": pd.Timestamp(c.date), "title": c.title_in(LANG), "author": c.author_name(LANG),
                 "kind": _kind(c, mine_ids, public_ids),
                 "claims": len(c.claims), "verdicts": scored[c.id][0]["ko" if LANG == "ko" else "en"],
                 "tally": scored[c.id][0]["tally_ko" if LANG == "ko" else "tally_en"],
                 "open": _link(c, LANG)})
# the key columns first and narrow (title pinned, the verdict tally beside it): a 390 px phone shows both whole
TABLE_COLUMNS = ["title", "tally", "open", "date", "author", "kind", "claims", "verdicts"]
table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
table = table.sort_values("date", ascending=False, kind="stable")
if table.empty:
    st.info(t("safety.no_match", query=md_escape(query, 200)))  # the reader's text quoted back, inert
else:
    st.dataframe(table, hide_index=True, width="stretch", key=K + "table", column_config={
        "date": st.column_config.DateColumn(tr("날짜", "Date"), format="YYYY-MM-DD"),
        "title": st.column_config.TextColumn(tr("제목", "Title"), width=TITLE_PX, pinned=True),
        "tally": st.column_config.TextColumn(tr("판정", "Verdicts"), width=TALLY_PX),
        "author": st.column_config.TextColumn(tr("필자", "Author")),
        "kind": st.column_config.TextColumn(tr("구분", "Kind")),
        "claims": st.column_config.NumberColumn(tr("주장", "Claims")),
        "verdicts": st.column_config.TextColumn(tr("판정 요약", "Verdict summary"), width="large"),
        "open": st.column_config.LinkColumn(tr("열기", "Open"), display_text=tr("칼럼 보기", "open")),
    })

if entries:
    with st.expander(tr("내 칼럼 게시하기 · 내려받기", "Publish or download your columns"), expanded=False):
        st.caption(tr("게시하면 모든 독자의 칼럼 목록에 보입니다(노트북 주소는 보이지 않습니다). "
                      "언제든 되돌릴 수 있습니다.",
                      "Published columns appear in every reader's library (your notebook's address is never shown). "
                      "You can take one back at any time."))
        by_row = {row.id: (row, item) for row, item in entries}
        chosen = st.selectbox(tr("칼럼", "Column"), list(by_row), key=K + "mine",
                              format_func=lambda rid: f"{by_row[rid][1].title_in(LANG)[:80]} ({by_row[rid][1].date})")
        row, item = by_row[chosen]
        library_ids = {c.id: c.title for c in bundled}
        library_ids.update({i.id: i.title for r, i in public_entries if r.id not in my_rows})
        p1, p2, p3 = st.columns(3)
        if row.published_at is None:
            if p1.button(tr("서버 목록에 게시", "Publish to the server library"), key=K + "publish"):
                problem = publish_problem(item, library_ids, set())
                try:
                    if problem is None:
                        repository().publish_commentary(notebook, row.id)
                except RepositoryError as exc:
                    problem = str(exc)
                except DatabaseUnavailable as exc:
                    problem = problem_text(exc)
                st.session_state[K + "flash"] = (
                    ("error", tr("게시하지 못했습니다 — ", "Not published — ") + problem) if problem else
                    ("success", tr(f"게시했습니다: {item.title_in('ko')}", f"Published: {item.title}")))
                st.rerun()
        else:
            when = f"{row.published_at:%Y-%m-%d %H:%M} UTC"
            p1.caption(tr(f"게시됨 {when}", f"Published {when}"))
            if p2.button(tr("게시 취소", "Take it back"), key=K + "unpublish"):
                try:
                    repository().publish_commentary(notebook, row.id, published=False)
                except DatabaseUnavailable as exc:
                    st.session_state[K + "flash"] = ("error", problem_text(exc))
                else:
                    st.session_state[K + "flash"] = ("success", tr(
                        f"게시를 취소했습니다: {item.title_in('ko')} (내 노트북에는 남아 있습니다)",
                        f"Taken back: {item.title} (it stays in your notebook)"))
                st.rerun()
        p3.download_button(tr(".md 내려받기", "Download .md"), row.body, file_name=f"{item.id}.md",
                           mime="text/markdown", key=K + "export")

notebook_panel()  # this browser's notebook on another device: only with its key
st.subheader(tr("필자별 적중 기록", "Authors' track records"))
st.caption(t("odds.record.caption"))
all_calls = tuple(call for c in items for call in scored[c.id][1])
record = _record(loaders.store_version(), tuple(sorted(_digest(c)[0] for c in items)), all_calls)
for rec in record.to_dict("records"):
    head = md_escape(next((c.author_name(LANG) for c in items if c.author == rec["author"]), rec["author"]))
    st.markdown("  \n".join(record_lines(rec, head, LANG)))
st.caption(tr("저장된 가격까지 판정합니다. 기간이 끝나면 기록이 바뀝니다.",
              "Judged on the stored prices; the record changes as horizons mature."))
