"""Tests of WeightedMultiLabelClassifier."""

import gc
import pickle
import tracemalloc
import warnings

import joblib
import keras
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.special import logit
from sklearn.base import clone, is_classifier
from sklearn.metrics import f1_score, recall_score
from sklearn.model_selection import GridSearchCV, KFold, cross_val_predict
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import (
    check_classifier_multioutput,
    check_classifiers_classes,
    check_classifiers_train,
    parametrize_with_checks,
)
from tensorflow.python.framework.func_graph import FuncGraph

from sklearn_multilabel import WeightedMultiLabelClassifier
from sklearn_multilabel._classifier import _resampled_thresholds
from sklearn_multilabel._thresholds import check_threshold_scoring, tune_thresholds
from sklearn_multilabel.datasets import make_reference_problem, reference_bayes_predict

TINY = dict(hidden_layer_sizes=(8,), epochs=3, batch_size=64, random_state=0, cv=None)


def tiny(**params):
    return WeightedMultiLabelClassifier(**{**TINY, **params})


@pytest.fixture(scope="module")
def reference_data():
    X, Y = make_reference_problem(1500, n_labels=5, random_state=0)
    return X, Y


@pytest.fixture(scope="module")
def fitted(reference_data):
    X, Y = reference_data
    return tiny(epochs=5).fit(X, Y)


# Checks that cannot pass, each with the reason.
_THRESHOLD_REASON = (
    "predict applies the per-label thresholds tuned in fit, not 0.5, so the sign "
    "of decision_function (the calibrated logit) and the argmax of predict_proba "
    "do not give the prediction"
)
EXPECTED_FAILED_CHECKS = {
    "check_estimator_tags_renamed": (
        "scikeras' BaseWrapper defines _more_tags without __sklearn_tags__; this "
        "class defines __sklearn_tags__, which scikit-learn reads, but the check "
        "inspects every class of the hierarchy"
    ),
    "check_classifiers_classes": _THRESHOLD_REASON,
    "check_classifier_multioutput": _THRESHOLD_REASON,
    "check_classifiers_train": _THRESHOLD_REASON,
    "check_methods_subset_invariance": (
        "the network computes in float32, and CPU matrix products (NumPy's or "
        "TensorFlow's) may sum in another order for another number of rows, "
        "depending on the processor: a row's logit can differ in its last bit "
        "(about 1e-7) between a batch and a subset, above the check's tolerance "
        "of 1e-7"
    ),
    "check_sample_weight_equivalence_on_dense_data": (
        "a network trained by stochastic gradient descent on shuffled batches "
        "sees a repeated row in other batches than a row of weight 2"
    ),
    "check_sample_weight_equivalence_on_sparse_data": (
        "a network trained by stochastic gradient descent on shuffled batches "
        "sees a repeated row in other batches than a row of weight 2"
    ),
}


