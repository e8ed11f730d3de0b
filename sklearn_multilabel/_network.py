"""The default network: a multi-layer perceptron that ends in logits."""

import keras
import numpy as np

# hidden_layer_sizes="auto": bag-of-words and other sparse features are close
# to linearly separable, and a second layer only adds noise to fit there.
AUTO_HIDDEN_LAYER_SIZES = {"dense": (100, 100), "sparse": (100,)}


def build_mlp(
    meta, hidden_layer_sizes="auto", activation="relu", dropout=0.0, alpha=0.0
):
    """Build a multi-layer perceptron with one logit per label.

    The last layer is linear: the network outputs logits, and the loss
    applies the sigmoid inside its own stable formula.

    Parameters
    ----------
    meta : dict
        What the estimator learned about the data before building the
        network: ``n_features_in_``, ``n_outputs_`` (the number of labels) and
        ``sparse_input_`` (whether X is a sparse matrix).

    hidden_layer_sizes : "auto" or tuple of int, default="auto"
        Width of each hidden layer; ``()`` gives a linear model. ``"auto"``
        gives ``(100,)`` for sparse input (``meta["sparse_input_"]``), such as
        TF-IDF text, where a second layer overfits, and ``(100, 100)``
        otherwise.

    activation : str, default="relu"
        Activation of the hidden layers, any name Keras knows.

    dropout : float, default=0.0
        Dropout rate after each hidden layer, in [0, 1).

    alpha : float, default=0.0
        L2 penalty on the weights of the first layer, the one that reads the
        features: ``alpha * sum(kernel ** 2)`` is added to the training loss
        (a mean over the rows of a batch). It keeps the weights of features
        seen in few rows, such as rare words, from growing on noise.

    Returns
    -------
    model : keras.Model
        An uncompiled functional model from ``(n_features,)`` to
        ``(n_labels,)`` logits.

    Examples
    --------
    >>> from sklearn_multilabel import build_mlp
    >>> meta = {"n_features_in_": 8, "n_outputs_": 3, "sparse_input_": False}
    >>> model = build_mlp(meta, hidden_layer_sizes=(16,))
    >>> model.output_shape
    (None, 3)
    >>> model.layers[-1].activation.__name__
    'linear'
    """
    sparse = meta.get("sparse_input_", False)
    if isinstance(hidden_layer_sizes, str) and hidden_layer_sizes == "auto":
        hidden_layer_sizes = AUTO_HIDDEN_LAYER_SIZES["sparse" if sparse else "dense"]
    inputs = keras.Input(
        shape=(meta["n_features_in_"],), sparse=sparse, name="features"
    )

    # Only the layer that reads the features is penalised.
    penalties = [keras.regularizers.L2(alpha) if alpha > 0 else None]
    penalties += [None] * len(hidden_layer_sizes)

    hidden = inputs
    for i, width in enumerate(hidden_layer_sizes):
        hidden = keras.layers.Dense(
            width,
            activation=activation,
            kernel_regularizer=penalties[i],
            name=f"hidden_{i}",
        )(hidden)
        if dropout > 0:
            hidden = keras.layers.Dropout(dropout, name=f"dropout_{i}")(hidden)

    logits = keras.layers.Dense(
        meta["n_outputs_"], kernel_regularizer=penalties[-1], name="logits"
    )(hidden)
    return keras.Model(inputs, logits, name="multilabel_mlp")


@keras.saving.register_keras_serializable(package="sklearn_multilabel")
class CalibratedMean(keras.layers.Layer):
    """Average the calibrated logits of several networks, then shift them.

    Member ``k`` outputs logits trained with its own ``pos_weight``; less
    ``shifts[k] = log(pos_weight_k)`` they estimate the log-odds of each
    label. The layer averages those estimates and adds ``offset``, the
    ``log(pos_weight)`` of the whole training set, so that its output reads
    like the logits of one network trained on every row.

    Parameters
    ----------
    n_members : int
        Number of networks averaged.

    n_labels : int
        Number of logits of each network.

    **kwargs : dict
        Passed to ``keras.layers.Layer``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_multilabel._network import CalibratedMean
    >>> layer = CalibratedMean(2, 1)
    >>> layer.set_weights([np.array([[0.0], [1.0]]), np.array([0.5])])
    >>> float(layer([np.array([[2.0]]), np.array([[3.0]])])[0, 0])
    2.5
    """

    def __init__(self, n_members, n_labels, **kwargs):
        super().__init__(**kwargs)
        self.n_members = int(n_members)
        self.n_labels = int(n_labels)
        self.shifts = self.add_weight(
            shape=(self.n_members, self.n_labels),
            initializer="zeros",
            trainable=False,
            name="shifts",
        )
        self.offset = self.add_weight(
            shape=(self.n_labels,), initializer="zeros", trainable=False, name="offset"
        )

    def call(self, logits):
        stacked = keras.ops.stack(logits, axis=0)
        calibrated = stacked - keras.ops.expand_dims(self.shifts, 1)
        return keras.ops.mean(calibrated, axis=0) + self.offset

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[0])

    def get_config(self):
        config = super().get_config()
        config.update(n_members=self.n_members, n_labels=self.n_labels)
        return config


def average_networks(models, shifts, offset, *, n_features, sparse=False):
    """Join trained networks into one that outputs their averaged logits.

    Parameters
    ----------
    models : list of keras.Model
        Trained networks from ``(n_features,)`` to ``(n_labels,)`` logits.
        They are renamed ``member_0``, ``member_1``, ... and shared, not
        copied.

    shifts : array-like of shape (n_models, n_labels)
        ``log(pos_weight)`` each network was trained with.

    offset : array-like of shape (n_labels,)
        ``log(pos_weight)`` the joined network's logits should carry.

    n_features : int
        Number of input features.

    sparse : bool, default=False
        Whether the networks take sparse input.

    Returns
    -------
    model : keras.Model
        A functional model named ``"fold_average"``; its logits are
        ``mean_k(models[k](x) - shifts[k]) + offset``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_multilabel import build_mlp
    >>> from sklearn_multilabel._network import average_networks
    >>> meta = {"n_features_in_": 4, "n_outputs_": 2}
    >>> members = [build_mlp(meta, hidden_layer_sizes=(3,)) for _ in range(3)]
    >>> joined = average_networks(
    ...     members, np.zeros((3, 2)), np.zeros(2), n_features=4
    ... )
    >>> x = np.ones((1, 4), dtype="float32")
    >>> expected = np.mean([m.predict_on_batch(x) for m in members], axis=0)
    >>> bool(np.allclose(joined.predict_on_batch(x), expected, atol=1e-6))
    True
    """
    shifts = np.asarray(shifts, dtype=np.float32)
    offset = np.asarray(offset, dtype=np.float32)
    inputs = keras.Input(shape=(n_features,), sparse=sparse, name="features")
    outputs = []
    for k, member in enumerate(models):
        member.name = f"member_{k}"
        outputs.append(member(inputs))
    mean = CalibratedMean(len(models), offset.shape[0], name="calibrated_mean")
    logits = mean(outputs)
    mean.set_weights([shifts, offset])
    return keras.Model(inputs, logits, name="fold_average")
