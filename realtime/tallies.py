"""
Counts of opinions turned into what may be published: polls, notes and questions.

The live room (realtime/selectors.py) and the outcome report
(reports/selectors.py) both read raw counts from the database and hand them
here, so the tally, the lens and the minimum-group suppression are computed
in one place. Nothing here queries the database.

What "agree" means per statement:
- scale poll: the answers 4 and 5 (eens, helemaal eens), out of every voter;
- an option of a choice poll: chose this option, out of every voter;
- a note: "herken ik" or "eens", out of every reaction (herken ik, eens, oneens);
- a question: upvoted it, out of the people of that perspective present in the
  room (at least its upvoters).

Published shapes are documented in docs/realtime-protocol.md ("The lens",
"Poll results") and docs/report-schema.json; `None` stands for a withheld
figure everywhere.
"""

from dataclasses import dataclass, field

from realtime.lens import Lens, Withheld, breakdown, lens, min_group, withheld
from realtime.models.polls import SCALE_AGREE_FROM
from realtime.payloads import LENS_PERSPECTIVES, PERSPECTIVES, REACTION_KINDS, zeros

NOTE_AGREE_KINDS = ("recognise", "agree")


@dataclass
class PollTally:
    """
    One poll's counts: `voters[p]` people per perspective and `chosen[option][p]` choices.

    `options` are dicts with id, label and value, in display order.
    """

    kind: str
    options: list[dict]
    voters: dict[str, int]
    chosen: dict[int, dict[str, int]]
    minimum: int | None = None
    hidden: Withheld = field(init=False)

    def __post_init__(self):
        self.voters = {p: int(self.voters.get(p, 0)) for p in PERSPECTIVES}
        self.chosen = {o["id"]: {**zeros(), **self.chosen.get(o["id"], {})} for o in self.options}
        self.hidden = withheld(self.voters, self.minimum)

    @property
    def voter_count(self) -> int:
        return sum(self.voters.values())

    @property
    def agree(self) -> dict[str, int]:
        """Scale polls: per perspective, how many answered 4 or 5."""
        agree = zeros()
        for option in self.options:
            if (option.get("value") or 0) >= SCALE_AGREE_FROM:
                for p, n in self.chosen[option["id"]].items():
                    agree[p] += n
        return agree

    def option_lens(self, option_id: int) -> Lens:
        return lens(self.chosen[option_id], self.voters, hidden=self.hidden, minimum=self.minimum)

    def scale_lens(self) -> Lens | None:
        if self.kind != "scale":
            return None
        return lens(self.agree, self.voters, hidden=self.hidden, minimum=self.minimum)

    def published(self, *, with_breakdown: bool) -> dict:
        """
        The results as anyone may see them.

        Without the breakdown (an open poll) only totals over everyone are
        given; with it, also the counts per perspective that are not
        withheld and the lens. Totals are withheld while fewer people than
        the minimum have voted.
        """
        hidden = self.hidden
        totals = not hidden.totals
        result = {
            "voters": self.voter_count,
            "min_group": min_group() if self.minimum is None else self.minimum,
            "totals_withheld": hidden.totals,
            "breakdown": with_breakdown,
            "suppressed": sorted(hidden.perspectives, key=PERSPECTIVES.index) if with_breakdown else [],
            "voters_by_perspective": breakdown(self.voters, hidden) if with_breakdown else None,
            "options": [],
            "agree_by_perspective": None,
            "lens": None,
        }
        for option in self.options:
            counts = self.chosen[option["id"]]
            result["options"].append(
                {
                    "id": option["id"],
                    "label": option["label"],
                    "value": option.get("value"),
                    "count": sum(counts.values()) if totals else None,
                    "by_perspective": breakdown(counts, hidden) if with_breakdown else None,
                    "lens": self.option_lens(option["id"]).as_dict() if with_breakdown else None,
                }
            )
        if with_breakdown and self.kind == "scale":
            result["agree_by_perspective"] = breakdown(self.agree, hidden)
            result["lens"] = self.scale_lens().as_dict()
        return result


def note_tally(reactions: dict[str, dict[str, int]], minimum: int | None = None) -> tuple[dict, Lens]:
    """
    A note's reactions `{kind: {perspective: n}}` as published, and its lens.

    Per kind the total over everyone (withheld while fewer than the minimum
    reacted) and the counts per perspective that are not withheld.
    """
    reactions = {k: {**zeros(), **reactions.get(k, {})} for k in REACTION_KINDS}
    sizes = {p: sum(reactions[k][p] for k in REACTION_KINDS) for p in PERSPECTIVES}
    hidden = withheld(sizes, minimum)
    agree = {p: sum(reactions[k][p] for k in NOTE_AGREE_KINDS) for p in PERSPECTIVES}
    note_lens = lens(agree, sizes, hidden=hidden, minimum=minimum)
    published = {
        "reactions": {k: (None if hidden.totals else sum(reactions[k].values())) for k in REACTION_KINDS},
        "reactions_by_perspective": {k: breakdown(reactions[k], hidden) for k in REACTION_KINDS},
        "lens": note_lens.as_dict(),
    }
    return published, note_lens


def question_tally(
    upvotes: dict[str, int], present: dict[str, int], minimum: int | None = None
) -> tuple[dict, Lens]:
    """
    A question's upvotes per perspective as published, and its lens.

    The group of a perspective is the people of it present in the room (at
    least its upvoters). The upvote total itself is public: the room ranks
    questions by it.
    """
    upvotes = {**zeros(), **upvotes}
    sizes = _question_groups(upvotes, present)
    hidden = withheld(sizes, minimum)
    question_lens = lens({p: upvotes[p] for p in LENS_PERSPECTIVES}, sizes, hidden=hidden, minimum=minimum)
    return {"by_perspective": breakdown(upvotes, hidden), "lens": question_lens.as_dict()}, question_lens


def _question_groups(upvotes: dict[str, int], present: dict[str, int]) -> dict[str, int]:
    return {p: max(int(present.get(p, 0)), int(upvotes.get(p, 0))) for p in PERSPECTIVES}


def question_breakdown(upvotes: dict[str, int], present: dict[str, int], minimum: int | None = None) -> dict:
    """A question's upvotes per perspective as published (as in `question_tally`), without the lens."""
    return breakdown({**zeros(), **upvotes}, withheld(_question_groups(upvotes, present), minimum))
