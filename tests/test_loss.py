"""Tests of the weighted binary cross-entropy on logits and its Keras loss class."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from sklearn_multilabel._loss import (
    WeightedBinaryCrossentropy,
    weighted_binary_crossentropy,
)

LOG2 = math.log(2.0)


def _expected_loss(p, w, z):
    """Return p * l(1, z) + (1 - p) * l(0, z) for the weighted loss on logits."""
    y = np.ones_like(z)
    positive = np.asarray(weighted_binary_crossentropy(y, z, w))
    negative = np.asarray(weighted_binary_crossentropy(0.0 * y, z, w))
    return p * positive + (1.0 - p) * negative


def test_unweighted_loss_at_zero_logit_is_log_two():
    """Check that a zero logit costs log(2) for a positive and for a negative."""
    y = np.array([[1.0, 0.0]])
    z = np.zeros((1, 2))

    # sigmoid(0) = 1/2, so -log(1/2) = log(2) whatever the target.
    loss = np.asarray(weighted_binary_crossentropy(y, z))

    np.testing.assert_allclose(loss, [[LOG2, LOG2]], rtol=1e-12)


def test_unweighted_loss_matches_hand_values():
    """Check that pos_weight=1 gives the plain cross-entropy worked out by hand."""
    y = np.array([[1.0, 0.0, 1.0, 0.0]])
    z = np.array([[2.0, 2.0, -3.0, -3.0]])

    # y=1: -log(sigmoid(z)) = log(1 + exp(-z)); y=0: -log(1 - sigmoid(z)) =
    # log(1 + exp(z)). So z=2 gives log(1+e^-2) and log(1+e^2); z=-3 gives
    # log(1+e^3) and log(1+e^-3).
    expected = [
        [
            math.log1p(math.exp(-2.0)),
            math.log1p(math.exp(2.0)),
            math.log1p(math.exp(3.0)),
            math.log1p(math.exp(-3.0)),
        ]
    ]
    loss = np.asarray(weighted_binary_crossentropy(y, z, pos_weight=1.0))

    np.testing.assert_allclose(loss, expected, rtol=1e-12)


def test_unweighted_loss_matches_keras_binary_crossentropy():
    """Check that pos_weight=1 equals Keras's binary cross-entropy per element."""
    rng = np.random.default_rng(0)
    y = (rng.random((6, 4)) < 0.4).astype(np.float32)
    z = rng.normal(scale=3.0, size=(6, 4)).astype(np.float32)

    # A trailing axis of size one makes Keras's mean over labels a no-op.
    reference = keras.losses.binary_crossentropy(
        y[..., np.newaxis], z[..., np.newaxis], from_logits=True
    )
    loss = weighted_binary_crossentropy(y, z)

    np.testing.assert_allclose(np.asarray(loss), np.asarray(reference), rtol=1e-5)


def test_weighted_loss_matches_hand_values():
    """Check that a per-label pos_weight scales only the positive entries."""
    y = np.array([[1.0, 1.0, 0.0]])
    z = np.array([[0.0, math.log(3.0), math.log(3.0)]])
    w = np.array([3.0, 2.0, 5.0])

    # Label 0: 3 * log(1 + e^0) = 3 log 2. Label 1: 2 * log(1 + 1/3) =
    # 2 log(4/3). Label 2 is negative, so its weight 5 is unused:
    # log(1 + e^{log 3}) = log 4.
    expected = [[3.0 * LOG2, 2.0 * math.log(4.0 / 3.0), math.log(4.0)]]
    loss = np.asarray(weighted_binary_crossentropy(y, z, w))

    np.testing.assert_allclose(loss, expected, rtol=1e-12)


