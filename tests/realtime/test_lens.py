"""The lens: Wilson intervals, verdicts, ranking and the minimum-group suppression (realtime/lens.py)."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from realtime.lens import (
    NOTHING_WITHHELD,
    Z90,
    lens,
    rank,
    wilson,
    withheld,
    z_two_proportions,
)
from realtime.tallies import PollTally, note_tally, question_tally


def each(agree: int, total: int) -> tuple[dict, dict]:
    """The same counts for politiek, beleid and uitvoering."""
    return dict.fromkeys(("politiek", "beleid", "uitvoering"), agree), dict.fromkeys(
        ("politiek", "beleid", "uitvoering"), total
    )


# --- Wilson bounds ---------------------------------------------------------------


def test_wilson_five_of_six_by_hand():
    """5/6, z = 1.6449: z²/n = 0.45095, centre = 1.05881 / 1.45095 = 0.72974,
    half = 1.6449 × √(0.023148 + 0.018790) / 1.45095 = 0.23216 → (0.49758, 0.96190)."""
    low, high = wilson(5, 6)

    assert (round(low, 4), round(high, 4)) == (0.4976, 0.9619)


def test_wilson_behaves_at_one_respondent():
    """1/1: centre = (1 + 1.35285) / 3.70570 = 0.63493, half = 1.6449 × 0.82246 / 3.70570 = 0.36507."""
    assert [round(x, 4) for x in wilson(1, 1)] == [0.2699, 1.0]
    assert [round(x, 4) for x in wilson(0, 1)] == [0.0, 0.7301]


def test_wilson_without_respondents_is_the_whole_range():
    assert wilson(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 7, 10, 33, 100, 250, 999, 1000])
def test_wilson_matches_statsmodels_for_every_count(n):
    """The reference implementation (statsmodels, method="wilson", alpha 0.10) agrees for every a in 0..n."""
    for agree in range(n + 1):
        low, high = proportion_confint(agree, n, alpha=0.10, method="wilson")

        assert wilson(agree, n) == (pytest.approx(low, abs=2e-5), pytest.approx(high, abs=2e-5))


def test_z_statistic_by_hand():
    """3/3 against 1/3: pooled 4/6, se = √(2/3 × 1/3 × 2/3) = 0.38490, z = 0.66667 / 0.38490 = 1.7321."""
    assert z_two_proportions(3, 3, 1, 3) == pytest.approx(math.sqrt(3))
    assert z_two_proportions(2, 2, 2, 2) == 0.0
    assert z_two_proportions(1, 0, 0, 3) == 0.0


# --- verdicts --------------------------------------------------------------------


def test_one_vote_each_is_too_few_and_names_every_perspective():
    """Three "helemaal eens" votes, one per perspective: the old design said "consensus 30 %"."""
    result = lens(*each(1, 1))

    assert result.verdict == "too_few"
    assert result.too_few == ["politiek", "beleid", "uitvoering"]
    assert result.as_dict()["perspectives"]["politiek"] == {"suppressed": True}


def test_three_of_three_each_agree():
    """3/3: low = 0.5258 > 0.5 for all three."""
    result = lens(*each(3, 3))

    assert result.verdict == "agree"
    assert result.apart is None


def test_two_of_three_each_is_not_agreement():
    """2/3: low = 0.2535, so agreement is not shown; the high bound 0.9217 is above 0.5, so not disagree."""
    assert lens(*each(2, 3)).verdict == "mixed"


def test_none_of_three_each_disagree():
    """0/3: high = 0.4742 < 0.5 for all three."""
    assert lens(*each(0, 3)).verdict == "disagree"


def test_politics_and_execution_apart():
    """10/10, 5/10, 0/10: pooled 0.5, se = √(0.25 × 0.2) = 0.2236, z = 4.47; gap 1.0."""
    result = lens(
        {"politiek": 10, "beleid": 5, "uitvoering": 0}, {"politiek": 10, "beleid": 10, "uitvoering": 10}
    )

    assert result.verdict == "apart"
    assert result.apart == ("politiek", "uitvoering")
    assert result.z == pytest.approx(1 / math.sqrt(0.05))


def test_apart_pair_is_named_in_the_fixed_order():
    """Uitvoering highest, beleid lowest: the pair reads "beleid en uitvoering"."""
    result = lens(
        {"politiek": 5, "beleid": 0, "uitvoering": 10}, {"politiek": 10, "beleid": 10, "uitvoering": 10}
    )

    assert result.as_dict()["apart"] == ["beleid", "uitvoering"]


def test_a_large_gap_that_is_not_significant_is_mixed():
    """3/4 against 1/4: gap 0.5 but z = 0.5 / √(0.5 × 0.5 × 0.5) = 1.414 < 1.6449."""
    result = lens(
        {"politiek": 3, "beleid": 2, "uitvoering": 1}, {"politiek": 4, "beleid": 4, "uitvoering": 4}
    )

    assert result.verdict == "mixed"
    assert result.z == pytest.approx(math.sqrt(2))


def test_a_significant_gap_below_two_tenths_is_mixed():
    """600, 550 and 450 of 1,000: z = 0.15 / √(0.525 × 0.475 × 0.002) = 6.7, but the gap is 0.15."""
    result = lens(
        {"politiek": 600, "beleid": 550, "uitvoering": 450},
        {"politiek": 1000, "beleid": 1000, "uitvoering": 1000},
    )

    assert result.z > Z90
    assert result.verdict == "mixed"


def test_ties_are_mixed_with_no_difference():
    result = lens(*each(2, 4))

    assert (result.verdict, result.z) == ("mixed", 0.0)


def test_no_votes_and_all_in_anders_are_too_few():
    """`anders` is never part of the lens: a poll answered only by anders cannot be judged."""
    assert lens({}, {}).verdict == "too_few"
    tally = PollTally(
        kind="scale",
        options=[{"id": 1, "label": "Eens", "value": 4}],
        voters={"anders": 5},
        chosen={1: {"anders": 5}},
    )

    assert tally.scale_lens().verdict == "too_few"
    assert tally.published(with_breakdown=True)["options"][0]["by_perspective"]["anders"] == 5


def test_one_perspective_only_is_too_few_for_the_others():
    result = lens({"beleid": 30}, {"beleid": 30})

    assert result.verdict == "too_few"
    assert result.too_few == ["politiek", "uitvoering"]


def test_counts_that_cannot_be_true_are_refused():
    with pytest.raises(ValueError):
        lens({"politiek": 3}, {"politiek": 2})


def test_published_shape_is_exact():
    """Shares and bounds are exact floats; a perspective without respondents shows 0 of 0.

    Beleid (1) and anders (2) are withheld; together they are 3, so politiek may be shown.
    """
    result = lens(
        {"politiek": 5, "beleid": 1, "uitvoering": 0},
        {"politiek": 6, "beleid": 1, "uitvoering": 0},
        hidden=withheld({"politiek": 6, "beleid": 1, "anders": 2}),
    )

    low, high = wilson(5, 6)
    assert result.as_dict() == {
        "verdict": "too_few",
        "apart": None,
        "min_group": 3,
        "perspectives": {
            "politiek": {"agree": 5, "total": 6, "share": 5 / 6, "low": low, "high": high},
            "beleid": {"suppressed": True},
            "uitvoering": {"agree": 0, "total": 0},
        },
    }


def test_minimum_follows_the_setting(settings):
    settings.LENS_MIN_GROUP = 5

    result = lens(*each(4, 4))

    assert result.verdict == "too_few"
    assert result.as_dict()["min_group"] == 5


# --- suppression -----------------------------------------------------------------


def test_lone_kamerlid_is_withheld_with_a_second_perspective():
    """Politiek 1, beleid 5, uitvoering 4: the total minus beleid and uitvoering would be the Kamerlid's
    vote, so the smallest shown perspective (uitvoering) is withheld too; the remainder is then 5."""
    hidden = withheld({"politiek": 1, "beleid": 5, "uitvoering": 4})

    assert hidden.perspectives == {"politiek", "uitvoering"}
    assert hidden.totals is False


def test_small_anders_group_is_covered_by_complementary_suppression():
    hidden = withheld({"politiek": 5, "beleid": 6, "uitvoering": 7, "anders": 1})

    assert hidden.perspectives == {"anders", "politiek"}


def test_three_lone_voters_cover_each_other():
    """1 + 1 + 1: each is withheld, the remainder is 3, so the totals may be shown."""
    assert withheld({"politiek": 1, "beleid": 1, "uitvoering": 1}) == withheld(
        {"uitvoering": 1, "beleid": 1, "politiek": 1}
    )
    assert withheld({"politiek": 1, "beleid": 1, "uitvoering": 1}).totals is False


def test_fewer_than_the_minimum_in_all_withholds_the_totals():
    hidden = withheld({"politiek": 1, "beleid": 1})

    assert hidden.perspectives == {"politiek", "beleid"}
    assert hidden.totals is True


def test_nothing_is_withheld_when_every_group_is_large_enough():
    assert withheld({"politiek": 3, "beleid": 3, "uitvoering": 3, "anders": 3}) == NOTHING_WITHHELD


def test_open_poll_publishes_only_totals():
    tally = PollTally(
        kind="single",
        options=[{"id": 1, "label": "Ja"}, {"id": 2, "label": "Nee"}],
        voters={"politiek": 3, "beleid": 3, "uitvoering": 3},
        chosen={1: {"politiek": 3, "beleid": 1}, 2: {"beleid": 2, "uitvoering": 3}},
    )

    published = tally.published(with_breakdown=False)

    assert [(o["count"], o["by_perspective"], o["lens"]) for o in published["options"]] == [
        (4, None, None),
        (5, None, None),
    ]
    assert (published["voters"], published["voters_by_perspective"], published["lens"]) == (9, None, None)


def test_two_voters_see_no_totals():
    tally = PollTally(
        kind="single",
        options=[{"id": 1, "label": "Ja"}],
        voters={"politiek": 2},
        chosen={1: {"politiek": 2}},
    )

    published = tally.published(with_breakdown=True)

    assert published["totals_withheld"] is True
    assert published["options"][0]["count"] is None
    assert published["options"][0]["by_perspective"]["politiek"] is None


def test_note_reactions_of_a_lone_reactor_are_withheld():
    published, found = note_tally({"agree": {"politiek": 1}})

    assert published["reactions"] == {"recognise": None, "agree": None, "disagree": None}
    assert published["reactions_by_perspective"]["agree"]["politiek"] is None
    assert found.verdict == "too_few"


def test_question_upvotes_of_a_lone_kamerlid_are_withheld():
    """One Kamerlid present among 5 beleid and 4 uitvoering: politiek and uitvoering are withheld."""
    published, _lens = question_tally(
        {"politiek": 1, "beleid": 2, "uitvoering": 1}, {"politiek": 1, "beleid": 5, "uitvoering": 4}
    )

    assert published["by_perspective"] == {"politiek": None, "beleid": 2, "uitvoering": None, "anders": 0}


# --- ranking ---------------------------------------------------------------------


def test_ranking_orders_consensus_by_smallest_low_bound_and_divergence_by_z():
    strong = ("strong", lens(*each(20, 20)))  # low 0.88
    weak = ("weak", lens(*each(3, 3)))  # low 0.53
    mild_split = ("mild", lens({"politiek": 8, "beleid": 4, "uitvoering": 2}, each(0, 8)[1]))
    big_split = ("big", lens({"politiek": 20, "beleid": 10, "uitvoering": 0}, each(0, 20)[1]))
    few = ("few", lens(*each(1, 1)))
    statements = [({"name": name}, found) for name, found in (weak, few, mild_split, strong, big_split)]

    ranked = rank(statements, 3)

    assert [s["name"] for s in ranked["consensual"]] == ["strong", "weak"]
    assert [s["name"] for s in ranked["divergent"]] == ["big", "mild"]
    assert [s["name"] for s in ranked["too_few"]] == ["few"]


# --- properties ------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=60)


@st.composite
def statements(draw):
    total = {p: draw(counts) for p in ("politiek", "beleid", "uitvoering")}
    agree = {p: draw(st.integers(min_value=0, max_value=n)) for p, n in total.items()}
    return agree, total


@settings(max_examples=300, deadline=None)
@given(statements())
def test_agree_is_never_said_when_a_share_is_at_most_one_half(statement):
    agree, total = statement

    result = lens(agree, total, minimum=3)

    if result.verdict == "agree":
        assert all(agree[p] / total[p] > 0.5 for p in total)
    if result.verdict == "disagree":
        assert all(agree[p] / total[p] < 0.5 for p in total)


@settings(max_examples=500, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["politiek", "beleid", "uitvoering", "anders"]), st.integers(0, 12), min_size=0
    ),
    st.integers(min_value=2, max_value=6),
)
def test_suppression_never_publishes_a_small_group_even_through_the_remainder(sizes, minimum):
    hidden = withheld(sizes, minimum)

    shown = [n for p, n in sizes.items() if p not in hidden.perspectives]
    remainder = sum(n for p, n in sizes.items() if p in hidden.perspectives)
    assert all(n == 0 or n >= minimum for n in shown)
    assert remainder == 0 or remainder >= minimum or (hidden.totals and not any(shown))


def test_no_votes_at_all_reads_as_no_votes_yet():
    from realtime.views.display import verdict_sentence

    assert verdict_sentence(lens({}, {}).as_dict()) == "Nog geen stemmen."
