"""Prediction of plain dense networks in NumPy, without a TensorFlow call.

A TensorFlow function call costs a fixed few tenths of a millisecond, and more
when its threads have gone idle between requests; for one row, that is most of
the time ``predict`` takes. The networks this estimator builds by default are
a chain of ``Dense`` layers, possibly with ``Dropout`` (the identity at
inference), and the fold average joins several of them: their inference is a
few matrix products that NumPy runs at least as fast, for one row or many.

``numpy_forward`` recognises these networks and returns their inference pass
as a NumPy function; any other network gets None and keeps its TensorFlow
pass. The function holds a copy of the weights taken when it is made, so it
is only made for networks whose weights fit in ``MAX_COPIED_PARAMETERS``.
"""

import keras
import numpy as np
from scipy import sparse
from scipy.special import expit

from ._network import CalibratedMean

# Networks with more weights than this (such as a first layer reading 50,000
# TF-IDF features) keep their TensorFlow pass instead of a copy of the weights.
MAX_COPIED_PARAMETERS = 4_000_000


def _relu(x):
    return np.maximum(x, 0, out=x)


def _sigmoid(x):
    return expit(x, out=x)


def _tanh(x):
    return np.tanh(x, out=x)


def _linear(x):
    return x


# Activations computed in place on a float32 array, keyed by the function
# Keras resolves an activation name to.
_ACTIVATIONS = {
    keras.activations.linear: _linear,
    keras.activations.relu: _relu,
    keras.activations.sigmoid: _sigmoid,
    keras.activations.tanh: _tanh,
}


class _Chain:
    """Inference of one chain of Dense layers, from copied weights."""

    def __init__(self, layers):
        self.layers = [
            (
                layer.kernel.numpy(),
                layer.bias.numpy() if layer.use_bias else None,
                _ACTIVATIONS[layer.activation],
            )
            for layer in layers
        ]

    def __call__(self, x):
        h = x
        for kernel, bias, activation in self.layers:
            # A sparse matrix times a dense array gives a dense array.
            h = np.asarray(h @ kernel)
            if bias is not None:
                h += bias
            h = activation(h)
        return h


class NumpyForward:
    """Logits of a recognised network, computed in float32 by NumPy.

    Parameters
    ----------
    chains : list of _Chain
        One chain for a single network; the members of a fold average.

    shifts : ndarray of shape (n_members, n_labels) or None
        What each member's logits lose before averaging; None for a single
        network.

    offset : ndarray of shape (n_labels,) or None
        What the average gains; None for a single network.
    """

    def __init__(self, chains, shifts=None, offset=None):
        self.chains = chains
        self.shifts = shifts
        self.offset = offset

    def __call__(self, x):
        """Logits of the rows ``x``, a float32 array or sparse matrix."""
        if self.shifts is None:
            return self.chains[0](x)

        # The same order of operations as CalibratedMean: shift, mean, offset.
        stacked = np.stack([chain(x) for chain in self.chains])
        stacked -= self.shifts[:, np.newaxis, :]
        return np.mean(stacked, axis=0) + self.offset


def _parents(layer):
    """The layers whose outputs are the inputs of ``layer``'s only call."""
    nodes = layer._inbound_nodes
    if len(nodes) != 1:
        return None
    return [parent.operation for parent in nodes[0].parent_nodes]


def _is_output_of(model, layer):
    outputs = model.outputs
    return len(outputs) == 1 and outputs[0]._keras_history.operation is layer


def _dense_chain(model):
    """The Dense layers of ``model`` when it is a plain chain, else None."""
    if not isinstance(model, keras.Model) or len(getattr(model, "inputs", [])) != 1:
        return None

    layers = [
        layer
        for layer in model.layers
        if not isinstance(layer, keras.layers.InputLayer)
    ]
    previous = None
    for layer in layers:
        if not isinstance(layer, keras.layers.Dense | keras.layers.Dropout):
            return None
        parents = _parents(layer)
        if parents is None or len(parents) != 1:
            return None
        if previous is None:
            if not isinstance(parents[0], keras.layers.InputLayer):
                return None
        elif parents[0] is not previous:
            return None
        previous = layer

    dense = [layer for layer in layers if isinstance(layer, keras.layers.Dense)]
    if not dense or not _is_output_of(model, layers[-1]):
        return None
    for layer in dense:
        plain = (
            layer.dtype_policy.name == "float32"
            and layer.quantization_mode is None
            and not getattr(layer, "lora_enabled", False)
            and layer.activation in _ACTIVATIONS
        )
        if not plain:
            return None
    return dense


def _fold_average_members(model):
    """The members of a fold average built by ``average_networks``, else None."""
    if not isinstance(model, keras.Model) or len(getattr(model, "inputs", [])) != 1:
        return None

    mean = model.layers[-1]
    if not isinstance(mean, CalibratedMean) or not _is_output_of(model, mean):
        return None
    members = _parents(mean)
    if members is None or len(members) != mean.n_members:
        return None
    for member in members:
        parents = _parents(member)
        if parents is None or len(parents) != 1:
            return None
        if not isinstance(parents[0], keras.layers.InputLayer):
            return None
    return members


def numpy_forward(model):
    """The inference pass of ``model`` in NumPy, or None if it is not plain.

    Recognised: a Keras model whose layers after its one input are ``Dense``
    (float32, no quantisation, activation linear, ReLU, sigmoid or tanh) and
    ``Dropout`` layers, each reading the previous one; and a fold average of
    such networks made by ``average_networks``. Their weights, copied now, must
    number at most ``MAX_COPIED_PARAMETERS``.

    Parameters
    ----------
    model : keras.Model
        A trained network from features to logits.

    Returns
    -------
    forward : NumpyForward or None
        Maps float32 rows (an array or a sparse matrix) to float32 logits,
        as ``model(x, training=False)`` does up to float rounding.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_multilabel import build_mlp
    >>> from sklearn_multilabel._inference import numpy_forward
    >>> meta = {"n_features_in_": 4, "n_outputs_": 2}
    >>> model = build_mlp(meta, hidden_layer_sizes=(8,), dropout=0.2)
    >>> x = np.ones((3, 4), dtype="float32")
    >>> logits = numpy_forward(model)(x)
    >>> bool(np.allclose(logits, model.predict_on_batch(x), atol=1e-6))
    True
    """
    members = _fold_average_members(model)
    networks = [model] if members is None else members
    chains = [_dense_chain(network) for network in networks]
    if any(chain is None for chain in chains):
        return None

    n_parameters = sum(
        int(np.prod(variable.shape))
        for chain in chains
        for layer in chain
        for variable in layer.weights
    )
    if n_parameters > MAX_COPIED_PARAMETERS:
        return None

    chains = [_Chain(chain) for chain in chains]
    if members is None:
        return NumpyForward(chains)
    mean = model.layers[-1]
    return NumpyForward(chains, mean.shifts.numpy(), mean.offset.numpy())


def to_numpy_input(batch):
    """Rows as the float32 array or CSR matrix a ``NumpyForward`` takes."""
    if sparse.issparse(batch):
        return sparse.csr_matrix(batch, dtype=np.float32)
    return np.asarray(batch, dtype=np.float32)
