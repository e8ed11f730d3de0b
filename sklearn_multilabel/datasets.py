"""Data sets: the reference problem and loaders for public multi-label data.

The reference problem is a synthetic multi-label problem whose best attainable
scores are known exactly; :func:`make_reference_problem` draws samples of it,
:func:`reference_bayes_predict` applies its Bayes-optimal rule and
:func:`reference_limits` gives the exact per-label figures of that rule and of
the rule that predicts every label positive.

:func:`load_mulan` reads the Mulan distributions of yeast, emotions, scene and
enron (ARFF files plus an XML list of labels) and :func:`load_goemotions` reads
the GoEmotions comments. Neither downloads anything: both take ``data_home``,
the folder that holds one sub-folder per data set.
"""

import csv
import numbers
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import arff
import numpy as np
import scipy.sparse as sp
from sklearn.utils import Bunch, check_random_state

__all__ = [
    "MULAN_DATASETS",
    "load_goemotions",
    "load_mulan",
    "make_reference_problem",
    "reference_bayes_predict",
    "reference_limits",
]

MULAN_DATASETS = ("yeast", "emotions", "scene", "enron")
"""Names accepted by :func:`load_mulan`."""

_SPARSE_MULAN_DATASETS = frozenset({"enron"})

_MULAN_SUBSETS = ("train", "test")

_GOEMOTIONS_SUBSETS = ("train", "dev", "test")

# Rows of each GoEmotions file in the authors' release.
_GOEMOTIONS_ROWS = {"train": 43410, "dev": 5426, "test": 5427}

# Attribute types of liac-arff that hold numbers.
_ARFF_NUMBER_TYPES = ("NUMERIC", "REAL", "INTEGER")


# ---------------------------------------------------------------------------
# Argument checks shared by the public functions
# ---------------------------------------------------------------------------


def _check_int(value, name, *, minimum):
    """Return `value` as an int after checking that it is an integer >= minimum."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an integer >= {minimum}, got {value!r} "
            f"of type {type(value).__name__}."
        )
    if value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def _check_signal(signal):
    """Return `signal` as a float after checking that it lies in (0, 1]."""
    if isinstance(signal, bool | np.bool_) or not isinstance(signal, numbers.Real):
        raise TypeError(
            f"signal must be a real number in (0, 1], got {signal!r} "
            f"of type {type(signal).__name__}."
        )
    if not 0.0 < signal <= 1.0:
        raise ValueError(f"signal must be a real number in (0, 1], got {signal!r}.")
    return float(signal)


def _check_random_state(random_state):
    """Return a numpy random generator built from `random_state`.

    A numpy ``Generator`` is used as it is; anything else goes through
    :func:`sklearn.utils.check_random_state`.
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, bool | np.bool_) or not (
        random_state is None
        or isinstance(random_state, numbers.Integral | np.random.RandomState)
    ):
        raise TypeError(
            "random_state must be None, an int, a numpy RandomState or a numpy "
            f"Generator, got {random_state!r}."
        )
    return check_random_state(random_state)


def _check_bool(value, name):
    """Check that `value` is a bool."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(
            f"{name} must be True or False, got {value!r} "
            f"of type {type(value).__name__}."
        )


def _check_choice(value, name, accepted):
    """Check that `value` is one of the strings in `accepted`."""
    if not isinstance(value, str) or value not in accepted:
        raise ValueError(
            f"{name} must be one of {', '.join(map(repr, accepted))}; got {value!r}."
        )


def _check_data_home(data_home):
    """Return `data_home` as a Path after checking its type."""
    if not isinstance(data_home, str | os.PathLike):
        raise TypeError(
            "data_home must be a str or a path-like object naming the folder that "
            f"holds the data sets, got {data_home!r} "
            f"of type {type(data_home).__name__}."
        )
    return Path(data_home)


def _import_pandas():
    """Return the pandas module, with a clear error when it is not installed."""
    try:
        import pandas
    except ImportError as exc:
        raise ImportError(
            "as_frame=True needs pandas, which is not installed; install pandas "
            "or use as_frame=False."
        ) from exc
    return pandas


def _require_file(path, data_home, what):
    """Raise FileNotFoundError when `path` (a file or folder) does not exist."""
    if path.exists():
        return
    raise FileNotFoundError(
        f"{what} not found: looked for {str(path)!r}. data_home should point at "
        "the folder that holds the data sets, one sub-folder per set; got "
        f"data_home={str(data_home)!r}."
    )


# ---------------------------------------------------------------------------
# The reference problem
# ---------------------------------------------------------------------------


def make_reference_problem(
    n_samples=20000, *, n_labels=30, signal=0.1, random_state=None
):
    """Draw a sample of the project's reference multi-label problem.

    Each label is positive with probability ``1 / n_labels``, independently of
    the others. Each label has one binary feature: ``X[i, j]`` is 1 with
    probability `signal` when ``Y[i, j]`` is 1, and always 0 otherwise. A
    positive feature thus proves its label, while a zero says little, which
    makes the problem a small model of many rare labels with weak evidence.

    Parameters
    ----------
    n_samples : int, default=20000
        Number of rows to draw.

    n_labels : int, default=30
        Number of labels, which is also the number of features.

    signal : float, default=0.1
        Probability that the feature of a positive label is 1, in (0, 1].

    random_state : None, int, numpy.random.RandomState or \
