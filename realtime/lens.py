"""
The tri-perspective lens: where politiek, beleid and uitvoering agree and where they diverge.

For one statement (a scale poll, one option of a choice poll, an upvoted
question or a note) each trialoog perspective p has `n_p` respondents of whom
`a_p` agree (what "agree" means is decided by the caller, see
docs/privacy-of-opinions.md and docs/realtime-protocol.md):

    share      r_p = a_p / n_p
    interval   the Wilson score interval of r_p at 90 % (z = 1.6449): low_p, high_p

and one verdict, checked in this order:

    too_few    a perspective has fewer than LENS_MIN_GROUP respondents, or its
               figures are withheld to protect a small group (see below)
    agree      low_p > 0.5 for all three
    disagree   high_p < 0.5 for all three
    apart      the perspectives with the highest and the lowest share differ by
               a two-proportion z-test at 90 % two-sided (|z| >= 1.6449, pooled
               standard error) and by at least 0.2 in share
    mixed      none of these

The smoothed product of Pol.is, (a+1)/(n+2) multiplied over the three, is
kept only as an internal tie-breaker for rankings; it is never published.

Minimum group size. No published figure may let anyone work out the choice
of fewer than LENS_MIN_GROUP people of one perspective. `withheld()` decides,
per statement, whose figures are withheld: every perspective (anders
included) with 0 < n < minimum, and then, while the remainder (the
respondents of withheld perspectives, which anyone can get by subtracting the
shown perspectives from the total) is 0 < remainder < minimum, also the
smallest shown perspective (complementary suppression). When even all
perspectives together are fewer than the minimum, the totals are withheld
too. A withheld perspective's counts never leave the server: in the published
shape it carries only `"suppressed": true`. Perspectives with no respondents
are shown as 0 of 0.

Numbers in the published shape are exact floats; only the screens round
(shares to whole percents).
"""

import math
from dataclasses import dataclass

from django.conf import settings

from realtime.payloads import LENS_PERSPECTIVES, PERSPECTIVES

Z90 = 1.6449  # two-sided 90 %
MIN_GAP = 0.2

TOO_FEW, AGREE, DISAGREE, APART, MIXED = "too_few", "agree", "disagree", "apart", "mixed"
VERDICTS = (TOO_FEW, AGREE, DISAGREE, APART, MIXED)


def min_group() -> int:
    """The smallest group whose figures may be published (setting LENS_MIN_GROUP, default 3)."""
    return int(getattr(settings, "LENS_MIN_GROUP", 3))


def wilson(agree: int, n: int, z: float = Z90) -> tuple[float, float]:
    """The Wilson score interval (low, high) of agree/n; (0, 1) when n is 0."""
    if n == 0:
        return 0.0, 1.0
    share = agree / n
    denominator = 1 + z * z / n
    centre = (share + z * z / (2 * n)) / denominator
    half = z * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n)) / denominator
    # Clamp the float noise at the edges: the interval of 0/n starts at 0 exactly.
    return max(0.0, centre - half), min(1.0, centre + half)


def z_two_proportions(a1: int, n1: int, a2: int, n2: int) -> float:
    """The pooled two-proportion z statistic of a1/n1 against a2/n2; 0 when it is undefined."""
    if not n1 or not n2:
        return 0.0
    pooled = (a1 + a2) / (n1 + n2)
    variance = pooled * (1 - pooled) * (1 / n1 + 1 / n2)
    if variance <= 0:
        return 0.0
    return (a1 / n1 - a2 / n2) / math.sqrt(variance)


def smoothed_product(agree: dict[str, int], total: dict[str, int]) -> float:
    """Pol.is's group-informed consensus; an internal tie-breaker, never shown."""
    product = 1.0
    for p in LENS_PERSPECTIVES:
        product *= (agree[p] + 1) / (total[p] + 2)
    return product


@dataclass(frozen=True)
class Withheld:
    """Which perspectives' figures (and whether the totals) may not be published for one statement."""

    perspectives: frozenset[str]
    totals: bool

    def shows(self, perspective: str) -> bool:
        return perspective not in self.perspectives


NOTHING_WITHHELD = Withheld(frozenset(), False)


def withheld(sizes: dict[str, int], minimum: int | None = None) -> Withheld:
    """
    Decide whose figures are withheld, given the respondents per perspective (all four).

    Primary suppression: every perspective with 0 < n < minimum. Complementary:
    while 0 < remainder < minimum, the smallest shown perspective with
    respondents (ties: anders first, then uitvoering, beleid, politiek) is
    withheld too. When everyone together is fewer than the minimum, the
    totals are withheld as well.
    """
    minimum = min_group() if minimum is None else minimum
    sizes = {p: int(sizes.get(p, 0)) for p in PERSPECTIVES}
    hidden = {p for p, n in sizes.items() if 0 < n < minimum}
    order = list(reversed(PERSPECTIVES))  # anders, uitvoering, beleid, politiek
    while 0 < sum(sizes[p] for p in hidden) < minimum:
        shown = [p for p in order if p not in hidden and sizes[p] > 0]
        if not shown:
            break
        hidden.add(min(shown, key=lambda p: (sizes[p], order.index(p))))
    total = sum(sizes.values())
    return Withheld(frozenset(hidden), 0 < total < minimum)


