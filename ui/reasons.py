"""Why data is stale or offline, in the reader's language: a short phrase for the banner, the raw detail apart.

The reasons come from ``data_sources`` (``status.freshness``, ``refresh``, ``yahoo.offline_reason`` and its
per-symbol failures, ``ecb``): English sentences with technical detail (curl errors, HTTP codes). A Korean
page shows only :func:`explain`'s Korean text; the raw message is kept for a folded "technical detail" place.
The Yahoo failure kinds are matched on ``yahoo._KIND_TEXT`` itself, so a reworded reason is still recognised
(and a new kind without a translation fails ``tests/test_reasons.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from commentary.text.formatting import fmt_date
from data_sources.market import yahoo
from data_sources.news.errors import FeedError, FeedProblem
from data_sources.news.feedlist import FEEDS_FILE
from data_sources.news.store import NewsReport
from data_sources.news.tagging import TagRulesError
from data_sources.store.atomic import StoreError

KIND_KO: dict[str, str] = {
    "rate_limit": "야후 파이낸스 요청 한도 초과(HTTP 429)",
    "timeout": "야후 파이낸스 응답 시간 초과",
    "deadline": "갱신 제한 시간 초과",
    "unreachable": "야후 파이낸스에 연결할 수 없음",
    "tls": "야후 파이낸스 보안 연결(TLS) 실패",
    "broken": "야후 파이낸스 연결이 끊김",
    "server_error": "야후 파이낸스 서버 오류",
    "not_found": "야후 파이낸스에 없는 종목이거나 가격이 없음(상장폐지 가능성)",
    "no_rows": "요청한 기간에 야후 파이낸스 가격이 없음",
    "error": "야후 파이낸스 응답을 읽지 못함",
}
FIXED_KO: dict[str, str] = {
    "DASHBOARD_OFFLINE is set": "오프라인 모드(DASHBOARD_OFFLINE)",
    "not refreshed today": "오늘 아직 갱신 안 함",
    "never refreshed from the network": "아직 네트워크에서 갱신한 적 없음",
    "the store holds no prices yet": "저장된 가격이 아직 없음",
    "network unavailable": "네트워크 연결 불가",
}
ECB_KO: tuple[tuple[str, str], ...] = (  # (a phrase of ecb.EcbUnavailable's message, Korean), first match wins
    ("file larger than", "ECB 기준환율 파일이 너무 큼"),
    ("download took longer than", "ECB 기준환율 내려받기 시간 초과"),
    ("unpacks to", "ECB 기준환율 파일이 너무 크게 풀림"),
    ("not a valid eurofxref zip", "ECB 기준환율 파일 형식이 올바르지 않음"),
    ("no Date/USD columns", "ECB 기준환율 파일에 날짜·달러 열이 없음"),
    ("", "ECB 기준환율을 받지 못함"),
)
ECB_PREFIX = "ECB reference rates: "
UNKNOWN_KO = "갱신 중 오류(자세한 내용은 기술 정보)"


SHORT_KO: dict[str, str] = {  # the banner's few words, by what the Korean text starts with
    "오프라인 모드": "오프라인 설정", "오늘 아직": "오늘 미갱신", "아직 네트워크": "갱신 기록 없음",
    "저장된 가격": "가격 없음", "네트워크 연결 불가": "네트워크 연결 불가", "야후 파이낸스 요청 한도": "요청 한도 초과",
    "ECB": "ECB 갱신 실패",
}


@dataclass(frozen=True)
class Reason:
    """``short``: a few words for the banner; ``text``: the whole reason in the reader's language (Korean:
    no English but codes such as HTTP 429, TLS, ECB and symbols); ``detail``: the raw message."""

    short: str
    text: str
    detail: str


def _forms(english: str) -> tuple[str, ...]:
    """How a kind's English text appears in messages: whole, without "Yahoo Finance ", before its "(…)"."""
    short = english.removeprefix("Yahoo Finance ")
    return english, short, english.split(" (")[0], short.split(" (")[0]


def _kinds_in(text: str) -> list[str]:
    """The Yahoo failure kinds whose English text appears in ``text``, in ``_KIND_TEXT`` order."""
    return [kind for kind, english in yahoo._KIND_TEXT.items() if any(f in text for f in _forms(english))]