numpy.random.Generator, default=None
        Source of randomness. None, an int or a ``RandomState`` are handled
        as by :func:`sklearn.utils.check_random_state`; a ``Generator`` is used
        as it is. Pass an int for repeatable output.

    Returns
    -------
    X : ndarray of shape (n_samples, n_labels), dtype float32
        The features, each 0 or 1.

    Y : ndarray of shape (n_samples, n_labels), dtype int64
        The label indicator matrix, each entry 0 or 1.

    See Also
    --------
    reference_bayes_predict : The Bayes-optimal rule of this problem.
    reference_limits : The exact per-label scores of that rule.

    Examples
    --------
    >>> from sklearn_multilabel.datasets import make_reference_problem
    >>> X, Y = make_reference_problem(10000, random_state=0)
    >>> X.shape, X.dtype, Y.dtype
    ((10000, 30), dtype('float32'), dtype('int64'))
    >>> print(f"{Y.mean():.4f}")
    0.0330
    >>> print(f"{X[Y == 1].mean():.3f}")
    0.097
    """
    n_samples = _check_int(n_samples, "n_samples", minimum=1)
    n_labels = _check_int(n_labels, "n_labels", minimum=1)
    signal = _check_signal(signal)
    rng = _check_random_state(random_state)

    shape = (n_samples, n_labels)
    Y = rng.random(shape) < 1.0 / n_labels
    X = Y & (rng.random(shape) < signal)

    return X.astype(np.float32), Y.astype(np.int64)


def reference_bayes_predict(X):
    """Apply the Bayes-optimal rule of the reference problem: predict Y = X.

    A feature equal to 1 only occurs with a positive label, so such labels are
    predicted positive; every other label is predicted negative. No rule does
    better on this problem in expectation, for accuracy or for F1.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_labels)
        Features of the reference problem, each 0 or 1, as returned by
        :func:`make_reference_problem`.

    Returns
    -------
    Y_pred : ndarray of shape (n_samples, n_labels), dtype int64
        The predicted label indicator matrix.

    See Also
    --------
    make_reference_problem : Draw a sample of the problem.
    reference_limits : The exact per-label scores of this rule.

    Examples
    --------
    >>> from sklearn.metrics import f1_score
    >>> from sklearn_multilabel.datasets import (
    ...     make_reference_problem, reference_bayes_predict, reference_limits)
    >>> X, Y = make_reference_problem(20000, random_state=0)
    >>> Y_pred = reference_bayes_predict(X)
    >>> Y_pred.dtype
    dtype('int64')
    >>> print(f"{f1_score(Y, Y_pred, average='macro'):.3f}")
    0.182
    >>> print(f"{reference_limits()['bayes_f1']:.3f}")
    0.182
    """
    if sp.issparse(X):
        raise TypeError(
            "X must be a dense array-like of 0/1 values, got a sparse matrix of "
            f"type {type(X).__name__}; convert it with X.toarray()."
        )
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(
            "X must be a 2-dimensional array of shape (n_samples, n_labels), got "
            f"an array of shape {X.shape!r}."
        )
    is_binary = np.isin(X, (0, 1))
    if not is_binary.all():
        raise ValueError(
            "X must hold only the values 0 and 1, as the features of the reference "
            f"problem do; got other values, for example {X[~is_binary][0]!r}."
        )

    return (X == 1).astype(np.int64)


def reference_limits(n_labels=30, signal=0.1):
    """Give the exact per-label scores of two rules on the reference problem.

    The figures are population values, the limits of each label's scores as
    the number of rows grows. With ``p = 1 / n_labels`` the Bayes rule
    (:func:`reference_bayes_predict`) has precision 1, recall `signal` and so
    F1 ``2 * signal / (1 + signal)``; predicting every label positive has
    precision ``p``, recall 1 and F1 ``2 * p / (1 + p)``. The same figures hold
    for every label, hence for macro averages as well. On a finite sample the
    scores scatter around them.

    Parameters
    ----------
    n_labels : int, default=30
        Number of labels of the problem.

    signal : float, default=0.1
        Probability that the feature of a positive label is 1, in (0, 1].

    Returns
    -------
    limits : dict of str to float
        With keys ``"label_frequency"`` (``p``), ``"bayes_precision"``,
        ``"bayes_recall"``, ``"bayes_f1"``, ``"all_positive_precision"``,
        ``"all_positive_recall"`` and ``"all_positive_f1"``.

    See Also
    --------
    make_reference_problem : Draw a sample of the problem.

    Examples
    --------
    >>> from sklearn_multilabel.datasets import reference_limits
    >>> limits = reference_limits()
    >>> for key, value in limits.items():
    ...     print(f"{key}: {value:.4f}")
    label_frequency: 0.0333
    bayes_precision: 1.0000
    bayes_recall: 0.1000
    bayes_f1: 0.1818
    all_positive_precision: 0.0333
    all_positive_recall: 1.0000
    all_positive_f1: 0.0645
    """
    n_labels = _check_int(n_labels, "n_labels", minimum=1)
    signal = _check_signal(signal)

    frequency = 1.0 / n_labels
    return {
        "label_frequency": frequency,
        "bayes_precision": 1.0,
        "bayes_recall": signal,
        "bayes_f1": 2.0 * signal / (1.0 + signal),
        "all_positive_precision": frequency,
        "all_positive_recall": 1.0,
        "all_positive_f1": 2.0 * frequency / (1.0 + frequency),
    }


# ---------------------------------------------------------------------------
# Mulan data sets (ARFF)
# ---------------------------------------------------------------------------


def _read_mulan_label_names(xml_path):
    """Return the label names listed in a Mulan XML file, in the file's order."""
    try:
        root = ET.parse(xml_path).getroot()
    except ET.ParseError as exc:
        raise ValueError(
            f"could not parse the label file {str(xml_path)!r}: {exc}"
        ) from exc

    # Tags carry the Mulan namespace, as in "{http://...}label".
    names = [
        element.get("name")
        for element in root.iter()
        if element.tag.rsplit("}", 1)[-1] == "label"
    ]
    if not names or any(name is None for name in names):
        raise ValueError(
            f"the label file {str(xml_path)!r} must list at least one "
            "<label name=...> element, each with a name; it does not."
        )
    return names


