"""Tests of WeightedMultiLabelClassifier on what a careless caller may pass.

Each bad input gets a clear error before any network is built, and leaves
the caller's data and a fitted estimator as they were; the inputs that are
accepted behave as documented.
"""

import copy
import warnings

import keras
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.model_selection import PredefinedSplit
from sklearn.preprocessing import MultiLabelBinarizer

from sklearn_multilabel import WeightedMultiLabelClassifier
from sklearn_multilabel.datasets import make_reference_problem

N_ROWS = 60


class BuildCounter:
    """A model builder that counts its calls, to show no Keras work was done."""

    def __init__(self):
        self.calls = 0

    def __call__(self, meta):
        self.calls += 1
        inputs = keras.Input((meta["n_features_in_"],))
        return keras.Model(inputs, keras.layers.Dense(meta["n_outputs_"])(inputs))


def tiny(**params):
    defaults = dict(epochs=2, batch_size=32, random_state=0)
    return WeightedMultiLabelClassifier(**{**defaults, **params})


# hidden_layer_sizes="auto" gives sparse X a network of its own; fixed sizes
# make every form of the same data train the same network.
SAME_NETWORK = {"hidden_layer_sizes": (100, 100)}


def _data():
    X, Y = make_reference_problem(N_ROWS, n_labels=3, random_state=0)
    return X.astype(np.float64), Y


@pytest.fixture(scope="module")
def fitted():
    """An estimator fitted on arrays, with the counting builder."""
    X, Y = _data()
    builder = BuildCounter()
    clf = tiny(model=builder).fit(X, Y)
    return clf, builder


@pytest.fixture(scope="module")
def fitted_frame():
    """An estimator fitted on a DataFrame with named features."""
    X, Y = _data()
    X = pd.DataFrame(X, columns=["a", "b", "c"])
    return tiny(model=BuildCounter()).fit(X, Y), X


def _snapshot(obj):
    return copy.deepcopy(obj)


def _assert_unchanged(obj, before):
    """Check that a caller's object holds what its deep copy holds."""
    assert type(obj) is type(before)
    if isinstance(obj, (pd.DataFrame, pd.Series)):
        pd.testing.assert_frame_equal(
            pd.DataFrame(obj), pd.DataFrame(before), check_exact=True
        )
    elif sp.issparse(obj):
        assert obj.format == before.format and obj.dtype == before.dtype
        np.testing.assert_array_equal(obj.toarray(), before.toarray())
        for name in ("data", "indices", "indptr", "row", "col", "rows"):
            if hasattr(obj, name):
                got, expected = getattr(obj, name), getattr(before, name)
                assert np.asarray(got).tolist() == np.asarray(expected).tolist() or (
                    np.array_equal(got, expected, equal_nan=True)
                )
    elif isinstance(obj, np.ndarray):
        assert obj.dtype == before.dtype and obj.shape == before.shape
        if obj.dtype.kind in "fc":
            np.testing.assert_array_equal(obj, before)
        else:
            pairs = zip(obj.flat, before.flat, strict=True)
            assert all(a is b or a == b for a, b in pairs)
    else:
        assert obj == before


class _State:
    """What a fitted estimator is: its attributes, their ids, its outputs."""

    def __init__(self, clf, X):
        self.clf = clf
        self.X = X
        self.attributes = {key: id(value) for key, value in vars(clf).items()}
        self.proba = clf.predict_proba(X)
        self.thresholds = clf.thresholds_.copy()

    def assert_untouched(self):
        assert {key: id(value) for key, value in vars(self.clf).items()} == (
            self.attributes
        )
        np.testing.assert_array_equal(self.clf.thresholds_, self.thresholds)
        np.testing.assert_array_equal(self.clf.predict_proba(self.X), self.proba)