def _kind_of(text: str) -> str | None:
    """The Yahoo failure kind whose text appears first in ``text``."""
    found = _kinds_in(text)
    return min(found, key=lambda k: min(text.find(f) for f in _forms(yahoo._KIND_TEXT[k]) if f in text)) if found \
        else None


def _count(text: str) -> str:
    """``, 34개 종목`` from "…; 34 symbols" / "all 34 symbols" / "HTTP 429 for 3 of 34 symbols"."""
    part = re.search(r"(\d+) of (\d+) symbols", text)
    if part:
        return f", {part.group(2)}개 종목 중 {part.group(1)}개"
    every = re.search(r"(\d+) symbols", text)
    return f", {every.group(1)}개 종목" if every else ""


def _segment_ko(segment: str) -> str:
    """One reason (no "; " joins) in Korean."""
    segment = segment.strip()
    if segment in FIXED_KO:
        return FIXED_KO[segment]
    if segment.startswith(ECB_PREFIX) or segment.startswith("ECB: "):
        return next(ko for phrase, ko in ECB_KO if phrase in segment)
    symbol = re.match(r"^([A-Z0-9^=._-]{1,24}): ", segment)
    if "re-adjusted the history" in segment and "could not be fetched again" in segment:
        who = symbol.group(1) + ": " if symbol else ""
        return who + "야후가 과거 가격을 다시 조정했지만 전체 이력을 다시 받지 못해 저장된 시리즈를 그대로 둠"
    network = segment.startswith("network unavailable")
    kinds = _kinds_in(segment)
    if network and len(kinds) > 1:
        return "네트워크 연결 불가: " + ", ".join(KIND_KO[k] for k in kinds)
    kind = _kind_of(segment)
    if kind is not None:
        retries = re.search(r"still rate-limited after (\d+) retr", segment)
        text = KIND_KO[kind] + (f", {retries.group(1)}회 재시도 후에도" if retries else "")
        if symbol and not network:
            return f"{symbol.group(1)}: {text}"
        more = re.search(r"(\d+) more unanswered before the deadline", segment)
        tail = _count(segment) + (f", {more.group(1)}개는 제한 시간 안에 응답 없음" if more else "")
        return ("네트워크 연결 불가: " if network else "") + text + tail
    if symbol and re.search(r"\bline \d+|: (close|open|high|low|volume|date)\b", segment):
        return f"{symbol.group(1)}: 받은 가격 일부가 올바르지 않아 제외함"
    if network:
        return FIXED_KO["network unavailable"]
    return UNKNOWN_KO


def _split(message: str) -> list[str]:
    """Top-level reasons of a message joined with "; " (a Yahoo offline reason's own "; …" tails stay on it)."""
    parts: list[str] = []
    for piece in message.split("; "):
        tail = re.match(r"^(all )?\d+ (more )?(symbols|unanswered)|^still rate-limited", piece)
        if parts and tail:
            parts[-1] += "; " + piece
        else:
            parts.append(piece)
    return parts


_NOTE_START = re.compile(r"; (?=re-base(?:d| needed) \d{4}-\d\d-\d\d)")
_REBASED = re.compile(r"re-based (\d{4}-\d\d-\d\d): (.*)", re.DOTALL)
_REBASE_FAILED = re.compile(r"re-base needed (\d{4}-\d\d-\d\d) but the full re-fetch failed; stored series kept: "
                            r"(.*?)(?:; the full re-fetch failed \((.*)\))?", re.DOTALL)
_READJUSTED = re.compile(r"Yahoo re-adjusted the history \((.*)\): (adj_close|close) on (\d{4}-\d\d-\d\d) "
                         r"was ([-+0-9.e]+), now ([-+0-9.e]+)", re.DOTALL)
_ACTION = re.compile(r"(split|dividend) ([0-9.e+-]+)(?::1)? on (\d{4}-\d\d-\d\d)")
COLUMN_KO = {"close": "종가", "adj_close": "수정 종가"}


