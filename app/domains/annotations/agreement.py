"""Agreement between two annotators, fed one document at a time: the formulas of
docs/annotations.md, section "Agreement". Only counts are kept, never the documents, so the
memory a pair needs grows with its labels, not with the project.

Exact fractions until the end: "chance agreement is 1" (kappa undefined) is then an equality,
not a float that happens to come out as 0.9999999999999999.
"""

from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction

Span = tuple[int, int, int]  # start, end (exclusive), label id


@dataclass(frozen=True, slots=True)
class Kappa:
    percent_agreement: float | None
    kappa: float | None


@dataclass(frozen=True, slots=True)
class PrecisionRecall:
    precision: float | None
    recall: float | None
    f1: float | None


def cohen(observed: Fraction, expected: Fraction) -> Kappa:
    """kappa = (p_o - p_e) / (1 - p_e); undefined (None) when p_e = 1."""
    kappa = None if expected == 1 else float((observed - expected) / (1 - expected))
    return Kappa(percent_agreement=float(observed), kappa=kappa)


def _ratio(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator


@dataclass(slots=True)
class BinaryTally:
    """One label as yes/no on each document both annotators annotated."""

    both: int = 0
    first_only: int = 0
    second_only: int = 0

    def add(self, other: "BinaryTally") -> None:
        self.both += other.both
        self.first_only += other.first_only
        self.second_only += other.second_only

    def kappa(self, decisions: int) -> Kappa:
        """`decisions`: the documents (or document-label pairs) compared; neither said yes on
        the rest."""
        if decisions == 0:
            return Kappa(percent_agreement=None, kappa=None)
        neither = decisions - self.both - self.first_only - self.second_only
        n = Fraction(decisions)
        first_yes = (self.both + self.first_only) / n
        second_yes = (self.both + self.second_only) / n
        observed = (self.both + neither) / n
        expected = first_yes * second_yes + (1 - first_yes) * (1 - second_yes)
        return cohen(observed, expected)


@dataclass(slots=True)
class ClassificationPair:
    """Two annotators' categories on the documents both annotated."""

    documents: int = 0
    agreed: int = 0  # documents given the same set of labels
    first_sets: Counter[frozenset[int]] = field(default_factory=Counter)
    second_sets: Counter[frozenset[int]] = field(default_factory=Counter)
    labels: dict[int, BinaryTally] = field(default_factory=dict)

    def add(self, first: frozenset[int], second: frozenset[int]) -> None:
        self.documents += 1
        self.agreed += first == second
        self.first_sets[first] += 1
        self.second_sets[second] += 1
        for label_id in first | second:
            tally = self.labels.setdefault(label_id, BinaryTally())
            if label_id in first and label_id in second:
                tally.both += 1
            elif label_id in first:
                tally.first_only += 1
            else:
                tally.second_only += 1

    def single_label(self) -> Kappa:
        """Over the categories: p_o the share of documents given the same category, p_e the
        sum over categories of the product of each annotator's share of that category."""
        both_chose = sum(count * self.second_sets[category] for category, count in self.first_sets.items())
        return cohen(Fraction(self.agreed, self.documents), Fraction(both_chose, self.documents**2))

    def multi_label(self) -> Kappa:
        """Every (document, label) decision pooled, over the labels either annotator used."""
        pooled = BinaryTally()
        for tally in self.labels.values():
            pooled.add(tally)
        return pooled.kappa(self.documents * len(self.labels))

    def per_label(self) -> dict[int, Kappa]:
        return {label_id: tally.kappa(self.documents) for label_id, tally in self.labels.items()}


@dataclass(slots=True)
class SpanTally:
    matched: int = 0
    first: int = 0  # the reference's spans
    second: int = 0

    def add(self, other: "SpanTally") -> None:
        self.matched += other.matched
        self.first += other.first
        self.second += other.second

    def figures(self) -> PrecisionRecall:
        """P = matched / |second|, R = matched / |first|, F1 = 2 matched / (|first| + |second|),
        which is 2PR / (P + R) wherever P and R are defined; None where a denominator is 0."""
        return PrecisionRecall(
            precision=_ratio(self.matched, self.second),
            recall=_ratio(self.matched, self.first),
            f1=_ratio(2 * self.matched, self.first + self.second),
        )


@dataclass(slots=True)
class SpanPair:
    """Two annotators' spans on the documents both annotated: exact matches of start, end and
    label, the first annotator taken as the reference."""

    documents: int = 0
    labels: dict[int, SpanTally] = field(default_factory=dict)

    def add(self, first: frozenset[Span], second: frozenset[Span]) -> None:
        self.documents += 1
        for span in first:
            tally = self.labels.setdefault(span[2], SpanTally())
            tally.first += 1
            tally.matched += span in second
        for span in second:
            self.labels.setdefault(span[2], SpanTally()).second += 1

    def micro(self) -> PrecisionRecall:
        """Every label's counts summed, then the ratios."""
        total = SpanTally()
        for tally in self.labels.values():
            total.add(tally)
        return total.figures()

    def per_label(self) -> dict[int, PrecisionRecall]:
        return {label_id: tally.figures() for label_id, tally in self.labels.items()}


def mean(values: list[float | None]) -> float | None:
    """The mean of the figures that are defined; None if none is."""
    defined = [value for value in values if value is not None]
    return sum(defined) / len(defined) if defined else None
