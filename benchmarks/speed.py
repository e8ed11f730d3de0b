"""Speed and memory benchmark: each figure a ratio measured in the same run.

Five measurements, each against what a user would otherwise run, on the same
network (two hidden layers of 100 ReLU units), rows and settings:

- predict latency for 1, 100 and 10,000 rows of the reference problem, against
  scikeras ``KerasClassifier.predict_proba`` and the raw Keras model's
  ``predict_on_batch``;
- fit time against raw Keras ``Model.fit``, with the same loss, rows, epochs
  and batch size;
- threshold search time against ``TunedThresholdClassifierCV`` run per label;
- resident memory and time per fit over consecutive fits in one process,
  against scikeras (each contender in a fresh process of its own);
- peak memory of a fit on sparse TF-IDF features (GoEmotions) against the size
  of the same matrix made dense.

Contenders take turns in every timing loop, so that the load of a shared
machine weighs on all of them alike; the ratios are the figures to read.
The run writes ``speed.md`` and ``speed.png`` into the output folder.
"""

import gc
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from ._common import (
    check_folder,
    code_version,
    interleaved_medians,
    log,
    machine_line,
    markdown_table,
    median_seconds,
    settle_op_determinism,
    use_file_backend,
    write_text,
)

OURS = "this estimator"
SCIKERAS = "scikeras KerasClassifier"
RAW = "raw Keras"
# The estimator cross-fitted as cv="auto" does: five fold networks averaged.
AVERAGED = "this estimator, fold average"
AVERAGED_RAW = "raw Keras, fold average"
TTCV = "TunedThresholdClassifierCV"


@dataclass
class Sizes:
    """Sizes of every measurement; a quick run shrinks them all."""

    predict_rows: tuple = (1, 100, 10000)
    predict_repeat: tuple = (50, 50, 20)
    fit_rows: int = 30000
    fit_epochs: int = 10
    fit_repeat: int = 3
    threshold_shape: tuple = (30000, 30)
    threshold_repeat: int = 10
    tuned_cv_repeat: int = 1
    memory_rows: int = 10000
    memory_epochs: int = 5
    n_fits: int = 50
    sparse_epochs: int = 2
    hidden: tuple = (100, 100)
    quick: bool = False

    @classmethod
    def make(cls, quick, n_fits):
        if not quick:
            return cls(n_fits=n_fits or cls.n_fits)
        return cls(
            predict_rows=(1, 100, 1000),
            predict_repeat=(3, 3, 3),
            fit_rows=2000,
            fit_epochs=2,
            fit_repeat=1,
            threshold_shape=(2000, 3),
            threshold_repeat=2,
            memory_rows=1000,
            memory_epochs=1,
            n_fits=n_fits or 4,
            sparse_epochs=1,
            hidden=(32,),
            quick=True,
        )


# ---------------------------------------------------------------------------
# The networks compared
# ---------------------------------------------------------------------------


def _ours(sizes, **params):
    from sklearn_multilabel import WeightedMultiLabelClassifier

    # The same network and the same work as the Keras runs beside it: no
    # dropout layers, no L2 penalty, and one network per fit (no
    # cross-fitting).
    params = {"dropout": 0.0, "alpha": 0.0, "cv": None, **params}
    return WeightedMultiLabelClassifier(
        hidden_layer_sizes=sizes.hidden, random_state=0, **params
    )


def _scikeras(sizes, epochs):
    from scikeras.wrappers import KerasClassifier

    from .quality import sigmoid_mlp

    return KerasClassifier(
        sigmoid_mlp,
        model__hidden_layer_sizes=sizes.hidden,
        loss="binary_crossentropy",
        optimizer="adam",
        epochs=epochs,
        batch_size=256,
        random_state=0,
        verbose=0,
    )


def _raw_model(n_features, n_labels, sizes, pos_weight):
    """The estimator's own network and loss, compiled for Model.fit."""
    import keras

    from sklearn_multilabel import WeightedBinaryCrossentropy, build_mlp

    meta = {"n_features_in_": n_features, "n_outputs_": n_labels}
    model = build_mlp(meta, hidden_layer_sizes=sizes.hidden)
    model.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss=WeightedBinaryCrossentropy(pos_weight),
    )
    return model


# ---------------------------------------------------------------------------
# 1. Predict latency
# ---------------------------------------------------------------------------


