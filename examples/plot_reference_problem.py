"""
======================================================
The reference problem: from "all zeros" to the best F1
======================================================

This example retraces the usual question step by step on the project's
reference problem, a synthetic problem whose best attainable scores are known
exactly: 30 independent labels, each positive in one row out of 30, and one
binary feature per label that is 1 for a tenth of the label's positive rows
and 0 otherwise.

1. The network most people write first: sigmoid outputs, binary
   cross-entropy, a 0.5 cut.
2. The usual fix: a linear last layer and
   ``tf.nn.weighted_cross_entropy_with_logits`` with ``pos_weight``, still
   cut at 0.5.
3. :class:`~sklearn_multilabel.WeightedMultiLabelClassifier`, which weights
   the loss *and* tunes one threshold per label, for F1 and then for F2.
4. The Bayes-optimal rule of the problem, the limit no classifier beats.

Every approach is scored on fresh rows it never saw.
"""

# %%
# The data
# --------
# :func:`~sklearn_multilabel.datasets.make_reference_problem` draws rows of the
# problem. With 30 labels, a label is positive in 3.3% of the rows.
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf
from sklearn.metrics import f1_score, precision_score, recall_score

from sklearn_multilabel import (
    ThresholdPrecisionRecallDisplay,
    WeightedMultiLabelClassifier,
)
from sklearn_multilabel.datasets import (
    make_reference_problem,
    reference_bayes_predict,
    reference_limits,
)

X, Y = make_reference_problem(30000, random_state=0)
X_test, Y_test = make_reference_problem(20000, random_state=1)
n_features, n_labels = X.shape[1], Y.shape[1]
print(f"{X.shape[0]} training rows, {n_labels} labels")
print(f"share of positive entries: {Y.mean():.4f}")
print(f"share of rows whose feature reveals a label: {X[Y == 1].mean():.3f}")

limits = reference_limits()
print(f"best attainable macro-F1 (the Bayes rule): {limits['bayes_f1']:.4f}")
print(f"macro-F1 of predicting every label: {limits['all_positive_f1']:.4f}")


# %%
# A helper that scores a 0/1 prediction the same way for every approach.
def scores(Y_pred):
    return {
        "macro-F1": f1_score(Y_test, Y_pred, average="macro", zero_division=0),
        "recall": recall_score(Y_test, Y_pred, average="macro", zero_division=0),
        "precision": precision_score(Y_test, Y_pred, average="macro", zero_division=0),
        "positives": Y_pred.mean(),
    }


results = {}
hidden = (100, 100)  # the estimator's default network


# %%
# Step 1: sigmoid outputs and binary cross-entropy
# ------------------------------------------------
# The network outputs probabilities and the prediction cuts them at 0.5.
# It predicts a label only where the probability passes 0.5, which for a label
# seen in 3% of the rows happens only on overwhelming evidence: most labels
# of most rows are predicted 0.
def usual_network(last_activation):
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((n_features,)),
            *[keras.layers.Dense(width, activation="relu") for width in hidden],
            keras.layers.Dense(n_labels, activation=last_activation),
        ]
    )


stop = keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True)
fit_options = dict(
    epochs=100, batch_size=256, validation_split=0.2, callbacks=[stop], verbose=0
)

sigmoid_net = usual_network("sigmoid")
sigmoid_net.compile(optimizer="adam", loss="binary_crossentropy")
sigmoid_net.fit(X, Y, **fit_options)
proba = sigmoid_net.predict_on_batch(X_test)
results["sigmoid + BCE, 0.5 cut"] = scores((proba >= 0.5).astype(int))
print(f"predicted positive entries: {(proba >= 0.5).mean():.4f}, true: 0.0333")

# %%
# Step 2: logits and ``weighted_cross_entropy_with_logits``
# ---------------------------------------------------------
# The last layer loses its sigmoid: the network outputs logits, and the
# loss applies the sigmoid itself, weighting the positive term of each label
# by ``pos_weight = n_negative / n_positive``.
positives = Y.sum(axis=0)
pos_weight = ((len(Y) - positives) / positives).astype("float32")


def weighted_loss(y_true, logits):
    per_entry = tf.nn.weighted_cross_entropy_with_logits(
        labels=tf.cast(y_true, logits.dtype), logits=logits, pos_weight=pos_weight
    )
    return tf.reduce_mean(per_entry, axis=-1)


