"""The escalation model's inputs."""

from __future__ import annotations

import math

import pytest
from threadkit import KeywordJudge, make_thread

from steelman.data.formats import Thread
from steelman.threads import FEATURE_NAMES, analyse_thread
from steelman.threads.features import CUE_FEATURES, longest_attack_run


def test_features_of_a_heated_thread(heated: Thread, keyword_judge: KeywordJudge) -> None:
    f = analyse_thread(heated, keyword_judge, risk=False).features
    assert list(f) == list(FEATURE_NAMES)
    assert f["log_comments"] == pytest.approx(math.log1p(7))
    assert f["log_participants"] == pytest.approx(math.log(2))
    assert f["attack_share"] == pytest.approx(2 / 7)
    assert f["act_question"] == pytest.approx(0.9 / 7)
    assert f["alternation"] == 1.0
    assert f["top2_share"] == 1.0
    assert f["max_attack_run"] == pytest.approx(1 / math.log(9))


def test_attack_run_and_trend(keyword_judge: KeywordJudge) -> None:
    rows = [("0", None, "x", "No, because of cost.")]
    rows += [(str(i), str(i - 1), "xy"[i % 2], "You idiot.") for i in range(1, 4)]
    report = analyse_thread(make_thread(rows), keyword_judge, risk=False)
    assert longest_attack_run(report.replies) == 3
    assert report.features["trend"] < 0  # it went downhill


def test_features_of_an_empty_thread() -> None:
    report = analyse_thread(Thread("e", []), KeywordJudge(), risk=False)
    assert report.features["mean_rank"] == 3.0
    assert report.features["attack_share"] == 0.0
    assert all(math.isfinite(v) for v in report.features.values())


def test_text_cues_count_the_replies_showing_them(keyword_judge: KeywordJudge) -> None:
    thread = make_thread(
        [
            ("a", None, "x", "Please read the source, thanks."),
            ("b", "a", "y", "You never read it! Why do you keep reverting?"),
            ("c", "b", "x", "I think the lead is fine because it is sourced."),
        ]
    )
    feats = analyse_thread(thread, keyword_judge, risk=False).features
    assert set(CUE_FEATURES) <= set(feats)
    assert feats["please_share"] == feats["thanks_share"] == pytest.approx(1 / 3)
    assert (
        feats["why_share"]
        == feats["exclaim_share"]
        == feats["you_start_share"]
        == (pytest.approx(1 / 3))
    )
    assert feats["hedge_share"] == pytest.approx(1 / 3)