def test_weighted_loss_matches_tensorflow_with_large_logits():
    """Check that the loss equals TensorFlow's weighted loss, finite at |z| = 50."""
    rng = np.random.default_rng(1)
    y = (rng.random((40, 5)) < 0.5).astype(np.float64)
    z = rng.uniform(-50.0, 50.0, size=(40, 5))
    z[0] = [-50.0, 50.0, -50.0, 50.0, 0.0]
    y[0] = [1.0, 1.0, 0.0, 0.0, 1.0]
    w = np.array([0.5, 1.0, 3.0, 20.0, 100.0])

    loss = np.asarray(weighted_binary_crossentropy(y, z, w))
    reference = tf.nn.weighted_cross_entropy_with_logits(
        labels=y, logits=z, pos_weight=w
    ).numpy()

    assert np.all(np.isfinite(loss))
    np.testing.assert_allclose(loss, reference, rtol=1e-10, atol=1e-12)

    # A confident miss costs its weight times |z|: 0.5 * 50 for the positive at
    # z=-50 and 1 * 50 for the negative at z=50; confident hits cost ~exp(-50).
    np.testing.assert_allclose(loss[0, :3], [25.0, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(loss[0, 3], 50.0, rtol=1e-12)


def test_weighted_loss_is_finite_in_float32_at_large_logits():
    """Check that float32 logits of magnitude 50 give a finite loss, no NaN."""
    y = np.array([[1.0, 1.0, 0.0, 0.0]], dtype=np.float32)
    z = np.array([[-50.0, 50.0, -50.0, 50.0]], dtype=np.float32)

    # Misses cost w * 50 and 50, hits cost about exp(-50), zero in float32.
    loss = np.asarray(weighted_binary_crossentropy(y, z, 4.0))

    assert loss.dtype == np.float32
    np.testing.assert_allclose(loss, [[200.0, 0.0, 0.0, 50.0]], atol=1e-5)


def test_gradient_matches_closed_form():
    """Check that d loss / d z is (1 - y) - (1 + (w - 1) y) sigmoid(-z)."""
    rng = np.random.default_rng(2)
    y = (rng.random((8, 3)) < 0.5).astype(np.float64)
    z = tf.Variable(rng.normal(scale=4.0, size=(8, 3)))
    w = np.array([0.3, 1.0, 7.0])

    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(weighted_binary_crossentropy(y, z, w))
    gradient = tape.gradient(loss, z).numpy()

    # From l = (1 - y) z + (1 + (w - 1) y) softplus(-z) and
    # softplus'(u) = sigmoid(u).
    sigmoid_of_minus_z = 1.0 / (1.0 + np.exp(z.numpy()))
    expected = (1.0 - y) - (1.0 + (w - 1.0) * y) * sigmoid_of_minus_z
    np.testing.assert_allclose(gradient, expected, rtol=1e-10, atol=1e-12)


def test_gradient_at_zero_logit_matches_hand_values():
    """Check that at z = 0 the gradient is -w/2 for a positive and 1/2 otherwise."""
    y = np.array([[1.0, 0.0]])
    z = tf.Variable(np.zeros((1, 2)))

    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(weighted_binary_crossentropy(y, z, 6.0))

    # sigmoid(0) = 1/2: positive 0 - 6 * 1/2 = -3, negative 1 - 1/2 = 1/2.
    np.testing.assert_allclose(tape.gradient(loss, z).numpy(), [[-3.0, 0.5]])


@pytest.mark.parametrize(
    "p, w", [(0.2, 4.0), (0.5, 1.0), (0.05, 10.0), (0.9, 0.25), (0.01, 100.0)]
)
def test_expected_loss_is_minimised_at_shifted_logit(p, w):
    """Check that p l(1, z) + (1 - p) l(0, z) is smallest at logit(p) + log(w)."""
    z_star = math.log(p / (1.0 - p)) + math.log(w)

    # Setting the derivative -p w sigmoid(-z) + (1 - p) sigmoid(z) to zero gives
    # (1 - p) e^z = p w, so z* = log(p w / (1 - p)); a grid of step 1e-3 around
    # it must find its minimum within one step.
    grid = z_star + np.linspace(-5.0, 5.0, 10001)
    z_best = grid[np.argmin(_expected_loss(p, w, grid))]

    assert abs(z_best - z_star) <= 1e-3


def test_expected_loss_minimiser_matches_hand_value():
    """Check that p = 0.2 and w = 4 give the minimiser z* = 0 worked out by hand."""
    # logit(0.2) = log(0.2 / 0.8) = -log(4), and -log(4) + log(4) = 0.
    grid = np.linspace(-2.0, 2.0, 4001)
    z_best = grid[np.argmin(_expected_loss(0.2, 4.0, grid))]

    assert abs(z_best) <= 1e-3


def test_loss_class_averages_labels_then_rows():
    """Check that the class takes the mean over labels, then over rows."""
    loss = WeightedBinaryCrossentropy(pos_weight=[4.0, 1.0])
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    z = np.zeros((2, 2))

    # Row 0: (4 log 2 + log 2) / 2 = 2.5 log 2. Row 1: (log 2 + log 2) / 2 =
    # log 2. Mean over the two rows: 1.75 log 2.
    np.testing.assert_allclose(float(loss(y, z)), 1.75 * LOG2, rtol=1e-6)


@pytest.mark.parametrize(
    "reduction, expected",
    [
        # Rows cost 2.5 log 2 and log 2 (see the test above).
        ("sum", 3.5 * LOG2),
        ("sum_over_batch_size", 1.75 * LOG2),
        ("none", [2.5 * LOG2, LOG2]),
    ],
)
def test_loss_class_applies_reduction(reduction, expected):
    """Check that the per-row losses are reduced as the reduction asks."""
    loss = WeightedBinaryCrossentropy(pos_weight=[4.0, 1.0], reduction=reduction)
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    z = np.zeros((2, 2))

    np.testing.assert_allclose(np.asarray(loss(y, z)), expected, rtol=1e-6)


def test_loss_class_weights_rows_by_sample_weight():
    """Check that sample weights give sum(w_i l_i) / n under sum_over_batch_size."""
    loss = WeightedBinaryCrossentropy(pos_weight=[4.0, 1.0])
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    z = np.zeros((2, 2))

    # (2 * 2.5 log 2 + 0.5 * log 2) / 2 = 2.75 log 2: Keras divides by the
    # number of rows, not by the sum of the weights.
    value = loss(y, z, sample_weight=np.array([2.0, 0.5]))

    np.testing.assert_allclose(float(value), 2.75 * LOG2, rtol=1e-6)


def test_loss_class_is_zero_when_every_weight_is_zero():
    """Check that all-zero sample weights give a loss of exactly zero."""
    loss = WeightedBinaryCrossentropy(pos_weight=[4.0, 1.0])
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    z = np.array([[-50.0, 50.0], [50.0, -50.0]])

    value = loss(y, z, sample_weight=np.zeros(2))

    assert float(value) == 0.0


def test_zero_weighted_row_does_not_change_the_sum():
    """Check that a row of weight zero adds nothing, even with a huge loss."""
    loss = WeightedBinaryCrossentropy(pos_weight=[100.0, 1.0], reduction="sum")
    y = np.array([[1.0, 0.0], [1.0, 0.0]])
    z = np.array([[0.5, -0.5], [-50.0, 50.0]])

    with_zero_row = loss(y, z, sample_weight=np.array([1.0, 0.0]))
    first_row_only = loss(y[:1], z[:1])

    np.testing.assert_allclose(float(with_zero_row), float(first_row_only))


def test_config_round_trip_keeps_pos_weight():
    """Check that get_config and from_config rebuild the same loss."""
    loss = WeightedBinaryCrossentropy(
        pos_weight=[2.0, 0.5, 3.0], reduction="sum", name="my_loss"
    )

    config = loss.get_config()
    rebuilt = WeightedBinaryCrossentropy.from_config(config)

    assert config["pos_weight"] == [2.0, 0.5, 3.0]
    assert isinstance(rebuilt, WeightedBinaryCrossentropy)
    np.testing.assert_array_equal(rebuilt.pos_weight, [2.0, 0.5, 3.0])
    assert rebuilt.reduction == "sum"
    assert rebuilt.name == "my_loss"


def test_config_round_trip_keeps_scalar_pos_weight():
    """Check that a scalar pos_weight survives get_config and from_config."""
    loss = WeightedBinaryCrossentropy(pos_weight=2.5)

    rebuilt = WeightedBinaryCrossentropy.from_config(loss.get_config())

    assert float(rebuilt.pos_weight) == 2.5


def test_saved_model_keeps_loss_and_pos_weight(tmp_path):
    """Check that a .keras file loads back without custom objects, loss intact."""
    inputs = keras.Input(shape=(3,))
    model = keras.Model(inputs, keras.layers.Dense(2)(inputs))
    model.compile(optimizer="sgd", loss=WeightedBinaryCrossentropy([3.0, 0.5]))
    path = tmp_path / "model.keras"

    model.save(path)
    loaded = keras.saving.load_model(path)

    assert isinstance(loaded.loss, WeightedBinaryCrossentropy)
    np.testing.assert_array_equal(loaded.loss.pos_weight, [3.0, 0.5])

    # The loaded loss gives the same value as the original one.
    y = np.array([[1.0, 0.0]])
    z = np.array([[0.3, -1.2]])
    np.testing.assert_allclose(float(loaded.loss(y, z)), float(model.loss(y, z)))


@pytest.mark.parametrize(
    "pos_weight, match",
    [
        (-1.0, "pos_weight must be non-negative"),
        ([1.0, -0.5], "pos_weight must be non-negative"),
        (float("nan"), "pos_weight must be a finite"),
        ([1.0, float("nan")], "pos_weight must be a finite"),
        (float("inf"), "pos_weight must be a finite"),
        ([[1.0, 2.0]], "pos_weight must be a finite number or a 1-D array"),
    ],
)
def test_bad_pos_weight_raises(pos_weight, match):
    """Check that a negative, non-finite or 2-D pos_weight raises a ValueError."""
    with pytest.raises(ValueError, match=match):
        WeightedBinaryCrossentropy(pos_weight=pos_weight)
