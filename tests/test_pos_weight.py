"""Tests of the per-label weights of the positive term of the loss."""

import math

import numpy as np
import pytest

from sklearn_multilabel._pos_weight import compute_pos_weight

# Label 0: 1 positive, 3 negatives. Label 1: 2 and 2. Label 2: 3 and 1.
Y_SMALL = np.array(
    [
        [1, 1, 1],
        [0, 1, 1],
        [0, 0, 1],
        [0, 0, 0],
    ]
)


def _one_rare_and_one_common_label(n_samples=1000):
    """Build labels positive in 1 row and in all rows but one out of n_samples."""
    Y = np.ones((n_samples, 2), dtype=np.int64)
    Y[1:, 0] = 0
    Y[0, 1] = 0
    return Y


def test_balanced_is_negatives_over_positives():
    """Check that "balanced" gives n_negative / n_positive of each label."""
    weights = compute_pos_weight(Y_SMALL, "balanced")

    # 3 / 1, 2 / 2 and 1 / 3.
    np.testing.assert_allclose(weights, [3.0, 1.0, 1.0 / 3.0])
    assert weights.dtype == np.float64


def test_balanced_is_the_default():
    """Check that the default strategy is "balanced"."""
    np.testing.assert_allclose(compute_pos_weight(Y_SMALL), [3.0, 1.0, 1.0 / 3.0])


def test_sqrt_is_square_root_of_balanced():
    """Check that "sqrt" gives the square root of the balanced weight."""
    weights = compute_pos_weight(Y_SMALL, "sqrt")

    # sqrt(3), sqrt(1) and sqrt(1/3).
    np.testing.assert_allclose(weights, [math.sqrt(3.0), 1.0, math.sqrt(1.0 / 3.0)])


def test_none_gives_ones():
    """Check that None switches the weighting off: every weight is 1."""
    weights = compute_pos_weight(Y_SMALL, None)

    np.testing.assert_array_equal(weights, [1.0, 1.0, 1.0])
    assert weights.dtype == np.float64


@pytest.mark.parametrize("value", [2.5, 7, np.float32(0.5), 1000.0])
def test_positive_number_is_used_for_every_label(value):
    """Check that a positive number is the weight of every label, not capped."""
    weights = compute_pos_weight(Y_SMALL, value)

    np.testing.assert_allclose(weights, [float(value)] * 3)
    assert weights.dtype == np.float64


def test_array_is_used_as_given():
    """Check that an array of one weight per label is returned unchanged."""
    weights = compute_pos_weight(Y_SMALL, [0.001, 2.0, 500.0])

    # Explicit weights are not clipped to [1 / 100, 100].
    np.testing.assert_array_equal(weights, [0.001, 2.0, 500.0])
    assert weights.dtype == np.float64


def test_dict_keyed_by_label_name_fills_missing_with_one():
    """Check that a dict sets the labels it names and leaves the others at 1."""
    weights = compute_pos_weight(
        Y_SMALL, {"cat": 4.0, "fish": 0.5}, labels=["cat", "dog", "fish"]
    )

    np.testing.assert_array_equal(weights, [4.0, 1.0, 0.5])


def test_dict_without_labels_is_keyed_by_column_index():
    """Check that without label names a dict is read by column index."""
    weights = compute_pos_weight(Y_SMALL, {1: 3.0})

    np.testing.assert_array_equal(weights, [1.0, 3.0, 1.0])


def test_sample_weight_scales_the_counts():
    """Check that weighted counts give the balanced weight of the weighted rows."""
    sample_weight = np.array([2.0, 1.0, 1.0, 0.5])

    weights = compute_pos_weight(Y_SMALL, "balanced", sample_weight=sample_weight)

    # Total weight 4.5. Label 0: positives 2, negatives 2.5. Label 1:
    # positives 3, negatives 1.5. Label 2: positives 4, negatives 0.5.
    np.testing.assert_allclose(weights, [2.5 / 2.0, 1.5 / 3.0, 0.5 / 4.0])


@pytest.mark.parametrize("strategy", ["balanced", "sqrt"])
def test_row_of_weight_two_counts_as_a_duplicate(strategy):
    """Check that a row of weight 2 counts exactly as the same row twice."""
    rng = np.random.default_rng(0)
    Y = (rng.random((30, 4)) < 0.3).astype(np.int64)
    Y[0] = 1
    sample_weight = np.ones(30)
    sample_weight[[0, 5]] = 2.0

    weighted = compute_pos_weight(Y, strategy, sample_weight=sample_weight)
    duplicated = compute_pos_weight(np.vstack([Y, Y[[0, 5]]]), strategy)

    np.testing.assert_allclose(weighted, duplicated)