def _fit_cases():
    """Bad input to fit: (id, X, y, sample_weight, error, message pattern)."""
    X, Y = _data()
    n = N_ROWS
    frame = pd.DataFrame(X, columns=["a", "b", "c"])

    X_str = X.astype(object)
    X_str[4, 1] = "high"
    X_dict = X.astype(object)
    X_dict[0, 0] = {"size": 1}
    X_sparse_nan = sp.csr_matrix(X)
    X_sparse_nan.data[0] = np.nan
    frame_na = frame.astype("Float64")
    frame_na.iloc[2, 0] = pd.NA
    frame_text = frame.assign(b=np.where(X[:, 1] > 0, "yes", "no"))
    frame_text_category = frame_text.astype({"b": "category"})
    frame_complex = frame.astype({"c": np.complex128})

    Y_nan = Y.astype(np.float64)
    Y_nan[5, 1] = np.nan
    Y_inf = Y.astype(np.float64)
    Y_inf[5, 1] = np.inf
    Y_half = Y.astype(np.float64)
    Y_half[0, 0] = 0.5
    Y_object_none = Y.astype(object)
    Y_object_none[1, 2] = None
    Y_nullable_na = pd.DataFrame(Y, columns=list("pqr")).astype("Int64")
    Y_nullable_na.iloc[3, 0] = pd.NA
    Y_series_na = pd.Series(np.where(Y[:, 0] == 1, "yes", "no"), dtype=object)
    Y_series_na.iloc[7] = None
    label_names = [["a", "b"], [], ["c"]] * (n // 3)

    one_weight = np.zeros(n)
    one_weight[0] = 1.0

    return [
        # X
        ("X-none", None, Y, None, ValueError, "X is None"),
        ("X-1d", X[:, 0], Y, None, ValueError, "Expected 2D array"),
        ("X-3d", X[:, :, None], Y, None, ValueError, "dim 3"),
        ("X-no-rows", X[:0], Y[:0], None, ValueError, "0 sample"),
        ("X-no-features", X[:, :0], Y, None, ValueError, "0 feature"),
        ("X-one-row", X[:1], Y[:1], None, ValueError, "1 sample.*at least 2"),
        ("X-complex", X.astype(np.complex128), Y, None, ValueError, "complex"),
        ("X-complex-column", frame_complex, Y, None, ValueError, "complex"),
        ("X-object-text", X_str, Y, None, ValueError, "numbers only.*'high'"),
        ("X-object-dict", X_dict, Y, None, TypeError, "numbers only.*'dict'"),
        ("X-text", np.full((n, 3), "a"), Y, None, ValueError, "numbers only"),
        ("X-text-column", frame_text, Y, None, ValueError, "numbers only.*'(yes|no)'"),
        ("X-text-category", frame_text_category, Y, None, ValueError, "numbers only"),
        ("X-ragged", [[0.0, 1.0], [1.0]], Y[:2], None, ValueError, "lengths, \\[1, 2"),
        ("X-nan-sparse", X_sparse_nan, Y, None, ValueError, "NaN"),
        ("X-na-nullable", frame_na, Y, None, ValueError, "NaN"),
        ("X-inf", np.where(X > 0, np.inf, 0.0), Y, None, ValueError, "infinity"),
        ("X-beyond-float32", X * 1e39, Y, None, ValueError, "float32 range"),
        (
            "X-repeated-names",
            frame.set_axis(["a", "b", "a"], axis=1),
            Y,
            None,
            ValueError,
            "unique.*\\['a'\\]",
        ),
        (
            "X-mixed-names",
            frame.set_axis(["a", 1, "c"], axis=1),
            Y,
            None,
            TypeError,
            "string names",
        ),
        # y
        ("y-none", X, None, None, ValueError, "requires y"),
        ("y-too-long", X, np.vstack([Y, Y[:1]]), None, ValueError, "61 rows"),
        ("y-too-short", X, Y[:-1], None, ValueError, "59 rows"),
        ("y-3d", X, Y[:, :, None], None, ValueError, "3 dimensions"),
        ("y-no-columns", X, Y[:, :0], None, ValueError, "no label columns"),
        ("y-nan", X, Y_nan, None, ValueError, "0 and 1 only.*nan"),
        ("y-inf", X, Y_inf, None, ValueError, "0 and 1 only.*inf"),
        ("y-two", X, Y * 2, None, ValueError, "0 and 1 only.*2"),
        ("y-minus-one", X, -Y, None, ValueError, "0 and 1 only.*-1"),
        ("y-half", X, Y_half, None, ValueError, "0 and 1 only.*0.5"),
        ("y-complex", X, Y.astype(np.complex128), None, ValueError, "complex"),
        ("y-sparse-two", X, sp.csr_matrix(Y * 2), None, ValueError, "0 and 1 only"),
        ("y-text-01", X, Y.astype(str), None, ValueError, "text such as '0'"),
        (
            "y-frame-text-01",
            X,
            pd.DataFrame(Y).astype(str),
            None,
            ValueError,
            "text such as '0'",
        ),
        (
            "y-frame-category-text",
            X,
            pd.DataFrame(np.where(Y == 1, "yes", "no")).astype("category"),
            None,
            ValueError,
            "MultiLabelBinarizer",
        ),
        ("y-object-none", X, Y_object_none, None, ValueError, "missing labels"),
        ("y-nullable-na", X, Y_nullable_na, None, ValueError, "missing labels"),
        (
            "y-repeated-names",
            X,
            pd.DataFrame(Y, columns=["p", "q", "p"]),
            None,
            ValueError,
            "unique.*\\['p'\\]",
        ),
        ("y-label-names", X, label_names, None, ValueError, "MultiLabelBinarizer"),
        (
            "y-label-names-rectangular",
            X,
            [["a", "b"]] * n,
            None,
            ValueError,
            "text such as 'a'.*MultiLabelBinarizer",
        ),
        (
            "y-empty-row",
            X[:3],
            [[0, 1, 0], [], [1, 0, 0]],
            None,
            ValueError,
            "lengths \\[0, 3\\].*row of zeros",
        ),
        (
            "y-sets-per-row",
            X[:4],
            pd.Series([{"a"}, {"b"}, set(), {"a", "b"}]),
            None,
            ValueError,
            "sequence per sample",
        ),
        ("y-1d-missing", X, Y_series_na, None, ValueError, "missing values"),
        ("y-1d-nan", X, np.where(Y[:, 0] == 1, np.nan, 0.0), None, ValueError, "NaN"),
        ("y-1d-continuous", X, np.linspace(0, 1, n), None, ValueError, "continuous"),
        ("y-1d-one-class", X, np.ones(n), None, ValueError, "only one class"),
        # sample_weight
        ("weight-short", X, Y, np.ones(5), ValueError, "sample_weight"),
        ("weight-2d", X, Y, np.ones((n, 1)), ValueError, "1D array"),
        ("weight-negative", X, Y, -np.ones(n), ValueError, "(?i)negative"),
        ("weight-nan", X, Y, np.full(n, np.nan), ValueError, "sample_weight.*NaN"),
        ("weight-inf", X, Y, np.full(n, np.inf), ValueError, "infinity"),
        ("weight-text", X, Y, np.full(n, "one"), ValueError, "not a number"),
        ("weight-object", X, Y, [{}] * n, TypeError, "not a number.*'dict'"),
        ("weight-zero", X, Y, np.zeros(n), ValueError, "non-zero"),
        ("weight-one-row", X, Y, one_weight, ValueError, "sample_weight gives no"),
    ]


@pytest.mark.parametrize(
    "X, y, sample_weight, error, message",
    [case[1:] for case in _fit_cases()],
    ids=[case[0] for case in _fit_cases()],
)
def test_bad_fit_input_is_refused_before_keras_work(
    fitted, X, y, sample_weight, error, message
):
    """Check the error of each bad input, with data and fitted state untouched."""
    clf, builder = fitted
    X_good, _ = _data()
    state = _State(clf, X_good)
    calls = builder.calls
    inputs = (X, y, sample_weight)
    before = _snapshot(inputs)

    with pytest.raises(error, match=message):
        clf.fit(X, y, sample_weight=sample_weight)

    assert builder.calls == calls
    for obj, copied in zip(inputs, before, strict=True):
        _assert_unchanged(obj, copied)
    state.assert_untouched()


def test_zero_weight_on_every_held_out_row_is_refused_before_keras_work():
    """Check the error when the rows to score have no weight at all."""
    X, Y = _data()
    builder = BuildCounter()
    fold = np.repeat([0, 1], N_ROWS // 2)
    weight = np.where(fold == 0, 0.0, 1.0)
    clf = tiny(model=builder, cv=PredefinedSplit(fold))

    with pytest.raises(ValueError, match="no weight to any of the 30 rows held out"):
        clf.fit(X, Y, sample_weight=weight)
    assert builder.calls == 0


def _predict_cases():
    """Bad input to predict: (id, X, error, message pattern)."""
    X, _ = _data()
    X_nan = X.copy()
    X_nan[0, 2] = np.nan
    return [
        ("none", None, ValueError, "X is None"),
        ("nan", X_nan, ValueError, "NaN"),
        ("inf", np.where(X > 0, -np.inf, 0.0), ValueError, "infinity"),
        ("complex", X.astype(np.complex64), ValueError, "complex"),
        ("text", np.full((2, 3), "x"), ValueError, "numbers only"),
        ("ragged", [[0.0, 1.0, 0.0], [1.0]], ValueError, "same number of features"),
        ("1d", X[0], ValueError, "Expected 2D array"),
        ("3d", X[:, :, None], ValueError, "dim 3"),
        ("no-rows", X[:0], ValueError, "0 sample"),
        ("few-features", X[:, :2], ValueError, "X has 2 features, but"),
        ("sparse-more-features", sp.csr_matrix((4, 9)), ValueError, "9 features"),
        ("beyond-float32", X * -1e39, ValueError, "float32 range"),
    ]


METHODS = ["predict", "predict_proba", "decision_function"]


@pytest.mark.parametrize(
    "X, error, message",
    [case[1:] for case in _predict_cases()],
    ids=[case[0] for case in _predict_cases()],
)
def test_bad_predict_input_is_refused(fitted, X, error, message):
    """Check each prediction method on bad rows: an error, nothing changed."""
    clf, _ = fitted
    state = _State(clf, _data()[0])
    before = _snapshot(X)

    for method in METHODS:
        with pytest.raises(error, match=message):
            getattr(clf, method)(X)

    _assert_unchanged(X, before)
    state.assert_untouched()


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda X: X.rename(columns={"a": "z"}), "unseen at fit time:\n- z"),
        (lambda X: X[["b", "a", "c"]], "same order"),
        (lambda X: X.assign(d=1.0), "unseen at fit time:\n- d"),
        (lambda X: X.drop(columns="b"), "missing:\n- b"),
        (lambda X: X.set_axis(["a", "b", "b"], axis=1), "unique.*\\['b'\\]"),
    ],
    ids=["renamed", "reordered", "extra", "missing", "repeated"],
)
def test_mismatched_columns_at_predict_are_refused(fitted_frame, change, message):
    """Check that predicting on other columns than in fit is an error."""
    clf, X = fitted_frame
    state = _State(clf, X)
    X_bad = change(X)
    before = _snapshot(X_bad)

    for method in METHODS:
        with pytest.raises(ValueError, match=message):
            getattr(clf, method)(X_bad)

    _assert_unchanged(X_bad, before)
    state.assert_untouched()