def predict_latency(sizes, verbose):
    """Median predict_proba time per row count for the three contenders."""
    from sklearn_multilabel.datasets import make_reference_problem

    n_rows = max(sizes.predict_rows)
    X, Y = make_reference_problem(max(n_rows, 2000), random_state=0)
    ours = _ours(sizes, epochs=2).fit(X, Y)
    averaged = _ours(sizes, epochs=2, cv="auto").fit(X, Y)
    theirs = _scikeras(sizes, epochs=2).fit(X, Y)
    model = ours.model_
    averaged_model = averaged.model_

    results = []
    for rows, repeat in zip(sizes.predict_rows, sizes.predict_repeat, strict=True):
        batch = X[:rows]
        medians = interleaved_medians(
            {
                OURS: lambda b=batch: ours.predict_proba(b),
                SCIKERAS: lambda b=batch: theirs.predict_proba(b),
                RAW: lambda b=batch: model.predict_on_batch(b),
                AVERAGED: lambda b=batch: averaged.predict_proba(b),
                AVERAGED_RAW: lambda b=batch: averaged_model.predict_on_batch(b),
            },
            repeat,
            warmup=2,
        )
        results.append({"rows": rows, **medians})
        log(
            f"predict {rows:>6} rows: ours {medians[OURS] * 1e3:.2f} ms, scikeras "
            f"{medians[SCIKERAS] * 1e3:.2f} ms, predict_on_batch "
            f"{medians[RAW] * 1e3:.2f} ms; fold average (5 networks) "
            f"{medians[AVERAGED] * 1e3:.2f} ms, its predict_on_batch "
            f"{medians[AVERAGED_RAW] * 1e3:.2f} ms",
            verbose,
        )
    return results


# ---------------------------------------------------------------------------
# 2. Fit time
# ---------------------------------------------------------------------------


def fit_time(sizes, verbose):
    """Fit time of the estimator against Model.fit doing the same work.

    Two comparisons: training alone (fixed thresholds, no early stopping,
    every row trained on), and the default fit path (a stratified 20 %
    hold-out scored after every epoch, then per-label thresholds tuned on
    it) against Model.fit with the same hold-out as validation data.
    """
    from sklearn_multilabel import compute_pos_weight
    from sklearn_multilabel.datasets import make_reference_problem

    X, Y = make_reference_problem(sizes.fit_rows, random_state=0)
    epochs = sizes.fit_epochs
    pos_weight = compute_pos_weight(Y, "balanced")
    n_val = sizes.fit_rows // 5
    Yf = Y.astype(np.float32)

    def raw_fit(validation):
        model = _raw_model(X.shape[1], Y.shape[1], sizes, pos_weight)
        if validation:
            model.fit(
                X[n_val:],
                Yf[n_val:],
                validation_data=(X[:n_val], Yf[:n_val]),
                epochs=epochs,
                batch_size=256,
                verbose=0,
            )
        else:
            model.fit(X, Yf, epochs=epochs, batch_size=256, verbose=0)

    train_only = interleaved_medians(
        {
            OURS: lambda: _ours(
                sizes, epochs=epochs, early_stopping=False, threshold=0.5
            ).fit(X, Y),
            RAW: lambda: raw_fit(False),
        },
        sizes.fit_repeat,
        warmup=1,
    )
    with_holdout = interleaved_medians(
        {
            OURS: lambda: _ours(sizes, epochs=epochs, early_stopping=False).fit(X, Y),
            RAW: lambda: raw_fit(True),
        },
        sizes.fit_repeat,
        warmup=0,
    )
    results = [
        {"case": "training only", **train_only},
        {"case": "hold-out scored each epoch, thresholds tuned", **with_holdout},
    ]
    for result in results:
        log(
            f"fit, {result['case']}: ours {result[OURS]:.2f} s, Model.fit "
            f"{result[RAW]:.2f} s",
            verbose,
        )
    return {"rows": sizes.fit_rows, "epochs": epochs, "results": results}


# ---------------------------------------------------------------------------
# 3. Threshold search
# ---------------------------------------------------------------------------


def _column_scorer_class():
    from sklearn.base import BaseEstimator, ClassifierMixin

    class ColumnScore(ClassifierMixin, BaseEstimator):
        """A fitted binary classifier whose score is one column of X."""

        def __init__(self, column=0):
            self.column = column

        def fit(self, X, y):
            self.classes_ = np.array([0, 1])
            return self

        def decision_function(self, X):
            return np.asarray(X)[:, self.column]

        def predict(self, X):
            return (self.decision_function(X) >= 0).astype(int)

    return ColumnScore


