"""Saving and loading without pickle: round trips, refusals and versions."""

import hashlib
import json
import os
import zipfile

import keras
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.exceptions import NotFittedError

import sklearn_multilabel
from sklearn_multilabel import WeightedMultiLabelClassifier, build_mlp, load
from sklearn_multilabel.datasets import make_reference_problem


def tiny(**params):
    params = {
        "hidden_layer_sizes": (8,),
        "epochs": 3,
        "random_state": 0,
        "cv": None,
        **params,
    }
    return WeightedMultiLabelClassifier(**params)


@pytest.fixture(scope="module")
def data():
    return make_reference_problem(1500, n_labels=4, random_state=0)


@pytest.fixture(scope="module")
def saved(data, tmp_path_factory):
    X, Y = data
    clf = tiny().fit(X, Y)
    path = tmp_path_factory.mktemp("saved") / "clf.skml"
    clf.save(path)
    return clf, path


def _same_predictions(a, b, X):
    np.testing.assert_array_equal(a.decision_function(X), b.decision_function(X))
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(a.predict(X), b.predict(X))


def _rewrite(path, out, change):
    """Copy the archive at path to out, passing each member through change."""
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    members = change(members)
    with zipfile.ZipFile(out, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return out


def _with_checksums(members):
    """Record the members' true checksums, as a deliberate tamperer would."""
    manifest = json.loads(members["manifest.json"])
    for name in manifest["sha256"]:
        manifest["sha256"][name] = hashlib.sha256(members[name]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    return members


def test_round_trip_predicts_exactly_the_same(saved, data):
    clf, path = saved
    loaded = load(path)

    assert type(loaded) is WeightedMultiLabelClassifier
    _same_predictions(clf, loaded, data[0])
    assert loaded.get_params() == clf.get_params()
    for name in ("pos_weight_", "thresholds_", "classes_", "tuned_labels_"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(clf, name))
        assert getattr(loaded, name).dtype == getattr(clf, name).dtype
    assert loaded.history_ == clf.history_
    assert loaded.best_epoch_ == clf.best_epoch_
    assert loaded.n_features_in_ == clf.n_features_in_


def test_file_is_plain_data_with_versions(saved):
    _, path = saved
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == [
            "arrays.npz",
            "manifest.json",
            "model.keras",
            "state.json",
        ]
        manifest = json.loads(zf.read("manifest.json"))
        state = json.loads(zf.read("state.json"))
    assert manifest["package_version"] == sklearn_multilabel.__version__
    assert manifest["keras_version"] == keras.__version__
    assert state["params"]["hidden_layer_sizes"] == {"tuple": [8]}
    assert state["unstored_params"] == {}


def test_loaded_estimator_can_be_refitted(saved, data):
    X, Y = data
    clf, path = saved
    refit = load(path).fit(X, Y)
    _same_predictions(clf, refit, X)


def test_names_classes_and_parameter_forms_survive(tmp_path, data):
    X, Y = data
    X = pd.DataFrame(X, columns=[f"feature {i}" for i in range(X.shape[1])])
    Y = pd.DataFrame(Y, columns=["sports", "music", "art", "news"])
    clf = tiny(
        pos_weight={"sports": 2.0, "music": 3.0, "art": 4.0, "news": 5.0},
        threshold=np.array([0.2, 0.3, 0.4, 0.5]),
        model__dropout=0.1,
    ).fit(X, Y)

    loaded = load(clf.save(tmp_path / "named.skml"))

    _same_predictions(clf, loaded, X)
    assert list(loaded.feature_names_in_) == list(X.columns)
    assert list(loaded.classes_) == list(Y.columns)
    assert loaded.classes_.dtype == object
    assert loaded.pos_weight == clf.pos_weight
    np.testing.assert_array_equal(loaded.threshold, clf.threshold)
    assert loaded.model__dropout == 0.1


def test_binary_target_with_string_classes(tmp_path, data):
    X, Y = data
    y = np.where(Y[:, 0] == 1, "spam", "ham")
    clf = tiny().fit(X, y)

    loaded = load(clf.save(tmp_path / "binary.skml"))

    _same_predictions(clf, loaded, X)
    assert list(loaded.classes_) == ["ham", "spam"]


def test_sparse_input_network(tmp_path, data):
    X, Y = data
    X = sp.csr_matrix(X)
    clf = tiny().fit(X, Y)

    loaded = load(clf.save(tmp_path / "sparse.skml"))

    assert loaded.sparse_input_
    _same_predictions(clf, loaded, X)


def custom_network(meta, width=4):
    inputs = keras.Input((meta["n_features_in_"],))
    hidden = keras.layers.Dense(width, activation="relu")(inputs)
    return keras.Model(inputs, keras.layers.Dense(meta["n_outputs_"])(hidden))


def test_unstored_parameters_warn_and_can_be_given_back(tmp_path, data):
    X, Y = data
    clf = tiny(
        model=custom_network,
        hidden_layer_sizes="auto",
        model__width=6,
        callbacks=[keras.callbacks.TerminateOnNaN()],
    ).fit(X, Y)
    path = clf.save(tmp_path / "custom.skml")

    with pytest.warns(UserWarning, match="model .*callbacks|callbacks.*model"):
        loaded = load(path)
    _same_predictions(clf, loaded, X)
    assert loaded.model is None
    assert loaded.model__width == 6

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        given = load(path, params={"model": custom_network, "callbacks": None})
    assert given.model is custom_network
    _same_predictions(clf, given.fit(X, Y), X)


def test_network_running_stored_code_is_refused(tmp_path, data):
    X, Y = data

    def with_lambda(meta):
        inputs = keras.Input((meta["n_features_in_"],))
        doubled = keras.layers.Lambda(lambda t: t * 2.0)(inputs)
        return keras.Model(inputs, keras.layers.Dense(meta["n_outputs_"])(doubled))

    clf = tiny(model=with_lambda, hidden_layer_sizes="auto").fit(X, Y)
    path = clf.save(tmp_path / "lambda.skml")

    with pytest.raises(ValueError, match="cannot be loaded safely.*Lambda"):
        with pytest.warns(UserWarning):
            load(path, params={})


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda p: p.write_bytes(b"not a zip archive at all"), "zip archive"),
        (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "zip"),
        (lambda p: p.write_bytes(b""), "zip archive"),
    ],
    ids=["garbage", "truncated", "empty"],
)
def test_damaged_files_are_refused(saved, tmp_path, damage, message):
    _, path = saved
    copy = tmp_path / "damaged.skml"
    copy.write_bytes(path.read_bytes())
    damage(copy)

    with pytest.raises(ValueError, match=message):
        load(copy)


