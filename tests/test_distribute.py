"""Training one network across several devices with tf.distribute.

TensorFlow fixes its logical devices when it starts, so the check runs in a
fresh interpreter that splits the CPU into two logical devices.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SCRIPT = textwrap.dedent(
    """
    import json, os, sys, tempfile
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration()] * 2
    )

    import numpy as np
    from sklearn_multilabel import WeightedMultiLabelClassifier, load
    from sklearn_multilabel.datasets import make_reference_problem

    X, Y = make_reference_problem(3000, n_labels=4, random_state=0)
    params = dict(
        hidden_layer_sizes=(8,),
        epochs=4,
        batch_size=100,
        random_state=0,
        cv=None,
        dropout=0.0,
    )

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    with strategy.scope():
        spread = WeightedMultiLabelClassifier(**params).fit(X, Y)
    single = WeightedMultiLabelClassifier(**params).fit(X, Y)

    kernel = spread.model_.weights[0].value
    path = spread.save(os.path.join(tempfile.mkdtemp(), "spread.skml"))
    loaded = load(path)
    json.dump(
        {
            "replicas": strategy.num_replicas_in_sync,
            "variable": type(kernel).__name__,
            "devices": sorted(v.device for v in kernel.values),
            "loss_spread": spread.history_["loss"],
            "loss_single": single.history_["loss"],
            "max_proba_gap": float(
                np.abs(spread.predict_proba(X) - single.predict_proba(X)).max()
            ),
            "loaded_gap": float(
                np.abs(spread.predict_proba(X) - loaded.predict_proba(X)).max()
            ),
        },
        sys.stdout,
    )
    """
)


def test_mirrored_strategy_on_two_cpu_devices_trains_like_one_device():
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])

    # The network's variables live on both devices...
    assert result["replicas"] == 2
    assert result["variable"] == "MirroredVariable"
    assert len(result["devices"]) == 2
    assert result["devices"][0].endswith("CPU:0")
    assert result["devices"][1].endswith("CPU:1")
    # ...and each step's update is the one of the whole batch: the replicas
    # sum their shares of the gradient, so training matches one device.
    assert result["loss_spread"] == pytest.approx(result["loss_single"], rel=1e-5)
    assert result["max_proba_gap"] < 1e-5
    assert result["loaded_gap"] == 0.0
