"""Tests of the NumPy inference pass of plain networks and of predict using it."""

import keras
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import logit

from sklearn_multilabel import (
    WeightedMultiLabelClassifier,
    _classifier,
    _inference,
    build_mlp,
)
from sklearn_multilabel._inference import numpy_forward, to_numpy_input
from sklearn_multilabel._network import average_networks
from sklearn_multilabel.datasets import make_reference_problem


def _meta(n_features=6, n_labels=3, sparse_input=False):
    return {
        "n_features_in_": n_features,
        "n_outputs_": n_labels,
        "sparse_input_": sparse_input,
    }


def _randomise(model, seed):
    """Give every weight, biases included, a random value of unit scale."""
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(size=w.shape) for w in model.get_weights()])
    return model


def _rows(n_rows=7, n_features=6, seed=0):
    return np.random.default_rng(seed).normal(size=(n_rows, n_features))


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "linear"])
@pytest.mark.parametrize("hidden_layer_sizes", [(), (5,), (8, 4)])
def test_plain_network_matches_keras(activation, hidden_layer_sizes):
    """Check that the NumPy pass gives Keras' logits for every plain network."""
    model = build_mlp(
        _meta(),
        hidden_layer_sizes=hidden_layer_sizes,
        activation=activation,
        dropout=0.3,
    )
    _randomise(model, 0)
    x = to_numpy_input(_rows())

    forward = numpy_forward(model)

    assert forward is not None
    logits = forward(x)
    assert logits.dtype == np.float32
    np.testing.assert_allclose(logits, model(x, training=False), rtol=1e-5, atol=1e-5)


def test_sparse_network_matches_keras_on_sparse_rows():
    """Check a network on sparse input: the NumPy pass takes the CSR matrix."""
    model = _randomise(build_mlp(_meta(sparse_input=True), (5,)), 1)
    rows = sp.random(9, 6, density=0.4, format="csr", random_state=0)

    logits = numpy_forward(model)(to_numpy_input(rows))

    expected = model.predict_on_batch(rows.toarray().astype(np.float32))
    np.testing.assert_allclose(logits, expected, rtol=1e-5, atol=1e-5)


def test_sequential_chain_is_recognised():
    """Check that a Sequential stack of Dense layers is a plain network too."""
    model = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(4, activation="tanh"),
            keras.layers.Dense(3, use_bias=False),
        ]
    )
    _randomise(model, 2)
    x = to_numpy_input(_rows())

    np.testing.assert_allclose(numpy_forward(model)(x), model(x), rtol=1e-5, atol=1e-5)


def test_fold_average_matches_keras():
    """Check the average of members, with their shifts and the offset."""
    members = [_randomise(build_mlp(_meta(), (4,)), seed) for seed in range(3)]
    rng = np.random.default_rng(3)
    shifts, offset = rng.normal(size=(3, 3)), rng.normal(size=3)
    model = average_networks(members, shifts, offset, n_features=6)
    x = to_numpy_input(_rows())

    logits = numpy_forward(model)(x)

    np.testing.assert_allclose(logits, model(x), rtol=1e-5, atol=1e-5)
    one = numpy_forward(members[0])(x)
    assert not np.allclose(logits, one)


def _skip_connection_model():
    inputs = keras.Input((6,))
    hidden = keras.layers.Dense(6, activation="relu")(inputs)
    joined = keras.layers.Add()([inputs, hidden])
    return keras.Model(inputs, keras.layers.Dense(3)(joined))


def _shared_layer_model():
    inputs = keras.Input((6,))
    square = keras.layers.Dense(6)
    return keras.Model(inputs, keras.layers.Dense(3)(square(square(inputs))))


def _unused_branch_model():
    inputs = keras.Input((6,))
    keras.layers.Dense(2)(inputs)
    hidden = keras.layers.Dense(4)(inputs)
    return keras.Model(inputs, keras.layers.Dense(3)(hidden))


@pytest.mark.parametrize(
    "make_model",
    [
        _skip_connection_model,
        _shared_layer_model,
        lambda: build_mlp(_meta(), (4,), activation="gelu"),
        lambda: keras.Sequential(
            [
                keras.Input((6,)),
                keras.layers.Dense(4),
                keras.layers.BatchNormalization(),
                keras.layers.Dense(3),
            ]
        ),
    ],
    ids=["skip-connection", "shared-layer", "gelu", "batch-norm"],
)
def test_other_networks_are_not_recognised(make_model):
    """Check that a network beyond a plain chain keeps its TensorFlow pass."""
    assert numpy_forward(make_model()) is None


def test_unused_branch_does_not_change_the_logits():
    """Check a layer outside the path to the output: ignored or refused."""
    model = _randomise(_unused_branch_model(), 4)
    x = to_numpy_input(_rows())

    forward = numpy_forward(model)

    if forward is not None:
        np.testing.assert_allclose(forward(x), model(x), rtol=1e-5, atol=1e-5)


def test_networks_over_the_size_limit_keep_tensorflow(monkeypatch):
    """Check that no copy is made of weights beyond MAX_COPIED_PARAMETERS."""
    model = build_mlp(_meta(), (4,))
    n_parameters = model.count_params()

    monkeypatch.setattr(_inference, "MAX_COPIED_PARAMETERS", n_parameters)
    assert numpy_forward(model) is not None

    monkeypatch.setattr(_inference, "MAX_COPIED_PARAMETERS", n_parameters - 1)
    assert numpy_forward(model) is None


@pytest.fixture(scope="module")
def reference():
    X, Y = make_reference_problem(600, random_state=0)
    return X, Y


@pytest.mark.parametrize("cv", [None, 3])
def test_predict_agrees_between_numpy_and_tensorflow(reference, monkeypatch, cv):
    """Check that few rows (NumPy) and many rows (TensorFlow) score alike."""
    X, Y = reference
    clf = WeightedMultiLabelClassifier(
        hidden_layer_sizes=(8,), epochs=2, cv=cv, random_state=0
    ).fit(X, Y)
    assert clf._forward_fn[1].numpy is not None

    few = clf.decision_function(X[:50])
    monkeypatch.setattr(_classifier, "_NUMPY_MAX_ROWS", 0)
    many = clf.decision_function(X[:50])

    np.testing.assert_allclose(few, many, rtol=1e-5, atol=1e-5)
    with np.errstate(divide="ignore"):
        cuts = logit(clf.thresholds_)
    np.testing.assert_array_equal(clf.predict(X[:50]), (few >= cuts).astype(int))


def test_custom_network_predicts_through_tensorflow(reference):
    """Check that an unrecognised network is still predicted, by its own pass."""
    X, Y = reference

    def build(meta):
        inputs = keras.Input((meta["n_features_in_"],))
        hidden = keras.layers.Dense(8, activation="gelu")(inputs)
        return keras.Model(inputs, keras.layers.Dense(meta["n_outputs_"])(hidden))

    clf = WeightedMultiLabelClassifier(model=build, epochs=2, cv=None, random_state=0)
    clf.fit(X, Y)

    assert clf._forward_fn[1].numpy is None
    expected = clf.model_.predict_on_batch(X[:5].astype(np.float32))
    np.testing.assert_allclose(
        clf.decision_function(X[:5]), expected - np.log(clf.pos_weight_), atol=1e-5
    )
