"""The default network: a multi-layer perceptron that ends in logits."""

import keras


def build_mlp(meta, hidden_layer_sizes=(100, 100), activation="relu", dropout=0.0):
    """Build a multi-layer perceptron with one logit per label.

    The last layer is linear: the network outputs logits, and the loss
    applies the sigmoid inside its own stable formula.

    Parameters
    ----------
    meta : dict
        What the estimator learned about the data before building the
        network: ``n_features_in_``, ``n_outputs_`` (the number of labels) and
        ``sparse_input_`` (whether X is a sparse matrix).

    hidden_layer_sizes : tuple of int, default=(100, 100)
        Width of each hidden layer; ``()`` gives a linear model.

    activation : str, default="relu"
        Activation of the hidden layers, any name Keras knows.

    dropout : float, default=0.0
        Dropout rate after each hidden layer, in [0, 1).

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
    inputs = keras.Input(
        shape=(meta["n_features_in_"],),
        sparse=meta.get("sparse_input_", False),
        name="features",
    )

    hidden = inputs
    for i, width in enumerate(hidden_layer_sizes):
        hidden = keras.layers.Dense(width, activation=activation, name=f"hidden_{i}")(
            hidden
        )
        if dropout > 0:
            hidden = keras.layers.Dropout(dropout, name=f"dropout_{i}")(hidden)

    logits = keras.layers.Dense(meta["n_outputs_"], name="logits")(hidden)
    return keras.Model(inputs, logits, name="multilabel_mlp")