def _cause_ko(cause: str) -> str:
    """refresh.rebase_reason's cause (yahoo._actions phrases, or "a corrected close") in Korean."""
    parts = []
    for piece in cause.split("; "):
        action = _ACTION.fullmatch(piece.strip())
        if action and action.group(1) == "split":
            parts.append(f"{fmt_date(action.group(3), 'ko')} {action.group(2)}:1 액면분할")
        elif action:
            parts.append(f"{fmt_date(action.group(3), 'ko')} 배당 {action.group(2)}")
        elif piece.strip() == "a corrected close":
            parts.append("과거 종가 정정")
        else:
            parts.append("기업 이벤트")
    return ", ".join(parts)


def _readjusted_ko(reason: str) -> str:
    """refresh.rebase_reason's sentence in Korean (the cause, then which close moved from what to what)."""
    match = _READJUSTED.fullmatch(reason.strip())
    if not match:
        return "야후가 과거 가격을 다시 조정함"
    cause, column, day, old, new = match.groups()
    return (f"야후가 과거 가격을 다시 조정함({_cause_ko(cause)}): {fmt_date(day, 'ko')} {COLUMN_KO[column]} "
            f"{old} → {new}")


def _note_ko(note: str) -> str | None:
    """One re-base note of ``status._rebased_note`` in Korean; None when ``note`` is not one."""
    done = _REBASED.fullmatch(note)
    if done and not note.startswith("re-base needed"):
        return f"{fmt_date(done.group(1), 'ko')} 전체 이력을 다시 받음 — {_readjusted_ko(done.group(2))}"
    failed = _REBASE_FAILED.fullmatch(note)
    if failed:
        why = f"; 실패 원인: {explain(failed.group(3), 'ko').text}" if failed.group(3) else ""
        return (f"{fmt_date(failed.group(1), 'ko')} 전체 이력을 다시 받아야 했으나 받지 못해 저장된 시리즈를 유지함 — "
                f"{_readjusted_ko(failed.group(2))}{why}")
    return None


def _explain_note(raw: str) -> Reason | None:
    """A status table's re-base note (one or two notes joined with "; ") in Korean, or None."""
    if not raw.startswith(("re-based ", "re-base needed ")):
        return None
    texts = [_note_ko(part) for part in _NOTE_START.split(raw)]
    if any(t is None for t in texts):
        return None
    short = "전체 재수집 실패" if "받지 못해" in texts[-1] else "전체 재수집"
    return Reason(short, "; ".join(t for t in texts if t), raw)


def explain(message: str, lang: str) -> Reason:
    """``message`` (a reason from data_sources) for a reader: Korean text without English for ``lang="ko"``;
    English keeps the message as it is. ``detail`` is always the raw message."""
    raw = str(message or "").strip()
    if lang != "ko" or not raw:
        return Reason(re.split(r": | \(|; ", raw, maxsplit=1)[0], raw, raw)
    note = _explain_note(raw)
    if note is not None:
        return note
    seen: list[str] = []
    for part in _split(raw):
        text = _segment_ko(part)
        if text not in seen:
            seen.append(text)
    first = seen[0]
    short = next((v for k, v in SHORT_KO.items() if first.startswith(k)), None)
    if short is None:
        short = "요청 한도 초과" if first.startswith(KIND_KO["rate_limit"]) else "갱신 일부 실패"
    return Reason(short, "; ".join(seen), raw)


def note_texts(notes: Iterable[str], lang: str) -> list[str]:
    """A status table's note column in the reader's language (blank stays blank); the raw notes are the input."""
    return [explain(n, lang).text if str(n or "").strip() else "" for n in notes]


# -- news feeds: data_sources.news / news_store problems (a FeedProblem's code, details from its message) ----