@dataclass(frozen=True)
class Lens:
    """The lens of one statement, with the raw counts (server side only) and what may be published."""

    agree: dict[str, int]
    total: dict[str, int]
    hidden: Withheld
    minimum: int
    verdict: str
    apart: tuple[str, str] | None
    z: float | None
    tiebreak: float

    def share(self, p: str) -> float | None:
        return self.agree[p] / self.total[p] if self.total[p] else None

    def bounds(self, p: str) -> tuple[float, float]:
        return wilson(self.agree[p], self.total[p])

    @property
    def too_few(self) -> list[str]:
        """The trialoog perspectives with fewer respondents than the minimum (in the fixed order)."""
        return [p for p in LENS_PERSPECTIVES if self.total[p] < self.minimum]

    @property
    def consensus_key(self) -> float | None:
        """The ranking key for "most consensual": the smallest low bound over the three."""
        if self.verdict == TOO_FEW:
            return None
        return min(self.bounds(p)[0] for p in LENS_PERSPECTIVES)

    def perspective_dict(self, p: str) -> dict:
        if not self.hidden.shows(p):
            return {"suppressed": True}
        if not self.total[p]:
            return {"agree": 0, "total": 0}
        low, high = self.bounds(p)
        return {
            "agree": self.agree[p],
            "total": self.total[p],
            "share": self.agree[p] / self.total[p],
            "low": low,
            "high": high,
        }

    def as_dict(self) -> dict:
        """The published shape (docs/realtime-protocol.md, "The lens"); withheld counts are absent."""
        return {
            "verdict": self.verdict,
            "apart": list(self.apart) if self.apart else None,
            "min_group": self.minimum,
            "perspectives": {p: self.perspective_dict(p) for p in LENS_PERSPECTIVES},
        }


def lens(
    agree: dict[str, int],
    total: dict[str, int],
    *,
    hidden: Withheld | None = None,
    minimum: int | None = None,
) -> Lens:
    """
    The lens of one statement from its counts per trialoog perspective.

    `hidden` is the suppression decided for the statement's whole breakdown
    (all four perspectives, see `withheld`); without it, it is decided from
    `total` alone. Raises ValueError for counts that cannot be true.
    """
    minimum = min_group() if minimum is None else minimum
    agree = {p: int(agree.get(p, 0)) for p in LENS_PERSPECTIVES}
    total = {p: int(total.get(p, 0)) for p in LENS_PERSPECTIVES}
    for p in LENS_PERSPECTIVES:
        if not 0 <= agree[p] <= total[p]:
            raise ValueError(f"agree must lie between 0 and the total for {p}")
    hidden = withheld(total, minimum) if hidden is None else hidden
    tiebreak = smoothed_product(agree, total)
    verdict, apart, z = _verdict(agree, total, hidden, minimum)
    return Lens(agree, total, hidden, minimum, verdict, apart, z, tiebreak)


def _verdict(agree, total, hidden: Withheld, minimum: int):
    if any(total[p] < minimum or not hidden.shows(p) for p in LENS_PERSPECTIVES):
        return TOO_FEW, None, None
    bounds = {p: wilson(agree[p], total[p]) for p in LENS_PERSPECTIVES}
    shares = {p: agree[p] / total[p] for p in LENS_PERSPECTIVES}
    order = LENS_PERSPECTIVES.index
    high = max(LENS_PERSPECTIVES, key=lambda p: (shares[p], -order(p)))
    low = min(LENS_PERSPECTIVES, key=lambda p: (shares[p], order(p)))
    z = z_two_proportions(agree[high], total[high], agree[low], total[low])
    if all(bounds[p][0] > 0.5 for p in LENS_PERSPECTIVES):
        return AGREE, None, z
    if all(bounds[p][1] < 0.5 for p in LENS_PERSPECTIVES):
        return DISAGREE, None, z
    if abs(z) >= Z90 and shares[high] - shares[low] >= MIN_GAP:
        return APART, tuple(sorted((high, low), key=order)), z
    return MIXED, None, z


def breakdown(counts: dict[str, int], hidden: Withheld) -> dict[str, int | None]:
    """Counts per perspective (all four) as published: None for a withheld perspective."""
    return {p: (int(counts.get(p, 0)) if hidden.shows(p) else None) for p in PERSPECTIVES}


def published_total(count: int, hidden: Withheld) -> int | None:
    """A total over everyone as published: None when everyone together is fewer than the minimum."""
    return None if hidden.totals else int(count)


def rank(statements: list[tuple[dict, Lens]], limit: int) -> dict[str, list[dict]]:
    """
    Rank statements, given as `(statement, its Lens)` pairs, for a report.

    `consensual`: statements whose verdict is agree, by the smallest low
    bound over the three perspectives, highest first. `divergent`:
    statements whose verdict is apart, by |z|, highest first. `too_few`:
    statements the lens cannot judge, in their given order, never ranked.
    Ties go to the higher (for divergent: lower) smoothed product, then to
    the statement more people responded to, then to the earlier one.
    """

    def responses(found: Lens) -> int:
        return sum(found.total.values())

    consensual = sorted(
        (pair for pair in statements if pair[1].verdict == AGREE),
        key=lambda pair: (-pair[1].consensus_key, -pair[1].tiebreak, -responses(pair[1])),
    )
    divergent = sorted(
        (pair for pair in statements if pair[1].verdict == APART),
        key=lambda pair: (-abs(pair[1].z), pair[1].tiebreak, -responses(pair[1])),
    )
    return {
        "divergent": [statement for statement, _lens in divergent[:limit]],
        "consensual": [statement for statement, _lens in consensual[:limit]],
        "too_few": [statement for statement, found in statements if found.verdict == TOO_FEW],
    }