logit_net = usual_network(None)
logit_net.compile(optimizer="adam", loss=weighted_loss)
stop = keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True)
logit_net.fit(X, Y, **{**fit_options, "callbacks": [stop]})
logits = logit_net.predict_on_batch(X_test)
results["pos_weight alone, 0.5 cut"] = scores((logits >= 0).astype(int))

# %%
# A sigmoid of 0.5 is a logit of 0. The weight moved every logit up by about
# ``log(pos_weight)`` (about 3.4 here), so the same cut now lets through many
# rows whose feature is 0: recall rises, precision collapses.
print(f"mean log(pos_weight): {np.log(pos_weight).mean():.2f}")

# %%
# Step 3: the estimator
# ---------------------
# :class:`~sklearn_multilabel.WeightedMultiLabelClassifier` trains the same
# kind of network on the same weighted loss, takes ``log(pos_weight)`` off
# the logits again, and tunes one threshold per label, for F1 unless told
# otherwise, on rows the network did not train on. By default
# (``cv="auto"``) five networks each train on four fifths of the rows and
# score the fifth left out; the thresholds are tuned on these out-of-fold
# scores, and the fitted model averages the five networks.
common = dict(hidden_layer_sizes=hidden, n_iter_no_change=10, epochs=100)
clf_f1 = WeightedMultiLabelClassifier(random_state=0, **common).fit(X, Y)
results["this estimator, F1"] = scores(clf_f1.predict(X_test))

clf_f2 = WeightedMultiLabelClassifier(
    threshold_scoring="f2", random_state=0, **common
).fit(X, Y)
results["this estimator, F2"] = scores(clf_f2.predict(X_test))

results["Bayes rule (the limit)"] = scores(reference_bayes_predict(X_test))

# %%
# The table
# ---------
# Macro averages over the 30 labels on the 20,000 fresh rows; "positives" is
# the share of predicted positive entries (the truth is 0.0333).
print(f"{'approach':<28}{'macro-F1':>9}{'recall':>8}{'precision':>10}{'positives':>10}")
for name, row in results.items():
    print(
        f"{name:<28}{row['macro-F1']:>9.3f}{row['recall']:>8.3f}"
        f"{row['precision']:>10.3f}{row['positives']:>10.4f}"
    )

# %%
# On this problem the unweighted network is not broken: where the feature is 1
# the label is certain, and the 0.5 cut keeps exactly those rows. Weighting
# alone, with the cut left at 0.5, is *worse* than no weighting. Weighting
# with tuned thresholds reaches the Bayes limit, and F2 buys recall at the
# price of precision: the only way to more recall when the features carry no
# more evidence.
#
# The calibrated probabilities stay interpretable: for a row whose feature is
# 0 the true probability of the label is ``(1/30 * 0.9) / (1 - 1/30 * 0.1)``,
# about 0.030.
p_true = (1 / 30 * 0.9) / (1 - 1 / 30 * 0.1)
p_model = clf_f1.predict_proba(X_test)[X_test == 0].mean()
print(f"true P(label | feature 0) = {p_true:.4f}; predict_proba: {p_model:.4f}")

# %%
# Where the thresholds sit
# ------------------------
# :class:`~sklearn_multilabel.ThresholdPrecisionRecallDisplay` draws the
# precision-recall curve of each label on the test rows and marks the point
# of the threshold the estimator chose. With F1 the points sit at recall 0.1,
# the rows whose feature is 1; precision falls below 1 where a threshold also
# lets through a few rows whose feature is 0. With F2 the thresholds of some
# labels drop to "predict everything", recall 1.
fig, axes = plt.subplots(1, 2, figsize=(10, 5))
ThresholdPrecisionRecallDisplay.from_estimator(
    clf_f1, X_test, Y_test, labels=[0, 1, 2, 3], ax=axes[0], iso_f1=[0.1, 0.2]
)
axes[0].set_title("threshold_scoring='f1'")
ThresholdPrecisionRecallDisplay.from_estimator(
    clf_f2, X_test, Y_test, labels=[0, 1, 2, 3], ax=axes[1], iso_f1=[0.1, 0.2]
)
axes[1].set_title("threshold_scoring='f2'")
fig.tight_layout()
plt.show()
