"""Tests of the exact per-label decision-threshold search."""

import warnings

import numpy as np
import pytest
from scipy import sparse
from sklearn.metrics import (
    balanced_accuracy_score,
    fbeta_score,
    precision_score,
    recall_score,
)

from sklearn_multilabel._thresholds import (
    _MAX_TOP_FRACTION,
    _SAMPLE_ROWS,
    MAX_CALLABLE_CUTS,
    ThresholdScoring,
    _check_inputs,
    _fbeta_top_sizes,
    _search,
    _search_all_rows,
    _search_top_rows,
    _select_top_rows,
    check_threshold_scoring,
    resampled_thresholds,
    tune_thresholds,
)


def _make_problem(seed, n_samples=30, n_labels=3, weighted=False):
    """Draw a small problem with tied scores and at least two positives a label."""
    rng = np.random.default_rng(seed)
    y = (rng.random((n_samples, n_labels)) < 0.35).astype(np.int64)
    y[:2] = 1
    scores = rng.normal(size=(n_samples, n_labels)) + y

    # Coarse rounding of the first label creates many ties.
    scores[:, 0] = np.round(scores[:, 0] * 2) / 2
    sample_weight = rng.uniform(0.1, 3.0, size=n_samples) if weighted else None
    return y, scores, sample_weight


def _all_thresholds(scores):
    """Return every distinct score of a label together with -inf and +inf."""
    return np.concatenate(([-np.inf], np.unique(scores), [np.inf]))


def _predictions_at_all_thresholds(y, scores):
    """Stack the predictions of one label at every threshold as a multi-label task.

    Column ``i`` of both returned matrices stands for the ``i``-th threshold, so
    one scikit-learn call with ``average=None`` scores all of them.
    """
    thresholds = _all_thresholds(scores)
    y_true = np.repeat(y[:, np.newaxis], thresholds.size, axis=1)
    return y_true, scores[:, np.newaxis] >= thresholds


def _fbeta(y, y_pred, beta, sample_weight, average="binary"):
    """Compute the F-beta score with scikit-learn as an independent reference."""
    return fbeta_score(
        y,
        y_pred,
        beta=beta,
        average=average,
        sample_weight=sample_weight,
        zero_division=0,
    )


def _precision_recall(y, y_pred, sample_weight, average="binary"):
    """Compute precision and recall with scikit-learn as a reference."""
    kwargs = {"average": average, "sample_weight": sample_weight, "zero_division": 0}
    return precision_score(y, y_pred, **kwargs), recall_score(y, y_pred, **kwargs)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("scoring, beta", [("f1", 1.0), ("f2", 2.0), ("f0.5", 0.5)])