FEED_KO: dict[str, str] = {  # FeedError.code / FeedProblem.code -> what happened, in Korean
    "bad_url": "http:// 또는 https:// 주소가 아니라 가져오지 않음",
    "refused": "공개 인터넷 주소가 아니라 가져오지 않음",
    "truncated": "서버가 피드를 끝까지 보내지 않아 아무것도 저장하지 않음",
    "unsafe": "피드가 DTD·엔티티를 선언해 읽지 않고 거부함(보안)",
    "parse_budget": "피드를 읽는 데 너무 오래 걸려 거부함",
    "offline": "오프라인 모드라 가져오지 않음(DASHBOARD_OFFLINE)",
    "connection": "피드 서버에 연결할 수 없음",
    "timeout": "피드 서버 응답 시간 초과",
    "http": "피드 서버가 오류로 응답함",
    "too_large": "피드가 너무 커서 읽지 않음",
    "not_a_feed": "뉴스 피드가 아님",
    "read": "피드 파일을 읽을 수 없음",
    "bozo": "피드 형식이 일부 잘못됨",
    "unexpected": "피드를 읽는 중 예상하지 못한 오류",
    "error": "피드를 가져오지 못함",
}
_NOT_A_FEED_KO = (  # (a phrase of the message, the Korean reason), first match wins
    ("web page (HTML)", "웹 페이지(HTML)이지 뉴스 피드가 아님"),
    ("empty response", "서버가 빈 응답을 보냄"),
    (" is empty", "빈 파일임"),
    ("not a JSON Feed", "JSON이지만 JSON 피드 형식이 아님"),
    ("looks like JSON", "JSON처럼 보이지만 읽을 수 없음"),
    ("", "읽을 수 있는 RSS/Atom 피드가 아님"),
)


def _feed_detail_ko(code: str, detail: str) -> str:
    """The Korean reason of one feed problem: its code's text, with the figures its message gives."""
    if code == "not_a_feed":
        return next(ko for phrase, ko in _NOT_A_FEED_KO if phrase in detail)
    if code == "http":
        if "redirected more than" in detail:
            times = re.search(r"more than (\d+) times", detail)
            return f"피드 주소가 너무 여러 번 다른 곳으로 넘겨짐({times.group(1) if times else '?'}회 초과)"
        status = re.search(r"HTTP (\d{3})", detail)
        return FEED_KO["http"] + (f"(HTTP {status.group(1)})" if status else "")
    if code == "too_large":
        size = re.search(r"is ([\d.]+) MB, over the ([\d.]+) MB limit", detail)
        limit = re.search(r"larger than the ([\d.]+ ?MB)", detail)
        if size:
            return f"피드가 너무 커서 읽지 않음({size.group(1)}MB, 한도 {size.group(2)}MB)"
        return FEED_KO["too_large"] + (f"(한도 {limit.group(1).replace(' ', '')})" if limit else "")
    if code == "timeout":
        seconds = re.search(r"within ([\d.]+) s", detail)
        return FEED_KO["timeout"] + (f"({seconds.group(1)}초 안에 다 받지 못함)" if seconds else "")
    if code == "parse_budget":
        seconds = re.search(r"longer than ([\d.]+) seconds", detail)
        return FEED_KO["parse_budget"] + (f"({seconds.group(1)}초 초과)" if seconds else "")
    if code == "bozo":
        count = re.search(r"showing the (\d+) items", detail)
        return FEED_KO["bozo"] + (f" — 복구한 {count.group(1)}건만 보여줌" if count else "")
    if code == "read":
        if "is not a folder" in detail:
            return "폴더가 아님"
        if "holds no" in detail:
            return "피드 파일(.xml/.rss/.atom/.json)이 없는 폴더"
    return FEED_KO.get(code, FEED_KO["error"])


def explain_feed(problem: FeedProblem | FeedError, lang: str) -> Reason:
    """A feed's problem (a :class:`~data_sources.news.FeedProblem` or the FeedError raised) for a reader:
    ``"피드 이름: 무슨 일"`` in Korean (the feed's name is a proper name and stays), the raw message apart."""
    raw = problem.message if isinstance(problem, FeedProblem) else str(problem)
    if lang != "ko":
        return Reason(raw.split(": ", 1)[-1].split(" (")[0], raw, raw)
    feed, code = problem.feed, problem.code
    detail = raw.removeprefix(f"{feed}: ") if feed else raw
    text = _feed_detail_ko(code, detail)
    return Reason(FEED_KO.get(code, FEED_KO["error"]), f"{feed}: {text}" if feed else text, raw)