def test_array_and_frame_swapped_at_predict_warn_and_predict_alike(fitted_frame):
    """Check scikit-learn's warnings when X switches between array and frame."""
    clf, X = fitted_frame
    expected = clf.predict_proba(X)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        np.testing.assert_array_equal(clf.predict_proba(X.to_numpy()), expected)

    plain = tiny().fit(X.to_numpy(), _data()[1])
    with pytest.warns(UserWarning, match="X has feature names, but"):
        proba = plain.predict_proba(X)
    np.testing.assert_array_equal(proba, plain.predict_proba(X.to_numpy()))


@pytest.fixture(scope="module")
def reference_fit():
    X, Y = _data()
    return tiny(**SAME_NETWORK).fit(X, Y).predict_proba(X)


def _accepted_forms():
    """Accepted X and y forms that mean the same data: (id, X, y, weight)."""
    X, Y = _data()
    frame = pd.DataFrame(X)
    return [
        ("X-float32", X.astype(np.float32), Y, None),
        ("X-list", X.tolist(), Y, None),
        ("X-object-numbers", X.astype(object), Y, None),
        ("X-nullable-Float64", frame.astype("Float64"), Y, None),
        ("X-category-column", frame.astype({1: "category"}), Y, None),
        ("X-sparse-csc", sp.csc_matrix(X), Y, None),
        ("y-nullable-Int64", X, pd.DataFrame(Y).astype("Int64"), None),
        ("y-nullable-boolean", X, pd.DataFrame(Y.astype(bool)).astype("boolean"), None),
        ("y-category-01", X, pd.DataFrame(Y).astype("category"), None),
        ("y-object-numbers", X, Y.astype(object), None),
        ("y-sparse-coo", X, sp.coo_matrix(Y), None),
        ("y-sparse-lil", X, sp.lil_matrix(Y), None),
        ("y-sparse-array", X, sp.csr_array(Y), None),
        ("weight-scalar", X, Y, 2.0),
    ]


