"""Saving and loading a fitted estimator without pickle.

A saved estimator is one zip archive with four members:

``manifest.json``
    What the file is, the file format version, the versions of the package,
    Keras, TensorFlow and numpy that wrote it, and the SHA-256 of the other
    members.
``state.json``
    The estimator's parameters and fitted attributes as plain JSON.
``arrays.npz``
    The numeric arrays among them, read back with ``allow_pickle=False``.
``model.keras``
    The Keras network in the ``.keras`` format, read back in Keras' safe mode.

Nothing in the file is executed when it is loaded: JSON and numpy arrays
carry data only, and safe mode refuses networks that would run stored code
(``Lambda`` layers holding Python bytecode).
"""

import hashlib
import io
import json
import numbers
import os
import tempfile
import warnings
import zipfile

import keras
import numpy as np
import tensorflow as tf

from ._version import __version__

# The layout of the archive. Raise it whenever a file written by this code
# could be misread by an older reader, or the other way round.
FORMAT_NAME = "sklearn_multilabel.WeightedMultiLabelClassifier"
FORMAT_VERSION = 1

_MEMBERS = ("state.json", "arrays.npz", "model.keras")

# Fitted attributes that are restored; anything else in a file is refused.
_ATTRIBUTES = {
    "X_shape_",
    "best_epoch_",
    "classes_",
    "feature_names_in_",
    "history_",
    "n_features_in_",
    "n_outputs_",
    "pos_weight_",
    "sparse_input_",
    "target_type_",
    "thresholds_",
    "tuned_labels_",
}


class _Unstorable(TypeError):
    """A value that has no plain-data form (a function, a Keras object...)."""


def save_estimator(estimator, path):
    """Write a fitted estimator to ``path``; see ``WeightedMultiLabelClassifier.save``.

    The archive is written next to ``path`` under a temporary name and moved
    into place at the end, so an interrupted save never leaves half a file.
    """
    estimator._check_fitted()
    path = os.fspath(path)

    arrays = {}
    params, unstored = {}, {}
    for name, value in estimator.get_params(deep=False).items():
        try:
            params[name] = _encode(value, arrays, f"param.{name}")
        except _Unstorable:
            unstored[name] = repr(value)
    attributes = {}
    for name in sorted(_ATTRIBUTES):
        if hasattr(estimator, name):
            attributes[name] = _encode(getattr(estimator, name), arrays, name)
    state = {"params": params, "unstored_params": unstored, "attributes": attributes}

    contents = {
        "state.json": json.dumps(state, indent=1, sort_keys=True).encode(),
        "arrays.npz": _arrays_to_bytes(arrays),
        "model.keras": _model_to_bytes(estimator.model_),
    }
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "package_version": __version__,
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "numpy_version": np.__version__,
        "sha256": {name: _sha256(data) for name, data in contents.items()},
    }

    folder = os.path.dirname(os.path.abspath(path))
    handle, partial = tempfile.mkstemp(prefix=".saving-", dir=folder)
    try:
        with os.fdopen(handle, "wb") as file:
            with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as zf:
                zf.writestr("manifest.json", json.dumps(manifest, indent=1))
                for name, data in contents.items():
                    zf.writestr(name, data)
        os.replace(partial, path)
    except BaseException:
        os.unlink(partial)
        raise
    return path


