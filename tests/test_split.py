"""Tests of the multi-label stratified hold-out and k-fold assignment."""

import numpy as np
import pytest

from sklearn_multilabel._split import stratified_folds, stratified_holdout

PREVALENCES = np.array([0.002, 0.01, 0.03, 0.1, 0.3, 0.6])


def _random_labels(seed, n_samples, prevalences=PREVALENCES):
    """Draw independent labels, each positive with its own probability."""
    rng = np.random.default_rng(seed)
    return (rng.random((n_samples, prevalences.size)) < prevalences).astype(np.int64)


def _fold_spread(folds, Y, n_splits):
    """Return, for each label, the largest minus the smallest per-fold count."""
    counts = np.array(
        [
            np.bincount(folds[Y[:, j] == 1], minlength=n_splits)
            for j in range(Y.shape[1])
        ]
    )
    return counts.max(axis=1) - counts.min(axis=1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_holdout_parts_are_sorted_disjoint_and_cover_all_rows(seed):
    """Check that the two parts are sorted, disjoint and hold every row once."""
    Y = _random_labels(seed, 300)

    train, tune = stratified_holdout(Y, 0.25, np.random.default_rng(seed))

    assert np.all(np.diff(train) > 0)
    assert np.all(np.diff(tune) > 0)
    assert np.intersect1d(train, tune).size == 0
    np.testing.assert_array_equal(np.sort(np.r_[train, tune]), np.arange(300))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_holdout_share_is_close_to_fraction(seed):
    """Check that the tuning share is within 2 points of fraction, overall too."""
    Y = _random_labels(seed, 5000)

    _, tune = stratified_holdout(Y, 0.2, np.random.default_rng(seed + 100))

    assert abs(tune.size / 5000 - 0.2) <= 0.02

    # Every label with at least 50 positives keeps its share in the tuning part.
    positives = Y.sum(axis=0)
    for j in np.flatnonzero(positives >= 50):
        share = Y[tune, j].sum() / positives[j]
        assert abs(share - 0.2) <= 0.02, (j, positives[j], share)


@pytest.mark.parametrize("seed", range(5))
def test_holdout_gives_a_rare_label_its_share(seed):
    """Check that a label with 10 positives puts about 0.2 * 10 in the tuning part."""
    rng = np.random.default_rng(seed)
    Y = (rng.random((500, 3)) < [0.0, 0.1, 0.4]).astype(np.int64)
    Y[rng.choice(500, size=10, replace=False), 0] = 1

    _, tune = stratified_holdout(Y, 0.2, np.random.default_rng(seed))

    assert 1 <= Y[tune, 0].sum() <= 4


@pytest.mark.parametrize("fraction", [0.01, 0.2, 0.5, 0.99])
@pytest.mark.parametrize("Y", [[[1, 0], [0, 1]], [[1, 1], [1, 1]], [[0, 0], [0, 0]]])
def test_holdout_parts_are_non_empty_for_two_rows(fraction, Y):
    """Check that two rows always give one training and one tuning row."""
    for seed in range(10):
        train, tune = stratified_holdout(
            np.array(Y), fraction, np.random.default_rng(seed)
        )

        assert train.size == 1
        assert tune.size == 1
        assert {train[0], tune[0]} == {0, 1}


def test_holdout_same_seed_gives_same_split():
    """Check that two generators with one seed give the same hold-out."""
    Y = _random_labels(0, 400)

    first = stratified_holdout(Y, 0.3, np.random.default_rng(7))
    second = stratified_holdout(Y, 0.3, np.random.default_rng(7))
    other = stratified_holdout(Y, 0.3, np.random.default_rng(8))

    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[1], other[1])


def test_holdout_accepts_rows_without_positive():
    """Check that rows and labels without any positive are split too."""
    Y = _random_labels(3, 200, np.array([0.0, 0.05, 0.2]))
    Y[:50] = 0

    train, tune = stratified_holdout(Y, 0.2, np.random.default_rng(0))

    np.testing.assert_array_equal(np.sort(np.r_[train, tune]), np.arange(200))

    # 50 + the other empty rows form one group, split in proportion.
    empty = np.flatnonzero(Y.sum(axis=1) == 0)
    assert abs(np.isin(empty, tune).mean() - 0.2) <= 0.05


