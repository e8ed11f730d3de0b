"""Tests of WeightedMultiLabelClassifier in threads, processes and on Dask."""

import logging
import os
import pickle
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV

from sklearn_multilabel import WeightedMultiLabelClassifier
from sklearn_multilabel.datasets import make_reference_problem

TINY = dict(hidden_layer_sizes=(8,), epochs=2, batch_size=64, random_state=0, cv=None)


def tiny(**params):
    return WeightedMultiLabelClassifier(**{**TINY, **params})


@pytest.fixture(scope="module")
def data():
    # A strong signal, so that the candidates of a grid score differently.
    return make_reference_problem(400, n_labels=3, signal=0.6, random_state=0)


@pytest.fixture(scope="module")
def fitted(data):
    X, Y = data
    return tiny().fit(X, Y)


def _search(n_jobs):
    """A grid search whose scores show every digit and where each fit ran.

    Besides macro-F1 it scores the mean predicted probability, which any
    difference in the trained weights changes, and the id of the process:
    scorers run in the process that fitted the candidate. They are defined
    here, not at module level, so that worker processes receive them by value.
    """

    def mean_proba(estimator, X, y):
        return estimator.predict_proba(X).mean()

    def process_id(estimator, X, y):
        return os.getpid()

    return GridSearchCV(
        tiny(dropout=0.2),
        {"pos_weight": ["balanced", None]},
        scoring={"f1": "f1_macro", "proba": mean_proba, "pid": process_id},
        cv=2,
        refit=False,
        n_jobs=n_jobs,
    )


@pytest.fixture(scope="module")
def serial_results(data):
    X, Y = data
    return _search(n_jobs=1).fit(X, Y).cv_results_


def _assert_same_results(got, expected):
    """Check two cv_results_ for equality, except timings and process ids."""
    keys = [key for key in expected if not key.endswith(("_time", "_pid"))]
    assert sorted(keys) == sorted(
        key for key in got if not key.endswith(("_time", "_pid"))
    )
    for key in keys:
        if isinstance(expected[key], list):
            assert got[key] == expected[key], key
        else:
            np.testing.assert_array_equal(
                np.ma.getdata(got[key]), np.ma.getdata(expected[key]), err_msg=key
            )
            np.testing.assert_array_equal(
                np.ma.getmaskarray(got[key]), np.ma.getmaskarray(expected[key])
            )


def _process_ids(results):
    keys = [key for key in results if key.startswith("split")]
    return {int(pid) for key in keys if key.endswith("_pid") for pid in results[key]}


def _call_from_threads(n_threads, calls):
    """Run every call in each of n_threads threads, started together."""
    barrier = threading.Barrier(n_threads)

    def work(offset):
        barrier.wait()
        # Each thread takes the calls in another order, to mix them up.
        order = np.roll(np.arange(len(calls)), offset)
        return {int(i): calls[i]() for i in order}

    with ThreadPoolExecutor(n_threads) as pool:
        return list(pool.map(work, range(n_threads)))


@pytest.mark.parametrize("restored", [False, True], ids=["fitted", "unpickled"])
def test_predictions_from_four_threads_match_serial_calls(fitted, data, restored):
    """Check predictions made in 4 threads at once against serial calls.

    An unpickled estimator has not traced its forward function yet, so its
    threads also trace it at the same time.
    """
    X, _ = data
    clf = pickle.loads(pickle.dumps(fitted)) if restored else fitted
    parts = [X[:1], X[1:50], X[50:51], X[51:400], X]
    calls = [
        lambda part=part, method=method: getattr(clf, method)(part)
        for part in parts
        for method in ("predict_proba", "decision_function", "predict")
    ]
    expected = [
        getattr(fitted, method)(part)
        for part in parts
        for method in ("predict_proba", "decision_function", "predict")
    ]

    for results in _call_from_threads(4, calls):
        for i, value in results.items():
            np.testing.assert_array_equal(value, expected[i])


def test_fits_in_three_threads_repeat_serial_fits(data):
    """Check that fits running in threads at once equal the same fits in turn."""
    X, Y = data
    seeds = range(3)

    def fit(seed):
        return tiny(dropout=0.2, random_state=seed).fit(X, Y).predict_proba(X)

    expected = [fit(seed) for seed in seeds]
    with ThreadPoolExecutor(3) as pool:
        got = list(pool.map(fit, seeds))

    for value, reference in zip(got, expected, strict=True):
        np.testing.assert_array_equal(value, reference)
    assert not np.array_equal(expected[0], expected[1])


def test_fit_is_repeatable_while_another_thread_draws_random_numbers(data):
    """Check a fit's repeatability while Python's random is used elsewhere.

    A Dask worker's event loop draws from Python's shared ``random`` while
    the worker fits; such draws must not change the initial weights.
    """
    X, Y = data
    expected = tiny(dropout=0.2).fit(X, Y).predict_proba(X)
    state = random.getstate()
    stop = threading.Event()

    def draw():
        while not stop.is_set():
            random.random()

    thread = threading.Thread(target=draw)
    thread.start()
    try:
        got = tiny(dropout=0.2).fit(X, Y).predict_proba(X)
    finally:
        stop.set()
        thread.join()
    random.setstate(state)

    np.testing.assert_array_equal(got, expected)


@pytest.mark.slow
def test_grid_search_in_two_processes_matches_one_process(data, serial_results):
    """Check GridSearchCV(n_jobs=2): same cv_results_, fits in other processes."""
    X, Y = data
    results = _search(n_jobs=2).fit(X, Y).cv_results_

    _assert_same_results(results, serial_results)
    assert len(set(serial_results["mean_test_proba"])) > 1
    assert _process_ids(serial_results) == {os.getpid()}
    assert os.getpid() not in _process_ids(results)


@pytest.mark.slow
def test_grid_search_on_a_dask_cluster_matches_one_process(data, serial_results):
    """Check a grid search through joblib's Dask backend on 2 worker processes."""
    distributed = pytest.importorskip("distributed")
    X, Y = data

    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        worker_ids = set(client.run(os.getpid).values())
        with joblib.parallel_config(backend="dask"):
            results = _search(n_jobs=2).fit(X, Y).cv_results_

    _assert_same_results(results, serial_results)
    assert len(worker_ids) == 2
    assert os.getpid() not in worker_ids
    assert _process_ids(results) <= worker_ids
