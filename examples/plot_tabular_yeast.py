"""
======================================================
Real data: yeast genes in a Pipeline and a grid search
======================================================

The yeast data set (Elisseeff and Weston 2001) gives 103 numeric expression
features of 2,417 genes and 14 functional classes; a gene belongs to 4.2
classes on average, and the rarest class to 1.4% of the genes. This example
uses the official split (1,500 training genes, 917 test genes) to show

- which labels a plain sigmoid network with a 0.5 cut never predicts, and
  what weighting with tuned thresholds changes;
- the estimator inside a :class:`~sklearn.pipeline.Pipeline` and a
  :class:`~sklearn.model_selection.GridSearchCV`;
- the chosen thresholds on each label's precision-recall curve;
- a reliability diagram: ``predict_proba`` stays calibrated, the sigmoid of
  the weighted network's raw logits does not.
"""

# %%
# Loading the data
# ----------------
# The Mulan files live beside the checkout, in ``../shared/data``.
# :func:`~sklearn_multilabel.datasets.load_mulan` reads them (nothing is
# downloaded); with ``as_frame=True`` the labels come as a DataFrame, whose
# column names the estimator keeps in ``classes_``.
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import expit
from sklearn.metrics import brier_score_loss, f1_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_multilabel import (
    ReliabilityDisplay,
    ThresholdPrecisionRecallDisplay,
    WeightedMultiLabelClassifier,
)
from sklearn_multilabel.datasets import load_mulan

try:
    examples_folder = Path(__file__).resolve().parent
except NameError:  # the documentation build runs examples from their folder
    examples_folder = Path.cwd()
data_home = examples_folder.parent.parent / "shared" / "data"

X, Y = load_mulan("yeast", data_home, subset="train", return_X_y=True, as_frame=True)
X_test, Y_test = load_mulan(
    "yeast", data_home, subset="test", return_X_y=True, as_frame=True
)
labels = list(Y.columns)
print(f"train {X.shape}, test {X_test.shape}, {len(labels)} labels")
print("positive test genes per label:", Y_test.sum().to_dict())

# %%
# Two pipelines
# -------------
# Features are standardised before the network. The plain model is what most
# people write first: no weighting (``pos_weight=None`` gives plain binary
# cross-entropy) and the 0.5 cut (``threshold=0.5``). The second keeps the
# defaults: ``pos_weight="balanced"`` and one threshold per label tuned for
# F1 on rows the network did not train on. With ``cv="auto"``, five networks
# each train on four fifths of the training rows and score the fifth left
# out; the thresholds are tuned on these out-of-fold scores of all 1,500
# rows, and the fitted model averages the five networks (``ensemble=True``).
# Each threshold is the median of those tuned on 100 bootstrap resamples of
# the rows (``threshold_resamples``), pulled toward the network's own cut
# (``threshold_shrinkage``).
network = dict(hidden_layer_sizes=(64,), dropout=0.2, random_state=0)
plain = make_pipeline(
    StandardScaler(),
    WeightedMultiLabelClassifier(pos_weight=None, threshold=0.5, **network),
)
weighted = make_pipeline(StandardScaler(), WeightedMultiLabelClassifier(**network))
plain.fit(X, Y)
weighted.fit(X, Y)

Y_plain = plain.predict(X_test)
Y_weighted = weighted.predict(X_test)
f1_plain = f1_score(Y_test, Y_plain, average=None, zero_division=0)
f1_weighted = f1_score(Y_test, Y_weighted, average=None, zero_division=0)
thresholds = weighted[-1].thresholds_

print(
    f"{'label':<9}{'frequency':>10}{'predicted, plain':>18}{'F1 plain':>10}"
    f"{'F1 tuned':>10}{'threshold':>11}"
)
for j, name in enumerate(labels):
    print(
        f"{name:<9}{Y[name].mean():>10.3f}{Y_plain[:, j].mean():>18.3f}"
        f"{f1_plain[j]:>10.3f}{f1_weighted[j]:>10.3f}{thresholds[j]:>11.3f}"
    )
print(
    f"macro-F1: plain {f1_plain.mean():.3f}, weighted and tuned "
    f"{f1_weighted.mean():.3f}"
)
never = np.array(labels)[Y_plain.sum(axis=0) == 0].tolist()
print(f"labels the plain model never predicts: {never}")

