"""
========================================
Text: TF-IDF features into the estimator
========================================

GoEmotions (Demszky et al. 2020) labels 54,263 Reddit comments with 27
emotions and "neutral"; a comment has 1.2 labels on average, and the rarest
emotion, grief, marks 0.2% of the comments. This example feeds TF-IDF
features, a sparse matrix, straight into
:class:`~sklearn_multilabel.WeightedMultiLabelClassifier` inside one
pipeline, and compares it with the same network trained without weighting and
cut at 0.5.

The sparse matrix is never made dense: the estimator feeds it to the network
in batches, and the default network takes sparse input.
"""

# %%
# Loading the comments
# --------------------
# :func:`~sklearn_multilabel.datasets.load_goemotions` reads the official
# split from ``../shared/data``. The labels are put in a DataFrame so that
# the estimator keeps the emotion names in ``classes_``.
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.pipeline import make_pipeline

from sklearn_multilabel import (
    ThresholdPrecisionRecallDisplay,
    WeightedMultiLabelClassifier,
)
from sklearn_multilabel.datasets import load_goemotions

try:
    examples_folder = Path(__file__).resolve().parent
except NameError:  # the documentation build runs examples from their folder
    examples_folder = Path.cwd()
data_home = examples_folder.parent.parent / "shared" / "data"

train = load_goemotions(data_home, subset="train")
test = load_goemotions(data_home, subset="test")
Y = pd.DataFrame(train.target, columns=train.target_names)
Y_test = pd.DataFrame(test.target, columns=test.target_names)
print(f"{len(train.data)} training comments, {len(test.data)} test comments")
print(train.data[0])
print("rarest labels:", Y.mean().sort_values().head(5).round(4).to_dict())


# %%
# One pipeline from raw text to labels
# ------------------------------------
# ``TfidfVectorizer`` keeps words seen in at least 3 comments; the estimator
# gets a sparse matrix of about 9,400 columns. A single hidden layer of 64
# units is enough for bag-of-words features. The plain pipeline differs only
# in ``pos_weight=None`` and ``threshold=0.5``.
def text_pipeline(**params):
    return make_pipeline(
        TfidfVectorizer(min_df=3, sublinear_tf=True),
        WeightedMultiLabelClassifier(
            hidden_layer_sizes=(64,), n_iter_no_change=3, random_state=0, **params
        ),
    )


weighted = text_pipeline().fit(train.data, Y)
plain = text_pipeline(pos_weight=None, threshold=0.5).fit(train.data, Y)
clf = weighted[-1]
print(f"input columns: {clf.n_features_in_}, sparse input: {clf.sparse_input_}")

# %%
# Scores on the test comments
# ---------------------------
Y_plain = plain.predict(test.data)
Y_weighted = weighted.predict(test.data)
per_label = pd.DataFrame(
    {
        "frequency": Y.mean(),
        "F1 plain": f1_score(Y_test, Y_plain, average=None, zero_division=0),
        "F1 tuned": f1_score(Y_test, Y_weighted, average=None, zero_division=0),
        "threshold": clf.thresholds_,
    },
    index=Y.columns,
).sort_values("frequency")
print(per_label.round(3).to_string())

for name, Y_pred in [("plain", Y_plain), ("weighted and tuned", Y_weighted)]:
    macro = f1_score(Y_test, Y_pred, average="macro", zero_division=0)
    never = int((Y_pred.sum(axis=0) == 0).sum())
    print(f"{name:<20} macro-F1 {macro:.3f}, labels never predicted: {never}")

# %%
# The plain network is confident about the frequent emotions and silent on
# several rare ones. With weighting and one threshold per label, every
# emotion is predicted, most of them with thresholds well below 0.5.
#
# The curves of three rare emotions and a frequent one
# ----------------------------------------------------
# Each dot is where the tuned threshold lands on the test comments.
display = ThresholdPrecisionRecallDisplay.from_estimator(
    weighted,
    test.data,
    Y_test,
    labels=["grief", "nervousness", "relief", "gratitude"],
    iso_f1=[0.2, 0.4, 0.6, 0.8],
)
display.figure_.set_size_inches(6, 6)
plt.show()

# %%
# Labels for new text
# -------------------
# ``predict`` returns an indicator matrix in the order of ``classes_``;
# ``predict_proba`` gives calibrated probabilities.
comments = [
    "Thank you so much, this made my day!",
    "I'm really worried about the exam tomorrow.",
    "My grandmother passed away last night.",
]
for comment, row, proba in zip(
    comments,
    weighted.predict(comments),
    weighted.predict_proba(comments),
    strict=True,
):
    names = clf.classes_[row == 1].tolist()
    top = np.argsort(proba)[::-1][:3]
    likely = ", ".join(f"{clf.classes_[j]} {proba[j]:.2f}" for j in top)
    print(f"{comment!r}\n    predicted: {names}; most likely: {likely}")
