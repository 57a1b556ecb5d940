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

from data_sources import yahoo

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


def ko_day(iso: str) -> str:
    """``2025-01-27`` as ``2025년 1월 27일`` (anything else unchanged)."""
    match = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)", iso.strip())
    return f"{match.group(1)}년 {int(match.group(2))}월 {int(match.group(3))}일" if match else iso


def _cause_ko(cause: str) -> str:
    """refresh.rebase_reason's cause (yahoo._actions phrases, or "a corrected close") in Korean."""
    parts = []
    for piece in cause.split("; "):
        action = _ACTION.fullmatch(piece.strip())
        if action and action.group(1) == "split":
            parts.append(f"{ko_day(action.group(3))} {action.group(2)}:1 액면분할")
        elif action:
            parts.append(f"{ko_day(action.group(3))} 배당 {action.group(2)}")
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
    return (f"야후가 과거 가격을 다시 조정함({_cause_ko(cause)}): {ko_day(day)} {COLUMN_KO[column]} "
            f"{old} → {new}")


def _note_ko(note: str) -> str | None:
    """One re-base note of ``status._rebased_note`` in Korean; None when ``note`` is not one."""
    done = _REBASED.fullmatch(note)
    if done and not note.startswith("re-base needed"):
        return f"{ko_day(done.group(1))} 전체 이력을 다시 받음 — {_readjusted_ko(done.group(2))}"
    failed = _REBASE_FAILED.fullmatch(note)
    if failed:
        why = f"; 실패 원인: {explain(failed.group(3), 'ko').text}" if failed.group(3) else ""
        return (f"{ko_day(failed.group(1))} 전체 이력을 다시 받아야 했으나 받지 못해 저장된 시리즈를 유지함 — "
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