def test_zero_weighted_rows_are_not_counted():
    """Check that a row of weight zero counts as if it were removed."""
    sample_weight = np.array([0.0, 1.0, 1.0, 1.0])

    weights = compute_pos_weight(Y_SMALL, "balanced", sample_weight=sample_weight)

    # Label 0 loses its only positive and falls back to 1. Label 1: 1 positive
    # and 2 negatives. Label 2: 2 positives and 1 negative.
    np.testing.assert_allclose(weights, [1.0, 2.0, 0.5])


def test_default_cap_limits_a_rare_label_to_100():
    """Check that one positive in 1000 rows gets 100 rather than 999."""
    Y = _one_rare_and_one_common_label()

    weights = compute_pos_weight(Y, "balanced")

    assert weights[0] == 100.0


def test_default_cap_floors_a_common_label_at_one_hundredth():
    """Check that a label positive in 999 of 1000 rows is floored at 1/100."""
    Y = _one_rare_and_one_common_label()

    weights = compute_pos_weight(Y, "balanced")

    # 1 / 999 lies below the floor 1 / max_pos_weight = 0.01.
    assert weights[1] == pytest.approx(0.01)


def test_label_positive_in_every_row_is_floored():
    """Check that a label without any negative is floored, not weighted 0."""
    Y = np.array([[1, 0], [1, 1], [1, 0]])

    weights = compute_pos_weight(Y, "balanced", max_pos_weight=10.0)

    # Label 0: 0 / 3 = 0, floored at 1/10. Label 1: 2 / 1 = 2.
    np.testing.assert_allclose(weights, [0.1, 2.0])


def test_larger_cap_keeps_the_raw_weights():
    """Check that a cap above the ratios leaves 999 and 1/999 unclipped."""
    Y = _one_rare_and_one_common_label()

    weights = compute_pos_weight(Y, "balanced", max_pos_weight=1000.0)

    np.testing.assert_allclose(weights, [999.0, 1.0 / 999.0])


def test_smaller_cap_clips_both_ways():
    """Check that max_pos_weight=2 clips the balanced weights into [0.5, 2]."""
    weights = compute_pos_weight(Y_SMALL, "balanced", max_pos_weight=2.0)

    # 3 becomes 2, 1 stays, 1/3 becomes 1/2.
    np.testing.assert_allclose(weights, [2.0, 1.0, 0.5])


def test_sqrt_is_clipped_after_the_square_root():
    """Check that "sqrt" clips the square roots, not the balanced weights."""
    Y = _one_rare_and_one_common_label()

    default_cap = compute_pos_weight(Y, "sqrt")
    small_cap = compute_pos_weight(Y, "sqrt", max_pos_weight=10.0)

    # sqrt(999) is about 31.6 and sqrt(1/999) about 0.0316: inside [0.01, 100],
    # outside [0.1, 10].
    np.testing.assert_allclose(default_cap, [math.sqrt(999.0), math.sqrt(1 / 999)])
    np.testing.assert_allclose(small_cap, [10.0, 0.1])


@pytest.mark.parametrize("strategy", ["balanced", "sqrt"])
def test_label_without_positive_gets_one(strategy):
    """Check that a label with no positive row gets the neutral weight 1."""
    Y = np.array([[1, 0], [0, 0], [0, 0], [0, 0]])

    weights = compute_pos_weight(Y, strategy)

    assert weights[1] == 1.0


@pytest.mark.parametrize(
    "pos_weight, match",
    [
        (0, "pos_weight must hold positive finite numbers"),
        (0.0, "pos_weight must hold positive finite numbers"),
        (-2.0, "pos_weight must hold positive finite numbers"),
        (float("nan"), "pos_weight must hold positive finite numbers"),
        (float("inf"), "pos_weight must hold positive finite numbers"),
        ([1.0, 0.0, 2.0], "pos_weight must hold positive finite numbers"),
        ([1.0, float("nan"), 2.0], "pos_weight must hold positive finite numbers"),
        ([1.0, 2.0], r"pos_weight as an array must hold one weight per label \(3\)"),
        ([[1.0, 2.0, 3.0]], "pos_weight as an array must hold one weight per label"),
        ({5: 2.0}, "pos_weight names labels that y does not have"),
        ({"a": 2.0}, "pos_weight names labels that y does not have"),
        ({0: -1.0}, "pos_weight must hold positive finite numbers"),
        ("unknown", "pos_weight must be 'balanced', 'sqrt', None"),
        ("Balanced", "pos_weight must be 'balanced', 'sqrt', None"),
    ],
)
def test_bad_pos_weight_raises(pos_weight, match):
    """Check that an invalid pos_weight raises a ValueError that names it."""
    with pytest.raises(ValueError, match=match):
        compute_pos_weight(Y_SMALL, pos_weight)


def test_unknown_dict_key_is_reported_with_label_names():
    """Check that a dict key missing from the label names is listed in the error."""
    with pytest.raises(ValueError, match=r"\['bird'\].*\['cat', 'dog', 'fish'\]"):
        compute_pos_weight(Y_SMALL, {"bird": 2.0}, labels=["cat", "dog", "fish"])
