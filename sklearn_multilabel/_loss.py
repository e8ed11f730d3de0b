"""Binary cross-entropy on logits with a per-label weight on the positive term."""

import keras
import numpy as np
from keras import ops


def weighted_binary_crossentropy(y_true, logits, pos_weight=1.0):
    """Element-wise binary cross-entropy on logits, positive term weighted.

    For a label ``y`` in {0, 1}, a logit ``z`` and a weight ``w`` the loss is
    ``-w * y * log(sigmoid(z)) - (1 - y) * log(1 - sigmoid(z))``, the loss of
    ``tf.nn.weighted_cross_entropy_with_logits``. It is computed in the stable
    form ``(1 - y) * z + (1 + (w - 1) * y) * softplus(-z)``, which never takes
    the logarithm of a saturated sigmoid.

    Parameters
    ----------
    y_true : tensor of shape (n_samples, n_labels)
        Targets in {0, 1} (soft targets in [0, 1] are accepted too).

    logits : tensor of shape (n_samples, n_labels)
        Raw outputs of the network, before any sigmoid.

    pos_weight : float or tensor of shape (n_labels,), default=1.0
        Weight of the positive term, one per label. A weight above 1 makes a
        missed positive cost more than a false alarm.

    Returns
    -------
    loss : tensor of shape (n_samples, n_labels)
        The loss of every entry, not reduced.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_multilabel import weighted_binary_crossentropy
    >>> loss = weighted_binary_crossentropy(
    ...     np.array([[1.0, 0.0]]), np.array([[0.0, 0.0]]), pos_weight=[3.0, 3.0]
    ... )
    >>> np.round(np.asarray(loss), 4)  # 3 * log(2) and log(2)
    array([[2.0794, 0.6931]])
    """
    logits = ops.convert_to_tensor(logits)
    y_true = ops.cast(y_true, logits.dtype)
    pos_weight = ops.cast(pos_weight, logits.dtype)

    log_weight = 1.0 + (pos_weight - 1.0) * y_true
    return (1.0 - y_true) * logits + log_weight * ops.softplus(-logits)


@keras.saving.register_keras_serializable(package="sklearn_multilabel")
class WeightedBinaryCrossentropy(keras.losses.Loss):
    """Keras loss: binary cross-entropy on logits with a per-label ``pos_weight``.

    The network must end in a linear layer (one logit per label, no sigmoid).
    The loss of each row is the mean over labels of
    :func:`weighted_binary_crossentropy`; Keras then applies sample weights
    and the reduction. The loss is serializable: a model compiled with it can
    be saved in the ``.keras`` format and loaded back without custom objects.

    Parameters
    ----------
    pos_weight : float or array-like of shape (n_labels,), default=1.0
        Weight of the positive term of each label.

    reduction : str, default="sum_over_batch_size"
        How Keras reduces the per-row losses.

    name : str, default="weighted_binary_crossentropy"
        Name of the loss.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_multilabel import WeightedBinaryCrossentropy
    >>> loss = WeightedBinaryCrossentropy(pos_weight=[4.0, 1.0])
    >>> round(float(loss(np.array([[1.0, 0.0]]), np.array([[0.0, 0.0]]))), 4)
    1.7329
    """

    def __init__(
        self,
        pos_weight=1.0,
        reduction="sum_over_batch_size",
        name="weighted_binary_crossentropy",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        pos_weight = np.asarray(pos_weight, dtype=np.float64)
        if pos_weight.ndim > 1 or not np.all(np.isfinite(pos_weight)):
            raise ValueError(
                "pos_weight must be a finite number or a 1-D array of finite "
                f"numbers. Received: pos_weight={pos_weight!r}"
            )
        if np.any(pos_weight < 0):
            raise ValueError(
                f"pos_weight must be non-negative. Received: pos_weight={pos_weight!r}"
            )
        self.pos_weight = pos_weight

    def call(self, y_true, y_pred):
        loss = weighted_binary_crossentropy(y_true, y_pred, self.pos_weight)
        return ops.mean(loss, axis=-1)

    def get_config(self):
        config = super().get_config()
        config["pos_weight"] = self.pos_weight.tolist()
        return config
