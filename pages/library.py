"""Library: every commentary (bundled, our own examples, the reader's saved ones) with its verdict summary,
searchable and sortable, each opening the column page; then each author's track record against chance."""

from __future__ import annotations

import hashlib
import math

import pandas as pd
import streamlit as st

from commentary.document.column import Commentary, list_commentaries
from commentary.library.export import export_commentary
from commentary.library.importing import publish_problem
from commentary.library.track_record import DRAWS, claim_rows, sample_warning, track_record
from commentary.scoring import claims as scoring
from commentary.scoring.summary import overall_line, primary_verdicts, verdict_tally
from commentary.text.safe_text import md_escape
from data_sources.readers.repository import RepositoryError
from ui import chrome, loaders
from ui.i18n import lang, tr
from ui.notebook import published_entries, reader_notebook, repository, saved_entries

K = "lib_"
TITLE_PX, TALLY_PX = 120, 230  # 120 + 230 px fit a phone's 358 px content width (the title pinned)


@st.cache_data(ttl=600, max_entries=256, show_spinner=False)
def _scored(version: str, digest: str, text: str) -> tuple[dict[str, str], pd.DataFrame]:
    """({lang: overall line}, claim rows) of one commentary (its exported text), per store version."""
    del version, digest
    from commentary.document.column import parse_commentary

    item = parse_commentary(text, "library")
    prices = loaders.prices()
    combined = scoring.combine_sources(scoring.scorecard(item.claims, prices, item.published))
    lines = {lg: overall_line(item.claims, combined, lg) for lg in ("ko", "en")}
    verdicts = primary_verdicts(item.claims, combined)
    lines |= {f"tally_{lg}": verdict_tally(verdicts, lg) for lg in ("ko", "en")}
    return lines, claim_rows(item, prices, combined=combined, draws=DRAWS)


def _score(item: Commentary) -> tuple[dict[str, str], pd.DataFrame]:
    text = export_commentary(item)
    return _scored(loaders.store_version(), hashlib.sha256(text.encode()).hexdigest(), text)


def _kind(item: Commentary, mine: set[str], public: set[str]) -> str:
    if item.id in mine:
        return tr("내 칼럼 (게시됨)", "yours, published") if item.id in public else tr("내 칼럼", "yours")
    if item.id in public:
        return tr("독자가 게시", "published by a reader")
    if "(example)" in item.author:
        return tr("대시보드 예시", "our example")
    return tr("기본 칼럼", "bundled")


def _link(item: Commentary, notebook: str | None, language: str) -> str:
    """An internal link to the column page (the id is a parser-checked slug, the notebook a checked id)."""
    link = f"/column?c={item.id}&lang={language}"
    return link + (f"&nb={notebook}" if notebook else "")


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
                 "open": _link(c, notebook, LANG)})
# the key columns first and narrow (title pinned, the verdict tally beside it): a 390 px phone shows both whole
TABLE_COLUMNS = ["title", "tally", "open", "date", "author", "kind", "claims", "verdicts"]
table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
table = table.sort_values("date", ascending=False, kind="stable")
if table.empty:
    st.info(tr(f"'{query.strip()}'에 맞는 칼럼이 없습니다.", f"No column matches '{query.strip()}'."))
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
                st.session_state[K + "flash"] = (
                    ("error", tr("게시하지 못했습니다 — ", "Not published — ") + problem) if problem else
                    ("success", tr(f"게시했습니다: {item.title_in('ko')}", f"Published: {item.title}")))
                st.rerun()
        else:
            when = f"{row.published_at:%Y-%m-%d %H:%M} UTC"
            p1.caption(tr(f"게시됨 {when}", f"Published {when}"))
            if p2.button(tr("게시 취소", "Take it back"), key=K + "unpublish"):
                repository().publish_commentary(notebook, row.id, published=False)
                st.session_state[K + "flash"] = ("success", tr(
                    f"게시를 취소했습니다: {item.title_in('ko')} (내 노트북에는 남아 있습니다)",
                    f"Taken back: {item.title} (it stays in your notebook)"))
                st.rerun()
        p3.download_button(tr(".md 내려받기", "Download .md"), row.body, file_name=f"{item.id}.md",
                           mime="text/markdown", key=K + "export")

st.subheader(tr("필자별 적중 기록", "Authors' track records"))
st.caption(tr(
    f"각 주장의 기준 기간 판정만 셉니다. 기준 확률은 같은 규칙을 저장된 가격의 무작위 시작일 {DRAWS}개에 적용해 "
    "적중한 비율입니다(고정 시드). 초과 = 적중률 − 기준 확률.",
    f"Only each claim's primary-horizon verdict counts. The base rate is how often the same rule held from "
    f"{DRAWS} random start dates in the stored prices (fixed seed). Excess = hit rate − base rate."))
all_rows = [scored[c.id][1] for c in items if len(scored[c.id][1])]
record = track_record(pd.concat(all_rows, ignore_index=True)) if all_rows else pd.DataFrame()


def _pct(value: float) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value * 100:.0f}%"


for rec in record.to_dict("records"):
    excess = rec["excess_pp"]
    excess_text = "—" if not math.isfinite(excess) else f"{excess:+.0f}" + tr("%p", " pp")
    head = md_escape(next((c.author_name(LANG) for c in items if c.author == rec["author"]), rec["author"]))
    st.markdown(tr(
        f"**{head}** — 칼럼 {rec['columns']}편, 판정된 주장 {rec['scored']}개 중 {rec['held']}개 적중 "
        f"({_pct(rec['hit_rate'])}), 기준 확률 {_pct(rec['base_rate'])}, 초과 {excess_text}. "
        f"강도: 뚜렷함 {rec['strong']}, 약함 {rec['weak']}, 잡음 수준 {rec['within_noise']}; 대기 {rec['pending']}.",
        f"**{head}** — {rec['columns']} column(s), {rec['held']} of {rec['scored']} scored calls held "
        f"({_pct(rec['hit_rate'])}) against a base rate of {_pct(rec['base_rate'])}, excess {excess_text}. "
        f"Strength: {rec['strong']} strong, {rec['weak']} weak, {rec['within_noise']} within noise; "
        f"{rec['pending']} pending."))
    warning = sample_warning(pd.Series(rec), LANG)
    if warning:
        st.caption("⚠️ " + warning)
st.caption(tr("저장된 가격까지 판정합니다. 기간이 끝나면 기록이 바뀝니다.",
              "Judged on the stored prices; the record changes as horizons mature."))
