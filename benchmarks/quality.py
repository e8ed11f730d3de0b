"""Quality benchmark: macro- and micro-F1 on official test splits, side by side.

Every estimator sits in the same preprocessing pipeline (``StandardScaler``
for the dense sets, ``MaxAbsScaler`` for enron's sparse binary features, a
``TfidfVectorizer`` for the GoEmotions comments), is fitted on the training
split and scored on the test split, once per seed. The run writes
``quality.md`` (the tables), ``quality_runs.csv`` (one line per fit) and
``quality.png`` (macro-F1 per data set and estimator) into the output folder.
"""

import csv
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

from ._common import (
    check_folder,
    code_version,
    log,
    machine_line,
    markdown_table,
    settle_op_determinism,
    use_file_backend,
    write_text,
)

DATASETS = ("reference", "yeast", "emotions", "scene", "enron", "goemotions")

# Macro-F1 of the best tuned method per data set in Bogatinovski, Todorovski,
# Dzeroski and Kocev, "Comprehensive comparative study of multi-label
# classification methods" (arXiv 2102.07113), on comparable but not
# identical splits.
PUBLISHED_MACRO_F1 = {
    "yeast": 0.483,
    "emotions": 0.698,
    "scene": 0.800,
    "enron": 0.229,
}

DEFAULTS = "this estimator, defaults"
HOLD_OUT = "this estimator, cv=None"
TUNED = "this estimator, GridSearchCV"
KERAS = "KerasClassifier, sigmoid + BCE"
MLP = "MLPClassifier"
OVR = "OvR LogisticRegression, balanced"
TUNED_LR = "MultiOutput TunedThreshold LR"
BAYES = "Bayes rule (the limit)"
PUBLISHED = "published best tuned (other splits)"

ESTIMATORS = (DEFAULTS, HOLD_OUT, TUNED, KERAS, MLP, OVR, TUNED_LR)

# Short names of the estimators, for the command line.
ESTIMATOR_KEYS = {
    "defaults": DEFAULTS,
    "holdout": HOLD_OUT,
    "grid": TUNED,
    "keras": KERAS,
    "mlp": MLP,
    "ovr": OVR,
    "tuned-lr": TUNED_LR,
}

# The grid searched for the tuned row, scored with f1_macro on the training
# split: the weighting and the dropout, around the defaults (which it holds),
# with the thresholds tuned and the networks averaged as the defaults do
# (cross-fitted with 5 folds). It picks on 5 folds of the training split: with
# 3, a fold of emotions holds 130 rows, too few to tell the settings apart.
GRID = {
    "pos_weight": ["balanced", "sqrt"],
    "dropout": [0.0, 0.2, 0.4],
}
QUICK_GRID = {"pos_weight": ["balanced", "sqrt"]}

# Sizes of the reference problem (training rows, test rows, labels) and of
# the GoEmotions vocabulary.
REFERENCE_SIZE = (30000, 20000, 30)
QUICK_REFERENCE_SIZE = (2000, 1000, 5)
VOCABULARY = 50000
QUICK_GOEMOTIONS = (2000, 500, 2000)  # train rows, test rows, vocabulary

# MLPClassifier's epochs over 50,000 sparse TF-IDF features are slow; on the
# text data it stops after this many at most.
TEXT_MLP_MAX_ITER = 30


@dataclass
class Problem:
    """One data set: its official split and the kind of its features."""

    name: str
    kind: str  # "dense", "sparse" or "text"
    X_train: object
    Y_train: np.ndarray
    X_test: object
    Y_test: np.ndarray
    bayes_pred: np.ndarray | None = None
    notes: list = field(default_factory=list)


@dataclass
class Settings:
    """What changes between a full and a quick run."""

    quick: bool
    grid: bool
    hidden: tuple = (100, 100)
    epochs: int = 100
    mlp_iter: int = 200
    tuned_cv: int = 5
    grid_cv: int = 5

    @classmethod
    def make(cls, quick, grid):
        if quick:
            return cls(
                quick,
                grid,
                hidden=(16,),
                epochs=3,
                mlp_iter=10,
                tuned_cv=2,
                grid_cv=2,
            )
        return cls(quick, grid)


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------