def test_holdout_accepts_all_zero_labels():
    """Check that a label matrix without any positive still gives both parts."""
    Y = np.zeros((100, 3), dtype=np.int64)

    train, tune = stratified_holdout(Y, 0.2, np.random.default_rng(0))

    assert train.size + tune.size == 100
    assert 15 <= tune.size <= 25


@pytest.mark.parametrize("n_samples, n_splits", [(103, 5), (40, 4), (7, 7), (10, 3)])
def test_folds_use_every_fold_with_balanced_sizes(n_samples, n_splits):
    """Check that every fold is used and fold sizes differ by at most one."""
    Y = _random_labels(0, n_samples, np.array([0.1, 0.3, 0.5]))

    folds = stratified_folds(Y, n_splits, np.random.default_rng(0))
    sizes = np.bincount(folds, minlength=n_splits)

    assert folds.shape == (n_samples,)
    assert folds.min() == 0
    assert folds.max() == n_splits - 1
    assert np.all(sizes > 0)
    assert sizes.max() - sizes.min() <= 1


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_folds_spread_disjoint_labels_evenly(seed):
    """Check that with one label a row each, every label is dealt within one."""
    rng = np.random.default_rng(seed)
    classes = rng.choice(6, size=600, p=[0.02, 0.08, 0.15, 0.2, 0.25, 0.3])
    Y = np.eye(6, dtype=np.int64)[classes][:, :5]

    folds = stratified_folds(Y, 5, np.random.default_rng(seed))

    assert np.all(_fold_spread(folds, Y, 5) <= 1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_folds_spread_nested_labels_evenly(seed):
    """Check that when each label implies the next, every label is within one."""
    rng = np.random.default_rng(seed)
    level = rng.choice(5, size=500)

    # Row i is positive for labels level[i], ..., 4: label 0 is the rarest.
    Y = (np.arange(5)[np.newaxis, :] >= level[:, np.newaxis]).astype(np.int64)
    folds = stratified_folds(Y, 4, np.random.default_rng(seed))

    assert np.all(_fold_spread(folds, Y, 4) <= 1)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_folds_spread_rare_overlapping_labels_evenly(seed):
    """Check that with overlapping labels the rarest two are dealt within two."""
    Y = _random_labels(seed, 600, np.array([0.02, 0.05, 0.1, 0.3, 0.5]))

    folds = stratified_folds(Y, 5, np.random.default_rng(seed))
    spread = _fold_spread(folds, Y, 5)

    assert spread[0] <= 1
    assert spread[1] <= 2


def test_folds_same_seed_gives_same_assignment():
    """Check that two generators with one seed give the same folds."""
    Y = _random_labels(0, 200)

    first = stratified_folds(Y, 4, np.random.default_rng(3))
    second = stratified_folds(Y, 4, np.random.default_rng(3))
    other = stratified_folds(Y, 4, np.random.default_rng(4))

    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, other)


def test_folds_accept_rows_without_positive():
    """Check that rows without positives are dealt evenly across the folds."""
    Y = _random_labels(1, 150, np.array([0.0, 0.05, 0.2]))
    Y[:60] = 0

    folds = stratified_folds(Y, 3, np.random.default_rng(0))
    sizes = np.bincount(folds, minlength=3)
    empty = Y.sum(axis=1) == 0

    assert sizes.max() - sizes.min() <= 1
    empty_sizes = np.bincount(folds[empty], minlength=3)
    assert empty_sizes.max() - empty_sizes.min() <= 1


def test_folds_accept_all_zero_labels():
    """Check that a label matrix without any positive gives balanced folds."""
    Y = np.zeros((11, 2), dtype=np.int64)

    folds = stratified_folds(Y, 3, np.random.default_rng(0))

    np.testing.assert_array_equal(np.sort(np.bincount(folds)), [3, 4, 4])