def load(path, *, params=None, custom_objects=None):
    """Load an estimator written by :meth:`WeightedMultiLabelClassifier.save`.

    No code stored in the file is run: the parameters and fitted attributes
    are plain JSON and numpy arrays (read without pickle), and the network
    is read in Keras' safe mode.

    Parameters
    ----------
    path : str or path-like
        The file to read.

    params : dict, default=None
        Parameters to set on the loaded estimator. Use it to give back the
        parameters that have no plain-data form and were therefore not
        stored (a ``model`` builder function, callbacks, an optimizer
        instance, a cross-validation splitter): without them the loaded
        estimator predicts exactly as the saved one, but a new ``fit`` would
        use the defaults instead.

    custom_objects : dict, default=None
        Custom Keras layers, activations or losses the network needs, by
        name, as for ``keras.saving.load_model``.

    Returns
    -------
    estimator : WeightedMultiLabelClassifier
        The fitted estimator, predicting exactly as the one saved.

    Raises
    ------
    ValueError
        If the file is not a saved estimator, is damaged or was altered
        (a member's checksum does not match, or its contents do not fit
        together), holds a network that safe mode refuses, or was written
        in a file format this version of the package cannot read.

    Warns
    -----
    UserWarning
        When parameters were not stored and ``params`` does not give them.

    Examples
    --------
    >>> import tempfile, os
    >>> from sklearn_multilabel import WeightedMultiLabelClassifier, load
    >>> from sklearn_multilabel.datasets import make_reference_problem
    >>> X, Y = make_reference_problem(2000, n_labels=3, random_state=0)
    >>> clf = WeightedMultiLabelClassifier(
    ...     hidden_layer_sizes=(8,), epochs=3, random_state=0
    ... ).fit(X, Y)
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = clf.save(os.path.join(folder, "classifier.skml"))
    ...     loaded = load(path)
    >>> bool((loaded.predict_proba(X) == clf.predict_proba(X)).all())
    True
    """
    from ._classifier import WeightedMultiLabelClassifier, _PredictForward

    path = os.fspath(path)
    members = _read_archive(path)
    manifest = _read_manifest(path, members)
    for name in _MEMBERS:
        if _sha256(members[name]) != manifest["sha256"].get(name):
            raise ValueError(
                f"{path!r} is damaged or was altered: the checksum of its member "
                f"{name!r} does not match the one recorded when it was saved."
            )

    try:
        state = json.loads(members["state.json"])
        with np.load(io.BytesIO(members["arrays.npz"]), allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
        stored = {
            name: _decode(value, arrays) for name, value in state["params"].items()
        }
        attributes = {
            name: _decode(value, arrays) for name, value in state["attributes"].items()
        }
        unstored = dict(state["unstored_params"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(
            f"{path!r} is damaged or was altered: its parameters and fitted "
            f"attributes could not be read ({type(exc).__name__}: {exc})."
        ) from None

    params = dict(params or {})
    estimator = _make_estimator(WeightedMultiLabelClassifier, stored, path)
    missing = sorted(set(unstored) - set(params))
    if missing:
        warnings.warn(
            f"These parameters were not stored in {path!r}, having no plain-data "
            f"form, and are left at their defaults: "
            + ", ".join(f"{name} (saved as {unstored[name]})" for name in missing)
            + ". The estimator predicts as it did when saved; to fit it again "
            "with them, pass them back: load(path, params={...}).",
            UserWarning,
            stacklevel=2,
        )
    if params:
        estimator.set_params(**params)

    model = _model_from_file_bytes(members["model.keras"], path, custom_objects)
    _check_attributes(attributes, model, path)
    vars(estimator).update(attributes)
    estimator.model_ = model
    estimator._forward_fn = (model, _PredictForward(model))
    estimator._fit_callbacks = []
    estimator._predict_callbacks = []
    return estimator


def _read_archive(path):
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            expected = {"manifest.json", *_MEMBERS}
            if set(names) != expected or len(names) != len(expected):
                raise ValueError(
                    f"{path!r} is not a saved WeightedMultiLabelClassifier, or was "
                    f"altered: it holds the members {sorted(names)}, where "
                    f"{sorted(expected)} are expected."
                )
            return {name: zf.read(name) for name in names}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise ValueError(
            f"{path!r} is not a saved WeightedMultiLabelClassifier, or is damaged: "
            f"it cannot be read as a zip archive ({exc})."
        ) from None


def _read_manifest(path, members):
    try:
        manifest = json.loads(members["manifest.json"])
        name = manifest["format"]
        version = manifest["format_version"]
        written_by = manifest["package_version"]
        if not isinstance(manifest["sha256"], dict):
            raise TypeError("sha256 is not a mapping")
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(
            f"{path!r} is damaged or was altered: its manifest cannot be read "
            f"({type(exc).__name__}: {exc})."
        ) from None
    if name != FORMAT_NAME:
        raise ValueError(
            f"{path!r} holds {name!r}, not a saved WeightedMultiLabelClassifier "
            f"({FORMAT_NAME!r})."
        )
    if version != FORMAT_VERSION:
        raise ValueError(
            f"{path!r} was written by sklearn_multilabel {written_by} in file "
            f"format {version}; this is sklearn_multilabel {__version__}, which "
            f"reads file format {FORMAT_VERSION} only. Load it with "
            f"sklearn_multilabel {written_by} and refit, or save it again there "
            "in a format both understand."
        )
    return manifest


def _make_estimator(cls, stored, path):
    accepted = set(cls().get_params(deep=False))
    unknown = sorted(
        name for name in stored if name not in accepted and "__" not in name
    )
    if unknown:
        raise ValueError(
            f"{path!r} is damaged or was altered: it sets parameters that "
            f"{cls.__name__} does not have: {unknown}."
        )
    return cls(**stored)


def _check_attributes(attributes, model, path):
    unknown = sorted(set(attributes) - _ATTRIBUTES)
    missing = sorted({"n_outputs_", "pos_weight_", "thresholds_"} - set(attributes))
    problems = []
    if unknown:
        problems.append(f"unknown fitted attributes {unknown}")
    if missing:
        problems.append(f"missing fitted attributes {missing}")
    if not problems:
        n_labels = attributes["n_outputs_"]
        pos_weight = np.asarray(attributes["pos_weight_"])
        thresholds = np.asarray(attributes["thresholds_"])
        if pos_weight.shape != (n_labels,) or not np.all(pos_weight > 0):
            problems.append("pos_weight_ is not one positive weight per label")
        if thresholds.shape != (n_labels,) or not np.all(
            (thresholds >= 0) & (thresholds <= 1)
        ):
            problems.append("thresholds_ is not one probability per label")
        outputs = model.outputs[0].shape[-1] if model.outputs else None
        if outputs != n_labels:
            problems.append(f"the network has {outputs} outputs for {n_labels} labels")
    if problems:
        raise ValueError(
            f"{path!r} is damaged or was altered: " + "; ".join(problems) + "."
        )


# ----------------------------------------------------------------------
# Plain-data encoding
# ----------------------------------------------------------------------


def _encode(value, arrays, key):
    """Turn a value into JSON, putting numeric arrays aside in ``arrays``."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.generic):
        return _encode(value.item(), arrays, key)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, tuple):
        return {
            "tuple": [_encode(v, arrays, f"{key}.{i}") for i, v in enumerate(value)]
        }
    if isinstance(value, list):
        return [_encode(v, arrays, f"{key}.{i}") for i, v in enumerate(value)]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"dict": {k: _encode(v, arrays, f"{key}.{k}") for k, v in value.items()}}
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "biufU":
            arrays[key] = value
            return {"array": key}
        if value.dtype == object:
            items = [_encode(v, arrays, key) for v in value.ravel().tolist()]
            if all(v is None or isinstance(v, (bool, str, int, float)) for v in items):
                return {"object_array": items, "shape": list(value.shape)}
    raise _Unstorable(type(value).__name__)


def _decode(value, arrays):
    if isinstance(value, list):
        return [_decode(v, arrays) for v in value]
    if not isinstance(value, dict):
        return value
    (tag,) = set(value) - {"shape"}
    if tag == "tuple":
        return tuple(_decode(v, arrays) for v in value["tuple"])
    if tag == "dict":
        return {k: _decode(v, arrays) for k, v in value["dict"].items()}
    if tag == "array":
        return arrays[value["array"]]
    if tag == "object_array":
        out = np.empty(len(value["object_array"]), dtype=object)
        out[:] = value["object_array"]
        return out.reshape(value["shape"])
    raise ValueError(f"unknown entry {tag!r}")


def _arrays_to_bytes(arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _model_to_bytes(model):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        model.save(path)
        with open(path, "rb") as file:
            return file.read()


def _model_from_bytes(data, custom_objects=None):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        with open(path, "wb") as file:
            file.write(data)
        return keras.saving.load_model(
            path, custom_objects=custom_objects, compile=True, safe_mode=True
        )


def _model_from_file_bytes(data, path, custom_objects):
    try:
        return _model_from_bytes(data, custom_objects)
    except Exception as exc:
        raise ValueError(
            f"The network in {path!r} cannot be loaded safely: "
            f"{type(exc).__name__}: {exc} A network whose layers run stored "
            "Python code (such as Lambda layers) is refused; networks with custom "
            "layers load when those are given in custom_objects or registered "
            "with keras.saving.register_keras_serializable."
        ) from None
