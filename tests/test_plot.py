"""Tests of the precision-recall and reliability displays."""

import importlib.util
import sys
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_curve, precision_score, recall_score
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_multilabel import (
    ReliabilityDisplay,
    ThresholdPrecisionRecallDisplay,
    WeightedMultiLabelClassifier,
)
from sklearn_multilabel.datasets import make_reference_problem

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

TINY = dict(hidden_layer_sizes=(8,), epochs=5, batch_size=64, random_state=0, cv=None)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    X, Y = make_reference_problem(3000, n_labels=4, random_state=0)
    return X[:2000], Y[:2000], X[2000:], Y[2000:]


@pytest.fixture(scope="module")
def fitted(data):
    X, Y, _, _ = data
    return WeightedMultiLabelClassifier(**TINY).fit(X, Y)


@pytest.fixture
def scores():
    """Labels and scores of 3 labels with some signal and ties."""
    rng = np.random.default_rng(0)
    Y = (rng.random((200, 3)) < [0.1, 0.3, 0.5]).astype(int)
    y_score = np.round(rng.normal(size=Y.shape) + 1.5 * Y, 1)
    return Y, y_score


# ---------------------------------------------------------------------------
# ThresholdPrecisionRecallDisplay
# ---------------------------------------------------------------------------


def test_pr_curves_are_those_of_scikit_learn(scores):
    """Check that each drawn curve is scikit-learn's precision-recall curve."""
    Y, y_score = scores
    display = ThresholdPrecisionRecallDisplay.from_predictions(Y, y_score)

    assert len(display.lines_) == 3
    assert display.markers_ == []
    for j, line in enumerate(display.lines_):
        precision, recall, _ = precision_recall_curve(Y[:, j], y_score[:, j])
        np.testing.assert_allclose(line.get_xdata(), recall)
        np.testing.assert_allclose(line.get_ydata(), precision)
        np.testing.assert_allclose(display.precision[j], precision)


@pytest.mark.parametrize("weighted", [False, True])
def test_pr_markers_sit_at_the_thresholds_operating_point(scores, weighted):
    """Check that each marker is the precision and recall of score >= threshold."""
    Y, y_score = scores
    thresholds = np.array([0.5, 1.0, -0.3])
    weights = np.linspace(0.2, 3.0, Y.shape[0]) if weighted else None
    display = ThresholdPrecisionRecallDisplay.from_predictions(
        Y, y_score, thresholds=thresholds, sample_weight=weights
    )

    assert len(display.markers_) == 3
    for j, marker in enumerate(display.markers_):
        y_pred = (y_score[:, j] >= thresholds[j]).astype(int)
        precision = precision_score(Y[:, j], y_pred, sample_weight=weights)
        recall = recall_score(Y[:, j], y_pred, sample_weight=weights)
        assert marker.get_xdata()[0] == pytest.approx(recall)
        assert marker.get_ydata()[0] == pytest.approx(precision)
        assert display.threshold_recall[j] == pytest.approx(recall)
        assert display.threshold_precision[j] == pytest.approx(precision)
        assert marker.get_color() == display.lines_[j].get_color()


def test_pr_marker_on_the_curve(scores):
    """Check that a marked point is one of the points of its curve."""
    Y, y_score = scores
    display = ThresholdPrecisionRecallDisplay.from_predictions(
        Y, y_score, thresholds=0.7
    )
    for j in range(3):
        points = np.column_stack([display.recall[j], display.precision[j]])
        marked = [display.threshold_recall[j], display.threshold_precision[j]]
        assert np.any(np.all(np.isclose(points, marked), axis=1))


def test_pr_predicting_no_row_is_precision_one(scores):
    """Check that a threshold above every score marks recall 0, precision 1."""
    Y, y_score = scores
    display = ThresholdPrecisionRecallDisplay.from_predictions(
        Y, y_score, thresholds=np.inf
    )
    np.testing.assert_array_equal(display.threshold_recall, 0.0)
    np.testing.assert_array_equal(display.threshold_precision, 1.0)