# %%
# The plain model predicts the frequent classes well and gives up on the rare
# ones: their probability seldom reaches 0.5. With weighting and tuned
# thresholds the rare classes come back, with thresholds far below 0.5. The
# two classes present in three genes out of four are predicted for every
# test gene: that is what maximises their F1, and their thresholds sit at
# about the lowest probability the network gives them.
#
# The rarest class, Class14, has 21 positives among the 1,500 training genes.
# As every training row gets an out-of-fold score, all of them count for the
# thresholds, and the class is tuned on its own; a label with fewer than
# ``threshold_min_positives=5`` would keep the network's own cut instead.
# With 21 positives against the 20 pseudo-positives of the shrinkage, its
# threshold lies, in logits, about halfway between the tuned one and that cut.
# ``tuned_labels_`` tells which labels got a threshold of their own.
untuned = np.array(labels)[~weighted[-1].tuned_labels_].tolist()
print(f"labels left at the network's own cut: {untuned}")
never = np.array(labels)[Y_weighted.sum(axis=0) == 0].tolist()
print(f"labels the tuned model never predicts on the test rows: {never}")

# %%
# Choosing settings with a grid search
# ------------------------------------
# The estimator is an ordinary scikit-learn classifier, so a grid search over
# its parameters needs nothing special. Its ``score`` is subset accuracy, as
# for any classifier; for imbalanced labels ask for macro-F1 instead. Here the
# search compares three weightings, each with tuned thresholds, by 3-fold
# cross-validation on the training rows.
search = GridSearchCV(
    make_pipeline(StandardScaler(), WeightedMultiLabelClassifier(**network)),
    {"weightedmultilabelclassifier__pos_weight": [None, "sqrt", "balanced"]},
    scoring="f1_macro",
    cv=3,
).fit(X, Y)

for params, mean, std in zip(
    search.cv_results_["params"],
    search.cv_results_["mean_test_score"],
    search.cv_results_["std_test_score"],
    strict=True,
):
    value = params["weightedmultilabelclassifier__pos_weight"]
    print(f"pos_weight={value!r:<11} macro-F1 {mean:.3f} +/- {std:.3f}")
print(f"best: {search.best_params_}")
best_f1 = f1_score(Y_test, search.predict(X_test), average="macro")
print(f"test macro-F1 of the refitted best pipeline: {best_f1:.3f}")

# %%
# Once thresholds are tuned, the weighting matters much less than the
# thresholds themselves: they do most of the work that makes rare labels
# appear.
#
# Thresholds on the precision-recall curves
# -----------------------------------------
# :class:`~sklearn_multilabel.ThresholdPrecisionRecallDisplay` accepts the
# search (or a pipeline) directly: it scores the test rows with
# ``predict_proba`` and marks the ``thresholds_`` of the final estimator.
display = ThresholdPrecisionRecallDisplay.from_estimator(
    weighted,
    X_test,
    Y_test,
    labels=["Class1", "Class9", "Class11", "Class14"],
    iso_f1=[0.2, 0.4, 0.6, 0.8],
)
display.figure_.set_size_inches(6, 6)
plt.show()

# %%
# Each dot is where the tuned threshold lands on the test rows, which is not
# always where it landed on the tuning rows. Class9 has an average precision
# barely above its frequency: the network found little to go on, and the
# threshold picks a point on a nearly flat curve. Class14, with 13 positive
# test genes, has a jagged curve: its threshold lets through eight test genes,
# one of them a positive (the dot at recall 1/13).
#
# Calibration
# -----------
# The weighted loss moves every logit up by ``log(pos_weight)``; the estimator
# takes the shift off before reporting probabilities. The reliability
# diagram pools every gene and label of the test set: ``predict_proba`` follows
# the diagonal, while the sigmoid of the network's raw logits claims far more
# positives than there are.
clf = weighted[-1]
raw_logits = weighted.decision_function(X_test) + np.log(clf.pos_weight_)
raw_proba = expit(raw_logits)

fig, ax = plt.subplots(figsize=(6, 6))
ReliabilityDisplay.from_estimator(
    weighted, X_test, Y_test, name="predict_proba (shift taken off)", ax=ax
)
ReliabilityDisplay.from_predictions(
    Y_test, raw_proba, name="sigmoid of the raw logits", ax=ax
)
plt.show()

brier_calibrated = brier_score_loss(
    Y_test.to_numpy().ravel(), weighted.predict_proba(X_test).ravel()
)
brier_raw = brier_score_loss(Y_test.to_numpy().ravel(), raw_proba.ravel())
print(f"Brier score: predict_proba {brier_calibrated:.4f}, raw {brier_raw:.4f}")
