"""Command line demo: the reference problem, solved five ways side by side.

Run ``python -m sklearn_multilabel`` (``--help`` lists the options). It draws
training rows and fresh held-out rows of the reference problem (30 sparse,
independent labels, each seen in a tenth of its positive rows) and prints,
for each approach, macro-F1, macro recall, macro precision and the share of
predicted positives on the held-out rows.
"""

import argparse
import os
import sys
import time


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m sklearn_multilabel",
        description=(
            "Compare the usual sigmoid network, weighting alone and "
            "WeightedMultiLabelClassifier on the reference problem."
        ),
    )
    parser.add_argument("--n-train", type=int, default=30000, help="training rows")
    parser.add_argument("--n-test", type=int, default=20000, help="held-out rows")
    parser.add_argument("--n-labels", type=int, default=30, help="labels")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    args = parser.parse_args(argv)
    for name in ("n_train", "n_test", "n_labels"):
        if getattr(args, name) < 2:
            parser.error(f"--{name.replace('_', '-')} must be at least 2")
    return args


def _usual_network(n_features, n_labels, seed):
    # What people try first: sigmoid outputs, plain binary cross-entropy.
    import keras

    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [
            keras.Input((n_features,)),
            keras.layers.Dense(100, activation="relu"),
            keras.layers.Dense(100, activation="relu"),
            keras.layers.Dense(n_labels, activation="sigmoid"),
        ]
    )
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def _scores(Y_true, Y_pred):
    from sklearn.metrics import f1_score, precision_score, recall_score

    return (
        f1_score(Y_true, Y_pred, average="macro", zero_division=0),
        recall_score(Y_true, Y_pred, average="macro", zero_division=0),
        precision_score(Y_true, Y_pred, average="macro", zero_division=0),
        float(Y_pred.mean()),
    )


def run(n_train=30000, n_test=20000, n_labels=30, seed=0, out=sys.stdout):
    """Fit every approach and print the table; return its rows.

    Parameters
    ----------
    n_train : int, default=30000
        Training rows.

    n_test : int, default=20000
        Fresh held-out rows the approaches are scored on.

    n_labels : int, default=30
        Number of labels of the reference problem.

    seed : int, default=0
        Seeds the data and every fit.

    out : file-like, default=sys.stdout
        Where the table goes.

    Returns
    -------
    rows : dict
        Approach name to ``(macro_f1, macro_recall, macro_precision,
        predicted_positive_rate)``.
    """
    import keras
    import numpy as np

    from sklearn_multilabel import WeightedMultiLabelClassifier
    from sklearn_multilabel.datasets import (
        make_reference_problem,
        reference_bayes_predict,
        reference_limits,
    )

    start = time.perf_counter()
    X, Y = make_reference_problem(n_train, n_labels=n_labels, random_state=seed)
    X_test, Y_test = make_reference_problem(
        n_test, n_labels=n_labels, random_state=seed + 1
    )
    rows = {}

    usual = _usual_network(X.shape[1], n_labels, seed)
    stop = keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True)
    usual.fit(
        X,
        Y,
        epochs=100,
        batch_size=256,
        validation_split=0.2,
        callbacks=[stop],
        verbose=0,
    )
    proba = usual.predict_on_batch(X_test)
    rows["sigmoid + BCE, 0.5 cut"] = _scores(Y_test, (proba >= 0.5).astype(int))

    # Weighting alone: the weighted network's raw sigmoid, cut at 0.5.
    weighted = WeightedMultiLabelClassifier(threshold=0.5, random_state=seed)
    weighted.fit(X, Y)
    raw_logits = weighted.decision_function(X_test) + np.log(weighted.pos_weight_)
    rows["pos_weight alone, 0.5 cut"] = _scores(Y_test, (raw_logits >= 0).astype(int))

    tuned = WeightedMultiLabelClassifier(random_state=seed).fit(X, Y)
    rows["this estimator, F1"] = _scores(Y_test, tuned.predict(X_test))
    recall = WeightedMultiLabelClassifier(threshold_scoring="f2", random_state=seed)
    rows["this estimator, F2"] = _scores(Y_test, recall.fit(X, Y).predict(X_test))

    rows["Bayes rule (the limit)"] = _scores(Y_test, reference_bayes_predict(X_test))

    limits = reference_limits(n_labels=n_labels)
    print(
        f"Reference problem: {n_labels} labels, {n_train} training rows, "
        f"{n_test} fresh held-out rows (seed {seed}).",
        file=out,
    )
    print(
        f"Expected limits: Bayes macro-F1 {limits['bayes_f1']:.3f}, "
        f"all-positive macro-F1 {limits['all_positive_f1']:.3f}.\n",
        file=out,
    )
    header = f"{'approach':<28}{'macro-F1':>10}{'recall':>10}{'precision':>11}"
    print(header + f"{'positives':>11}", file=out)
    print("-" * (len(header) + 11), file=out)
    for name, (f1, rec, prec, rate) in rows.items():
        print(f"{name:<28}{f1:>10.3f}{rec:>10.3f}{prec:>11.3f}{rate:>11.4f}", file=out)
    print(f"\nDone in {time.perf_counter() - start:.0f} s.", file=out)
    return rows


def main(argv=None):
    """Entry point of ``python -m sklearn_multilabel``."""
    args = _parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    run(args.n_train, args.n_test, args.n_labels, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
