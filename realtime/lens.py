"""
The tri-perspective lens: where politiek, beleid and uitvoering agree and where they diverge.

For one statement (a scale poll, one option of a choice poll, an upvoted
question or a note) each perspective p has `agree_p` people who agree out of
`n_p` who responded:

    smoothed rate   s_p = (agree_p + 1) / (n_p + 2)
    consensus       C   = s_politiek × s_beleid × s_uitvoering
    divergence      D   = max_p r_p − min_p r_p,  with r_p = agree_p / n_p

Consensus is the group-informed consensus of Pol.is, applied to the declared
perspectives instead of inferred clusters. The +1/+2 smoothing means a
perspective without responses counts as undecided (1/2), so consensus is high
only when every perspective has actually agreed. It lies in (0, 1).

Divergence uses the plain rates of the perspectives that responded. A
perspective without responses says nothing about disagreement, so it is left
out; with fewer than two responding perspectives divergence is None
("not enough data"). It lies in [0, 1].

`anders` is never part of the lens; it is reported apart.
"""

from dataclasses import dataclass

from accounts.models import TRIALOOG_PERSPECTIVES

LENS_PERSPECTIVES = tuple(p.value for p in TRIALOOG_PERSPECTIVES)


def smoothed_rate(agree: int, n: int) -> float:
    return (agree + 1) / (n + 2)


@dataclass(frozen=True)
class Lens:
    agree: dict[str, int]
    total: dict[str, int]
    consensus: float
    divergence: float | None
    most_apart: tuple[str, str] | None

    @property
    def rates(self) -> dict[str, float | None]:
        return {p: (self.agree[p] / self.total[p] if self.total[p] else None) for p in LENS_PERSPECTIVES}

    def as_dict(self) -> dict:
        return {
            "agree": self.agree,
            "total": self.total,
            "rates": {p: (round(r, 4) if r is not None else None) for p, r in self.rates.items()},
            "consensus": round(self.consensus, 4),
            "divergence": round(self.divergence, 4) if self.divergence is not None else None,
            "most_apart": list(self.most_apart) if self.most_apart else None,
        }


def lens(agree: dict[str, int], total: dict[str, int]) -> Lens:
    """Compute consensus and divergence for one statement from per-perspective counts."""
    agree = {p: int(agree.get(p, 0)) for p in LENS_PERSPECTIVES}
    total = {p: int(total.get(p, 0)) for p in LENS_PERSPECTIVES}
    for p in LENS_PERSPECTIVES:
        if not 0 <= agree[p] <= total[p]:
            raise ValueError(f"agree must lie between 0 and the total for {p}")
    consensus = 1.0
    for p in LENS_PERSPECTIVES:
        consensus *= smoothed_rate(agree[p], total[p])
    rates = {p: agree[p] / total[p] for p in LENS_PERSPECTIVES if total[p]}
    if len(rates) < 2:
        return Lens(agree, total, consensus, None, None)
    high = max(rates, key=lambda p: (rates[p], -LENS_PERSPECTIVES.index(p)))
    low = min(rates, key=lambda p: (rates[p], LENS_PERSPECTIVES.index(p)))
    return Lens(agree, total, consensus, rates[high] - rates[low], (high, low) if high != low else None)
