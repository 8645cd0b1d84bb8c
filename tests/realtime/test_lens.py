import pytest

from realtime.lens import lens


def test_unanimous_agreement_gives_high_consensus_and_no_divergence():
    """All 4 in each perspective agree: s = 5/6 each, C = (5/6)^3, D = 1 - 1 = 0."""
    result = lens(
        {"politiek": 4, "beleid": 4, "uitvoering": 4}, {"politiek": 4, "beleid": 4, "uitvoering": 4}
    )

    assert result.consensus == pytest.approx(125 / 216)
    assert result.divergence == 0
    assert result.most_apart is None


def test_split_between_politics_and_execution():
    """Politiek 3/3 agree, beleid 1/2, uitvoering 0/4.

    s = 4/5, 2/4, 1/6 → C = 0.8 × 0.5 × 0.1667 = 1/15; r = 1, 0.5, 0 → D = 1.
    """
    result = lens(
        {"politiek": 3, "beleid": 1, "uitvoering": 0}, {"politiek": 3, "beleid": 2, "uitvoering": 4}
    )

    assert result.consensus == pytest.approx(1 / 15)
    assert result.divergence == 1
    assert result.most_apart == ("politiek", "uitvoering")


def test_empty_perspective_counts_as_undecided_and_is_left_out_of_divergence():
    """Beleid has no votes: s = 1/2 in the product; D only over politiek (2/2) and uitvoering (1/4).

    C = 3/4 × 1/2 × 2/6 = 1/8; D = 1 - 0.25 = 0.75.
    """
    result = lens({"politiek": 2, "uitvoering": 1}, {"politiek": 2, "uitvoering": 4})

    assert result.consensus == pytest.approx(1 / 8)
    assert result.divergence == pytest.approx(0.75)
    assert result.rates == {"politiek": 1.0, "beleid": None, "uitvoering": 0.25}


def test_one_responding_perspective_has_no_divergence():
    """With one perspective responding there is nothing to compare: D is None."""
    result = lens({"beleid": 3}, {"beleid": 5})

    assert result.divergence is None
    assert result.consensus == pytest.approx(0.5 * (4 / 7) * 0.5)


def test_no_votes_at_all():
    """No data: C = (1/2)^3 = 1/8, D is None."""
    result = lens({}, {})

    assert (result.consensus, result.divergence) == (pytest.approx(0.125), None)


def test_agree_above_total_is_refused():
    """Counts that cannot be true are an error, not a number."""
    with pytest.raises(ValueError):
        lens({"politiek": 3}, {"politiek": 2})


def test_as_dict_rounds_for_display():
    """The wire shape carries rates, consensus and divergence rounded to 4 places."""
    data = lens(
        {"politiek": 1, "beleid": 1, "uitvoering": 1}, {"politiek": 3, "beleid": 3, "uitvoering": 3}
    ).as_dict()

    assert data["consensus"] == pytest.approx(0.064)
    assert data["rates"] == {"politiek": 0.3333, "beleid": 0.3333, "uitvoering": 0.3333}
    assert data["divergence"] == 0