def _flip_a_weight(members):
    data = bytearray(members["model.keras"])
    data[len(data) // 2] ^= 0xFF
    members["model.keras"] = bytes(data)
    return members


def _change_thresholds(members):
    state = json.loads(members["state.json"])
    state["params"]["epochs"] = 1000
    members["state.json"] = json.dumps(state).encode()
    return members


def _add_member(members):
    members["payload.pkl"] = b"\x80\x04."
    return members


def _drop_member(members):
    del members["arrays.npz"]
    return members


def _bad_manifest(members):
    members["manifest.json"] = b"{not json"
    return members


def _other_format(members):
    manifest = json.loads(members["manifest.json"])
    manifest["format"] = "something.else"
    members["manifest.json"] = json.dumps(manifest).encode()
    return members


def _wrong_shapes(members):
    state = json.loads(members["state.json"])
    state["attributes"]["n_outputs_"] = 7
    members["state.json"] = json.dumps(state).encode()
    return _with_checksums(members)


def _unknown_parameter(members):
    state = json.loads(members["state.json"])
    state["params"]["secret_switch"] = True
    members["state.json"] = json.dumps(state).encode()
    return _with_checksums(members)


@pytest.mark.parametrize(
    "change, message",
    [
        (_flip_a_weight, "checksum of its member 'model.keras'"),
        (_change_thresholds, "checksum of its member 'state.json'"),
        (_add_member, "members"),
        (_drop_member, "members"),
        (_bad_manifest, "manifest cannot be read"),
        (_other_format, "not a saved WeightedMultiLabelClassifier"),
        (_wrong_shapes, "7 labels"),
        (_unknown_parameter, "secret_switch"),
    ],
    ids=lambda v: getattr(v, "__name__", "")[1:] or None,
)
def test_altered_files_are_refused(saved, tmp_path, data, change, message):
    clf, path = saved
    before = clf.predict_proba(data[0])
    altered = _rewrite(path, tmp_path / "altered.skml", change)

    with pytest.raises(ValueError, match=message):
        load(altered)
    np.testing.assert_array_equal(clf.predict_proba(data[0]), before)


def test_file_from_an_incompatible_version_names_both_versions(saved, tmp_path):
    _, path = saved

    def from_the_future(members):
        manifest = json.loads(members["manifest.json"])
        manifest["format_version"] = 2
        manifest["package_version"] = "9.1.0"
        members["manifest.json"] = json.dumps(manifest).encode()
        return members

    future = _rewrite(path, tmp_path / "future.skml", from_the_future)

    with pytest.raises(ValueError) as info:
        load(future)
    assert "9.1.0" in str(info.value)
    assert sklearn_multilabel.__version__ in str(info.value)
    assert "file format 2" in str(info.value)


def test_saving_needs_a_fitted_estimator(tmp_path):
    with pytest.raises(NotFittedError):
        tiny().save(tmp_path / "unfitted.skml")
    assert list(tmp_path.iterdir()) == []


def test_failed_save_leaves_no_file_and_replaces_atomically(saved, tmp_path, data):
    clf, path = saved
    target = tmp_path / "clf.skml"
    target.write_bytes(b"previous contents")

    clf.model_, model = None, clf.model_
    try:
        with pytest.raises(AttributeError):
            clf.save(target)
    finally:
        clf.model_ = model
    assert target.read_bytes() == b"previous contents"
    assert sorted(os.listdir(tmp_path)) == ["clf.skml"]

    clf.save(target)
    _same_predictions(clf, load(target), data[0])


def test_build_mlp_estimators_store_every_parameter(tmp_path, data):
    X, Y = data
    clf = tiny(model=build_mlp, optimizer="sgd", cv=3, epochs=2).fit(X, Y)
    path = clf.save(tmp_path / "builder.skml")

    with pytest.warns(UserWarning, match="model"):
        loaded = load(path)
    assert loaded.cv == 3
    assert loaded.optimizer == "sgd"
    _same_predictions(clf, loaded, X)
    # An ensemble of fold networks: its members and their histories.
    assert loaded.model_.name == "fold_average"
    assert loaded.history_ == clf.history_
    assert loaded.best_epoch_ == clf.best_epoch_