def load_problem(name, data_home, quick):
    """Load the official split of data set `name`."""
    from sklearn_multilabel.datasets import (
        load_goemotions,
        load_mulan,
        make_reference_problem,
        reference_bayes_predict,
    )

    if name == "reference":
        n_train, n_test, n_labels = QUICK_REFERENCE_SIZE if quick else REFERENCE_SIZE
        X, Y = make_reference_problem(n_train, n_labels=n_labels, random_state=0)
        X_test, Y_test = make_reference_problem(
            n_test, n_labels=n_labels, random_state=1
        )
        return Problem(
            name,
            "dense",
            X,
            Y,
            X_test,
            Y_test,
            bayes_pred=reference_bayes_predict(X_test),
            notes=[f"{n_train} training rows and {n_test} fresh test rows, drawn once"],
        )

    if name == "goemotions":
        X, Y = load_goemotions(data_home, subset="train", return_X_y=True)
        X_test, Y_test = load_goemotions(data_home, subset="test", return_X_y=True)
        notes = [
            f"MLPClassifier runs at most {TEXT_MLP_MAX_ITER} epochs here "
            "(max_iter), its epochs being slow on this many features"
        ]
        if quick:
            n_train, n_test, _ = QUICK_GOEMOTIONS
            X, Y, X_test, Y_test = (
                X[:n_train],
                Y[:n_train],
                X_test[:n_test],
                Y_test[:n_test],
            )
            notes.append(f"quick: first {n_train} train and {n_test} test rows")
        return Problem(name, "text", X, Y, X_test, Y_test, notes=notes)

    X, Y = load_mulan(name, data_home, subset="train", return_X_y=True)
    X_test, Y_test = load_mulan(name, data_home, subset="test", return_X_y=True)
    kind = "sparse" if hasattr(X, "tocsr") else "dense"
    return Problem(name, kind, X, Y, X_test, Y_test)