def _arff_data_layout(text):
    """Return (is_sparse, n_rows) of the data section of an ARFF text.

    Rows are counted as liac-arff reads them: non-blank lines that are not
    comments. Counting here keeps trailing empty sparse rows, which the
    coordinate output of liac-arff cannot show.
    """
    lines = iter(text.splitlines())
    for line in lines:
        if line.strip().upper().startswith("@DATA"):
            break

    rows = [line.strip() for line in lines]
    rows = [row for row in rows if row and not row.startswith("%")]
    is_sparse = bool(rows) and rows[0].startswith("{")
    return is_sparse, len(rows)


def _check_mulan_attributes(attributes, label_names, path, is_sparse):
    """Check the attribute declarations of a Mulan ARFF file against its labels."""
    n_labels = len(label_names)
    if len(attributes) <= n_labels:
        raise ValueError(
            f"{str(path)!r} declares {len(attributes)} attributes, but the label "
            f"file lists {n_labels} labels; expected more attributes than labels."
        )

    declared = [name for name, _ in attributes[-n_labels:]]
    if sorted(declared) != sorted(label_names):
        raise ValueError(
            f"the last {n_labels} attributes of {str(path)!r} must be the labels "
            f"of the label file; got {declared!r}, expected the names "
            f"{sorted(label_names)!r} in some order."
        )

    for name, kind in attributes[-n_labels:]:
        if not isinstance(kind, list) or kind != ["0", "1"]:
            raise ValueError(
                f"label attribute {name!r} of {str(path)!r} must be nominal "
                f"{{0,1}}, got {kind!r}."
            )

    for name, kind in attributes[:-n_labels]:
        if kind in _ARFF_NUMBER_TYPES:
            continue
        if isinstance(kind, list) and _all_numbers(kind):
            # An absent sparse value stands for the first category.
            if not is_sparse or float(kind[0]) == 0.0:
                continue
        raise ValueError(
            f"feature attribute {name!r} of {str(path)!r} has type {kind!r}; only "
            "numeric attributes and nominal ones with numeric categories (the "
            "first of them 0 in a sparse file) are supported."
        )


