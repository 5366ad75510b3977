"""The encoder's arithmetic chosen per CPU: int8 where int8 dot products are exact, float
elsewhere; the choice is logged, can be overridden, and both kinds decide alike."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from steelman import Judge, ModelError
from steelman.judge.network import KERNELS_ENV, choose_kernels, cpu_flags

CLEAR = [  # replies whose decisions sit far from every threshold (margins measured on both)
    ("You are an idiot and a troll, shut up.", "The study found a 12% drop."),
    ("You are an idiot.", None),
    (
        "No. The 12% drop is from one city, and the national figure in the same report is 3%,"
        " so the study does not show what you claim.",
        "The study found a 12% drop, so the policy works.",
    ),
]


@pytest.mark.parametrize(
    ("flags", "want"),
    [
        ({"sse4_2", "avx2", "fma"}, "float"),  # AMD Zen 3, older Intel: u8s8 saturates
        ({"avx2", "avx512f", "avx512_vnni"}, "int8"),  # from /proc/cpuinfo
        ({"avx2", "avx512vnni"}, "int8"),  # as numpy's CPUID reading names it
        ({"avx2", "avx_vnni"}, "int8"),
        ({"avx2", "amx_tile", "amx_int8"}, "int8"),
        ({"asimd", "asimddp"}, "int8"),
        (set(), "float"),  # nothing known: the arithmetic that is the same everywhere
    ],
)
def test_int8_only_where_dot_products_are_exact(
    flags: set[str], want: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KERNELS_ENV, raising=False)
    assert choose_kernels(flags=frozenset(flags)) == want


def test_the_choice_can_be_overridden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KERNELS_ENV, "float")
    assert choose_kernels(flags=frozenset({"avx512_vnni"})) == "float"
    assert choose_kernels("int8", flags=frozenset()) == "int8"  # the argument wins
    monkeypatch.setenv(KERNELS_ENV, "fp16")
    with pytest.raises(ModelError, match=f"unknown judge kernels 'fp16' \\(from {KERNELS_ENV}\\)"):
        choose_kernels()


def test_cpu_flags_read_the_model_name_and_flags(tmp_path: Path) -> None:
    info = tmp_path / "cpuinfo"
    info.write_text(
        "processor\t: 0\nmodel name\t: Test CPU 9000\nflags\t\t: fpu avx2 avx_vnni\n\n"
        "processor\t: 1\nmodel name\t: Test CPU 9000\nflags\t\t: fpu avx2 avx_vnni\n"
    )
    name, flags = cpu_flags(info)
    assert name == "Test CPU 9000"
    assert {"avx2", "avx_vnni"} <= flags
    assert cpu_flags(tmp_path / "missing")[0]  # still a name (the machine's)


def test_the_choice_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="steelman.judge.network"):
        judge = Judge.load(kernels="float")
    assert judge.model.network.kernels == "float"
    assert any("float kernels on" in r.getMessage() for r in caplog.records)


@pytest.mark.slow
def test_both_kinds_decide_alike_on_clear_replies(judge: Judge) -> None:
    texts = [t for t, _ in CLEAR]
    parents = [p for _, p in CLEAR]
    a = Judge.load(kernels="int8").judge_batch(texts, parents)
    b = Judge.load(kernels="float").judge_batch(texts, parents)
    for x, y in zip(a, b, strict=True):
        assert x.level == y.level and x.act_labels == y.act_labels
        assert x.attack == pytest.approx(y.attack, abs=0.05)
        assert max(abs(x.scores[k] - y.scores[k]) for k in x.scores) < 0.1
        assert [e.text for e in x.because] == [e.text for e in y.because]
