"""The agreement formulas on counts worked out by hand (docs/annotations.md, "Agreement")."""

from fractions import Fraction

from app.domains.annotations.agreement import (
    BinaryTally,
    ClassificationPair,
    Kappa,
    PrecisionRecall,
    SpanPair,
    cohen,
    mean,
)


def test_kappa_is_undefined_when_chance_agreement_is_certain() -> None:
    # p_o = p_e = 1: (1 - 1) / (1 - 1) = 0/0.
    assert cohen(Fraction(1), Fraction(1)) == Kappa(percent_agreement=1.0, kappa=None)
    # p_o = 3/4, p_e = 1/2: (3/4 - 1/2) / (1/2) = 1/2.
    assert cohen(Fraction(3, 4), Fraction(1, 2)) == Kappa(percent_agreement=0.75, kappa=0.5)


def test_a_binary_tally_counts_neither_from_the_decisions() -> None:
    # both 2, first only 1, second only 1, neither 10 - 4 = 6: p_o = 8/10;
    # p_A = 3/10, p_B = 3/10, p_e = 9/100 + 49/100 = 58/100; kappa = (80 - 58) / (100 - 58) = 22/42.
    figures = BinaryTally(both=2, first_only=1, second_only=1).kappa(10)

    assert figures.percent_agreement == 0.8
    assert figures.kappa is not None
    assert abs(figures.kappa - 22 / 42) < 1e-12
    assert BinaryTally().kappa(0) == Kappa(percent_agreement=None, kappa=None)


def test_perfect_disagreement_on_two_categories_is_kappa_minus_one() -> None:
    pair = ClassificationPair()
    pair.add(frozenset({1}), frozenset({2}))
    pair.add(frozenset({2}), frozenset({1}))

    # p_o = 0; each annotator 1/2 on each category: p_e = 1/4 + 1/4 = 1/2; kappa = -1/2 / 1/2 = -1.
    assert pair.single_label() == Kappa(percent_agreement=0.0, kappa=-1.0)


def test_span_f1_is_zero_not_null_when_one_side_has_spans_and_none_match() -> None:
    pair = SpanPair()
    pair.add(frozenset({(0, 3, 1)}), frozenset())

    # m = 0, |A| = 1, |B| = 0: P = 0/0 (null), R = 0/1 = 0, F1 = 0 / (1 + 0) = 0.
    assert pair.micro() == PrecisionRecall(precision=None, recall=0.0, f1=0.0)


def test_means_skip_undefined_figures() -> None:
    assert mean([0.5, None, 1.0]) == 0.75
    assert mean([None, None]) is None
    assert mean([]) is None