def test_pr_from_estimator_marks_what_predict_delivers(fitted, data):
    """Check that from_estimator marks the precision and recall of predict."""
    _, _, X_test, Y_test = data
    display = ThresholdPrecisionRecallDisplay.from_estimator(
        fitted, X_test, Y_test, iso_f1=[0.2, 0.5]
    )

    Y_pred = fitted.predict(X_test)
    np.testing.assert_allclose(
        display.threshold_recall, recall_score(Y_test, Y_pred, average=None)
    )
    np.testing.assert_allclose(
        display.threshold_precision,
        precision_score(Y_test, Y_pred, average=None, zero_division=1),
    )
    np.testing.assert_array_equal(display.thresholds, fitted.thresholds_)
    assert display.label_names == list(fitted.classes_)
    assert display.ax_.get_xlabel() == "Recall"
    assert display.figure_ is display.ax_.figure
    # Four curves, four markers and two iso-F1 lines.
    assert len(display.ax_.get_lines()) == 4 + 4 + 2


def test_pr_from_estimator_reaches_through_pipeline_and_search(data):
    """Check that a pipeline or a search lends its final step's thresholds."""
    X, Y, X_test, Y_test = data
    pipe = make_pipeline(StandardScaler(), WeightedMultiLabelClassifier(**TINY))
    search = GridSearchCV(
        pipe,
        {"weightedmultilabelclassifier__pos_weight": [None]},
        scoring="f1_macro",
        cv=2,
    ).fit(X, Y)

    display = ThresholdPrecisionRecallDisplay.from_estimator(
        search, X_test, Y_test, labels=[1, 3]
    )
    final = search.best_estimator_[-1]
    np.testing.assert_array_equal(display.thresholds, final.thresholds_[[1, 3]])
    Y_pred = search.predict(X_test)
    np.testing.assert_allclose(
        display.threshold_recall,
        recall_score(Y_test[:, [1, 3]], Y_pred[:, [1, 3]], average=None),
    )


def test_pr_labels_are_chosen_by_name(scores):
    """Check that labels select curves by name, in the order given."""
    Y, y_score = scores
    display = ThresholdPrecisionRecallDisplay.from_predictions(
        pd.DataFrame(Y, columns=["a", "b", "c"]),
        y_score,
        labels=["c", "a"],
        label_names=["a", "b", "c"],
        thresholds=[0.0, 1.0, 2.0],
    )
    assert display.label_names == ["c", "a"]
    np.testing.assert_array_equal(display.thresholds, [2.0, 0.0])
    precision, recall, _ = precision_recall_curve(Y[:, 2], y_score[:, 2])
    np.testing.assert_allclose(display.lines_[0].get_xdata(), recall)
    assert display.lines_[0].get_label().startswith("c (AP=")


def test_pr_label_without_positive_is_left_out_with_a_warning(scores):
    """Check that a label with no positive row warns and gets no curve."""
    Y, y_score = scores
    Y = Y.copy()
    Y[:, 1] = 0
    with pytest.warns(UserWarning, match=r"left out: \[1\]"):
        display = ThresholdPrecisionRecallDisplay.from_predictions(
            Y, y_score, thresholds=0.5
        )
    assert display.label_names == [0, 2]
    assert len(display.lines_) == len(display.markers_) == 2

    with pytest.warns(UserWarning), pytest.raises(ValueError, match="no curve"):
        ThresholdPrecisionRecallDisplay.from_predictions(Y, y_score, labels=[1])


def test_pr_one_label_from_1d_arrays_and_sparse_y(scores):
    """Check that a 1-D y and a sparse y are accepted."""
    Y, y_score = scores
    one = ThresholdPrecisionRecallDisplay.from_predictions(
        Y[:, 0], y_score[:, 0], thresholds=0.5
    )
    assert len(one.lines_) == 1
    sparse = ThresholdPrecisionRecallDisplay.from_predictions(
        sp.csr_matrix(Y), y_score, thresholds=0.5
    )
    np.testing.assert_allclose(sparse.threshold_recall[0], one.threshold_recall[0])


def test_pr_plot_draws_again_on_new_axes(scores):
    """Check that plot draws the same curves on other axes."""
    Y, y_score = scores
    display = ThresholdPrecisionRecallDisplay.from_predictions(
        Y, y_score, thresholds=0.5
    )
    first_ax = display.ax_
    _, ax = plt.subplots()
    display.plot(ax=ax, legend=False)
    assert display.ax_ is ax is not first_ax
    assert ax.get_legend() is None
    np.testing.assert_allclose(
        ax.get_lines()[0].get_xdata(), first_ax.get_lines()[0].get_xdata()
    )


# ---------------------------------------------------------------------------
# ReliabilityDisplay
# ---------------------------------------------------------------------------