def news_summary(report: NewsReport, lang: str) -> str:
    """A :class:`data_sources.news_store.NewsReport`'s one line in the reader's language: read, new, stored,
    and how many feeds failed, warned or were unchanged (HTTP 304 Not Modified)."""
    if lang != "ko":
        return report.summary()
    text = f"{report.read:,}건 읽음, 새 항목 {report.added:,}건 (저장 {report.total:,}건)"
    for count, words in ((len(report.errors), "개 피드 실패"), (len(report.warnings), "건 경고"),
                         (len(report.unchanged), "개 피드는 바뀐 내용 없음")):
        if count:
            text += f"; {count:,}{words}"
    return text


def explain_store(message: object, lang: str) -> Reason:
    """A news store read problem (``StoreError`` or ``load_news``'s backup warning) in the reader's language;
    a damaged feed list (``feeds.parquet``) is named as such."""
    raw = str(message or "").strip()
    if lang != "ko":
        return Reason(raw.split(": ", 1)[0], raw, raw)
    if re.search(rf"(^|/){re.escape(FEEDS_FILE)} is unreadable", raw):
        if "unreadable too" in raw:
            both = f"피드 목록 파일({FEEDS_FILE})과 그 백업({FEEDS_FILE}.prev)이 모두 손상되어 읽을 수 없음"
            return Reason("피드 목록 읽기 실패", both, raw)
        return Reason("피드 목록 읽기 실패", f"피드 목록 파일({FEEDS_FILE})이 손상되어 읽을 수 없음", raw)
    if "serving the previous version" in raw:
        return Reason("백업 사용", "저장된 뉴스 파일이 손상되어 직전 백업을 보여줌", raw)
    if "unreadable too" in raw:
        return Reason("읽기 실패", "저장된 뉴스 파일과 백업을 모두 읽을 수 없음", raw)
    if raw.startswith("cannot lock") or "lock" in raw:
        return Reason("잠김", "다른 작업이 뉴스 저장소를 쓰고 있어 지금은 읽을 수 없음", raw)
    return Reason("읽기 실패", "저장된 뉴스를 읽을 수 없음", raw)


_CONFIG_KO = (  # feedlist.FeedConfigError messages: (pattern, Korean with the pattern's groups)
    (r"the feed needs a name", "피드 이름이 필요함"),
    (r"the feed name may not contain markup or control characters", "피드 이름에 마크업이나 제어 문자를 쓸 수 없음"),
    (r"the feed name is (\d+) characters long; at most (\d+) are allowed", r"피드 이름이 너무 김(\1자, 최대 \2자)"),
    (r"'(.*)' is not a web address starting with http:// or https://",
     r"http:// 또는 https://로 시작하는 주소가 아님: \1"),
    (r"'(.*)' is not a language code such as 'en' or 'ko'", r"언어 코드가 아님(예: en, ko): \1"),
    (r"there is already a feed called '(.*)'", r"같은 이름의 피드가 이미 있음: \1"),
    (r"that address is already in the list as '(.*)'", r"이 주소는 이미 목록에 있음: \1"),
    (r"there is no feed called '(.*)'", r"그런 이름의 피드가 없음: \1"),
)


def explain_feed_config(message: object, lang: str) -> Reason:
    """Why a feed could not be added or removed (``FeedConfigError``), in the reader's language."""
    raw = str(message or "").strip()
    if lang != "ko":
        return Reason(raw, raw, raw)
    for pattern, korean in _CONFIG_KO:
        if re.fullmatch(pattern, raw, re.DOTALL):
            return Reason(korean.split("(")[0], re.sub(pattern, korean, raw, flags=re.DOTALL), raw)
    return Reason("피드 설정 오류", "피드 주소나 이름을 받아들일 수 없음", raw)


# -- the tag rules (data_sources/news_tags.toml) and the default feed list (feeds.toml) ------------------------

_TOML_WHERE = re.compile(r"\(at line (\d+), column (\d+)\)")


def _toml_where_ko(detail: str) -> str:
    """``(3번째 줄, 5번째 칸)`` from tomllib's "(at line 3, column 5)"; ``(파일 끝)`` for "(at end of document)"."""
    where = _TOML_WHERE.search(detail)
    if where:
        return f"({where.group(1)}번째 줄, {where.group(2)}번째 칸)"
    return "(파일 끝)" if "at end of document" in detail else ""