@parametrize_with_checks(
    [WeightedMultiLabelClassifier(**TINY)],
    expected_failed_checks=lambda est: EXPECTED_FAILED_CHECKS,
)
def test_sklearn_compatible_estimator(estimator, check):
    """Check that the estimator passes scikit-learn's estimator checks."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check(estimator)


@pytest.mark.parametrize(
    "check",
    [check_classifiers_train, check_classifiers_classes, check_classifier_multioutput],
)
def test_threshold_checks_pass_with_a_half_cut(check):
    """Check that the threshold-bound checks pass once thresholds are 0.5."""
    estimator = WeightedMultiLabelClassifier(**TINY, threshold=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check(type(estimator).__name__, estimator)


def test_reference_problem_reaches_bayes_rule():
    """Check macro-F1, recall and calibration on the reference problem."""
    X, Y = make_reference_problem(30000, random_state=0)
    X_test, Y_test = make_reference_problem(20000, random_state=1)
    bayes = f1_score(Y_test, reference_bayes_predict(X_test), average="macro")

    clf = WeightedMultiLabelClassifier(random_state=0).fit(X, Y)
    Y_pred = clf.predict(X_test)
    f1 = f1_score(Y_test, Y_pred, average="macro")
    assert abs(f1 - bayes) < 0.01

    recall_leaning = clf.set_params(threshold_scoring="f2").fit(X, Y)
    recall_f2 = recall_score(Y_test, recall_leaning.predict(X_test), average="macro")
    assert recall_f2 > recall_score(Y_test, Y_pred, average="macro") + 0.1

    proba = clf.predict_proba(X_test)
    assert np.max(np.abs(proba.mean(axis=0) - Y_test.mean(axis=0))) < 0.01


def test_weighting_with_half_cut_is_worse_than_tuned_thresholds(reference_data):
    """Check that pos_weight with a fixed 0.5 cut scores below tuned thresholds."""
    X, Y = make_reference_problem(10000, n_labels=10, random_state=2)
    X_test, Y_test = make_reference_problem(10000, n_labels=10, random_state=3)

    half = tiny(threshold=0.5, epochs=10).fit(X, Y)
    tuned = tiny(epochs=10).fit(X, Y)

    np.testing.assert_array_equal(half.thresholds_, np.full(10, 0.5))
    f1_half = f1_score(Y_test, half.predict(X_test), average="macro")
    f1_tuned = f1_score(Y_test, tuned.predict(X_test), average="macro")
    assert f1_tuned > f1_half


def test_tags_declare_multilabel_and_sparse_support():
    """Check the scikit-learn tags of the estimator."""
    tags = get_tags(WeightedMultiLabelClassifier())
    assert tags.estimator_type == "classifier"
    assert tags.classifier_tags.multi_label
    assert tags.input_tags.sparse
    assert tags.target_tags.multi_output


def test_fitted_attributes(fitted, reference_data):
    """Check the shapes and meaning of the fitted attributes."""
    X, Y = reference_data
    assert is_classifier(fitted)
    assert isinstance(fitted.model_, keras.Model)
    assert fitted.pos_weight_.shape == (5,)
    np.testing.assert_allclose(
        fitted.pos_weight_, (1 - Y.mean(0)) / Y.mean(0), rtol=0.15
    )
    assert fitted.thresholds_.shape == (5,)
    assert np.all((fitted.thresholds_ >= 0) & (fitted.thresholds_ <= 1))
    np.testing.assert_array_equal(fitted.classes_, np.arange(5))
    assert fitted.n_features_in_ == 5
    assert set(fitted.history_) == {"loss", "val_loss", "val_score"}
    assert 1 <= fitted.best_epoch_ <= 5


def test_early_stopping_keeps_the_epoch_of_the_best_tuned_score(reference_data):
    X, Y = reference_data
    clf = tiny(epochs=8, n_iter_no_change=3).fit(X, Y)
    scores = clf.history_["val_score"]
    losses = clf.history_["val_loss"]

    # The kept epoch has the best score; among equal scores, the lowest loss.
    best = clf.best_epoch_ - 1
    assert scores[best] == max(scores)
    tied = [i for i, v in enumerate(scores) if v == max(scores)]
    assert losses[best] == min(losses[i] for i in tied)
    # Stopped after n_iter_no_change epochs without a better score.
    assert len(scores) == 8 or len(scores) - clf.best_epoch_ == 3

    # Fixed thresholds: no score to judge by, the weighted loss decides.
    fixed = tiny(epochs=8, threshold=0.5).fit(X, Y)
    assert "val_score" not in fixed.history_
    assert fixed.history_["val_loss"][fixed.best_epoch_ - 1] == min(
        fixed.history_["val_loss"]
    )


def test_auto_cv_cross_fits_from_ten_rows(reference_data):
    X, Y = reference_data
    auto = tiny(cv="auto")
    assert auto._resolve_cv(X.shape[0]) == 5
    assert auto._resolve_cv(10) == 5
    assert auto._resolve_cv(9) is None

    # Five fold networks, each stopped on its own fold, averaged.
    auto.fit(X, Y)
    assert len(auto.history_) == 5
    assert all(set(h) == {"loss", "val_loss", "val_score"} for h in auto.history_)
    assert auto.model_.name == "fold_average"


def test_predict_proba_is_the_sigmoid_of_decision_function(fitted, reference_data):
    """Check predict_proba, decision_function and predict agree with the docs."""
    X, _ = reference_data
    logits = fitted.model_(X[:50]).numpy().astype(np.float64)
    scores = fitted.decision_function(X[:50])
    np.testing.assert_allclose(scores, logits - np.log(fitted.pos_weight_), atol=1e-5)

    proba = fitted.predict_proba(X[:50])
    np.testing.assert_allclose(proba, 1 / (1 + np.exp(-scores)))
    np.testing.assert_array_equal(
        fitted.predict(X[:50]), (proba >= fitted.thresholds_).astype(int)
    )


def test_prediction_does_not_use_model_predict(fitted, reference_data):
    """Check that predictions never go through keras.Model.predict."""
    X, _ = reference_data
    expected = fitted.predict_proba(X[:10])

    def refuse(*args, **kwargs):
        raise AssertionError("Model.predict was called")

    fitted.model_.predict = refuse
    try:
        np.testing.assert_array_equal(fitted.predict_proba(X[:10]), expected)
        fitted.predict(X[:1])
    finally:
        del fitted.model_.predict


def test_same_random_state_gives_identical_fits(reference_data):
    """Check that random_state makes a fit repeatable to the last digit."""
    X, Y = reference_data
    first = tiny(dropout=0.2).fit(X, Y).predict_proba(X)
    second = tiny(dropout=0.2).fit(X, Y).predict_proba(X)
    third = tiny(dropout=0.2, random_state=1).fit(X, Y).predict_proba(X)

    np.testing.assert_array_equal(first, second)
    assert not np.array_equal(first, third)


def test_dataframe_inputs_give_names(reference_data):
    """Check that DataFrame columns name the features and the labels."""
    X, Y = reference_data
    X_df = pd.DataFrame(X, columns=[f"x{i}" for i in range(5)])
    Y_df = pd.DataFrame(Y, columns=list("abcde"))

    clf = tiny().fit(X_df, Y_df)
    assert list(clf.classes_) == list("abcde")
    assert list(clf.feature_names_in_) == list(X_df.columns)
    assert clf.predict(X_df).shape == (len(X), 5)

    clf_dict = tiny(pos_weight={"a": 2.0}).fit(X_df, Y_df)
    np.testing.assert_array_equal(clf_dict.pos_weight_, [2.0, 1, 1, 1, 1])


@pytest.mark.parametrize(
    "convert",
    [
        lambda Y: Y.tolist(),
        sp.csr_matrix,
        lambda Y: Y.astype(bool),
        lambda Y: Y.astype(np.float32),
    ],
    ids=["list-of-lists", "sparse", "bool", "float"],
)
def test_target_forms_give_the_same_fit(reference_data, convert):
    """Check that every accepted form of y gives the same fit."""
    X, Y = reference_data
    expected = tiny().fit(X, Y).predict_proba(X[:20])
    got = tiny().fit(X, convert(Y)).predict_proba(X[:20])
    np.testing.assert_array_equal(got, expected)


def test_one_dimensional_target_is_a_binary_classifier(reference_data):
    """Check 1-D y: 1-D predictions, two probability columns, 1-D scores."""
    X, Y = reference_data
    y = np.where(Y[:, 0] == 1, "yes", "no")

    clf = tiny().fit(X, y)
    np.testing.assert_array_equal(clf.classes_, ["no", "yes"])
    assert clf.predict(X[:7]).shape == (7,)
    assert set(clf.predict(X)) <= {"no", "yes"}
    proba = clf.predict_proba(X[:7])
    assert proba.shape == (7, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.decision_function(X[:7]).shape == (7,)


def test_sparse_input_is_never_densified_whole():
    """Check that a wide sparse X trains and predicts without a dense copy."""
    rng = np.random.default_rng(0)
    n_rows, n_features = 2000, 200_000
    X = sp.random(
        n_rows, n_features, density=5e-5, format="csr", dtype=np.float32, rng=rng
    )
    Y = (rng.random((n_rows, 3)) < 0.2).astype(int)
    Y[:, 0] |= (X[:, :1000].sum(axis=1).A1 > 0).astype(int)

    # A dense copy of X would take 1.6 GB; all numpy allocations stay far below.
    tracemalloc.start()
    clf = tiny(epochs=2).fit(X, Y)
    proba = clf.predict_proba(X)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert peak < 100e6
    assert proba.shape == (n_rows, 3)
    assert np.all(np.isfinite(proba))

    # Dense rows fed to a network trained on sparse rows give the same scores.
    np.testing.assert_allclose(
        clf.predict_proba(X[:5].toarray()), proba[:5], rtol=1e-5, atol=1e-7
    )


def test_sparse_input_with_a_dense_network(reference_data):
    """Check that a network with a dense input gets sparse rows batch by batch."""
    X, Y = reference_data

    def dense_network(meta):
        inputs = keras.Input((meta["n_features_in_"],))
        return keras.Model(inputs, keras.layers.Dense(meta["n_outputs_"])(inputs))

    dense = tiny(model=dense_network, hidden_layer_sizes="auto").fit(X, Y)
    sparse = tiny(model=dense_network, hidden_layer_sizes="auto")
    sparse.fit(sp.csr_matrix(X), Y)
    np.testing.assert_allclose(
        sparse.predict_proba(sp.csr_matrix(X[:20])),
        dense.predict_proba(X[:20]),
        rtol=1e-5,
    )


def test_label_without_positive_warns_and_is_never_predicted(reference_data):
    """Check the warning, finite outputs and no prediction for an empty label."""
    X, Y = reference_data
    Y = Y.copy()
    Y[:, 2] = 0
    with pytest.warns(UserWarning, match=r"without any positive.*\[2\]"):
        clf = tiny().fit(X, Y)

    assert clf.thresholds_[2] == 1.0
    assert not clf.tuned_labels_[2]
    assert np.all(np.isfinite(clf.predict_proba(X)))
    assert np.all(np.isfinite(clf.decision_function(X)))
    assert clf.predict(X)[:, 2].sum() == 0
    assert np.isfinite(clf.pos_weight_[2])


def test_rare_label_falls_back_to_the_shared_threshold(reference_data):
    """Check that a label with few tuning positives is not tuned on its own."""
    X, Y = reference_data
    Y = Y.copy()
    Y[:, 4] = 0
    Y[:6, 4] = 1

    clf = tiny(threshold_min_positives=5).fit(X, Y)
    assert not clf.tuned_labels_[4]
    assert clf.tuned_labels_[:4].all()


def test_rare_label_gets_the_network_cut_when_shrinking(reference_data):
    """Check the fallback of a rare label: the own cut, or the shared one."""
    X, Y = reference_data
    Y = Y.copy()
    Y[:, 4] = 0
    Y[:6, 4] = 1

    shrunk = tiny(threshold_min_positives=10).fit(X, Y)
    shared = tiny(threshold_min_positives=10, threshold_shrinkage=0).fit(X, Y)

    own = 1 / (1 + shrunk.pos_weight_[4])
    assert shrunk.thresholds_[4] == pytest.approx(own, rel=1e-12)
    assert shared.thresholds_[4] != pytest.approx(own, rel=1e-3)


def test_shrinkage_pulls_thresholds_toward_the_network_cut(reference_data):
    """Check (P * tuned + k * own) / (P + k) in logits, on out-of-fold scores."""
    X, Y = reference_data
    params = dict(cv=3, epochs=20, hidden_layer_sizes=(16,), random_state=0)
    kept = tiny(threshold_shrinkage=0, **params).fit(X, Y)
    shrunk = tiny(threshold_shrinkage=50.0, **params).fit(X, Y)
    only_own = tiny(threshold_shrinkage=1e12, **params).fit(X, Y)

    # The networks are the same: the thresholds do not change training.
    np.testing.assert_array_equal(kept.pos_weight_, shrunk.pos_weight_)
    np.testing.assert_array_equal(
        kept.decision_function(X), shrunk.decision_function(X)
    )

    own = -np.log(kept.pos_weight_)
    positives = Y.sum(axis=0)
    expected = (positives * logit(kept.thresholds_) + 50.0 * own) / (positives + 50)
    np.testing.assert_allclose(logit(shrunk.thresholds_), expected, rtol=1e-9)
    np.testing.assert_allclose(logit(only_own.thresholds_), own, atol=1e-8)
    assert np.all(np.abs(logit(kept.thresholds_) - own) > 1e-3)


def test_resampled_thresholds_are_repeatable_and_leave_the_network(
    reference_data,
):
    """Check that resampling moves thresholds only, the same way each fit."""
    X, Y = reference_data
    params = dict(cv=3, epochs=20, hidden_layer_sizes=(16,), threshold_shrinkage=0)
    once = tiny(threshold_resamples=0, **params).fit(X, Y)
    resampled = tiny(threshold_resamples=15, **params).fit(X, Y)
    again = tiny(threshold_resamples=15, **params).fit(X, Y)

    np.testing.assert_array_equal(
        once.decision_function(X), resampled.decision_function(X)
    )
    np.testing.assert_array_equal(resampled.thresholds_, again.thresholds_)
    assert np.any(resampled.thresholds_ != once.thresholds_)


def test_resampled_median_lands_nearer_the_best_threshold():
    """Check that the median over resamples beats one tuning on noisy rows.

    Positives score N(1, 1) and negatives N(-1, 1), 5 % positives; the F1-best
    threshold of the population comes from a million rows. Over 50 samples of
    300 rows, the resampled thresholds must be nearer to it on average.
    """
    rng = np.random.default_rng(0)

    def sample(n_rows):
        y = (rng.random((n_rows, 1)) < 0.05).astype(np.int64)
        return y, rng.normal(size=y.shape) + 2.0 * y - 1.0

    best, _ = tune_thresholds(*sample(1_000_000), "f1")
    spec = check_threshold_scoring("f1")
    errors = {"once": [], "resampled": []}
    for _ in range(50):
        y, scores = sample(300)
        once, _ = tune_thresholds(y, scores, "f1")
        resampled = _resampled_thresholds(y, scores, spec, np.ones(300), 5, 25, rng)
        errors["once"].append(abs(once[0] - best[0]))
        errors["resampled"].append(abs(resampled[0] - best[0]))

    assert np.mean(errors["resampled"]) < 0.9 * np.mean(errors["once"])


def test_shrinkage_leaves_precision_at_recall_alone(reference_data):
    """Check that a recall floor keeps the thresholds tuned for it."""
    X, Y = reference_data
    params = dict(threshold_scoring="precision_at_recall=0.8", random_state=0)
    kept = tiny(threshold_shrinkage=0, **params).fit(X, Y)
    shrunk = tiny(threshold_shrinkage=50.0, **params).fit(X, Y)

    np.testing.assert_array_equal(kept.thresholds_, shrunk.thresholds_)


def test_cross_fitting_tunes_on_out_of_fold_scores(reference_data):
    """Check cv: k fold networks, their average, tuned thresholds."""
    X, Y = reference_data
    clf = tiny(cv=3, epochs=4).fit(X, Y)
    assert clf.thresholds_.shape == (5,)
    assert clf.tuned_labels_.all()
    assert len(clf.history_) == len(clf.best_epoch_) == 3
    assert all(1 <= epoch <= 4 for epoch in clf.best_epoch_)

    splitter = tiny(cv=KFold(3, shuffle=True, random_state=0), epochs=2).fit(X, Y)
    assert splitter.tuned_labels_.all()

    with pytest.raises(ValueError, match="exactly one test fold"):
        tiny(cv=[(np.arange(10), np.arange(10, 20))]).fit(X, Y)


def test_ensemble_averages_the_calibrated_logits_of_the_fold_networks(
    reference_data,
):
    X, Y = reference_data
    clf = tiny(cv=3, epochs=3).fit(X, Y)
    members = [clf.model_.get_layer(f"member_{k}") for k in range(3)]
    shifts, offset = clf.model_.get_layer("calibrated_mean").get_weights()

    # Every fold network trained with the pos_weight of its own rows.
    assert shifts.shape == (3, 5)
    assert not np.allclose(shifts[0], shifts[1])
    np.testing.assert_allclose(offset, np.log(clf.pos_weight_), rtol=1e-6)

    calibrated = [m.predict_on_batch(X[:40]) - shifts[k] for k, m in enumerate(members)]
    np.testing.assert_allclose(
        clf.decision_function(X[:40]), np.mean(calibrated, axis=0), atol=1e-5
    )
    # The average is not any single member.
    assert not np.allclose(calibrated[0], calibrated[1], atol=1e-3)

    # It pickles with its members.
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(
        restored.decision_function(X[:40]), clf.decision_function(X[:40])
    )


def test_without_ensemble_one_network_trains_on_every_row(reference_data):
    X, Y = reference_data
    clf = tiny(cv=3, epochs=4, ensemble=False).fit(X, Y)
    assert clf.model_.name == "multilabel_mlp"
    # Trained for a fixed number of epochs: nothing held out, nothing scored.
    assert set(clf.history_) == {"loss"}
    assert 1 <= clf.best_epoch_ <= 4
    assert clf.tuned_labels_.all()

    # Without cross-fitting, ensemble changes nothing.
    single = tiny(ensemble=False).fit(X, Y)
    np.testing.assert_array_equal(single.predict(X), tiny().fit(X, Y).predict(X))


def test_threshold_scoring_options(reference_data):
    """Check F-beta, precision at a minimum recall and a callable metric."""
    X, Y = reference_data
    low = tiny(threshold_scoring="f0.5").fit(X, Y).thresholds_
    high = tiny(threshold_scoring="f2").fit(X, Y).thresholds_
    assert np.all(high <= low)

    clf = tiny(threshold_scoring="precision_at_recall=0.9").fit(X, Y)
    assert recall_score(Y, clf.predict(X), average="macro") > 0.6

    def balanced(y_true, y_pred):
        return recall_score(y_true, y_pred) + recall_score(1 - y_true, 1 - y_pred)

    assert tiny(threshold_scoring=balanced).fit(X, Y).tuned_labels_.all()


def test_fixed_thresholds(reference_data):
    """Check a fixed float and one fixed threshold per label."""
    X, Y = reference_data
    per_label = [0.1, 0.2, 0.3, 0.4, 0.5]
    clf = tiny(threshold=per_label, early_stopping=False).fit(X, Y)
    np.testing.assert_array_equal(clf.thresholds_, per_label)
    assert "val_loss" not in clf.history_
    assert not clf.tuned_labels_.any()


def test_custom_model_builder_gets_meta_and_routed_parameters(reference_data):
    """Check the scikeras conventions for model builders."""
    X, Y = reference_data
    seen = {}

    def builder(meta, units):
        seen.update(meta=meta, units=units)
        inputs = keras.Input((meta["n_features_in_"],))
        hidden = keras.layers.Dense(units, activation="tanh")(inputs)
        return keras.Model(inputs, keras.layers.Dense(meta["n_outputs_"])(hidden))

    clf = WeightedMultiLabelClassifier(
        builder, model__units=7, epochs=2, random_state=0, cv=None
    )
    assert clf.get_params()["model__units"] == 7
    clf.fit(X, Y)
    assert seen["units"] == 7
    assert seen["meta"]["n_outputs_"] == 5
    assert seen["meta"]["n_features_in_"] == 5
    assert clf.model_.layers[1].units == 7

    clf.set_params(model__units=3).fit(X, Y)
    assert clf.model_.layers[1].units == 3


def test_optimizer_routing_and_instances(reference_data):
    """Check optimizer names, routed arguments and instances."""
    X, Y = reference_data
    clf = tiny(optimizer="sgd", optimizer__momentum=0.5, learning_rate=0.05)
    clf.fit(X, Y)
    optimizer = clf.model_.optimizer
    assert isinstance(optimizer, keras.optimizers.SGD)
    assert optimizer.momentum == 0.5
    assert np.isclose(float(optimizer.learning_rate), 0.05)

    given = keras.optimizers.AdamW(learning_rate=0.01, clipnorm=1.0)
    clf = tiny(optimizer=given).fit(X, Y)
    assert clf.model_.optimizer is not given
    assert int(given.iterations) == 0


@pytest.mark.parametrize(
    "builder, message",
    [
        (
            lambda meta: keras.Sequential(
                [keras.Input((5,)), keras.layers.Dense(5, activation="sigmoid")]
            ),
            "must end in logits",
        ),
        (
            lambda meta: keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)]),
            "one logit per label",
        ),
        (lambda meta: "not a model", "must return a keras.Model"),
    ],
    ids=["sigmoid", "wrong-width", "not-a-model"],
)
def test_bad_networks_are_refused(reference_data, builder, message):
    """Check that a network without logits per label is refused clearly."""
    X, Y = reference_data
    with pytest.raises((ValueError, TypeError), match=message):
        tiny(model=builder, hidden_layer_sizes="auto").fit(X, Y)


def test_keras_callbacks_and_progress_bar(reference_data, capsys):
    """Check that callbacks see every epoch and verbose=1 shows progress."""
    X, Y = reference_data

    class Recorder(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.epochs = []

        def on_epoch_end(self, epoch, logs=None):
            self.epochs.append((epoch, dict(logs)))

    recorder = Recorder()
    tiny(callbacks=[recorder], early_stopping=False, epochs=3).fit(X, Y)
    assert [epoch for epoch, _ in recorder.epochs] == [0, 1, 2]
    assert "val_loss" in recorder.epochs[0][1]

    capsys.readouterr()
    tiny(verbose=1, epochs=1).fit(X, Y)
    assert "loss" in capsys.readouterr().out
    tiny(verbose=0, epochs=1).fit(X, Y)
    assert capsys.readouterr().out == ""


def test_clone_pickle_and_joblib_round_trips(fitted, reference_data, tmp_path):
    """Check clone, pickle and joblib: identical predictions after loading."""
    X, _ = reference_data
    expected = fitted.predict_proba(X)

    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_proba(X), expected)
    np.testing.assert_array_equal(restored.thresholds_, fitted.thresholds_)

    joblib.dump(fitted, tmp_path / "clf.joblib")
    loaded = joblib.load(tmp_path / "clf.joblib")
    np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))

    fresh = clone(fitted)
    assert not hasattr(fresh, "model_")
    assert fresh.get_params() == fitted.get_params()


def test_grid_search_over_a_pipeline(reference_data):
    """Check GridSearchCV over a Pipeline with scoring="f1_macro"."""
    X, Y = reference_data
    pipeline = make_pipeline(StandardScaler(), tiny(epochs=2))
    search = GridSearchCV(
        pipeline,
        {"weightedmultilabelclassifier__pos_weight": ["balanced", None]},
        scoring="f1_macro",
        cv=2,
    )
    search.fit(X, Y)
    assert search.best_params_["weightedmultilabelclassifier__pos_weight"] in (
        "balanced",
        None,
    )
    assert search.predict(X).shape == Y.shape


def test_cross_val_predict_probabilities(reference_data):
    """Check cross_val_predict(method="predict_proba")."""
    X, Y = reference_data
    proba = cross_val_predict(tiny(epochs=2), X, Y, cv=2, method="predict_proba")
    assert proba.shape == Y.shape
    assert np.all((proba >= 0) & (proba <= 1))


def test_repeated_fits_keep_no_graphs_alive(reference_data):
    """Check that repeated fits do not accumulate traced TensorFlow graphs."""
    X, Y = reference_data
    clf = tiny(epochs=2)

    def live_graphs():
        gc.collect()
        return sum(isinstance(obj, FuncGraph) for obj in gc.get_objects())

    clf.fit(X, Y).predict(X)
    before = live_graphs()
    for _ in range(5):
        clf.fit(X, Y).predict(X)
    assert live_graphs() <= before


# Each row: parameters, the error, and a pattern its message must match.
BAD_PARAMS = [
    (dict(epochs=0), ValueError, "'epochs' parameter"),
    (dict(batch_size=-1), ValueError, "'batch_size' parameter"),
    (dict(learning_rate=0), ValueError, "'learning_rate' parameter"),
    (dict(dropout=1.0), ValueError, "'dropout' parameter"),
    (dict(alpha=-1e-4), ValueError, "'alpha' parameter"),
    (dict(alpha=1e-3), ValueError, "alpha shape.* the default network only"),
    (dict(validation_fraction=1.0), ValueError, "'validation_fraction' parameter"),
    (dict(pos_weight="heavy"), ValueError, "'pos_weight' parameter"),
    (dict(pos_weight=-2.0), ValueError, "'pos_weight' parameter"),
    (dict(pos_weight=[1.0, 2.0]), ValueError, "pos_weight.*one weight per label"),
    (dict(pos_weight={"z": 2.0}), ValueError, "pos_weight names labels"),
    (dict(max_pos_weight=0.5), ValueError, "'max_pos_weight' parameter"),
    (dict(threshold=1.5), ValueError, "'threshold' parameter"),
    (dict(threshold=[0.5, 0.5]), ValueError, "threshold must be"),
    (dict(threshold="best"), ValueError, "'threshold' parameter"),
    (dict(threshold_scoring="f0"), ValueError, "threshold_scoring"),
    (dict(threshold_scoring="accuracy"), ValueError, "threshold_scoring"),
    (dict(threshold_min_positives=-1), ValueError, "'threshold_min_positives'"),
    (dict(threshold_shrinkage=-1.0), ValueError, "'threshold_shrinkage'"),
    (dict(threshold_resamples=-1), ValueError, "'threshold_resamples'"),
    (dict(threshold_resamples=2.5), ValueError, "'threshold_resamples'"),
    (dict(cv=1), ValueError, "'cv' parameter"),
    (dict(early_stopping="yes"), ValueError, "'early_stopping' parameter"),
    (dict(n_iter_no_change=0), ValueError, "'n_iter_no_change' parameter"),
    (dict(hidden_layer_sizes=(10, 0)), ValueError, "hidden_layer_sizes"),
    (dict(hidden_layer_sizes="10"), ValueError, "hidden_layer_sizes"),
    (dict(optimizer="fastest"), ValueError, "optimizer 'fastest'"),
    (dict(optimizer=dict), ValueError, "optimizer must be"),
    (dict(random_state="seed"), ValueError, "'random_state' parameter"),
    (dict(verbose=-3), ValueError, "'verbose' parameter"),
    (dict(callbacks="early"), ValueError, "'callbacks' parameter"),
]


class BuildCounter:
    """A model builder that counts its calls, to show no Keras work was done."""

    def __init__(self):
        self.calls = 0

    def __call__(self, meta):
        self.calls += 1
        inputs = keras.Input((meta["n_features_in_"],))
        return keras.Model(inputs, keras.layers.Dense(meta["n_outputs_"])(inputs))


@pytest.mark.parametrize("params, error, message", BAD_PARAMS)
def test_invalid_parameters_are_refused_before_keras_work(
    reference_data, params, error, message
):
    """Check that each invalid parameter gets an error naming it, early."""
    X, Y = reference_data
    builder = BuildCounter()
    params = {"model": builder, "hidden_layer_sizes": "auto", **params}
    if "hidden_layer_sizes" in params and params["hidden_layer_sizes"] != "auto":
        params["model"] = None
    with pytest.raises(error, match=message):
        tiny(**params).fit(X, Y)
    assert builder.calls == 0


def _bad_inputs():
    X, Y = make_reference_problem(60, n_labels=3, random_state=0)
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    X_inf = X.copy()
    X_inf[0, 0] = np.inf
    Y_two = Y.copy()
    Y_two[0, 0] = 2
    return [
        ("nan", X_nan, Y, None, ValueError, "NaN"),
        ("inf", X_inf, Y, None, ValueError, "infinity"),
        ("labels", X, Y_two, None, ValueError, "0 and 1 only"),
        ("rows", X, Y[:-1], None, ValueError, "rows but X has"),
        ("3d-X", X[:, :, None], Y, None, ValueError, "dim 3"),
        ("3d-y", X, Y[:, :, None], None, ValueError, "3 dimensions"),
        ("no-rows", X[:0], Y[:0], None, ValueError, "0 sample"),
        ("text-X", np.full((60, 3), "a"), Y, None, ValueError, "convert"),
        ("ragged-y", X[:2], [[0, 1], [1]], None, ValueError, "rectangular"),
        ("weight-length", X, Y, np.ones(5), ValueError, "sample_weight"),
        ("weight-negative", X, Y, -np.ones(60), ValueError, "(?i)negative"),
        ("weight-zero", X, Y, np.zeros(60), ValueError, "non-zero"),
        ("multiclass", X, np.arange(60) % 3, None, ValueError, "Only binary"),
    ]


@pytest.mark.parametrize(
    "X, y, sample_weight, error, message",
    [case[1:] for case in _bad_inputs()],
    ids=[case[0] for case in _bad_inputs()],
)
def test_bad_inputs_leave_data_and_fitted_estimator_untouched(
    X, y, sample_weight, error, message
):
    """Check clear errors for bad input, with caller data and state untouched."""
    X_good, Y_good = make_reference_problem(60, n_labels=3, random_state=0)
    builder = BuildCounter()
    clf = tiny(model=builder, hidden_layer_sizes="auto").fit(X_good, Y_good)
    expected = clf.predict_proba(X_good)
    state = {key: value for key, value in vars(clf).items() if key.endswith("_")}
    calls = builder.calls

    X_copy, y_copy = np.copy(X), np.copy(np.asarray(y, dtype=object))
    with pytest.raises(error, match=message):
        clf.fit(X, y, sample_weight=sample_weight)

    assert builder.calls == calls
    np.testing.assert_array_equal(np.asarray(X), X_copy)
    assert np.array_equal(np.asarray(y, dtype=object), y_copy)
    np.testing.assert_array_equal(clf.predict_proba(X_good), expected)
    for key, value in state.items():
        assert getattr(clf, key) is value


def test_wrong_feature_count_at_predict(fitted):
    """Check the error for rows with another number of features."""
    with pytest.raises(ValueError, match="X has 4 features, but"):
        fitted.predict(np.zeros((2, 4)))


def test_interrupted_fit_leaves_the_estimator_as_it_was(fitted, reference_data):
    """Check that a KeyboardInterrupt during fit changes nothing."""
    X, Y = reference_data
    clf = clone(fitted).fit(X, Y)
    expected = clf.predict_proba(X)
    model = clf.model_

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            raise KeyboardInterrupt

    clf.set_params(callbacks=[Interrupt()])
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, Y)
    assert clf.model_ is model
    np.testing.assert_array_equal(clf.predict_proba(X), expected)


def test_diverging_training_raises_a_clear_error(reference_data):
    """Check that a loss that becomes infinite or NaN ends in a clear error."""
    X, Y = reference_data
    X = X * 1e30
    with pytest.raises(FloatingPointError, match="training loss became"):
        tiny(learning_rate=1e30, optimizer="sgd").fit(X, Y)


def test_not_fitted_error():
    """Check that predicting before fit raises NotFittedError."""
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        tiny().predict(np.zeros((1, 5)))


def test_partial_fit_is_not_offered():
    """Check that partial_fit and initialize are not available."""
    clf = tiny()
    assert not hasattr(clf, "partial_fit")
    assert not hasattr(clf, "initialize")


def test_alpha_reaches_the_first_layer_of_the_default_network(reference_data):
    X, Y = reference_data
    assert tiny().alpha == 1e-4
    plain = tiny(epochs=2, alpha=0.0).fit(X, Y)
    penalised = tiny(epochs=2, alpha=0.05).fit(X, Y)

    first = penalised.model_.get_layer("hidden_0")
    assert first.kernel_regularizer.l2 == pytest.approx(0.05)
    assert plain.model_.get_layer("hidden_0").kernel_regularizer is None
    # The penalty shrinks the weights that read the features.
    norm = np.linalg.norm(first.kernel.numpy())
    assert norm < np.linalg.norm(plain.model_.get_layer("hidden_0").kernel.numpy())


def test_auto_hidden_layer_sizes_follow_the_kind_of_input(reference_data):
    X, Y = reference_data
    auto = dict(TINY, hidden_layer_sizes="auto", epochs=1)
    dense = WeightedMultiLabelClassifier(**auto).fit(X[:300], Y[:300])
    sparse = WeightedMultiLabelClassifier(**auto).fit(sp.csr_matrix(X[:300]), Y[:300])

    def widths(clf):
        return [
            layer.units for layer in clf.model_.layers[1:] if "hidden" in layer.name
        ]

    assert widths(dense) == [100, 100]
    assert widths(sparse) == [100]