def test_fbeta_threshold_reaches_brute_force_optimum(seed, weighted, scoring, beta):
    """Check that the F-beta threshold reaches the best value over all thresholds."""
    y, scores, sample_weight = _make_problem(seed, weighted=weighted)

    thresholds, tuned = tune_thresholds(
        y, scores, scoring, sample_weight=sample_weight, min_positives=1
    )

    assert tuned.all()
    for j in range(y.shape[1]):
        y_table, pred_table = _predictions_at_all_thresholds(y[:, j], scores[:, j])
        best = _fbeta(y_table, pred_table, beta, sample_weight, average=None).max()
        reached = _fbeta(y[:, j], scores[:, j] >= thresholds[j], beta, sample_weight)
        assert reached == pytest.approx(best, rel=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("weighted", [False, True])
def test_precision_at_recall_reaches_brute_force_optimum(seed, weighted):
    """Check that precision_at_recall reaches the best feasible precision."""
    y, scores, sample_weight = _make_problem(seed, weighted=weighted)

    thresholds, _ = tune_thresholds(
        y,
        scores,
        "precision_at_recall=0.5",
        sample_weight=sample_weight,
        min_positives=1,
    )

    for j in range(y.shape[1]):
        y_table, pred_table = _predictions_at_all_thresholds(y[:, j], scores[:, j])
        precisions, recalls = _precision_recall(
            y_table, pred_table, sample_weight, average=None
        )
        best = precisions[recalls >= 0.5].max()
        precision, recall = _precision_recall(
            y[:, j], scores[:, j] >= thresholds[j], sample_weight
        )
        assert recall >= 0.5
        assert precision == pytest.approx(best, rel=1e-12)


def test_tied_scores_move_together():
    """Check that tied scores fall on the same side of the threshold."""
    # Splitting the three tied rows would give F1 = 1; keeping them together,
    # the best cuts are the top row alone or the top four rows.
    y = np.array([[1], [1], [0], [0], [0]])
    scores = np.array([[3.0], [2.0], [2.0], [2.0], [0.0]])

    thresholds, _ = tune_thresholds(y, scores, "f1", min_positives=1)

    predicted = scores[:, 0] >= thresholds[0]
    assert predicted[1:4].all() or not predicted[1:4].any()
    assert thresholds[0] == 2.5


def test_equal_values_prefer_the_highest_threshold():
    """Check that among equally good cuts the one predicting fewest rows wins."""
    # Predicting the top row or the top four rows both give F1 = 2 / 3.
    y = np.array([[1], [0], [0], [1], [0]])
    scores = np.array([[5.0], [4.0], [3.0], [2.0], [1.0]])

    thresholds, _ = tune_thresholds(y, scores, "f1", min_positives=1)

    assert thresholds[0] == 4.5


@pytest.mark.parametrize(
    "low, high",
    [
        (1.0, np.nextafter(1.0, np.inf)),
        (0.0, 5e-324),
        (-1e308, 1e308),
        (-2.0, -1.0),
    ],
)
def test_threshold_separates_the_chosen_cut(low, high):
    """Check that the threshold is above the lower score and at most the higher."""
    y = np.array([[1], [1], [0], [0]])
    scores = np.array([[high], [high], [low], [low]])

    thresholds, _ = tune_thresholds(y, scores, "f1", min_positives=1)

    assert low < thresholds[0] <= high
    np.testing.assert_array_equal(scores[:, 0] >= thresholds[0], y[:, 0] == 1)


def test_no_signal_label_predicts_every_row_for_f1():
    """Check that a label with constant scores predicts every row for F1."""
    rng = np.random.default_rng(0)
    y = (rng.random((50, 2)) < 0.2).astype(int)
    y[:5] = 1
    scores = np.full((50, 2), 0.3)

    thresholds, tuned = tune_thresholds(y, scores, "f1")

    assert tuned.all()
    np.testing.assert_array_equal(thresholds, [-np.inf, -np.inf])


def test_separable_label_gets_threshold_between_groups():
    """Check that a separable label gets a threshold between its groups and F1 = 1."""
    rng = np.random.default_rng(0)
    y = np.zeros((40, 1), dtype=int)
    y[:10] = 1
    scores = np.where(y == 1, rng.uniform(2, 3, (40, 1)), rng.uniform(-1, 0, (40, 1)))

    thresholds, _ = tune_thresholds(y, scores, "f1")

    assert scores[y == 0].max() < thresholds[0] < scores[y == 1].min()
    assert _fbeta(y[:, 0], scores[:, 0] >= thresholds[0], 1.0, None) == 1.0


@pytest.mark.parametrize("weighted", [False, True])
def test_rare_label_gets_pooled_threshold(weighted):
    """Check that a label below min_positives gets the threshold of pooled labels."""
    rng = np.random.default_rng(3)
    y = (rng.random((60, 3)) < 0.3).astype(int)
    y[:, 2] = 0
    y[:2, 2] = 1
    scores = rng.normal(size=(60, 3)) + 1.5 * y
    sample_weight = rng.uniform(0.5, 2.0, 60) if weighted else None

    thresholds, tuned = tune_thresholds(
        y, scores, "f1", sample_weight=sample_weight, min_positives=5
    )

    # The reference pools the labels row by row, an order of its own.
    pooled_weight = None if sample_weight is None else np.repeat(sample_weight, 3)
    pooled, _ = tune_thresholds(
        y.reshape(-1, 1),
        scores.reshape(-1, 1),
        "f1",
        sample_weight=pooled_weight,
        min_positives=0,
    )
    np.testing.assert_array_equal(tuned, [True, True, False])
    assert thresholds[2] == pooled[0]


def test_labels_without_positives_fall_back():
    """Check that labels with no positive are never tuned, even at min_positives=0."""
    y = np.array([[1, 0], [0, 0], [1, 0], [0, 0]])
    scores = np.array([[2.0, 1.0], [0.0, 3.0], [2.0, 0.0], [-1.0, 0.0]])

    thresholds, tuned = tune_thresholds(y, scores, "f1", min_positives=0)

    np.testing.assert_array_equal(tuned, [True, False])
    # Pooled, the best cut keeps the two rows scored 2.0 and the one at 3.0.
    assert thresholds[0] == 1.0
    assert thresholds[1] == 1.5


def test_fallback_is_zero_without_any_positive():
    """Check that the fallback threshold is 0.0 when no label has a positive."""
    y = np.zeros((6, 2), dtype=bool)
    scores = np.arange(12, dtype=float).reshape(6, 2)

    thresholds, tuned = tune_thresholds(y, scores)

    np.testing.assert_array_equal(thresholds, [0.0, 0.0])
    np.testing.assert_array_equal(tuned, [False, False])


@pytest.mark.parametrize("min_recall", [0.3, 0.8, 1.0])
def test_precision_at_recall_meets_the_recall(min_recall):
    """Check that the recall on the tuning rows is at least the requested one."""
    y, scores, sample_weight = _make_problem(4, n_samples=80, weighted=True)

    thresholds, _ = tune_thresholds(
        y, scores, f"precision_at_recall={min_recall}", sample_weight=sample_weight
    )

    for j in range(y.shape[1]):
        _, recall = _precision_recall(
            y[:, j], scores[:, j] >= thresholds[j], sample_weight
        )
        assert recall >= min_recall


def test_callable_metric_reaches_brute_force_optimum():
    """Check that a callable metric reaches its best value over all thresholds."""
    y, scores, _ = _make_problem(5)

    thresholds, _ = tune_thresholds(y, scores, balanced_accuracy_score, min_positives=1)

    for j in range(y.shape[1]):
        best = max(
            balanced_accuracy_score(y[:, j], scores[:, j] >= t)
            for t in _all_thresholds(scores[:, j])
        )
        reached = balanced_accuracy_score(y[:, j], scores[:, j] >= thresholds[j])
        assert reached == pytest.approx(best, rel=1e-12)


def test_callable_metric_receives_sample_weight():
    """Check that a metric taking sample_weight gets the weights, others do not."""
    y, scores, sample_weight = _make_problem(6, weighted=True)
    received = []

    def weighted_metric(y_true, y_pred, sample_weight=None):
        received.append(sample_weight)
        return balanced_accuracy_score(y_true, y_pred, sample_weight=sample_weight)

    def plain_metric(y_true, y_pred):
        return balanced_accuracy_score(y_true, y_pred)

    thresholds, _ = tune_thresholds(
        y, scores, weighted_metric, sample_weight=sample_weight, min_positives=1
    )
    tune_thresholds(
        y, scores, plain_metric, sample_weight=sample_weight, min_positives=1
    )

    assert all(np.array_equal(w, sample_weight) for w in received)
    for j in range(y.shape[1]):
        best = max(
            balanced_accuracy_score(
                y[:, j], scores[:, j] >= t, sample_weight=sample_weight
            )
            for t in _all_thresholds(scores[:, j])
        )
        reached = balanced_accuracy_score(
            y[:, j], scores[:, j] >= thresholds[j], sample_weight=sample_weight
        )
        assert reached == pytest.approx(best, rel=1e-12)


def test_callable_metric_is_evaluated_at_a_limited_number_of_cuts():
    """Check that a callable metric sees at most 1000 cuts, including both ends."""
    rng = np.random.default_rng(7)
    n_samples = 3 * MAX_CALLABLE_CUTS
    y = (rng.random((n_samples, 1)) < 0.5).astype(int)
    scores = rng.normal(size=(n_samples, 1))
    predicted_counts = []

    def counting_metric(y_true, y_pred):
        predicted_counts.append(int(y_pred.sum()))
        return float(np.mean(y_true == y_pred))

    tune_thresholds(y, scores, counting_metric)

    assert len(predicted_counts) == MAX_CALLABLE_CUTS
    assert 0 in predicted_counts
    assert n_samples in predicted_counts


@pytest.mark.parametrize(
    "value, spec",
    [
        ("f1", ThresholdScoring(kind="fbeta", beta=1.0)),
        ("f2", ThresholdScoring(kind="fbeta", beta=2.0)),
        ("f0.5", ThresholdScoring(kind="fbeta", beta=0.5)),
        ("f1.5", ThresholdScoring(kind="fbeta", beta=1.5)),
        (
            "precision_at_recall=1",
            ThresholdScoring(kind="precision_at_recall", min_recall=1.0),
        ),
        (
            "precision_at_recall=0.25",
            ThresholdScoring(kind="precision_at_recall", min_recall=0.25),
        ),
    ],
)
def test_check_threshold_scoring_normalises_strings(value, spec):
    """Check that accepted strings are turned into their normalised form."""
    assert check_threshold_scoring(value) == spec
    assert check_threshold_scoring(spec) is spec


def test_check_threshold_scoring_accepts_callables():
    """Check that a callable is accepted and its sample_weight keyword detected."""

    def plain(y_true, y_pred):
        return 0.0

    with_weight = check_threshold_scoring(balanced_accuracy_score)
    without_weight = check_threshold_scoring(plain)

    assert with_weight.kind == "callable"
    assert with_weight.metric is balanced_accuracy_score
    assert with_weight.accepts_sample_weight
    assert not without_weight.accepts_sample_weight


@pytest.mark.parametrize(
    "value, error",
    [
        ("f0", ValueError),
        ("f-1", ValueError),
        ("fabc", ValueError),
        ("f1e999", ValueError),
        ("precision_at_recall=0", ValueError),
        ("precision_at_recall=1.5", ValueError),
        ("accuracy", ValueError),
        (3, TypeError),
        (None, TypeError),
    ],
)
def test_check_threshold_scoring_rejects_bad_values(value, error):
    """Check that a bad threshold_scoring raises an error naming the parameter."""
    with pytest.raises(error, match="threshold_scoring") as info:
        check_threshold_scoring(value)

    assert repr(value) in str(info.value)
    with pytest.raises(error, match="threshold_scoring"):
        tune_thresholds(np.ones((3, 1)), np.zeros((3, 1)), value)


@pytest.mark.parametrize(
    "y, scores, kwargs, match",
    [
        (np.ones(4), np.zeros(4), {}, "2-D"),
        (np.ones((4, 2)), np.zeros((4, 3)), {}, "same shape"),
        (np.ones((0, 2)), np.zeros((0, 2)), {}, "At least one row"),
        (np.full((4, 2), 2), np.zeros((4, 2)), {}, "only 0 and 1"),
        (np.ones((4, 2)), np.full((4, 2), np.nan), {}, "finite"),
        (np.ones((4, 2)), np.full((4, 2), np.inf), {}, "finite"),
        (np.ones((4, 2)), np.zeros((4, 2)), {"sample_weight": np.ones(3)}, r"\(4,\)"),
        (
            np.ones((4, 2)),
            np.zeros((4, 2)),
            {"sample_weight": [1.0, -1.0, 1.0, 1.0]},
            "non-negative",
        ),
        (
            np.ones((4, 2)),
            np.zeros((4, 2)),
            {"sample_weight": [1.0, np.nan, 1.0, 1.0]},
            "non-negative",
        ),
        (np.ones((4, 2)), np.zeros((4, 2)), {"min_positives": -1}, "min_positives"),
    ],
)
def test_tune_thresholds_rejects_bad_inputs(y, scores, kwargs, match):
    """Check that bad shapes, values and weights raise a clear ValueError."""
    with pytest.raises(ValueError, match=match):
        tune_thresholds(y, scores, **kwargs)


@pytest.mark.parametrize(
    "scoring", ["f1", "precision_at_recall=0.5", balanced_accuracy_score]
)
@pytest.mark.parametrize("order", ["C", "F"])
def test_inputs_are_not_modified(scoring, order):
    """Check that the input arrays are left unchanged."""
    y, scores, sample_weight = _make_problem(8, weighted=True)
    y = np.asarray(y, dtype=np.float64, order=order)
    scores = np.asarray(scores, order=order)
    y_copy, scores_copy, weight_copy = y.copy(), scores.copy(), sample_weight.copy()

    tune_thresholds(y, scores, scoring, sample_weight=sample_weight)

    np.testing.assert_array_equal(y, y_copy)
    np.testing.assert_array_equal(scores, scores_copy)
    np.testing.assert_array_equal(sample_weight, weight_copy)


def test_label_dtypes_give_the_same_thresholds():
    """Check that bool, int, float and sparse labels give the same result."""
    y, scores, _ = _make_problem(9)

    results = [
        tune_thresholds(labels, scores, "f1", min_positives=1)
        for labels in (y, y.astype(bool), y.astype(np.float32), sparse.csr_array(y))
    ]

    for thresholds, tuned in results:
        assert thresholds.dtype == np.float64
        assert thresholds.shape == (y.shape[1],)
        assert tuned.dtype == bool
        np.testing.assert_array_equal(thresholds, results[0][0])
        np.testing.assert_array_equal(tuned, results[0][1])


def test_score_at_thresholds_matches_scikit_learn():
    from sklearn.metrics import fbeta_score, precision_score, recall_score

    from sklearn_multilabel._thresholds import score_at_thresholds

    rng = np.random.default_rng(3)
    y = (rng.random((300, 4)) < 0.2).astype(int)
    y[:, 3] = 0  # no positive: left out of the mean
    scores = rng.normal(size=(300, 4)) + 1.5 * y
    w = rng.uniform(0.5, 2.0, size=300)
    cuts = np.array([0.3, -0.2, 1.0, 0.0])
    pred = (scores >= cuts).astype(int)

    for beta in (1.0, 2.0, 0.5):
        expected = np.mean(
            [
                fbeta_score(y[:, j], pred[:, j], beta=beta, sample_weight=w)
                for j in range(3)
            ]
        )
        got = score_at_thresholds(y, scores, cuts, f"f{beta}", sample_weight=w)
        assert got == pytest.approx(expected)

    recall = [recall_score(y[:, j], pred[:, j]) for j in range(3)]
    precision = [precision_score(y[:, j], pred[:, j]) for j in range(3)]
    pairs = zip(precision, recall, strict=True)
    expected = np.mean([p if r >= 0.6 else 0.0 for p, r in pairs])
    got = score_at_thresholds(y, scores, cuts, "precision_at_recall=0.6")
    assert got == pytest.approx(expected)

    def accuracy(y_true, y_pred):
        return float(np.mean(y_true == y_pred))

    expected = np.mean([accuracy(y[:, j], pred[:, j]) for j in range(3)])
    assert score_at_thresholds(y, scores, cuts, accuracy) == pytest.approx(expected)
    assert score_at_thresholds(np.zeros((5, 2)), np.zeros((5, 2)), [0, 0]) == 0.0


# Positive rates and signal strengths of the labels of a pruning problem: rare to
# common labels, scores that carry no signal, weak signal and near separation.
_PRUNING_RATES = (0.001, 0.003, 0.01, 0.05, 0.1, 0.2, 0.5, 0.5, 0.02, 0.3, 0.2, 0.05)
_PRUNING_SIGNALS = (3.0, 2.0, 1.5, 1.0, 0.0, 1.0, 0.5, 0.0, 0.0, 2.5, 3.0, 2.5)


def _pruning_problem(seed, n_samples, ties):
    """Draw labels of many positive rates and signals, with optional tied scores.

    Returns the labels and scores in the labels x rows layout of the search, the
    labels as booleans and the scores as float64.
    """
    rng = np.random.default_rng(seed)
    rates = np.array(_PRUNING_RATES)
    y = rng.random((n_samples, rates.size)) < rates
    y[rng.integers(n_samples, size=rates.size), np.arange(rates.size)] = True
    scores = np.array(_PRUNING_SIGNALS) * y + rng.normal(size=y.shape)

    if ties == "decimal":
        scores = np.round(scores, 1)
    elif ties == "integer":
        scores = np.round(2 * scores)
    y, s, _ = _check_inputs(y, scores, None)
    return y, s


@pytest.mark.parametrize("beta", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("ties", ["none", "decimal", "integer"])
@pytest.mark.parametrize("n_samples", [300, 3000, 3 * _SAMPLE_ROWS])
def test_pruned_search_matches_full_search(beta, ties, n_samples):
    """Check that sorting only the top rows gives exactly the full-sort thresholds."""
    spec = ThresholdScoring(kind="fbeta", beta=beta)
    pruned_labels = 0
    for seed in range(3):
        y, s = _pruning_problem(seed, n_samples, ties)

        full = _search(y, s, None, spec, prune=False)
        sizes = _fbeta_top_sizes(y, s, beta)
        partial = sizes <= _MAX_TOP_FRACTION * n_samples

        np.testing.assert_array_equal(_search(y, s, None, spec), full)
        np.testing.assert_array_equal(
            _search_top_rows(y[partial], s[partial], sizes[partial], spec),
            full[partial],
        )

        # The best cut predicts fewer rows than the bound keeps, unless the
        # label has no bound below the number of rows.
        chosen = np.count_nonzero(s >= full[:, np.newaxis], axis=1)
        assert np.all((chosen < sizes) | (sizes == n_samples))
        pruned_labels += np.count_nonzero(partial)

    # Both searches are taken, the partial one by 4 labels in 12 at least.
    assert 3 * 4 <= pruned_labels < 3 * y.shape[0]


def test_labels_predicting_every_row_keep_the_full_search():
    """Check that labels best predicting every row are sorted in full, exactly."""
    rng = np.random.default_rng(11)
    y = np.zeros((2000, 3), dtype=bool)
    y[:, 0] = rng.random(2000) < 0.6
    y[:, 1] = rng.random(2000) < 0.02
    y[:, 2] = rng.random(2000) < 0.5
    scores = rng.normal(size=y.shape) + 3 * y
    scores[:, 0] = rng.normal(size=2000)
    scores[:, 2] = 1.0
    y, s, _ = _check_inputs(y, scores, None)
    spec = ThresholdScoring(kind="fbeta", beta=1.0)

    thresholds = _search(y, s, None, spec)

    sizes = _fbeta_top_sizes(y, s, 1.0)
    assert sizes[0] > _MAX_TOP_FRACTION * 2000
    assert sizes[1] < _MAX_TOP_FRACTION * 2000
    assert sizes[2] == 2000
    np.testing.assert_array_equal(thresholds[[0, 2]], [-np.inf, -np.inf])
    np.testing.assert_array_equal(thresholds, _search(y, s, None, spec, prune=False))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("scoring, beta", [("f1", 1.0), ("f2", 2.0), ("f0.5", 0.5)])
def test_pruned_search_reaches_brute_force_optimum(seed, scoring, beta):
    """Check the partial search against every threshold scored by scikit-learn."""
    rng = np.random.default_rng(seed)
    y = (rng.random((300, 4)) < [0.04, 0.08, 0.1, 0.06]).astype(np.int64)
    y[:2] = 1
    scores = rng.normal(size=y.shape) + [2.5, 3.0, 3.5, 3.0] * y
    scores[:, 1] = np.round(scores[:, 1], 1)
    scores[:, 2] = np.round(2 * scores[:, 2])

    thresholds, tuned = tune_thresholds(y, scores, scoring, min_positives=1)

    labels, s, _ = _check_inputs(y, scores, None)
    assert np.all(_fbeta_top_sizes(labels, s, beta) <= _MAX_TOP_FRACTION * 300)
    assert tuned.all()
    for j in range(y.shape[1]):
        y_table, pred_table = _predictions_at_all_thresholds(y[:, j], scores[:, j])
        values = _fbeta(y_table, pred_table, beta, None, average=None)
        reached = _fbeta(y[:, j], scores[:, j] >= thresholds[j], beta, None)
        assert reached == pytest.approx(values.max(), rel=1e-12)

        # Among the best cuts, the one predicting the fewest rows.
        best = np.isclose(values, values.max(), rtol=1e-12, atol=0)
        fewest = pred_table.sum(axis=0)[best].min()
        assert np.count_nonzero(scores[:, j] >= thresholds[j]) == fewest


def test_top_rows_survive_a_misleading_sample():
    """Check that labels left short by the row sample get their exact top rows."""
    rng = np.random.default_rng(5)
    n_samples = 4 * _SAMPLE_ROWS
    step = n_samples // _SAMPLE_ROWS
    y = np.zeros((3, n_samples), dtype=bool)
    s = rng.normal(size=(3, n_samples))

    # The sampled rows, which hold every positive, outscore all others: the
    # sample then places its cut far too high and leaves every label short.
    s[:, ::step] += 100.0
    y[:, ::step] = rng.random((3, _SAMPLE_ROWS)) < 0.2
    s += 2.0 * y
    sizes = _fbeta_top_sizes(y, s, 1.0)
    assert np.all(sizes < _MAX_TOP_FRACTION * n_samples)

    selected, counts = _select_top_rows(s, sizes)

    # Without ties, the exact cut keeps exactly the largest number needed.
    np.testing.assert_array_equal(counts, sizes.max())
    np.testing.assert_array_equal(counts, selected.sum(axis=1))
    for j in range(3):
        assert s[j, selected[j]].min() > s[j, ~selected[j]].max()
    spec = ThresholdScoring(kind="fbeta", beta=1.0)
    np.testing.assert_array_equal(
        _search(y, s, None, spec), _search(y, s, None, spec, prune=False)
    )


def test_top_rows_keep_tied_scores_together():
    """Check that the selection keeps or leaves every group of tied scores whole."""
    rng = np.random.default_rng(6)
    s = np.round(rng.normal(size=(4, 3 * _SAMPLE_ROWS)), 1)
    sizes = np.array([10, 500, 2000, 5000])

    selected, counts = _select_top_rows(s, sizes)

    assert np.all(counts >= sizes)
    np.testing.assert_array_equal(counts, selected.sum(axis=1))
    for j in range(4):
        assert s[j, selected[j]].min() > s[j, ~selected[j]].max()


def test_partial_search_stays_within_its_rows():
    """Check that the partial search never picks a cut past the rows it selected."""
    # The best cuts lie far below the top rows searched: the cut chosen must
    # stay among them, with a threshold between two of their scores, even for
    # the first label, whose row of the block ends in padding since the tied
    # scores of the second one make it select more rows.
    rng = np.random.default_rng(9)
    y = rng.random((2, 3000)) < 0.6
    s = rng.normal(size=(2, 3000))
    s[1] = np.round(s[1], 1)
    sizes = np.array([100, 1000])
    spec = ThresholdScoring(kind="fbeta", beta=1.0)

    thresholds = _search_top_rows(y, s, sizes, spec)

    _, counts = _select_top_rows(s, sizes)
    assert counts[0] < counts[1]
    best = _search_all_rows(y, s, None, spec)
    for j in range(2):
        assert np.isfinite(thresholds[j])
        assert np.count_nonzero(s[j] >= thresholds[j]) < counts[j]
        assert np.count_nonzero(s[j] >= best[j]) > counts[j]


def test_partial_search_matches_full_search_on_the_pooled_rows():
    """Check that the pooled fallback, searched in part, matches the full sort."""
    rng = np.random.default_rng(8)
    y = rng.random((5000, 6)) < [0.1, 0.05, 0.2, 0.0005, 0.0, 0.1]
    scores = rng.normal(size=y.shape) + 2.0 * y
    spec = ThresholdScoring(kind="fbeta", beta=1.0)

    thresholds, tuned = tune_thresholds(y, scores, spec)

    labels, s, _ = _check_inputs(y, scores, None)
    pooled_y, pooled_s = labels.reshape(1, -1), s.reshape(1, -1)
    assert _fbeta_top_sizes(pooled_y, pooled_s, 1.0)[0] < pooled_s.size / 2
    full = _search_all_rows(labels[tuned], s[tuned], None, spec)
    np.testing.assert_array_equal(thresholds[tuned], full)
    fallback = _search_all_rows(pooled_y, pooled_s, None, spec)
    np.testing.assert_array_equal(thresholds[~tuned], fallback[0])


def test_scores_whose_sum_overflows_are_accepted():
    """Check that huge finite scores pass the finiteness check without a warning."""
    y = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
    scores = np.array([[1e308, -1e308], [1e308, 1e308], [-1e308, 1e308], [0, 0]])

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        thresholds, _ = tune_thresholds(y, scores, "f1", min_positives=1)

    np.testing.assert_array_equal(scores >= thresholds, y == 1)


def _tuned_on_drawn_rows(y, scores, spec, n_resamples, seed, weights=None):
    """Tune on the rows each resample draws, as the plain definition says."""
    rng = np.random.default_rng(seed)
    n_rows = y.shape[0]
    draws = []
    for _ in range(n_resamples):
        rows = rng.integers(n_rows, size=n_rows)
        w = None if weights is None else weights[rows]
        draws.append(tune_thresholds(y[rows], scores[rows], spec, sample_weight=w)[0])
    return np.array(draws)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("rounding", [None, 1, 0])
@pytest.mark.parametrize("beta", [0.5, 1.0, 2.0])
def test_resampled_thresholds_equal_tuning_on_the_drawn_rows(seed, rounding, beta):
    """Check bit for bit: sorting once gives the thresholds of each resample."""
    rng = np.random.default_rng(seed)
    rates = np.array([0.004, 0.01, 0.03, 0.1, 0.3, 0.5])
    y = (rng.random((700, rates.size)) < rates).astype(np.int64)
    scores = rng.normal(size=y.shape) + 1.5 * y
    scores[:, 2] = rng.normal(size=700)  # no signal
    if rounding is not None:
        scores = np.round(scores, rounding)

    resampled = resampled_thresholds(
        y, scores, f"f{beta}", n_resamples=12, rng=np.random.default_rng(7)
    )

    expected = _tuned_on_drawn_rows(y, scores, f"f{beta}", 12, seed=7)
    np.testing.assert_array_equal(resampled, expected)
    # Both branches run: the rarer labels fall below min_positives in some
    # resamples (the pooled threshold) and reach it in others.
    draw = np.random.default_rng(7)
    drawn = [y[draw.integers(700, size=700)].sum(axis=0) for _ in range(12)]
    assert np.any(np.array(drawn)[:, :2] < 5)
    assert np.any(np.array(drawn)[:, :2] >= 5)


def test_resampled_thresholds_carry_sample_weights():
    """Check weighted rows: the same thresholds up to the rounding of sums."""
    rng = np.random.default_rng(3)
    y = (rng.random((500, 3)) < 0.1).astype(np.int64)
    scores = rng.normal(size=y.shape) + 2.0 * y
    weights = rng.uniform(0.5, 2.0, size=500)

    resampled = resampled_thresholds(
        y,
        scores,
        "f1",
        n_resamples=10,
        rng=np.random.default_rng(0),
        sample_weight=weights,
    )

    expected = _tuned_on_drawn_rows(y, scores, "f1", 10, seed=0, weights=weights)
    np.testing.assert_allclose(resampled, expected, rtol=1e-12)


def test_resampled_thresholds_take_f_beta_only():
    """Check that a recall floor or a callable is refused with the value."""
    y = np.array([[1], [0], [1], [0]])
    scores = np.array([[0.9], [0.1], [0.8], [0.3]])
    for scoring in ("precision_at_recall=0.5", lambda t, p: 0.0):
        with pytest.raises(ValueError, match="F-beta metric"):
            resampled_thresholds(
                y, scores, scoring, n_resamples=2, rng=np.random.default_rng(0)
            )
