"""Tests of the default network builder, a multi-layer perceptron on logits."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from sklearn_multilabel._network import build_mlp


def _meta(n_features=6, n_labels=3, sparse_input=False):
    """Return the facts the estimator passes to the builder."""
    return {
        "n_features_in_": n_features,
        "n_outputs_": n_labels,
        "sparse_input_": sparse_input,
    }


def _dense_layers(model):
    """Return the Dense layers of a model, in order."""
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]


def _dropout_layers(model):
    """Return the Dropout layers of a model, in order."""
    return [layer for layer in model.layers if isinstance(layer, keras.layers.Dropout)]


@pytest.mark.parametrize("n_labels", [1, 3, 7])
def test_output_is_one_logit_per_label(n_labels):
    """Check that the model maps (n, n_features) to (n, n_labels)."""
    model = build_mlp(_meta(n_features=5, n_labels=n_labels), hidden_layer_sizes=(4,))

    assert model.input_shape == (None, 5)
    assert model.output_shape == (None, n_labels)
    assert model(np.zeros((2, 5), dtype=np.float32)).shape == (2, n_labels)


@pytest.mark.parametrize("hidden_layer_sizes", [(), (4,), (8, 3)])
def test_last_layer_is_linear(hidden_layer_sizes):
    """Check that the network ends in a linear Dense layer that outputs logits."""
    model = build_mlp(_meta(), hidden_layer_sizes=hidden_layer_sizes)

    last = model.layers[-1]

    assert isinstance(last, keras.layers.Dense)
    assert last.activation.__name__ == "linear"
    assert last.units == 3


def test_logits_are_not_squashed():
    """Check that large weights give outputs outside [0, 1], as logits should be."""
    model = build_mlp(_meta(n_features=2, n_labels=2), hidden_layer_sizes=())
    model.layers[-1].set_weights([np.array([[5.0, -5.0], [0.0, 0.0]]), np.zeros(2)])

    # Output = x @ kernel: [1, 0] gives [5, -5].
    out = np.asarray(model(np.array([[1.0, 0.0]], dtype=np.float32)))

    np.testing.assert_allclose(out, [[5.0, -5.0]], rtol=1e-6)


@pytest.mark.parametrize("hidden_layer_sizes", [(16,), (8, 4), (5, 6, 7)])
def test_hidden_layers_have_the_given_widths(hidden_layer_sizes):
    """Check that the hidden Dense layers have the widths given, in order."""
    model = build_mlp(_meta(), hidden_layer_sizes=hidden_layer_sizes)

    widths = [layer.units for layer in _dense_layers(model)]

    assert widths == [*hidden_layer_sizes, 3]


@pytest.mark.parametrize("activation", ["relu", "tanh", "elu"])
def test_hidden_layers_use_the_given_activation(activation):
    """Check that every hidden layer uses the activation asked for."""
    model = build_mlp(_meta(), hidden_layer_sizes=(4, 4), activation=activation)

    hidden = _dense_layers(model)[:-1]

    assert [layer.activation.__name__ for layer in hidden] == [activation] * 2


def test_empty_hidden_layers_give_a_single_dense_layer():
    """Check that hidden_layer_sizes=() gives a linear model of one Dense layer."""
    model = build_mlp(_meta(n_features=6, n_labels=3), hidden_layer_sizes=())

    dense = _dense_layers(model)

    assert len(dense) == 1
    assert dense[0].kernel.shape == (6, 3)
    assert _dropout_layers(model) == []


@pytest.mark.parametrize("hidden_layer_sizes", [(), (4,), (4, 5)])
@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_dropout_layers_present_only_when_dropout_is_positive(
    hidden_layer_sizes, dropout
):
    """Check that there is one Dropout per hidden layer iff dropout > 0."""
    model = build_mlp(_meta(), hidden_layer_sizes=hidden_layer_sizes, dropout=dropout)

    dropouts = _dropout_layers(model)

    expected = len(hidden_layer_sizes) if dropout > 0 else 0
    assert len(dropouts) == expected
    assert all(layer.rate == dropout for layer in dropouts)


def test_dropout_is_inactive_at_inference():
    """Check that a model with dropout gives the same output on two calls."""
    model = build_mlp(_meta(), hidden_layer_sizes=(8,), dropout=0.5)
    X = np.random.default_rng(0).normal(size=(4, 6)).astype(np.float32)

    first = np.asarray(model(X, training=False))
    second = np.asarray(model(X, training=False))

    np.testing.assert_array_equal(first, second)


@pytest.mark.parametrize("hidden_layer_sizes", [(), (5,)])
def test_sparse_input_matches_dense_input(hidden_layer_sizes):
    """Check that sparse_input_=True accepts a SparseTensor, same output as dense."""
    model = build_mlp(
        _meta(n_features=6, n_labels=3, sparse_input=True),
        hidden_layer_sizes=hidden_layer_sizes,
    )
    X = np.zeros((4, 6), dtype=np.float32)
    X[0, 1] = 1.5
    X[2, [0, 5]] = [-2.0, 0.5]
    X[3, 3] = 4.0

    sparse_X = tf.sparse.from_dense(X)
    sparse_out = np.asarray(model(sparse_X))
    dense_out = np.asarray(model(X))

    assert isinstance(sparse_X, tf.SparseTensor)
    assert sparse_out.shape == (4, 3)
    np.testing.assert_allclose(sparse_out, dense_out, rtol=1e-5, atol=1e-6)


def test_sparse_input_flag_marks_the_input_sparse():
    """Check that the input is sparse exactly when sparse_input_ is true."""
    dense_model = build_mlp(_meta(sparse_input=False), hidden_layer_sizes=(4,))
    sparse_model = build_mlp(_meta(sparse_input=True), hidden_layer_sizes=(4,))
    default_model = build_mlp(
        {"n_features_in_": 6, "n_outputs_": 3}, hidden_layer_sizes=(4,)
    )

    assert not dense_model.inputs[0].sparse
    assert sparse_model.inputs[0].sparse
    assert not default_model.inputs[0].sparse


def test_model_is_not_compiled():
    """Check that the builder returns an uncompiled model."""
    model = build_mlp(_meta(), hidden_layer_sizes=(4,))

    assert not model.compiled


def test_default_network_has_two_hidden_layers_of_100():
    """Check that the defaults give two ReLU hidden layers of width 100."""
    model = build_mlp(_meta())

    dense = _dense_layers(model)

    assert [layer.units for layer in dense] == [100, 100, 3]
    assert [layer.activation.__name__ for layer in dense[:-1]] == ["relu", "relu"]
    assert _dropout_layers(model) == []


@pytest.mark.parametrize("hidden_layer_sizes", [(), (4,), (4, 3)])
def test_alpha_penalises_the_first_layer_only(hidden_layer_sizes):
    """Check the L2 penalty: alpha * sum(kernel ** 2) of the first layer."""
    model = build_mlp(_meta(), hidden_layer_sizes=hidden_layer_sizes, alpha=0.01)
    first, *rest = _dense_layers(model)

    assert first.kernel_regularizer is not None
    assert all(layer.kernel_regularizer is None for layer in rest)
    model(np.zeros((1, 6), dtype=np.float32))
    (penalty,) = model.losses
    expected = 0.01 * np.sum(np.square(first.kernel.numpy()))
    np.testing.assert_allclose(float(penalty), expected, rtol=1e-5)

    plain = build_mlp(_meta(), hidden_layer_sizes=hidden_layer_sizes)
    assert all(layer.kernel_regularizer is None for layer in _dense_layers(plain))


def test_auto_sizes_give_one_layer_for_sparse_input_and_two_for_dense():
    """Check hidden_layer_sizes="auto" against the kind of input in meta."""
    dense = build_mlp(_meta(sparse_input=False))
    sparse = build_mlp(_meta(sparse_input=True))

    assert [layer.units for layer in _dense_layers(dense)] == [100, 100, 3]
    assert [layer.units for layer in _dense_layers(sparse)] == [100, 3]
    assert sparse.inputs[0].sparse and not dense.inputs[0].sparse