def _all_numbers(categories):
    """Tell whether every string in `categories` reads as a number."""
    for category in categories:
        try:
            float(category)
        except ValueError:
            return False
    return True


def _dense_arff_arrays(rows, n_features, n_labels, path):
    """Turn dense liac-arff rows into a float64 X and an int64 Y."""
    table = np.array(rows, dtype=object).reshape(len(rows), n_features + n_labels)
    missing = np.equal(table, None)

    if missing[:, n_features:].any():
        raise ValueError(f"{str(path)!r} has missing label values ('?').")

    # Nominal features arrive as strings such as "1"; float() reads them.
    features = table[:, :n_features]
    features[missing[:, :n_features]] = np.nan
    X = features.astype(np.float64)
    Y = (table[:, n_features:] == "1").astype(np.int64)
    return X, Y


def _sparse_arff_arrays(coo, n_rows, n_features, n_labels, path):
    """Turn liac-arff coordinates into a CSR float64 X and an int64 Y."""
    values, rows, cols = coo
    values = np.array(values, dtype=object)
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    is_label = cols >= n_features

    if np.equal(values[is_label], None).any():
        raise ValueError(f"{str(path)!r} has missing label values ('?').")

    # Nominal features arrive as strings such as "1"; float() reads them.
    feature_values = values[~is_label]
    feature_values[np.equal(feature_values, None)] = np.nan
    X = sp.csr_matrix(
        (
            feature_values.astype(np.float64),
            (rows[~is_label], cols[~is_label]),
        ),
        shape=(n_rows, n_features),
        dtype=np.float64,
    )

    Y = np.zeros((n_rows, n_labels), dtype=np.int64)
    Y[rows[is_label], cols[is_label] - n_features] = values[is_label] == "1"
    return X, Y