def threshold_search(sizes, verbose):
    """Exact per-label search against TunedThresholdClassifierCV per label."""
    from sklearn.model_selection import TunedThresholdClassifierCV

    from sklearn_multilabel._thresholds import tune_thresholds

    n_rows, n_labels = sizes.threshold_shape
    rng = np.random.default_rng(0)
    Y = (rng.random((n_rows, n_labels)) < 0.05).astype(np.int64)
    scores = 1.5 * Y + rng.normal(size=Y.shape)

    ours = median_seconds(
        lambda: tune_thresholds(Y, scores, "f1"), sizes.threshold_repeat
    )
    ColumnScore = _column_scorer_class()

    def per_label():
        for j in range(n_labels):
            TunedThresholdClassifierCV(
                ColumnScore(j).fit(scores, Y[:, j]),
                scoring="f1",
                response_method="decision_function",
                cv="prefit",
                refit=False,
            ).fit(scores, Y[:, j])

    theirs = median_seconds(per_label, sizes.tuned_cv_repeat)
    log(
        f"thresholds {n_rows} x {n_labels}: ours {ours * 1e3:.1f} ms, "
        f"TunedThresholdClassifierCV per label {theirs * 1e3:.0f} ms",
        verbose,
    )
    return {
        "shape": (n_rows, n_labels),
        OURS: ours,
        TTCV: theirs,
    }


# ---------------------------------------------------------------------------
# 4. Memory and time over consecutive fits (one fresh process each)
# ---------------------------------------------------------------------------


def _rss():
    import psutil

    return psutil.Process().memory_info().rss


def repeated_fits_worker(contender, sizes):
    """Fit `contender` n_fits times in this process; RSS and time per fit."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from sklearn_multilabel.datasets import make_reference_problem

    settle_op_determinism()
    X, Y = make_reference_problem(sizes.memory_rows, random_state=0)
    epochs = sizes.memory_epochs
    if contender == OURS:

        def make():
            return _ours(sizes, epochs=epochs, early_stopping=False)

    else:

        def make():
            return _scikeras(sizes, epochs=epochs)

    # One fit first, so that imports and one-off set-up are not counted.
    make().fit(X, Y).predict(X[:10])
    gc.collect()
    rss, seconds = [_rss()], []
    for _ in range(sizes.n_fits):
        start = time.perf_counter()
        make().fit(X, Y).predict(X[:10])
        seconds.append(time.perf_counter() - start)
        gc.collect()
        rss.append(_rss())
    return {"rss": rss, "seconds": seconds}


# ---------------------------------------------------------------------------
# 5. Peak memory of a fit on sparse TF-IDF features (fresh process)
# ---------------------------------------------------------------------------


class _PeakSampler:
    """Sample this process's RSS in a thread; keep the highest value."""

    def __init__(self, interval=0.005):
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss())
            time.sleep(self.interval)

    def __enter__(self):
        self.peak = _rss()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())
        return False


