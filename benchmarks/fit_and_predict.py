"""Predict latency and the cost of repeated fits, side by side in one run.

Run ``python benchmarks/fit_and_predict.py``. It prints, for a fitted
default estimator on the reference problem (30 features, 30 labels):

- the time of ``predict_proba`` on 1, 100 and 10,000 rows, beside the raw
  Keras model's ``predict`` (the path scikeras takes) and ``predict_on_batch``;
- resident memory and time per fit over repeated fits in one process, for
  this estimator and for raw Keras ``Model.fit`` on the same network, rows,
  epochs and batch size.

Absolute times vary with the machine and its load; compare the columns of
one run.
"""

import argparse
import gc
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import psutil  # noqa: E402

from sklearn_multilabel import WeightedMultiLabelClassifier  # noqa: E402
from sklearn_multilabel.datasets import make_reference_problem  # noqa: E402


def _median_seconds(call, repeat):
    call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def predict_latency(clf, X):
    model = clf.model_
    print("predict latency, median ms")
    print(f"{'rows':>8}{'this':>10}{'Model.predict':>15}{'predict_on_batch':>18}")
    for n_rows in (1, 100, 10000):
        rows = X[:n_rows]
        repeat = 200 if n_rows < 10000 else 20
        ours = _median_seconds(lambda r=rows: clf.predict_proba(r), repeat)
        keras_predict = _median_seconds(
            lambda r=rows: model.predict(r, verbose=0), min(repeat, 30)
        )
        on_batch = _median_seconds(lambda r=rows: model.predict_on_batch(r), repeat)
        print(
            f"{n_rows:>8}{ours * 1e3:>10.3f}{keras_predict * 1e3:>15.3f}"
            f"{on_batch * 1e3:>18.3f}"
        )


def _raw_keras_fit(X, Y):
    model = keras.Sequential(
        [
            keras.Input((X.shape[1],)),
            keras.layers.Dense(100, activation="relu"),
            keras.layers.Dense(100, activation="relu"),
            keras.layers.Dense(Y.shape[1]),
        ]
    )
    model.compile(
        optimizer="adam", loss=keras.losses.BinaryCrossentropy(from_logits=True)
    )
    model.fit(X, Y, epochs=5, batch_size=256, verbose=0)
    return model


def repeated_fits(X, Y, n_fits):
    process = psutil.Process()
    clf = WeightedMultiLabelClassifier(
        epochs=5, early_stopping=False, threshold=0.5, random_state=0
    )
    runs = {
        "this estimator": lambda: clf.fit(X, Y).predict(X[:10]),
        "raw Model.fit": lambda: _raw_keras_fit(X, Y)(X[:10]),
    }
    print(f"\n{n_fits} consecutive fits, 5 epochs of {len(X)} rows each")
    print(f"{'':<16}{'RSS growth MB':>14}{'first s':>9}{'last s':>9}")
    for name, run in runs.items():
        run()
        gc.collect()
        start_rss = process.memory_info().rss
        seconds = []
        for _ in range(n_fits):
            start = time.perf_counter()
            run()
            seconds.append(time.perf_counter() - start)
        gc.collect()
        growth = (process.memory_info().rss - start_rss) / 1e6
        first = np.mean(seconds[:5])
        last = np.mean(seconds[-5:])
        print(f"{name:<16}{growth:>14.1f}{first:>9.2f}{last:>9.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fits", type=int, default=50, help="consecutive fits")
    args = parser.parse_args()

    X, Y = make_reference_problem(10000, random_state=0)
    clf = WeightedMultiLabelClassifier(random_state=0).fit(X, Y)
    predict_latency(clf, X)
    repeated_fits(X, Y, args.fits)


if __name__ == "__main__":
    main()