def load_mulan(name, data_home, *, subset="train", return_X_y=False, as_frame=False):
    """Load one of the Mulan multi-label data sets from ARFF files.

    The data set `name` is read from the folder ``<data_home>/<name>/``, which
    holds ``<name>-train.arff``, ``<name>-test.arff`` (the official split) and
    ``<name>.xml``, the list of labels. The labels are the last L attributes of
    the ARFF file, L being the number of labels in the XML file; they come in
    the order in which the ARFF file declares them, which can differ from the
    XML order. Missing feature values (``?``) become NaN.

    ========  ============  ========  ======  ======
    name      train / test  features  labels  kind
    ========  ============  ========  ======  ======
    yeast     1500 / 917    103       14      dense
    emotions  391 / 202     72        6       dense
    scene     1211 / 1196   294       6       dense
    enron     1123 / 579    1001      53      sparse
    ========  ============  ========  ======  ======

    Parameters
    ----------
    name : {"yeast", "emotions", "scene", "enron"}
        The data set to load.

    data_home : str or path-like
        The folder that holds the data sets, one sub-folder per set.

    subset : {"train", "test"}, default="train"
        Which part of the official split to load.

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    as_frame : bool, default=False
        If True, `data` is a pandas DataFrame with the feature names as columns
        and `target` a DataFrame with the label names as columns. Only for the
        dense sets: enron raises a ValueError, since its features stay sparse.
        Needs pandas.

    Returns
    -------
    dataset : :class:`~sklearn.utils.Bunch`
        With attributes:

        data : ndarray of shape (n_samples, n_features), dtype float64, \
scipy.sparse.csr_matrix, or DataFrame
            The features; a CSR matrix for sparse ARFF files (enron), never
            made dense.

        target : ndarray of shape (n_samples, n_labels), dtype int64, \
or DataFrame
            The label indicator matrix, each entry 0 or 1.

        feature_names : list of str
            The names of the features, in column order.

        target_names : list of str
            The names of the labels, in column order.

        frame : DataFrame or None
            With ``as_frame=True``, the features and labels side by side;
            None otherwise.

        DESCR : str
            A short description of the loaded data.

    (data, target) : tuple
        With ``return_X_y=True``.

    Raises
    ------
    FileNotFoundError
        If the folder of the data set, its ARFF file or its XML file is not
        found under `data_home`.

    ValueError
        If an argument is invalid, or the files do not follow the Mulan format.

    See Also
    --------
    load_goemotions : Load the GoEmotions comments.

    Examples
    --------
    >>> from sklearn_multilabel.datasets import load_mulan
    >>> yeast = load_mulan("yeast", "path/to/data")  # doctest: +SKIP
    >>> yeast.data.shape, yeast.target.shape  # doctest: +SKIP
    ((1500, 103), (1500, 14))
    >>> X, Y = load_mulan("enron", "path/to/data", subset="test",
    ...                   return_X_y=True)  # doctest: +SKIP
    >>> X.format, X.shape, Y.shape  # doctest: +SKIP
    ('csr', (579, 1001), (579, 53))
    """
    _check_choice(name, "name", MULAN_DATASETS)
    _check_choice(subset, "subset", _MULAN_SUBSETS)
    _check_bool(return_X_y, "return_X_y")
    _check_bool(as_frame, "as_frame")
    if as_frame and name in _SPARSE_MULAN_DATASETS:
        raise ValueError(
            f"as_frame=True is only available for the dense data sets; {name!r} "
            "is sparse and loads as a scipy.sparse CSR matrix. Use as_frame=False."
        )
    pd = _import_pandas() if as_frame else None
    data_home = _check_data_home(data_home)

    folder = data_home / name
    arff_path = folder / f"{name}-{subset}.arff"
    xml_path = folder / f"{name}.xml"
    _require_file(folder, data_home, f"folder of data set {name!r}")
    _require_file(arff_path, data_home, f"ARFF file of data set {name!r}")
    _require_file(xml_path, data_home, f"label file of data set {name!r}")

    label_names = _read_mulan_label_names(xml_path)
    text = arff_path.read_text(encoding="utf-8")
    is_sparse, n_rows = _arff_data_layout(text)
    if as_frame and is_sparse:
        raise ValueError(
            f"as_frame=True needs a dense ARFF file, but {str(arff_path)!r} is "
            "sparse. Use as_frame=False."
        )

    try:
        parsed = arff.loads(text, return_type=arff.COO if is_sparse else arff.DENSE)
    except arff.ArffException as exc:
        raise ValueError(f"could not parse {str(arff_path)!r}: {exc}") from exc
    attributes = parsed["attributes"]
    _check_mulan_attributes(attributes, label_names, arff_path, is_sparse)

    n_labels = len(label_names)
    n_features = len(attributes) - n_labels
    if is_sparse:
        X, Y = _sparse_arff_arrays(
            parsed["data"], n_rows, n_features, n_labels, arff_path
        )
    else:
        X, Y = _dense_arff_arrays(parsed["data"], n_features, n_labels, arff_path)
    feature_names = [str(attr_name) for attr_name, _ in attributes[:n_features]]
    target_names = [str(attr_name) for attr_name, _ in attributes[n_features:]]

    frame = None
    if as_frame:
        X = pd.DataFrame(X, columns=feature_names)
        Y = pd.DataFrame(Y, columns=target_names)
        frame = pd.concat([X, Y], axis=1)

    if return_X_y:
        return X, Y

    kind = "sparse CSR" if is_sparse else "dense"
    descr = (
        f"Mulan multi-label data set {name!r}, {subset} subset: {X.shape[0]} rows, "
        f"{n_features} features ({kind}), {n_labels} labels, read from "
        f"{arff_path.name} and {xml_path.name}. The labels are the last "
        f"{n_labels} attributes of the ARFF file, in its order."
    )
    return Bunch(
        data=X,
        target=Y,
        feature_names=feature_names,
        target_names=target_names,
        frame=frame,
        DESCR=descr,
    )


# ---------------------------------------------------------------------------
# GoEmotions
# ---------------------------------------------------------------------------


def _read_goemotions_labels(path):
    """Return the label names of GoEmotions, one per line of `path`."""
    names = path.read_text(encoding="utf-8").splitlines()
    while names and not names[-1].strip():
        names.pop()
    names = [name.strip() for name in names]

    if not names or not all(names) or len(set(names)) != len(names):
        raise ValueError(
            f"{str(path)!r} must list distinct, non-empty label names, one a line; "
            f"got {names!r}."
        )
    return names


