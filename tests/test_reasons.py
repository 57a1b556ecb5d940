"""Offline and stale reasons in Korean: every reason is produced by the data_sources code that writes it (not
retyped here), so a reworded or new reason fails these tests until it is translated."""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from datetime import date

import pandas as pd
import pytest

from data_sources import ecb, refresh, status, yahoo
from data_sources.store import PriceSnapshot, Store
from tests.browser import free_port
from ui.reasons import KIND_KO, explain

ALLOWED_LATIN = {"HTTP", "TLS", "ECB", "DASHBOARD_OFFLINE"}  # codes a Korean reader sees as codes
SYMBOLS = ["NVDA", "0700.HK", "005930.KS"]


def _english_words(text: str) -> list[str]:
    words = re.findall(r"[A-Za-z][A-Za-z_'-]+", text)
    return [w for w in words if w not in ALLOWED_LATIN and w not in {s.split(".")[0] for s in SYMBOLS}
            and not re.fullmatch(r"HK|KS", w)]


def _failures(kinds: list[str]) -> dict[str, yahoo.Failure]:
    """Per-symbol failures as yahoo.classify writes them, from what the transport saw."""
    out = {}
    for symbol, kind in zip(itertools.cycle(SYMBOLS), kinds, strict=False):
        seen = [yahoo.Seen(symbol, kind, "curl: (35) TLS connect error: error:0A000410")]
        out[symbol if symbol not in out else f"{symbol}{len(out)}"] = yahoo.classify(symbol, yahoo.Extracted(
            pd.DataFrame(), seen=seen))
    return out


def _status_reasons() -> list[str]:
    snap = PriceSnapshot(pd.DataFrame({"date": [pd.Timestamp("2025-01-24")], "symbol": ["NVDA"], "close": [1.0]}))
    empty = PriceSnapshot(pd.DataFrame(columns=["date", "symbol", "close"]))
    today = date(2026, 1, 5)
    cases = [(empty, {}, False), (snap, {}, True), (snap, {}, False), (snap, {"at": "2026-01-01T00:00:00"}, False),
             (snap, {"outcome": "offline", "at": "2026-01-05T01:00:00"}, False)]
    return [status.freshness(s, last, forced, today).reason for s, last, forced in cases]


def _ecb_reasons() -> list[str]:
    query = ecb.build_query(online=True)
    out = []
    blank = io.BytesIO()
    with zipfile.ZipFile(blank, "w") as archive:
        archive.writestr("eurofxref-hist.csv", "Day,JPY\n2025-01-24,160\n")
    for payload in (b"not a zip", blank.getvalue()):
        with pytest.raises(ecb.EcbUnavailable) as info:
            ecb.transform(payload, query)
        out.append(str(info.value))
    with pytest.raises(ecb.EcbUnavailable) as info:  # a closed port on loopback: the connection error's text
        ecb.extract(query, url=f"http://127.0.0.1:{free_port()}/eurofxref-hist.zip", deadline_s=2)
    out.append(str(info.value))
    return out


def _every_reason(tmp_path) -> list[str]:
    reasons = _status_reasons()
    reasons.append(refresh.refresh_prices(Store(tmp_path)).offline_reason)  # tests run with DASHBOARD_OFFLINE
    reasons.append(refresh.refresh_ecb(Store(tmp_path)))
    network = sorted(yahoo.NETWORK_KINDS)
    for kind in network:  # every symbol failing the same network way, and per symbol
        failures = _failures([kind] * 3)
        reasons.append(yahoo.offline_reason(failures, 30))
        reasons += [f.message for f in failures.values()]
    for pair in itertools.combinations(network, 2):  # mixed causes, and deadlines cutting some off
        reasons.append(yahoo.offline_reason(_failures([pair[0], pair[0], pair[1]]), 30))
    for kind in sorted(set(yahoo._KIND_TEXT) - yahoo.NETWORK_KINDS):  # delisted / no rows / unreadable
        reasons += [f.message for f in _failures([kind]).values()]
    reasons.append(yahoo.classify("NVDA", yahoo.Extracted(pd.DataFrame(), seen=[yahoo.Seen("NVDA", "ok", "")])).message)
    reasons += _ecb_reasons()
    reasons.append("; ".join(f.message for f in _failures(["not_found", "rate_limit", "no_rows"]).values()))
    return [r for r in reasons if r]


def test_every_yahoo_failure_kind_has_korean() -> None:
    assert set(KIND_KO) == set(yahoo._KIND_TEXT)


def test_korean_reasons_have_no_english_and_keep_the_raw_detail(tmp_path) -> None:
    reasons = _every_reason(tmp_path)
    assert len(reasons) > 40
    for reason in reasons:
        said = explain(reason, "ko")
        assert not _english_words(said.text), (reason, said.text)
        assert not _english_words(said.short), (reason, said.short)
        assert said.detail == reason  # the raw message, for the folded technical detail
        assert "오류(자세한 내용은" not in said.text, f"not recognised: {reason}"


def test_korean_reasons_say_what_happened(tmp_path) -> None:
    tls = yahoo.offline_reason(_failures(["tls"] * 3), 30)
    assert explain(tls, "ko").short == "네트워크 연결 불가"
    assert explain(tls, "ko").text == "네트워크 연결 불가: 야후 파이낸스 보안 연결(TLS) 실패, 3개 종목"
    limited = yahoo.offline_reason(_failures(["rate_limit", "rate_limit", "deadline"]), 30)
    said = explain(limited, "ko")
    assert said.short == "요청 한도 초과" and "3개 종목 중 2개" in said.text
    assert "1개는 제한 시간 안에 응답 없음" in said.text
    stalled = explain(yahoo.offline_reason(_failures(["timeout"] * 3), 30), "ko")
    assert stalled.text == "네트워크 연결 불가: 야후 파이낸스 응답 시간 초과, 3개 종목"
    delisted = explain(_failures(["not_found"])["NVDA"].message, "ko").text
    assert delisted.startswith("NVDA: ") and "상장폐지 가능성" in delisted
    assert explain(refresh.refresh_prices(Store(tmp_path)).offline_reason, "ko").short == "오프라인 설정"
    assert [explain(r, "ko").short for r in _status_reasons()] == ["가격 없음", "오프라인 설정", "갱신 기록 없음",
                                                                  "오늘 미갱신", "네트워크 연결 불가"]
    assert [explain(r, "ko").text for r in _ecb_reasons()] == [
        "ECB 기준환율 파일 형식이 올바르지 않음", "ECB 기준환율 파일에 날짜·달러 열이 없음", "ECB 기준환율을 받지 못함"]


def test_english_keeps_the_reason_and_a_short_head() -> None:
    tls = yahoo.offline_reason(_failures(["tls"] * 3), 30)
    said = explain(tls, "en")
    assert said.text == tls and said.short == "network unavailable"
    assert explain(yahoo.offline_reason(_failures(["rate_limit"] * 3), 30), "en").short == (
        "Yahoo Finance is rate-limiting us")
