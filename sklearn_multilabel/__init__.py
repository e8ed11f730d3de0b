"""Imbalanced multi-label classification with Keras networks on logits.

The package offers one scikit-learn estimator,
:class:`WeightedMultiLabelClassifier`, and the parts it is made of: the
weighted loss on logits, the ``pos_weight`` strategies and the default
network builder, and two displays that draw its per-label
precision-recall curves and its reliability diagram (matplotlib is imported
only when they draw).
"""

from ._classifier import WeightedMultiLabelClassifier
from ._loss import WeightedBinaryCrossentropy, weighted_binary_crossentropy
from ._network import build_mlp
from ._persistence import load
from ._plot import ReliabilityDisplay, ThresholdPrecisionRecallDisplay
from ._pos_weight import compute_pos_weight
from ._version import __version__ as __version__

__all__ = [
    "ReliabilityDisplay",
    "ThresholdPrecisionRecallDisplay",
    "WeightedBinaryCrossentropy",
    "WeightedMultiLabelClassifier",
    "build_mlp",
    "compute_pos_weight",
    "load",
    "weighted_binary_crossentropy",
]