@pytest.mark.parametrize(
    "X, y, sample_weight",
    [case[1:] for case in _accepted_forms()],
    ids=[case[0] for case in _accepted_forms()],
)
def test_accepted_forms_give_the_same_fit(reference_fit, X, y, sample_weight):
    """Check that other forms of the same data fit the same, left unchanged."""
    X_plain, _ = _data()
    before = _snapshot((X, y))

    clf = tiny(**SAME_NETWORK).fit(X, y, sample_weight=sample_weight)

    np.testing.assert_array_equal(clf.predict_proba(X_plain), reference_fit)
    _assert_unchanged(X, before[0])
    _assert_unchanged(y, before[1])


def test_rows_without_labels_are_allowed():
    """Check that a row of zeros, a sample with no label, is ordinary input."""
    X, Y = _data()
    assert (Y.sum(axis=1) == 0).any()
    rows = Y.tolist()
    before = copy.deepcopy(rows)

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = tiny().fit(X, rows)

    assert rows == before
    assert clf.predict(X).shape == Y.shape


def test_label_names_per_row_go_through_a_binarizer():
    """Check the documented route for lists of label names, [] included."""
    X, Y = _data()
    names = np.array(["p", "q", "r"])
    label_lists = [list(names[row == 1]) for row in Y]
    assert [] in label_lists

    binarizer = MultiLabelBinarizer()
    indicator = binarizer.fit_transform(label_lists)
    clf = tiny().fit(X, pd.DataFrame(indicator, columns=binarizer.classes_))

    np.testing.assert_array_equal(indicator, Y)
    assert list(clf.classes_) == ["p", "q", "r"]
    predicted = binarizer.inverse_transform(clf.predict(X))
    assert len(predicted) == N_ROWS
    assert set().union(*predicted) <= {"p", "q", "r"}


def test_all_rows_without_labels_warn_and_predict_nothing():
    """Check the documented behaviour when no row has any label."""
    X, Y = _data()
    Y_none = np.zeros_like(Y)

    with pytest.warns(UserWarning, match=r"without any positive.*\[0, 1, 2\]"):
        clf = tiny().fit(X, Y_none)

    np.testing.assert_array_equal(clf.thresholds_, [1.0, 1.0, 1.0])
    assert clf.predict(X).sum() == 0
    assert np.all(np.isfinite(clf.predict_proba(X)))
    assert not Y_none.any()


def test_single_label_column_stays_two_dimensional():
    """Check that y of shape (n, 1) is one label of a multi-label problem."""
    X, Y = _data()
    clf = tiny().fit(X, Y[:, :1])

    assert clf.target_type_ == "multilabel-indicator"
    assert clf.predict(X).shape == (N_ROWS, 1)
    assert clf.predict_proba(X).shape == (N_ROWS, 1)
    np.testing.assert_array_equal(clf.classes_, [0])