def test_reliability_bins_worked_by_hand():
    """Check the bins against values worked out by hand."""
    y_prob = np.array([[0.05, 0.15], [0.15, 0.95], [0.55, 0.45]])
    Y = np.array([[0, 1], [0, 1], [1, 0]])
    display = ReliabilityDisplay.from_predictions(
        Y, y_prob, n_bins=2, strategy="uniform"
    )
    # Below 0.5: 0.05, 0.15, 0.15, 0.45 with 1 positive; above: 0.55, 0.95, both.
    np.testing.assert_allclose(display.prob_pred, [0.2, 0.75])
    np.testing.assert_allclose(display.prob_true, [0.25, 1.0])
    np.testing.assert_allclose(display.counts, [4, 2])
    np.testing.assert_allclose(display.line_.get_xdata(), [0.2, 0.75])
    np.testing.assert_allclose(display.line_.get_ydata(), [0.25, 1.0])


def test_reliability_weights_and_label_choice():
    """Check that row weights weigh predictions and labels pick columns."""
    y_prob = np.array([[0.1, 0.9], [0.3, 0.2], [0.8, 0.7]])
    Y = np.array([[0, 1], [1, 0], [1, 1]])
    display = ReliabilityDisplay.from_predictions(
        Y,
        y_prob,
        labels=["first"],
        label_names=["first", "second"],
        n_bins=1,
        sample_weight=[1.0, 2.0, 0.0],
    )
    np.testing.assert_allclose(display.prob_pred, [(0.1 + 2 * 0.3) / 3])
    np.testing.assert_allclose(display.prob_true, [2 / 3])
    np.testing.assert_allclose(display.counts, [3.0])


def test_reliability_quantile_bins_hold_equal_counts():
    """Check that quantile bins split the predictions into equal parts."""
    rng = np.random.default_rng(1)
    y_prob = rng.beta(0.5, 5.0, size=(1000, 4))
    Y = (rng.random(y_prob.shape) < y_prob).astype(int)
    display = ReliabilityDisplay.from_predictions(Y, y_prob, n_bins=8)

    np.testing.assert_allclose(display.counts, 500, atol=1)
    assert np.all(np.diff(display.prob_pred) > 0)
    # The labels are drawn from the probabilities: the diagram is near the diagonal.
    assert np.max(np.abs(display.prob_true - display.prob_pred)) < 0.05


def test_reliability_reference_line_drawn_once_per_axes():
    """Check that two diagrams on one axes share one diagonal."""
    rng = np.random.default_rng(0)
    y_prob = rng.random((100, 2))
    Y = (rng.random((100, 2)) < 0.5).astype(int)
    _, ax = plt.subplots()
    ReliabilityDisplay.from_predictions(Y, y_prob, name="one", ax=ax)
    ReliabilityDisplay.from_predictions(Y, y_prob**2, name="two", ax=ax)

    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["Perfectly calibrated", "one", "two"]
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == labels


def test_reliability_from_estimator_uses_predict_proba(fitted, data):
    """Check that from_estimator draws the estimator's predict_proba."""
    _, _, X_test, Y_test = data
    display = ReliabilityDisplay.from_estimator(fitted, X_test, Y_test, n_bins=5)
    expected = ReliabilityDisplay.from_predictions(
        Y_test, fitted.predict_proba(X_test), n_bins=5
    )
    np.testing.assert_allclose(display.prob_pred, expected.prob_pred)
    np.testing.assert_allclose(display.prob_true, expected.prob_true)
    assert display.line_.get_label() == "WeightedMultiLabelClassifier"


def test_reliability_from_other_estimators():
    """Check multi-label and binary scikit-learn classifiers."""
    X, Y = make_reference_problem(400, n_labels=3, random_state=0)
    mlp = MLPClassifier(hidden_layer_sizes=(4,), max_iter=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X, Y)
    display = ReliabilityDisplay.from_estimator(mlp, X, Y, n_bins=3)
    assert display.line_.get_label() == "MLPClassifier"

    y = np.where(Y[:, 0] == 1, "yes", "no")
    logistic = LogisticRegression().fit(X, y)
    binary = ReliabilityDisplay.from_estimator(logistic, X, y, n_bins=3)
    expected = ReliabilityDisplay.from_predictions(
        (y == "yes").astype(int), logistic.predict_proba(X)[:, 1], n_bins=3
    )
    np.testing.assert_allclose(binary.prob_true, expected.prob_true)


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

Y3 = np.array([[0, 1], [1, 0], [1, 1]])
P3 = np.array([[0.1, 0.9], [0.7, 0.2], [0.6, 0.8]])