_TAG_FIELD_KO = {  # a tag's field -> what it must be, in Korean (the field names are the file's own keys)
    "label_ko": "비어 있지 않은 문자열이어야 함", "label_en": "비어 있지 않은 문자열이어야 함",
    "patterns": "비어 있지 않은 문자열들의 비어 있지 않은 목록이어야 함",
}


def _tag_rules_ko(raw: str) -> str:
    """One :class:`~data_sources.tagging.TagRulesError` message in Korean: the file, then the tag and field."""
    if match := re.fullmatch(r"cannot read tag rules (.+?): (.*)", raw, re.DOTALL):
        return f"태그 규칙 파일({Path(match.group(1)).name})을 읽을 수 없음"
    if match := re.fullmatch(r"(\S+) is not valid TOML: (.*)", raw, re.DOTALL):
        return f"태그 규칙 파일 {match.group(1)}의 TOML 문법이 잘못됨{_toml_where_ko(match.group(2))}"
    if match := re.fullmatch(r"(\S+) has no \[\[tag\]\] entries", raw):
        return f"태그 규칙 파일 {match.group(1)}에 [[tag]] 항목이 하나도 없음"
    if match := re.fullmatch(r"(\S+): duplicate tag ids (.+)", raw, re.DOTALL):
        return f"태그 규칙 파일 {match.group(1)}: 같은 태그 id가 두 번 이상 있음: {match.group(2)}"
    if match := re.fullmatch(r"(\S+): tag #(\d+) is not a table", raw):
        return f"태그 규칙 파일 {match.group(1)}: {match.group(2)}번째 태그가 [[tag]] 표 형식이 아님"
    if match := re.fullmatch(r"(\S+): tag #(\d+): 'id' must be .*\(got (.*)\)", raw, re.DOTALL):
        return (f"태그 규칙 파일 {match.group(1)}: {match.group(2)}번째 태그의 id는 영문 소문자로 시작하고 "
                f"소문자·숫자·_만 쓸 수 있음(받은 값: {match.group(3)})")
    if match := re.fullmatch(r"(\S+): tag '(.*)': '(\w+)' must be .*", raw, re.DOTALL):
        name, tag, key = match.groups()
        return f"태그 규칙 파일 {name}: 태그 '{tag}'의 {key}: {_TAG_FIELD_KO.get(key, '값이 올바르지 않음')}"
    return "태그 규칙 파일을 읽을 수 없음"


def _feed_list_ko(raw: str) -> str:
    """The default feed list's ValueError (``data_sources.news.default_feeds``) in Korean: file, line or feed."""
    if match := re.fullmatch(r"cannot read the feed list (.+?): (.*)", raw, re.DOTALL):
        where = _toml_where_ko(match.group(2))
        problem = f"TOML 문법이 잘못됨{where}" if where else "파일을 읽을 수 없음"
        return f"기본 피드 목록 파일({Path(match.group(1)).name}): {problem}"
    if match := re.fullmatch(r"(\S+): feed #(\d+) needs a name and a url", raw):
        return f"기본 피드 목록 파일({match.group(1)}): {match.group(2)}번째 피드에 이름(name)과 주소(url)가 필요함"
    return "피드 목록을 읽을 수 없음"


def explain_news_error(error: BaseException, lang: str) -> Reason:
    """A problem reading the news, the feed list or the tag rules (``StoreError``, ``TagRulesError``, the feed
    list's ``ValueError``) for a reader: Korean text naming the file (and line, tag or field where the message
    says), the raw message apart. English pages keep the message as it is."""
    raw = str(error or "").strip()
    if isinstance(error, TagRulesError):
        return Reason("태그 규칙 오류", _tag_rules_ko(raw), raw) if lang == "ko" else Reason(raw, raw, raw)
    if isinstance(error, StoreError):
        return explain_store(raw, lang)
    if isinstance(error, ValueError) and ("feed list" in raw or re.match(r"\S+: feed #\d+ ", raw)):
        return Reason("피드 목록 오류", _feed_list_ko(raw), raw) if lang == "ko" else Reason(raw, raw, raw)
    return explain_store(raw, lang)