def preprocessing(kind, quick):
    """The first step of every pipeline for features of this kind."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import MaxAbsScaler, StandardScaler

    if kind == "text":
        vocabulary = QUICK_GOEMOTIONS[2] if quick else VOCABULARY
        return TfidfVectorizer(
            ngram_range=(1, 2), max_features=vocabulary, dtype=np.float32
        )
    if kind == "sparse":
        return MaxAbsScaler()
    return StandardScaler()


# ---------------------------------------------------------------------------
# Estimators
# ---------------------------------------------------------------------------


def sigmoid_mlp(meta, hidden_layer_sizes=(100, 100), sparse=False):
    """The usual network: ReLU hidden layers and one sigmoid per label."""
    import keras

    inputs = keras.Input((meta["n_features_in_"],), sparse=sparse)
    hidden = inputs
    for width in hidden_layer_sizes:
        hidden = keras.layers.Dense(width, activation="relu")(hidden)
    outputs = keras.layers.Dense(meta["n_classes_"], activation="sigmoid")(hidden)
    return keras.Model(inputs, outputs)


def image_block_cnn(meta, grid=(7, 7), dropout=0.5, flip=True, filters=32, width=100):
    """A convolutional network over features measured on a grid of image blocks.

    The features must come channel by channel, each channel holding one
    value per block, row by row (scene's layout: 6 colour moments x 7 x 7
    blocks). Two 3 x 3 convolutions read each block with its neighbours, a
    dense layer reads the whole picture, and the network ends in one logit
    per label. With `flip`, each training batch is mirrored left to right at
    random (a mirrored photograph shows the same scene); prediction never
    flips.
    """
    import keras

    n_features = meta["n_features_in_"]
    rows, columns = grid
    channels, rest = divmod(n_features, rows * columns)
    if rest or not channels:
        raise ValueError(
            f"image_block_cnn needs a whole number of {rows} x {columns} "
            f"channels; got {n_features} features."
        )

    inputs = keras.Input((n_features,))
    hidden = keras.layers.Reshape((channels, rows, columns))(inputs)
    hidden = keras.layers.Permute((2, 3, 1))(hidden)  # channels last
    if flip:
        hidden = keras.layers.RandomFlip("horizontal")(hidden)
    for depth in (1, 2):
        hidden = keras.layers.Conv2D(
            filters * depth, 3, padding="same", activation="relu"
        )(hidden)
    hidden = keras.layers.Flatten()(hidden)
    hidden = keras.layers.Dropout(dropout)(hidden)
    hidden = keras.layers.Dense(width, activation="relu")(hidden)
    hidden = keras.layers.Dropout(dropout)(hidden)
    outputs = keras.layers.Dense(meta["n_outputs_"])(hidden)
    return keras.Model(inputs, outputs)


# Networks of their own that the search also tries, on the data sets whose
# features have a known layout: scene's 294 features are the means and
# variances of L, U and V over a 7 x 7 grid of image blocks, which
# `image_block_cnn` reads as a 7 x 7 image of 6 channels. Each entry is one
# more grid of GridSearchCV, searched beside GRID.
ARCHITECTURE_GRIDS = {
    "scene": {
        "model": [image_block_cnn],
        "model__dropout": [0.2, 0.5],
        "model__flip": [False, True],
    },
}


def search_space(dataset, quick):
    """The grids GridSearchCV searches on `dataset`, keyed for the pipeline."""
    grids = [QUICK_GRID if quick else GRID]
    if dataset in ARCHITECTURE_GRIDS:
        grid = ARCHITECTURE_GRIDS[dataset]
        if quick:
            # One small network; the quick run's size of the default network
            # must not reach a builder that replaces it.
            grid = {key: values[:1] for key, values in grid.items()}
            grid.update(
                model__filters=[4], model__width=[8], hidden_layer_sizes=["auto"]
            )
        grids.append(grid)
    return [{f"clf__{key}": values for key, values in grid.items()} for grid in grids]


def make_estimator(name, kind, seed, settings):
    """Return (estimator, deterministic) for the row `name` of the table.

    A deterministic estimator gives the same result for every seed, so it is
    fitted once.
    """
    import keras
    from scikeras.wrappers import KerasClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import TunedThresholdClassifierCV
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.multioutput import MultiOutputClassifier
    from sklearn.neural_network import MLPClassifier

    from sklearn_multilabel import WeightedMultiLabelClassifier

    short = (
        {}
        if not settings.quick
        else {
            "hidden_layer_sizes": settings.hidden,
            "epochs": settings.epochs,
        }
    )
    if name == DEFAULTS:
        return WeightedMultiLabelClassifier(random_state=seed, **short), False
    if name == HOLD_OUT:
        return WeightedMultiLabelClassifier(cv=None, random_state=seed, **short), False
    if name == KERAS:
        stop = keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True)
        estimator = KerasClassifier(
            sigmoid_mlp,
            model__hidden_layer_sizes=settings.hidden,
            model__sparse=kind != "dense",
            loss="binary_crossentropy",
            optimizer="adam",
            optimizer__learning_rate=1e-3,
            epochs=settings.epochs,
            batch_size=256,
            callbacks=[stop],
            fit__validation_split=0.2,
            random_state=seed,
            verbose=0,
        )
        return estimator, False
    if name == MLP:
        estimator = MLPClassifier(
            hidden_layer_sizes=settings.hidden,
            max_iter=(
                min(settings.mlp_iter, TEXT_MLP_MAX_ITER)
                if kind == "text"
                else settings.mlp_iter
            ),
            early_stopping=True,
            random_state=seed,
        )
        return estimator, False
    if name == OVR:
        logistic = LogisticRegression(class_weight="balanced", max_iter=1000)
        return OneVsRestClassifier(logistic), True
    if name == TUNED_LR:
        tuned = TunedThresholdClassifierCV(
            LogisticRegression(max_iter=1000), scoring="f1", cv=settings.tuned_cv
        )
        return MultiOutputClassifier(tuned), True
    raise ValueError(f"unknown estimator {name!r}; expected one of {ESTIMATORS}.")


def make_pipeline_for(name, problem, seed, settings):
    """The shared preprocessing step followed by the estimator `name`.

    The grid search row searches over the whole pipeline, so that each of its
    folds fits its own preprocessing, as the other rows do.
    """
    from sklearn.model_selection import GridSearchCV, KFold
    from sklearn.pipeline import Pipeline

    searched = name == TUNED
    estimator, deterministic = make_estimator(
        DEFAULTS if searched else name, problem.kind, seed, settings
    )
    pipeline = Pipeline(
        [("features", preprocessing(problem.kind, settings.quick)), ("clf", estimator)]
    )
    if not searched:
        return pipeline, deterministic

    search = GridSearchCV(
        pipeline,
        search_space(problem.name, settings.quick),
        scoring="f1_macro",
        cv=KFold(settings.grid_cv, shuffle=True, random_state=seed),
        error_score="raise",
    )
    return search, False


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------


def scores(Y_true, Y_pred):
    """Macro- and micro-F1; a label never true nor predicted scores 0."""
    from sklearn.metrics import f1_score

    Y_pred = np.asarray(Y_pred)
    return (
        float(f1_score(Y_true, Y_pred, average="macro", zero_division=0)),
        float(f1_score(Y_true, Y_pred, average="micro", zero_division=0)),
    )


def fit_and_score(name, problem, seed, settings):
    """Fit one pipeline on the training split and score it on the test split."""
    from sklearn.exceptions import ConvergenceWarning, UndefinedMetricWarning

    pipeline, deterministic = make_pipeline_for(name, problem, seed, settings)
    with warnings.catch_warnings():
        # Rare labels and capped iterations are part of what is compared.
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UndefinedMetricWarning)
        warnings.filterwarnings("ignore", message=".*least populated class.*")
        warnings.filterwarnings("ignore", message="Labels without any positive.*")
        warnings.filterwarnings("ignore", message="Label not .* is present in all.*")
        start = time.perf_counter()
        pipeline.fit(problem.X_train, problem.Y_train)
        fit_seconds = time.perf_counter() - start
        Y_pred = pipeline.predict(problem.X_test)
    macro, micro = scores(problem.Y_test, Y_pred)
    detail = ""
    if name == TUNED:
        best = {k.removeprefix("clf__"): v for k, v in pipeline.best_params_.items()}
        detail = ", ".join(
            f"{k}={getattr(v, '__name__', None) or repr(v)}"
            for k, v in sorted(best.items())
        )
    return {
        "macro_f1": macro,
        "micro_f1": micro,
        "fit_s": fit_seconds,
        "deterministic": deterministic,
        "detail": detail,
    }


def estimators_for(problem, estimators, settings):
    """The rows run on this data set, with the reason for any left out."""
    names, skipped = [], {}
    for name in estimators:
        if name == TUNED and not settings.grid:
            skipped[name] = "grid search not requested (--no-grid)"
        elif (
            name == TUNED
            and problem.name not in PUBLISHED_MACRO_F1
            and not settings.quick
        ):
            skipped[name] = "grid search run only where published figures exist"
        else:
            names.append(name)
    return names, skipped


def run(
    datasets=DATASETS,
    seeds=(0, 1, 2),
    estimators=ESTIMATORS,
    data_home=None,
    out=None,
    quick=False,
    grid=True,
    merge=False,
    verbose=1,
):
    """Run the quality benchmark; write its tables, raw runs and plot.

    Parameters
    ----------
    datasets : sequence of str, default=DATASETS
        Data sets to run, among ``DATASETS``.

    seeds : sequence of int, default=(0, 1, 2)
        Seeds of the estimators; each non-deterministic estimator is fitted
        once per seed.

    estimators : sequence of str, default=ESTIMATORS
        Rows to run, among ``ESTIMATORS``.

    data_home : path-like, default=None
        Folder of the shared data sets; ``None`` takes the one beside the
        checkout. Not needed for the reference problem.

    out : path-like, default=None
        Folder written to; ``None`` is ``benchmarks/results``.

    quick : bool, default=False
        Tiny networks, few epochs, a small grid and a small slice of
        GoEmotions: for checking that the benchmark runs, not for figures.

    grid : bool, default=True
        Whether to run the grid search row (on the Mulan sets).

    merge : bool, default=False
        Keep the fits of ``quality_runs.csv`` already in ``out`` for the
        (data set, estimator) pairs this run does not fit, and write the
        tables from both: rerun some rows, keep the others. Each fit records
        the commit it ran on, and the report names them.

    verbose : int, default=1
        1 prints one line per fit.

    Returns
    -------
    results : dict
        ``"runs"`` (one dict per fit), ``"skipped"`` and ``"paths"`` of the
        files written.
    """
    from ._common import DEFAULT_DATA_HOME, DEFAULT_OUT

    data_home = DEFAULT_DATA_HOME if data_home is None else data_home
    out = check_folder(DEFAULT_OUT if out is None else out, "out")
    settings = Settings.make(quick, grid)
    settle_op_determinism()
    started = time.perf_counter()

    runs, skipped, problems = [], {}, {}
    kept = _read_runs(out / "quality_runs.csv") if merge else []
    code = code_version()
    for dataset in datasets:
        problem = load_problem(dataset, data_home, quick)
        problems[dataset] = problem
        names, skipped[dataset] = estimators_for(problem, estimators, settings)
        if problem.bayes_pred is not None:
            macro, micro = scores(problem.Y_test, problem.bayes_pred)
            runs.append(_row(dataset, BAYES, None, macro, micro, 0.0, True, "", code))

        done = {}
        for seed in seeds:
            for name in names:
                if name in done:
                    continue
                try:
                    result = fit_and_score(name, problem, seed, settings)
                except Exception as exc:  # noqa: BLE001 - reported in the table
                    reason = f"failed: {type(exc).__name__}: {exc}"
                    skipped[dataset][name] = reason
                    runs.append(_failure(dataset, name, reason, code))
                    done[name] = None
                    log(f"{dataset:<10} {name:<34} seed {seed}: FAILED {exc}", verbose)
                    continue
                runs.append(
                    _row(
                        dataset,
                        name,
                        seed,
                        result["macro_f1"],
                        result["micro_f1"],
                        result["fit_s"],
                        result["deterministic"],
                        result["detail"],
                        code,
                    )
                )
                if result["deterministic"]:
                    done[name] = result
                log(
                    f"{dataset:<10} {name:<34} seed {seed}: macro-F1 "
                    f"{result['macro_f1']:.3f} micro-F1 {result['micro_f1']:.3f} "
                    f"fit {result['fit_s']:.1f} s",
                    verbose,
                )
        _write_runs(out / "quality_runs.csv", _merged(kept, runs))

    runs = _merged(kept, runs)
    if merge:
        # The data sets of kept fits are described in the report too.
        for dataset in DATASETS:
            if dataset not in problems and any(r["dataset"] == dataset for r in runs):
                problems[dataset] = load_problem(dataset, data_home, quick)
        problems = {d: problems[d] for d in DATASETS if d in problems}
        for run_ in runs:
            if run_["macro_f1"] is None:
                reasons = skipped.setdefault(run_["dataset"], {})
                reasons[run_["estimator"]] = run_["detail"]
    fits = [run_ for run_ in runs if run_["macro_f1"] is not None]

    elapsed = time.perf_counter() - started
    summary = summarise(fits)
    paths = {
        "runs": out / "quality_runs.csv",
        "table": write_text(
            out / "quality.md",
            report(
                summary,
                fits,
                problems,
                skipped,
                seeds,
                settings,
                elapsed,
                run_as=(list(datasets), list(estimators), merge),
                code=code,
            ),
        ),
        "plot": plot(summary, list(datasets), out / "quality.png"),
    }
    log(f"quality benchmark done in {elapsed / 60:.1f} min; wrote {out}", verbose)
    return {"runs": runs, "skipped": skipped, "summary": summary, "paths": paths}


def _row(dataset, estimator, seed, macro, micro, fit_s, deterministic, detail, code):
    return {
        "dataset": dataset,
        "estimator": estimator,
        "seed": "" if seed is None else seed,
        "macro_f1": macro,
        "micro_f1": micro,
        "fit_s": fit_s,
        "deterministic": deterministic,
        "detail": detail,
        "code": code,
    }


def _failure(dataset, estimator, reason, code):
    """A row of the runs file for a fit that raised: no figures, the reason."""
    return _row(dataset, estimator, "", None, None, None, True, reason, code)


def _read_runs(path):
    """The fits of a runs file written earlier; none if there is no file."""
    try:
        with open(path, newline="", encoding="utf-8") as stream:
            rows = list(csv.DictReader(stream))
    except FileNotFoundError:
        return []

    def number(text):
        return None if text in ("", None) else float(text)

    return [
        {
            "dataset": row["dataset"],
            "estimator": row["estimator"],
            "seed": row["seed"],
            "macro_f1": number(row["macro_f1"]),
            "micro_f1": number(row["micro_f1"]),
            "fit_s": number(row["fit_s"]),
            "deterministic": row["deterministic"] == "True",
            "detail": row["detail"],
            "code": row.get("code") or "unrecorded",
        }
        for row in rows
    ]


def _merged(kept, runs):
    """Kept fits of the (data set, estimator) pairs not fitted now, then the new."""
    fresh = {(run_["dataset"], run_["estimator"]) for run_ in runs}
    known = {*ESTIMATORS, BAYES}  # rows of estimators since renamed are dropped
    old = [
        r
        for r in kept
        if (r["dataset"], r["estimator"]) not in fresh and r["estimator"] in known
    ]
    return old + runs


def _write_runs(path, runs):
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(runs[0]) if runs else ["-"])
        writer.writeheader()
        for run_ in runs:
            writer.writerow(
                {
                    key: (
                        f"{value:.6f}"
                        if isinstance(value, float)
                        else ""
                        if value is None
                        else value
                    )
                    for key, value in run_.items()
                }
            )


# ---------------------------------------------------------------------------
# Tables and plot
# ---------------------------------------------------------------------------


def summarise(runs):
    """Mean, standard deviation and count per (data set, estimator)."""
    groups = {}
    for run_ in runs:
        groups.setdefault((run_["dataset"], run_["estimator"]), []).append(run_)
    summary = {}
    for key, group in groups.items():
        entry = {"n": len(group), "deterministic": group[0]["deterministic"]}
        for metric in ("macro_f1", "micro_f1", "fit_s"):
            values = np.array([g[metric] for g in group])
            entry[metric] = float(values.mean())
            entry[metric + "_sd"] = (
                float(values.std(ddof=1)) if len(values) > 1 else 0.0
            )
        entry["details"] = sorted({g["detail"] for g in group if g["detail"]})
        summary[key] = entry
    return summary


def _cell(entry, metric):
    if entry is None:
        return "-"
    if entry["deterministic"] or entry["n"] == 1:
        return f"{entry[metric]:.3f}"
    return f"{entry[metric]:.3f} ± {entry[metric + '_sd']:.3f}"


def headline_table(summary, datasets):
    """Macro-F1 per estimator (rows) and data set (columns)."""
    rows = []
    for name in (*ESTIMATORS, BAYES, PUBLISHED):
        cells = []
        for dataset in datasets:
            if name == PUBLISHED:
                value = PUBLISHED_MACRO_F1.get(dataset)
                cells.append("-" if value is None else f"{value:.3f}")
            else:
                cells.append(_cell(summary.get((dataset, name)), "macro_f1"))
        if any(cell != "-" for cell in cells):
            rows.append([name, *cells])
    return markdown_table(["macro-F1", *datasets], rows)


def target_checks(summary, datasets):
    """One line per quality target: what it asks, what was measured, met."""
    lines = []
    for dataset in datasets:
        ours = summary.get((dataset, DEFAULTS))
        if ours is None:
            continue
        others = {
            name: summary[(dataset, name)]["macro_f1"]
            for name in ESTIMATORS
            if name not in (DEFAULTS, HOLD_OUT, TUNED) and (dataset, name) in summary
        }
        if others:
            best_name = max(others, key=others.get)
            met = ours["macro_f1"] >= others[best_name]
            lines.append(
                [
                    f"{dataset}: defaults >= every other estimator",
                    f"{ours['macro_f1']:.3f} vs {others[best_name]:.3f} ({best_name})",
                    "yes" if met else "**no**",
                ]
            )
        bayes = summary.get((dataset, BAYES))
        if bayes is not None:
            gap = bayes["macro_f1"] - ours["macro_f1"]
            lines.append(
                [
                    f"{dataset}: defaults within 0.01 of the Bayes rule",
                    f"{ours['macro_f1']:.3f} vs {bayes['macro_f1']:.3f} "
                    f"(gap {gap:.3f})",
                    "yes" if gap <= 0.01 else "**no**",
                ]
            )
        tuned = summary.get((dataset, TUNED))
        if tuned is not None and dataset in PUBLISHED_MACRO_F1:
            published = PUBLISHED_MACRO_F1[dataset]
            lines.append(
                [
                    f"{dataset}: GridSearchCV >= published",
                    f"{tuned['macro_f1']:.3f} vs {published:.3f}",
                    "yes" if tuned["macro_f1"] >= published else "**no**",
                ]
            )
    return markdown_table(["target", "measured (macro-F1)", "met"], lines, "lll")


def report(
    summary, runs, problems, skipped, seeds, settings, elapsed, run_as=None, code=None
):
    """The Markdown text of quality.md.

    `run_as` is (data sets, estimators, merge) of the command that ran; by
    default, every data set of `problems` and every estimator, not merged.
    `code` names the code the run started on; by default, the checkout's now.
    """
    datasets = list(problems)
    ran, estimators, merge = run_as or (datasets, list(ESTIMATORS), False)
    keys = {name: key for key, name in ESTIMATOR_KEYS.items()}
    command = (
        "python -m benchmarks quality"
        + (" --quick" if settings.quick else "")
        + f" --datasets {' '.join(ran)} --seeds {' '.join(map(str, seeds))}"
        + (
            ""
            if set(estimators) == set(ESTIMATORS)
            else f" --estimators {' '.join(keys[name] for name in estimators)}"
        )
        + ("" if settings.grid else " --no-grid")
        + (" --merge" if merge else "")
    )
    by_code = {}
    for run_ in runs:
        if run_["estimator"] != BAYES:
            by_code.setdefault(run_["code"], set()).add(run_["estimator"])
    origin = ""
    if len(by_code) > 1:
        origin = " Fits by code (`--merge` keeps those of earlier runs): " + (
            "; ".join(
                f"{commit}: {', '.join(sorted(names))}"
                for commit, names in sorted(by_code.items())
            )
            + "."
        )
    parts = [
        "# Quality benchmark",
        "",
        f"Command: `{command}`",
        "",
        f"Machine: {machine_line()}. Code: {code or code_version()}. "
        f"Whole run: {elapsed / 60:.1f} min.{origin}",
        "",
        "Macro-F1 on the official test split, mean ± standard deviation over "
        f"{len(seeds)} seed(s); a single figure is a deterministic estimator "
        "(fitted once, the same for every seed) or a fixed reference.",
        "",
        headline_table(summary, datasets),
        "",
        "## Targets",
        "",
        target_checks(summary, datasets),
    ]

    for dataset in datasets:
        problem = problems[dataset]
        parts += ["", f"## {dataset}", ""]
        shape = getattr(problem.X_train, "shape", None)
        features = f"{shape[1]} features" if shape is not None else "raw text"
        parts.append(
            f"{len(problem.Y_train)} training rows, {len(problem.Y_test)} test rows, "
            f"{features}, {problem.Y_train.shape[1]} labels."
            + "".join(f" {note[0].upper()}{note[1:]}." for note in problem.notes)
        )
        parts.append("")
        rows = []
        for name in (*ESTIMATORS, BAYES):
            entry = summary.get((dataset, name))
            if entry is None:
                continue
            note = (
                "deterministic"
                if entry["deterministic"]
                else f"{entry['n']} seed{'s' if entry['n'] > 1 else ''}"
            )
            if entry["details"]:
                note += "; best: " + " / ".join(entry["details"])
            rows.append(
                [
                    name,
                    _cell(entry, "macro_f1"),
                    _cell(entry, "micro_f1"),
                    f"{entry['fit_s']:.1f}" if name != BAYES else "-",
                    note,
                ]
            )
        if dataset in PUBLISHED_MACRO_F1:
            rows.append(
                [
                    PUBLISHED,
                    f"{PUBLISHED_MACRO_F1[dataset]:.3f}",
                    "-",
                    "-",
                    "arXiv 2102.07113",
                ]
            )
        for name, reason in skipped.get(dataset, {}).items():
            rows.append([name, "-", "-", "-", reason.replace("|", "/")])
        parts.append(
            markdown_table(
                ["estimator", "macro-F1", "micro-F1", "fit s (mean)", "notes"],
                rows,
                "lrrrl",
            )
        )
    return "\n".join(parts)


def plot(summary, datasets, path):
    """Grouped bars of macro-F1 with one error bar per seed spread."""
    plt = use_file_backend()

    names = [n for n in ESTIMATORS if any((d, n) in summary for d in datasets)]
    fig, ax = plt.subplots(figsize=(max(7, 1.6 * len(datasets) + 3), 5.5))
    width = 0.8 / max(len(names), 1)
    x = np.arange(len(datasets))
    for i, name in enumerate(names):
        means = [summary.get((d, name), {}).get("macro_f1", np.nan) for d in datasets]
        sds = [summary.get((d, name), {}).get("macro_f1_sd", 0.0) for d in datasets]
        ax.bar(
            x + (i - (len(names) - 1) / 2) * width,
            means,
            width,
            yerr=sds,
            label=name,
            capsize=2,
        )

    for j, dataset in enumerate(datasets):
        marks = []
        if dataset in PUBLISHED_MACRO_F1:
            marks.append((PUBLISHED_MACRO_F1[dataset], "k", PUBLISHED))
        if (dataset, BAYES) in summary:
            marks.append((summary[(dataset, BAYES)]["macro_f1"], "r", BAYES))
        for value, color, label in marks:
            ax.hlines(
                value,
                j - 0.45,
                j + 0.45,
                colors=color,
                linestyles="--",
                label=label if j == _first(datasets, label, summary) else None,
            )

    ax.set_xticks(x, datasets)
    ax.set_ylabel("macro-F1 on the test split")
    ax.set_ylim(0, 1)
    ax.legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.08))
    ax.set_title("Macro-F1, mean and standard deviation over seeds")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def _first(datasets, label, summary):
    """Index of the first data set that draws the reference line `label`."""
    for j, dataset in enumerate(datasets):
        if label == PUBLISHED and dataset in PUBLISHED_MACRO_F1:
            return j
        if label == BAYES and (dataset, BAYES) in summary:
            return j
    return -1