@pytest.mark.parametrize(
    "params, error, message",
    [
        ({"y_true": Y3[:2]}, ValueError, r"shape of y_true, \(2, 2\).*\(3, 2\)"),
        ({"y_true": Y3 * 2}, ValueError, "0 and 1 only.*2"),
        ({"y_true": Y3.astype(str)}, ValueError, "numbers 0 and 1.*dtype <U"),
        ({"y_true": np.zeros((0, 2))}, ValueError, "at least one row"),
        ({"y_score": np.full((3, 2), np.nan)}, ValueError, "finite.*6 entries"),
        ({"thresholds": [0.5]}, ValueError, r"one number per label \(2\)"),
        ({"thresholds": np.nan}, ValueError, "not NaN"),
        ({"labels": ["dog"]}, ValueError, "'dog', which is not one.*\\[0, 1\\]"),
        ({"labels": []}, ValueError, "at least one label"),
        ({"label_names": ["a"]}, ValueError, "each of the 2 labels; received 1"),
        ({"sample_weight": [1, 1]}, ValueError, r"one weight per row, shape \(3,\)"),
        ({"sample_weight": [1, -1, 1]}, ValueError, "non-negative.*-1"),
        ({"iso_f1": [0.5, 1.2]}, ValueError, "between 0 and 1.*1.2"),
    ],
)
def test_pr_bad_input(params, error, message):
    """Check that bad input to the precision-recall display raises clearly."""
    arguments = {"y_true": Y3, "y_score": P3, **params}
    with pytest.raises(error, match=message):
        ThresholdPrecisionRecallDisplay.from_predictions(**arguments)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"y_prob": P3 + 0.5}, r"probabilities in \[0, 1\].*1.4"),
        ({"n_bins": 0}, "n_bins must be an integer >= 1; received 0"),
        ({"n_bins": 2.5}, "n_bins must be an integer >= 1; received 2.5"),
        ({"strategy": "log"}, "'quantile' or 'uniform'; received 'log'"),
        ({"y_prob": P3[:, :1]}, r"shape of y_true, \(3, 2\)"),
    ],
)
def test_reliability_bad_input(params, message):
    """Check that bad input to the reliability display raises clearly."""
    arguments = {"y_true": Y3, "y_prob": P3, **params}
    with pytest.raises(ValueError, match=message):
        ReliabilityDisplay.from_predictions(**arguments)


def test_from_estimator_needs_predict_proba_and_thresholds():
    """Check the errors of estimators that lack what a display needs."""
    X, Y = make_reference_problem(200, n_labels=2, random_state=0)
    with pytest.raises(TypeError, match="needs an estimator with predict_proba"):
        ReliabilityDisplay.from_estimator(StandardScaler().fit(X), X, Y)

    y = Y[:, 0]
    logistic = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="LogisticRegression has no thresholds_"):
        ThresholdPrecisionRecallDisplay.from_estimator(logistic, X, y)


def test_from_estimator_on_unfitted_estimator_raises():
    """Check that an unfitted estimator raises scikit-learn's NotFittedError."""
    X, Y = make_reference_problem(50, n_labels=2, random_state=0)
    with pytest.raises(NotFittedError):
        ThresholdPrecisionRecallDisplay.from_estimator(
            WeightedMultiLabelClassifier(), X, Y
        )


# ---------------------------------------------------------------------------
# matplotlib is optional
# ---------------------------------------------------------------------------


def _load_plot_module_copy(name):
    """Import a fresh copy of the plotting module under another name."""
    path = Path(__file__).resolve().parents[1] / "sklearn_multilabel" / "_plot.py"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_plot_module_imports_without_matplotlib(monkeypatch):
    """Check that the plotting module does not import matplotlib on import."""
    for name in [n for n in sys.modules if n.split(".")[0] == "matplotlib"]:
        monkeypatch.setitem(sys.modules, name, None)
    module = _load_plot_module_copy("_plot_without_matplotlib")
    assert hasattr(module, "ReliabilityDisplay")


@pytest.mark.parametrize(
    "call",
    [
        lambda: ThresholdPrecisionRecallDisplay.from_predictions(Y3, P3),
        lambda: ThresholdPrecisionRecallDisplay([], [], []).plot(),
        lambda: ReliabilityDisplay.from_predictions(Y3, P3),
        lambda: ReliabilityDisplay([0.5], [0.5], [1]).plot(),
        lambda: ReliabilityDisplay.from_estimator(LogisticRegression(), Y3, Y3),
    ],
)
def test_clear_import_error_without_matplotlib(monkeypatch, call):
    """Check that drawing without matplotlib says what to install."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="matplotlib, which is not installed.*pip"):
        call()