def _read_goemotions_rows(path, n_labels):
    """Return the texts, label ids and comment ids of one GoEmotions file."""
    texts, label_ids, comment_ids = [], [], []
    with open(path, encoding="utf-8", newline="") as stream:
        reader = csv.reader(stream, delimiter="\t", quoting=csv.QUOTE_NONE)
        for line_number, row in enumerate(reader, start=1):
            if len(row) != 3:
                raise ValueError(
                    f"line {line_number} of {str(path)!r} has {len(row)} "
                    "tab-separated fields; expected 3 (text, label ids, comment id)."
                )
            text, ids, comment_id = row

            try:
                ids = [int(label_id) for label_id in ids.split(",")]
            except ValueError:
                ids = None
            if ids is None or not all(0 <= label_id < n_labels for label_id in ids):
                raise ValueError(
                    f"line {line_number} of {str(path)!r} has label ids {row[1]!r}; "
                    f"expected comma-separated integers from 0 to {n_labels - 1}."
                )

            texts.append(text)
            label_ids.append(ids)
            comment_ids.append(comment_id)
    return texts, label_ids, comment_ids


def load_goemotions(data_home, *, subset="train", return_X_y=False):
    """Load the GoEmotions Reddit comments with their 28 emotion labels.

    The files are read from ``<data_home>/goemotions/``: ``labels.txt`` holds
    the label names, one a line, and ``train.tsv``, ``dev.tsv`` and
    ``test.tsv`` the official split, one comment a line in three tab-separated
    fields without a header: the text, the comma-separated label ids (0-based
    indices into ``labels.txt``) and the comment id. Each file must hold the
    number of rows of the authors' release (train 43410, dev 5426, test 5427).

    Parameters
    ----------
    data_home : str or path-like
        The folder that holds the data sets, one sub-folder per set.

    subset : {"train", "dev", "test"}, default="train"
        Which part of the official split to load.

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    dataset : :class:`~sklearn.utils.Bunch`
        With attributes:

        data : list of str
            The comments.

        target : ndarray of shape (n_samples, 28), dtype int64
            The label indicator matrix, each entry 0 or 1.

        target_names : list of str
            The names of the labels, in column order; the last is "neutral".

        ids : list of str
            The comment ids, in row order.

        DESCR : str
            A short description of the loaded data.

    (data, target) : tuple
        With ``return_X_y=True``.

    Raises
    ------
    FileNotFoundError
        If the folder ``goemotions`` or one of its files is not found under
        `data_home`.

    ValueError
        If an argument is invalid, or a file does not have the expected layout
        or number of rows.

    See Also
    --------
    load_mulan : Load one of the Mulan data sets.

    Examples
    --------
    >>> from sklearn_multilabel.datasets import load_goemotions
    >>> goemotions = load_goemotions("path/to/data", subset="dev")  # doctest: +SKIP
    >>> len(goemotions.data), goemotions.target.shape  # doctest: +SKIP
    (5426, (5426, 28))
    >>> goemotions.target_names[27]  # doctest: +SKIP
    'neutral'
    """
    _check_choice(subset, "subset", _GOEMOTIONS_SUBSETS)
    _check_bool(return_X_y, "return_X_y")
    data_home = _check_data_home(data_home)

    folder = data_home / "goemotions"
    labels_path = folder / "labels.txt"
    rows_path = folder / f"{subset}.tsv"
    _require_file(folder, data_home, "folder of data set 'goemotions'")
    _require_file(labels_path, data_home, "label file of data set 'goemotions'")
    _require_file(rows_path, data_home, f"{subset} file of data set 'goemotions'")

    target_names = _read_goemotions_labels(labels_path)
    texts, label_ids, comment_ids = _read_goemotions_rows(rows_path, len(target_names))
    expected_rows = _GOEMOTIONS_ROWS[subset]
    if len(texts) != expected_rows:
        raise ValueError(
            f"{str(rows_path)!r} holds {len(texts)} rows; the {subset} file of the "
            f"GoEmotions release holds {expected_rows}. The file may be truncated "
            "or come from another release."
        )

    # One (row, label) pair per positive entry of the indicator matrix.
    rows = np.repeat(np.arange(len(label_ids)), [len(ids) for ids in label_ids])
    cols = np.fromiter(
        (label_id for ids in label_ids for label_id in ids),
        dtype=np.int64,
        count=len(rows),
    )
    target = np.zeros((len(texts), len(target_names)), dtype=np.int64)
    target[rows, cols] = 1

    if return_X_y:
        return texts, target

    descr = (
        f"GoEmotions, {subset} subset: {len(texts)} Reddit comments as raw text, "
        f"{len(target_names)} labels, read from "
        f"{rows_path.name} and {labels_path.name}."
    )
    return Bunch(
        data=texts,
        target=target,
        target_names=target_names,
        ids=comment_ids,
        DESCR=descr,
    )
