""""How verdicts are computed": the scorecard's method, written for readers in Korean and English."""

from __future__ import annotations

METHOD_TITLE: dict[str, str] = {"ko": "판정은 이렇게 계산합니다", "en": "How verdicts are computed"}

METHOD: dict[str, str] = {
    "ko": """
**기준 가격은 발행 시점에 고정합니다.** 각 주장은 칼럼이 올라온 시각(날짜·시각·시간대; 시각이 없으면 칼럼
언어권 시간대의 0시) 이전에 관측된 각 시계열의 마지막 값에서 출발합니다. 관측 시각은 시계열마다
다릅니다: 거래소 종목은 실제 거래소 달력(NYSE·HKEX·KRX, 2025년 1월 27일 임시공휴일과 홍콩의 반일장
포함)의 장 마감, ECB 기준율은 14:15 CET, 야후 KRW=X는 아시아 시간대의 값입니다. 옆에 "독자가 실제로
따라 할 수 있었던 첫 종가"(발행 뒤 첫 값)에서 출발한 두 번째 읽기도 보여 줍니다.

**기간.** 칼럼이 말한 기간(예: "올해" → 2025년 12월 31일, 또는 명시한 날짜)이 각 주장의 기준 기간이며,
주장마다 하나만 정합니다. 1주·1개월·3개월·6개월 같은 고정 기간은 참고용입니다. 이 기간들은 출발점이
같아 서로 겹치므로 독립된 증거가 아닙니다.

**잡음 대비 크기.** 모든 판정에 z값을 붙입니다: 측정된 초과분 ÷ (기준일 전 250거래일 동안 그 시계열의
일간 변동성 × √(기간 안 거래일 수)). |z| ≥ 2는 "뚜렷함", 1 이상 2 미만은 "약함", 1 미만은 "잡음 수준"입니다.
상대 비교는 A − B를, 방향 주장은 0(추세 없음)을, 환율 수준과 "움직이지 않는다"는 "변화 없음"을
기준으로 삼습니다. 기준치는 명시된 경우에만 씁니다.

**수준 규칙.** "~아래에 머문다"는 기간 안의 모든 값(또는 명시한 비율)으로 판정하고, "기간 끝에 ~아래"는
마지막 값 하나로 판정합니다. 둘은 다른 규칙입니다.

**출처.** 원/달러 주장은 야후(KRW=X)와 ECB 기준율 두 출처로 모두 채점합니다. 둘의 판정이 다르면
"출처에 따라 다름"으로 표시하고 둘 다 보여 줍니다.

**시기상조와 나중에 판정.** 기간 끝이 저장된 마지막 값보다 뒤면 "시기상조"입니다. "칼럼 날짜 기준"
보기에서는 그때 알 수 없던 결과를 "나중에 판정"으로 가립니다.

**주의.** 칼럼 하나는 표본 하나입니다. 적중이나 빗나감 하나로 필자의 실력을 말할 수 없고, 겹치는 기간의
판정을 여러 번 센다고 증거가 늘지도 않습니다. 일별 값은 장중 고가·저가를 보여 주지 못합니다.
""",
    "en": """
**Reference prices are fixed at publication.** Each claim starts from each series' last value observed
before the column went up (its date, time and zone; with no time given, 00:00 in the zone of the
column's language). Each series is observed at its own time: exchange-listed lines at their session
close from the real exchange calendars (NYSE, HKEX, KRX, including the 27 Jan 2025 temporary holiday
and Hong Kong's half days), the ECB reference rate at 14:15 CET, Yahoo's KRW=X during Asian hours.
A second reading starts from the first close a reader could act on (the first value after publication).

**Horizons.** The horizon the column states (e.g. "this year" → 31 Dec 2025, or an explicit date) is
the claim's primary horizon, one per claim. Fixed offsets (1W, 1M, 3M, 6M) are context: they share
their start, so they overlap and are not independent evidence.

**Strength against noise.** Every verdict carries a z-score: the measured excess ÷ (the series' daily
volatility over the 250 trading days before the reference × √trading days in the window). |z| ≥ 2 is
"strong", 1 to 2 "weak", below 1 "within noise". Relative claims measure A − B, direction claims
measure against zero drift, FX level and no-move claims against no change. Thresholds are used only
where stated.

**Level rules.** "Stays below" is judged on every value in the window (or the stated share); "is
below at the horizon's end" is judged on the last value alone. They are different rules.

**Sources.** A claim on USD/KRW is scored on both Yahoo (KRW=X) and the ECB reference rate. Where they
disagree the verdict reads "source-dependent" and both are shown.

**Too early and judged later.** "Too early" means the horizon ends after the last stored value. In
"at the column's date" mode, outcomes nobody could know then are hidden as "judged later".

**Caveats.** One column is a sample of one: a hit or a miss says little about the author's skill, and
counting overlapping horizons again adds no evidence. Daily values cannot show intraday highs or lows.
""",
}


def method_markdown(lang: str) -> str:
    """The method section's body (trusted Markdown) in ``lang``."""
    return METHOD["ko" if lang == "ko" else "en"].strip()