def sparse_peak_worker(data_home, sizes):
    """Peak RSS growth while fitting on sparse TF-IDF features."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer

    settle_op_determinism()
    if sizes.quick:
        # Synthetic sparse rows: the smoke test runs without the data sets.
        rng = np.random.default_rng(0)
        X = sp.random(
            3000, 20000, density=0.001, format="csr", dtype=np.float32, random_state=0
        )
        Y = (rng.random((3000, 5)) < 0.2).astype(np.int64)
        source = "synthetic sparse rows"
    else:
        from sklearn_multilabel.datasets import load_goemotions

        from .quality import VOCABULARY

        texts, Y = load_goemotions(data_home, subset="train", return_X_y=True)
        vectorizer = TfidfVectorizer(
            ngram_range=(1, 2), max_features=VOCABULARY, dtype=np.float32
        )
        X = vectorizer.fit_transform(texts)
        del texts
        source = "GoEmotions train, TfidfVectorizer(ngram_range=(1, 2))"

    estimator = _ours(sizes, epochs=sizes.sparse_epochs)
    gc.collect()
    before = _rss()
    start = time.perf_counter()
    with _PeakSampler() as sampler:
        estimator.fit(X, Y)
    seconds = time.perf_counter() - start
    return {
        "source": source,
        "shape": X.shape,
        "nnz": int(X.nnz),
        "sparse_bytes": int(X.data.nbytes + X.indices.nbytes + X.indptr.nbytes),
        "dense_bytes": int(X.shape[0]) * int(X.shape[1]) * 4,
        "rss_before": before,
        "peak_growth": sampler.peak - before,
        "fit_s": seconds,
        "epochs": sizes.sparse_epochs,
    }


def in_fresh_processes(jobs, fresh=True):
    """Run each (function, *args) job in a new Python process, one at a time.

    A fresh process gives every memory figure the same starting point, and
    one job at a time keeps them from competing for the cores. With
    ``fresh=False`` the jobs run in this process instead: quick runs, whose
    figures mean nothing, save starting TensorFlow again.
    """
    if not fresh:
        return [function(*args) for function, *args in jobs]
    context = get_context("spawn")
    results = []
    for job in jobs:
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            results.append(pool.submit(*job).result())
    return results


def n_compared(n_fits):
    """How many first and last fits are compared: five, fewer in short runs."""
    return max(1, min(5, n_fits // 2))


def repeated_fits(results, sizes, verbose):
    k = n_compared(sizes.n_fits)
    for contender, result in results.items():
        growth = (result["rss"][-1] - result["rss"][0]) / 1e6
        log(
            f"{sizes.n_fits} fits, {contender}: RSS growth {growth:.1f} MB, first "
            f"{k} {np.mean(result['seconds'][:k]):.2f} s, last {k} "
            f"{np.mean(result['seconds'][-k:]):.2f} s",
            verbose,
        )
    return results


def sparse_peak(result, sizes, verbose):
    if "skipped" in result:
        return result
    log(
        f"sparse fit on {result['shape']}: peak growth "
        f"{result['peak_growth'] / 1e6:.0f} MB, dense float32 "
        f"{result['dense_bytes'] / 1e6:.0f} MB",
        verbose,
    )
    return result


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def _ms(seconds):
    return f"{seconds * 1e3:.2f}" if seconds < 1 else f"{seconds * 1e3:.0f}"


def _yes(condition):
    return "yes" if condition else "**no**"


def report(results, sizes, elapsed):
    """The Markdown text of speed.md, targets first."""
    latency = results["latency"]
    fit = results["fit"]
    thresholds = results["thresholds"]
    fits = results["repeated"]
    sparse = results["sparse"]
    command = "python -m benchmarks speed" + (" --quick" if sizes.quick else "")
    if sizes.n_fits != 50 and not sizes.quick:
        command += f" --fits {sizes.n_fits}"

    one_row = latency[0]
    big = latency[-1]
    train = fit["results"][0]
    ours_fits = fits[OURS]
    ours_growth = (ours_fits["rss"][-1] - ours_fits["rss"][0]) / 1e6
    k = n_compared(sizes.n_fits)
    first = float(np.mean(ours_fits["seconds"][:k]))
    last = float(np.mean(ours_fits["seconds"][-k:]))
    targets = [
        [
            f"predict_proba, {one_row['rows']} row: under 1 ms",
            f"{_ms(one_row[OURS])} ms (scikeras {_ms(one_row[SCIKERAS])} ms)",
            _yes(one_row[OURS] < 1e-3),
        ],
        [
            f"predict_proba, {big['rows']} rows: within 1.5x of predict_on_batch",
            f"{big[OURS] / big[RAW]:.2f}x ({_ms(big[OURS])} ms vs {_ms(big[RAW])} ms)",
            _yes(big[OURS] <= 1.5 * big[RAW]),
        ],
        [
            f"fold average (cv='auto', 5 networks), {one_row['rows']} row: under 1 ms",
            f"{_ms(one_row[AVERAGED])} ms",
            _yes(one_row[AVERAGED] < 1e-3),
        ],
        [
            f"fold average, {big['rows']} rows: within 1.5x of predict_on_batch",
            f"{big[AVERAGED] / big[AVERAGED_RAW]:.2f}x ({_ms(big[AVERAGED])} ms vs "
            f"{_ms(big[AVERAGED_RAW])} ms)",
            _yes(big[AVERAGED] <= 1.5 * big[AVERAGED_RAW]),
        ],
        [
            "fit, training only: within 1.2x of Model.fit",
            f"{train[OURS] / train[RAW]:.2f}x ({train[OURS]:.2f} s vs "
            f"{train[RAW]:.2f} s)",
            _yes(train[OURS] <= 1.2 * train[RAW]),
        ],
        [
            f"threshold search, {thresholds['shape'][0]} x {thresholds['shape'][1]}: "
            "under 50 ms",
            f"{_ms(thresholds[OURS])} ms",
            _yes(thresholds[OURS] < 0.05),
        ],
        [
            f"memory over {sizes.n_fits} fits: under 20 MB growth",
            f"{ours_growth:.1f} MB",
            _yes(ours_growth < 20),
        ],
        [
            "time per fit: no fit slower than the first ones",
            f"first {k} {first:.2f} s, last {k} {last:.2f} s, slowest "
            f"{max(ours_fits['seconds']):.2f} s",
            _yes(last <= 1.1 * first),
        ],
    ]
    if "skipped" not in sparse:
        ratio = sparse["peak_growth"] / sparse["dense_bytes"]
        targets.append(
            [
                "sparse fit: peak memory well under the dense matrix",
                f"{sparse['peak_growth'] / 1e6:.0f} MB vs "
                f"{sparse['dense_bytes'] / 1e6:.0f} MB ({ratio:.1%})",
                _yes(ratio < 0.25),
            ]
        )

    parts = [
        "# Speed and memory benchmark",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {machine_line()}. Code: {code_version()}. "
        f"Whole run: {elapsed / 60:.1f} min.",
        "",
        "Absolute times depend on the machine and its load; the contenders take "
        "turns in each timing loop, so read the ratios. Network: hidden layers "
        f"{sizes.hidden}, ReLU, for every contender.",
        "",
        "## Targets",
        "",
        markdown_table(["target", "measured", "met"], targets, "lll"),
        "",
        "## Predict latency",
        "",
        "Median wall time of one call on rows of the reference problem (30 "
        "features, 30 labels, float32). `predict_on_batch` is the raw Keras "
        "model inside this estimator, with no input checks. The first columns "
        "are one network (`cv=None`, the same network as scikeras'); the last "
        'are the estimator cross-fitted as `cv="auto"` does by default, '
        "five fold networks averaged in one Keras model, against that model's "
        "own `predict_on_batch`.",
        "",
        markdown_table(
            [
                "rows",
                f"{OURS} ms",
                f"{SCIKERAS} ms",
                "predict_on_batch ms",
                "vs scikeras",
                "vs predict_on_batch",
                "fold average ms",
                "its predict_on_batch ms",
                "ratio",
            ],
            [
                [
                    r["rows"],
                    _ms(r[OURS]),
                    _ms(r[SCIKERAS]),
                    _ms(r[RAW]),
                    f"{r[OURS] / r[SCIKERAS]:.3f}x",
                    f"{r[OURS] / r[RAW]:.2f}x",
                    _ms(r[AVERAGED]),
                    _ms(r[AVERAGED_RAW]),
                    f"{r[AVERAGED] / r[AVERAGED_RAW]:.2f}x",
                ]
                for r in latency
            ],
        ),
        "",
        "## Fit time",
        "",
        f"{fit['rows']} rows of the reference problem, {fit['epochs']} epochs, batch "
        "size 256, the same network and weighted loss; median of "
        f"{sizes.fit_repeat} fits each. Model.fit with validation data gets the "
        "same 20 % of rows as the estimator's hold-out.",
        "",
        markdown_table(
            ["case", f"{OURS} s", "Model.fit s", "ratio"],
            [
                [
                    r["case"],
                    f"{r[OURS]:.2f}",
                    f"{r[RAW]:.2f}",
                    f"{r[OURS] / r[RAW]:.2f}x",
                ]
                for r in fit["results"]
            ],
            "lrrr",
        ),
        "",
        "## Threshold search",
        "",
        f"{thresholds['shape'][0]} rows x {thresholds['shape'][1]} labels of scores; "
        "this estimator's exact search over every cut of every label against "
        '`TunedThresholdClassifierCV(scoring="f1", cv="prefit")` fitted per '
        "label on the same scores (100 candidate thresholds each).",
        "",
        markdown_table(
            ["search", "ms", "ratio"],
            [
                [f"{OURS} (exact)", _ms(thresholds[OURS]), "1x"],
                [
                    "TunedThresholdClassifierCV per label",
                    _ms(thresholds[TTCV]),
                    f"{thresholds[TTCV] / thresholds[OURS]:.0f}x",
                ],
            ],
            "lrr",
        ),
        "",
        "## Consecutive fits",
        "",
        f"{sizes.n_fits} fits in one fresh process per contender, each of "
        f"{sizes.memory_rows} rows, {sizes.memory_epochs} epochs, then a predict "
        "of 10 rows (this estimator with its default hold-out and threshold "
        "tuning, early stopping off). RSS is read after garbage collection; the "
        "growth is from after a first, uncounted fit to after the last.",
        "",
        markdown_table(
            [
                "contender",
                "RSS growth MB",
                f"first {k} s",
                f"last {k} s",
                "slowest s",
                "last / first",
            ],
            [
                [
                    name,
                    f"{(r['rss'][-1] - r['rss'][0]) / 1e6:.1f}",
                    f"{np.mean(r['seconds'][:k]):.2f}",
                    f"{np.mean(r['seconds'][-k:]):.2f}",
                    f"{max(r['seconds']):.2f}",
                    f"{np.mean(r['seconds'][-k:]) / np.mean(r['seconds'][:k]):.2f}",
                ]
                for name, r in fits.items()
            ],
            "lrrrrr",
        ),
        "",
        "## Sparse input",
        "",
    ]
    if "skipped" in sparse:
        parts.append(f"Not measured: {sparse['skipped']}.")
    else:
        parts += [
            f"A fit of {sparse['epochs']} epoch(s) on {sparse['source']}: "
            f"{sparse['shape'][0]} rows x {sparse['shape'][1]} features, "
            f"{sparse['nnz']} non-zeros, in a fresh process. The peak is the "
            "highest RSS sampled every 5 ms during the fit, less the RSS before it.",
            "",
            markdown_table(
                ["quantity", "MB"],
                [
                    [
                        "CSR matrix (data, indices, indptr)",
                        f"{sparse['sparse_bytes'] / 1e6:.1f}",
                    ],
                    [
                        "peak RSS growth during fit",
                        f"{sparse['peak_growth'] / 1e6:.0f}",
                    ],
                    [
                        "the same matrix dense, float32",
                        f"{sparse['dense_bytes'] / 1e6:.0f}",
                    ],
                    [
                        "the same matrix dense, float64",
                        f"{2 * sparse['dense_bytes'] / 1e6:.0f}",
                    ],
                ],
                "lr",
            ),
            "",
            f"Fit time: {sparse['fit_s']:.1f} s.",
        ]
    return "\n".join(parts)


def plot(results, sizes, path):
    """Six panels: latency, fit time, thresholds, fits over time, memory."""
    plt = use_file_backend()
    fig, axes = plt.subplots(2, 3, figsize=(14, 8))

    ax = axes[0, 0]
    latency = results["latency"]
    x = np.arange(len(latency))
    for i, name in enumerate((OURS, SCIKERAS, RAW)):
        label = "predict_on_batch" if name == RAW else name
        ax.bar(x + (i - 1) * 0.27, [r[name] * 1e3 for r in latency], 0.27, label=label)
    ax.set_xticks(
        x, [f"{r['rows']} row{'s' if r['rows'] > 1 else ''}" for r in latency]
    )
    ax.set_yscale("log")
    ax.set_ylim(top=ax.get_ylim()[1] * 20)
    ax.set_ylabel("ms per call (median)")
    ax.set_title("predict_proba latency")
    ax.legend(fontsize=8, loc="upper left")

    ax = axes[0, 1]
    fit = results["fit"]["results"]
    x = np.arange(len(fit))
    ax.bar(x - 0.2, [r[OURS] for r in fit], 0.4, label=OURS)
    ax.bar(x + 0.2, [r[RAW] for r in fit], 0.4, label="Model.fit")
    ax.set_xticks(x, ["training only", "with hold-out"])
    ax.set_ylim(0, 1.3 * max(max(r[OURS], r[RAW]) for r in fit))
    ax.set_ylabel("seconds per fit (median)")
    ax.set_title(
        f"fit, {results['fit']['rows']} rows x {results['fit']['epochs']} epochs"
    )
    ax.legend(fontsize=8, loc="upper left")

    ax = axes[0, 2]
    thresholds = results["thresholds"]
    names = [OURS, TTCV]
    ax.bar([0, 1], [thresholds[n] * 1e3 for n in names], 0.6, color=["C0", "C3"])
    ax.set_xticks([0, 1], ["exact search", "TTCV per label"])
    ax.set_yscale("log")
    ax.set_ylabel("ms")
    shape = thresholds["shape"]
    ax.set_title(f"threshold search, {shape[0]} x {shape[1]}")

    fits = results["repeated"]
    ax = axes[1, 0]
    for name, r in fits.items():
        ax.plot(np.arange(1, len(r["seconds"]) + 1), r["seconds"], label=name)
    ax.set_xlabel("fit number")
    ax.set_ylabel("seconds")
    ax.set_ylim(bottom=0)
    ax.set_title("time per fit, one process")
    ax.legend(fontsize=8)

    ax = axes[1, 1]
    for name, r in fits.items():
        rss = (np.array(r["rss"]) - r["rss"][0]) / 1e6
        ax.plot(np.arange(len(rss)), rss, label=name)
    ax.set_xlabel("fits done")
    ax.set_ylabel("RSS growth, MB")
    ax.set_title("resident memory, one process")
    ax.legend(fontsize=8)

    ax = axes[1, 2]
    sparse = results["sparse"]
    if "skipped" in sparse:
        ax.text(0.5, 0.5, "sparse fit not measured", ha="center", va="center")
        ax.set_axis_off()
    else:
        values = [
            sparse["sparse_bytes"] / 1e6,
            sparse["peak_growth"] / 1e6,
            sparse["dense_bytes"] / 1e6,
        ]
        ax.bar([0, 1, 2], values, 0.6, color=["C2", "C0", "C7"])
        ax.set_xticks(
            [0, 1, 2], ["CSR matrix", "peak growth\nduring fit", "dense float32"]
        )
        ax.set_yscale("log")
        ax.set_ylabel("MB")
        ax.set_title(f"sparse fit, {sparse['shape'][0]} x {sparse['shape'][1]}")

    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def run(data_home=None, out=None, quick=False, n_fits=None, verbose=1):
    """Run every measurement; write speed.md and speed.png.

    Parameters
    ----------
    data_home : path-like, default=None
        Folder of the shared data sets, for the GoEmotions sparse fit;
        ``None`` takes the one beside the checkout.

    out : path-like, default=None
        Folder written to; ``None`` is ``benchmarks/results``.

    quick : bool, default=False
        Tiny sizes and synthetic sparse rows: checks that the benchmark
        runs; its figures mean nothing.

    n_fits : int, default=None
        Consecutive fits of the memory measurement; ``None`` is 50 (10 with
        `quick`).

    verbose : int, default=1
        1 prints each figure as it is measured.

    Returns
    -------
    results : dict
        The measurements, and ``"paths"`` of the files written.
    """
    from ._common import DEFAULT_DATA_HOME, DEFAULT_OUT

    data_home = DEFAULT_DATA_HOME if data_home is None else data_home
    out = check_folder(DEFAULT_OUT if out is None else out, "out")
    sizes = Sizes.make(quick, n_fits)
    settle_op_determinism()
    started = time.perf_counter()

    results = {
        "latency": predict_latency(sizes, verbose),
        "fit": fit_time(sizes, verbose),
        "thresholds": threshold_search(sizes, verbose),
    }

    # The memory figures, each from a fresh process.
    jobs = [
        (repeated_fits_worker, OURS, sizes),
        (repeated_fits_worker, SCIKERAS, sizes),
    ]
    sparse_data = sizes.quick or (Path(data_home) / "goemotions").is_dir()
    if sparse_data:
        jobs.append((sparse_peak_worker, str(data_home), sizes))
    done = in_fresh_processes(jobs, fresh=not sizes.quick)
    results["repeated"] = repeated_fits(
        {OURS: done[0], SCIKERAS: done[1]}, sizes, verbose
    )
    results["sparse"] = sparse_peak(
        done[2]
        if sparse_data
        else {"skipped": f"GoEmotions not found under --data {str(data_home)!r}"},
        sizes,
        verbose,
    )
    elapsed = time.perf_counter() - started
    results["paths"] = {
        "table": write_text(out / "speed.md", report(results, sizes, elapsed)),
        "plot": plot(results, sizes, out / "speed.png"),
    }
    log(f"speed benchmark done in {elapsed / 60:.1f} min; wrote {out}", verbose)
    return results
