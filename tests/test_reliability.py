"""Behaviour under load and faults: many fits, huge predictions, divergence."""

import gc
import threading
import tracemalloc

import keras
import numpy as np
import psutil
import pytest
import tensorflow as tf

from sklearn_multilabel import WeightedMultiLabelClassifier
from sklearn_multilabel.datasets import make_reference_problem


def tiny(**params):
    params = {
        "hidden_layer_sizes": (8,),
        "epochs": 2,
        "random_state": 0,
        "cv": None,
        **params,
    }
    return WeightedMultiLabelClassifier(**params)


@pytest.fixture(scope="module")
def small():
    return make_reference_problem(600, n_labels=3, random_state=0)


class Interrupt(keras.callbacks.Callback):
    """Raise KeyboardInterrupt in the middle of training, as Ctrl-C would."""

    def on_train_batch_end(self, batch, logs=None):
        raise KeyboardInterrupt


def _live_func_graphs():
    gc.collect()
    return sum(isinstance(o, tf.Graph) for o in gc.get_objects())


def test_hundred_fits_keep_memory_flat(small):
    # Every tenth fit is interrupted or diverges: failed fits must not leave
    # state behind either. Before the eager kernel cache was released at the
    # end of each fit, this loop grew by about 0.5 MB a fit (45 MB here).
    X, Y = small
    process = psutil.Process()
    rss = []
    for i in range(100):
        if i % 10 == 4:
            with pytest.raises(KeyboardInterrupt):
                tiny(callbacks=[Interrupt()]).fit(X, Y)
        elif i % 10 == 7:
            with pytest.raises(FloatingPointError):
                tiny(learning_rate=1e30, epochs=3).fit(X * 1e6, Y)
        else:
            tiny(epochs=1).fit(X, Y)
        gc.collect()
        rss.append(process.memory_info().rss)

    growth = (rss[-1] - rss[19]) / 2**20
    assert growth < 12, f"memory grew {growth:.1f} MB over 80 fits"


def test_failed_fits_leave_no_traced_graphs(small):
    X, Y = small
    tiny().fit(X, Y)
    before = _live_func_graphs()

    for _ in range(3):
        with pytest.raises(KeyboardInterrupt):
            tiny(callbacks=[Interrupt()]).fit(X, Y)
        with pytest.raises(FloatingPointError):
            tiny(learning_rate=1e30, epochs=3).fit(X * 1e6, Y)

    assert _live_func_graphs() <= before


@pytest.mark.parametrize(
    "params, scale",
    [
        ({"learning_rate": 1e30}, 1e6),
        ({"optimizer": "sgd", "learning_rate": 1e12}, 1e8),
    ],
    ids=["adam-huge-rate", "sgd-huge-rate"],
)
def test_divergence_ends_in_a_clear_error_not_nan(small, params, scale):
    X, Y = small
    X_big = X * scale
    copy_of_X = X_big.copy()
    fitted = tiny().fit(X, Y)
    before = fitted.predict_proba(X)
    thresholds = fitted.thresholds_.copy()
    fitted.set_params(epochs=5, **params)

    with pytest.raises(FloatingPointError, match="lower learning_rate"):
        fitted.fit(X_big, Y)

    # The fitted state from before is intact and finite; the data untouched.
    np.testing.assert_array_equal(fitted.thresholds_, thresholds)
    np.testing.assert_array_equal(fitted.predict_proba(X), before)
    assert np.isfinite(before).all() and np.isfinite(thresholds).all()
    np.testing.assert_array_equal(X_big, copy_of_X)


def test_saturated_logits_give_finite_probabilities(small):
    # Inputs far outside the training range push logits to +-inf in float32;
    # probabilities and predictions must stay finite and in [0, 1].
    X, Y = small
    clf = tiny().fit(X, Y)
    extreme = np.vstack([X[:5] * 1e30, -X[:5] * 1e30, np.full((1, X.shape[1]), 3e38)])

    proba = clf.predict_proba(extreme)
    assert np.isfinite(proba).all()
    assert ((proba >= 0) & (proba <= 1)).all()
    assert set(np.unique(clf.predict(extreme))) <= {0, 1}


class _PeakRSS:
    """Sample the resident memory in a thread; keep the highest value."""

    def __enter__(self):
        self.process = psutil.Process()
        self.start = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.002):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)
        return False

    @property
    def growth(self):
        return self.peak - self.start


def test_million_rows_predict_in_bounded_memory(small):
    X, Y = small
    clf = tiny().fit(X, Y)
    rng = np.random.default_rng(0)
    n_rows = 1_000_000
    big = (rng.random((n_rows, X.shape[1]), dtype=np.float32) < 0.1).astype(np.float32)
    out_bytes = n_rows * Y.shape[1] * 8
    clf.predict_proba(big[:10])
    gc.collect()

    tracemalloc.start()
    try:
        with _PeakRSS() as rss:
            proba = clf.predict_proba(big)
        _, traced_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert proba.shape == (n_rows, Y.shape[1])
    np.testing.assert_allclose(proba[:10], clf.predict_proba(big[:10]))
    # numpy working memory beyond the result: a few batches, never a copy of
    # X (a float64 copy alone would be 48 MB here).
    assert traced_peak - out_bytes < 16 * 2**20, traced_peak / 2**20
    # Whole process, TensorFlow included: bounded by batches, not by rows.
    assert rss.growth - out_bytes < 120 * 2**20, rss.growth / 2**20
