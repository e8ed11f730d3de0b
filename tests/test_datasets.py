"""Tests of sklearn_multilabel.datasets."""

import re
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.metrics import f1_score

from sklearn_multilabel.datasets import (
    MULAN_DATASETS,
    load_goemotions,
    load_mulan,
    make_reference_problem,
    reference_bayes_predict,
    reference_limits,
)

DATA_HOME = Path(__file__).resolve().parents[2] / "shared" / "data"

# Rows (train, test), features, labels and mean positives per row over train
# and test together, as the data README lists them.
MULAN_TABLE = {
    "yeast": ((1500, 917), 103, 14, 4.24),
    "emotions": ((391, 202), 72, 6, 1.87),
    "scene": ((1211, 1196), 294, 6, 1.07),
    "enron": ((1123, 579), 1001, 53, 3.38),
}

GOEMOTIONS_ROWS = {"train": 43410, "dev": 5426, "test": 5427}


@pytest.fixture(scope="module")
def data_home():
    """The folder of the shared data sets; skip when it is absent."""
    if not DATA_HOME.is_dir():
        pytest.skip(f"the shared data folder {DATA_HOME} is not present")
    return DATA_HOME


# ---------------------------------------------------------------------------
# The reference problem
# ---------------------------------------------------------------------------


def test_make_reference_problem_returns_binary_arrays_of_the_right_shape():
    """Check that X is float32, Y int64, both 0/1 of shape (n_samples, n_labels)."""
    X, Y = make_reference_problem(500, n_labels=7, random_state=0)

    assert X.shape == Y.shape == (500, 7)
    assert X.dtype == np.float32
    assert Y.dtype == np.int64
    assert set(np.unique(X)) <= {0.0, 1.0}
    assert set(np.unique(Y)) <= {0, 1}


def test_make_reference_problem_default_shape():
    """Check that the defaults give 20,000 rows and 30 labels."""
    X, Y = make_reference_problem(random_state=0)

    assert X.shape == Y.shape == (20000, 30)


def test_make_reference_problem_feature_is_zero_for_negative_labels():
    """Check that a feature is never 1 where its label is 0."""
    X, Y = make_reference_problem(5000, random_state=0)

    assert not np.any((X == 1) & (Y == 0))


@pytest.mark.parametrize(("n_labels", "signal"), [(30, 0.1), (5, 0.5)])
def test_make_reference_problem_matches_its_probabilities(n_labels, signal):
    """Check that P(y=1) is near 1/n_labels and P(x=1 | y=1) near signal."""
    X, Y = make_reference_problem(
        100_000, n_labels=n_labels, signal=signal, random_state=0
    )

    assert Y.mean() == pytest.approx(1 / n_labels, abs=0.002)
    assert X[Y == 1].mean() == pytest.approx(signal, abs=0.005)


@pytest.mark.parametrize(
    "make_state",
    [lambda: 3, lambda: np.random.RandomState(3), lambda: np.random.default_rng(3)],
    ids=["int", "RandomState", "Generator"],
)
def test_make_reference_problem_is_repeatable_with_random_state(make_state):
    """Check that equal random states give equal samples, other seeds others."""
    X1, Y1 = make_reference_problem(1000, random_state=make_state())
    X2, Y2 = make_reference_problem(1000, random_state=make_state())
    X3, Y3 = make_reference_problem(1000, random_state=4)

    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(Y1, Y2)
    assert not np.array_equal(Y1, Y3)


def test_reference_bayes_predict_copies_the_features_as_int64():
    """Check that the Bayes rule predicts Y = X, as int64, from any 0/1 input."""
    X, _ = make_reference_problem(1000, random_state=0)

    Y_pred = reference_bayes_predict(X)
    Y_from_list = reference_bayes_predict([[0, 1], [1, 0]])

    assert Y_pred.dtype == np.int64
    np.testing.assert_array_equal(Y_pred, X)
    np.testing.assert_array_equal(Y_from_list, [[0, 1], [1, 0]])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bayes_rule_macro_f1_is_near_the_reference_limit(seed):
    """Check that the Bayes rule's macro-F1 on 20,000 rows is within 0.01 of 0.1818."""
    X, Y = make_reference_problem(20000, random_state=seed)

    score = f1_score(Y, reference_bayes_predict(X), average="macro")

    assert score == pytest.approx(reference_limits()["bayes_f1"], abs=0.01)


def test_all_positive_macro_f1_is_near_two_over_31():
    """Check that predicting every label positive scores about 2/31 macro-F1."""
    _, Y = make_reference_problem(20000, random_state=0)

    score = f1_score(Y, np.ones_like(Y), average="macro")

    assert reference_limits()["all_positive_f1"] == pytest.approx(2 / 31)
    assert score == pytest.approx(2 / 31, abs=0.002)


@pytest.mark.parametrize(("n_labels", "signal"), [(30, 0.1), (4, 0.5), (1, 1.0)])
def test_reference_limits_gives_the_exact_figures(n_labels, signal):
    """Check that reference_limits returns the closed-form precision, recall, F1."""
    p = 1 / n_labels

    limits = reference_limits(n_labels, signal)

    assert limits == pytest.approx(
        {
            "label_frequency": p,
            "bayes_precision": 1.0,
            "bayes_recall": signal,
            "bayes_f1": 2 * signal / (1 + signal),
            "all_positive_precision": p,
            "all_positive_recall": 1.0,
            "all_positive_f1": 2 * p / (1 + p),
        }
    )


def test_reference_limits_defaults_match_the_design_figures():
    """Check that the default limits are F1 0.1818 for Bayes and 0.0645 for all."""
    limits = reference_limits()

    assert limits["bayes_f1"] == pytest.approx(0.1818, abs=1e-4)
    assert limits["all_positive_f1"] == pytest.approx(0.0645, abs=1e-4)


# ---------------------------------------------------------------------------
# Mulan data sets
# ---------------------------------------------------------------------------


def _subset_index(subset):
    """Position of `subset` in the (train, test) pairs of MULAN_TABLE."""
    return ("train", "test").index(subset)


@pytest.mark.parametrize("subset", ["train", "test"])
@pytest.mark.parametrize("name", MULAN_DATASETS)
def test_load_mulan_matches_the_readme_counts(data_home, name, subset):
    """Check rows, features and labels of each Mulan set and subset."""
    rows, n_features, n_labels, _ = MULAN_TABLE[name]
    n_rows = rows[_subset_index(subset)]

    bunch = load_mulan(name, data_home, subset=subset)

    assert bunch.data.shape == (n_rows, n_features)
    assert bunch.target.shape == (n_rows, n_labels)
    assert bunch.data.dtype == np.float64
    assert bunch.target.dtype == np.int64
    assert set(np.unique(bunch.target)) == {0, 1}
    assert len(bunch.feature_names) == n_features
    assert len(bunch.target_names) == n_labels
    assert bunch.frame is None
    assert name in bunch.DESCR


@pytest.mark.parametrize("name", MULAN_DATASETS)
def test_load_mulan_mean_positives_match_the_readme(data_home, name):
    """Check the mean positives per row: whole set to 0.01, train to 0.06."""
    rows, _, _, mean_positives = MULAN_TABLE[name]

    train = load_mulan(name, data_home, subset="train").target
    test = load_mulan(name, data_home, subset="test").target
    whole = np.vstack([train, test])

    # The README's figures are over train and test together; the train
    # subset of emotions is 0.057 away from them.
    assert whole.sum(axis=1).mean() == pytest.approx(mean_positives, abs=0.01)
    assert train.sum(axis=1).mean() == pytest.approx(mean_positives, abs=0.06)


@pytest.mark.parametrize("name", ["yeast", "emotions", "scene"])
def test_load_mulan_dense_sets_are_numpy_arrays(data_home, name):
    """Check that the dense sets load as plain float64 numpy arrays."""
    bunch = load_mulan(name, data_home)

    assert type(bunch.data) is np.ndarray
    assert np.isfinite(bunch.data).all()


def test_load_mulan_enron_is_sparse_csr(data_home):
    """Check that enron loads as a CSR float64 matrix of its 0/1 words."""
    X, Y = load_mulan("enron", data_home, return_X_y=True)

    assert sp.issparse(X)
    assert X.format == "csr"
    assert X.dtype == np.float64
    assert set(np.unique(X.data)) == {1.0}
    assert type(Y) is np.ndarray


def test_load_mulan_enron_agrees_with_a_dense_parse(data_home):
    """Check that enron's CSR matrix and labels equal a dense read of the ARFF."""
    arff = pytest.importorskip("arff")
    path = data_home / "enron" / "enron-test.arff"
    with open(path, encoding="utf-8") as stream:
        dense = np.array(arff.load(stream)["data"], dtype=np.float64)

    X, Y = load_mulan("enron", data_home, subset="test", return_X_y=True)

    np.testing.assert_array_equal(X.toarray(), dense[:, :1001])
    np.testing.assert_array_equal(Y, dense[:, 1001:])


def test_load_mulan_yeast_label_names_follow_the_arff_order(data_home):
    """Check that yeast's label names come in ARFF order, not XML order."""
    folder = data_home / "yeast"
    header = (folder / "yeast-train.arff").read_text(encoding="utf-8")
    declared = re.findall(r"^@attribute\s+(\S+)", header, flags=re.M | re.I)
    xml_order = re.findall(r'<label name="([^"]+)"', (folder / "yeast.xml").read_text())

    bunch = load_mulan("yeast", data_home)

    assert bunch.target_names == declared[-14:]
    assert bunch.feature_names == declared[:-14]
    assert bunch.target_names != xml_order


def test_load_mulan_return_X_y_matches_the_bunch(data_home):
    """Check that return_X_y=True returns the Bunch's data and target."""
    bunch = load_mulan("emotions", data_home, subset="test")

    X, Y = load_mulan("emotions", data_home, subset="test", return_X_y=True)

    np.testing.assert_array_equal(X, bunch.data)
    np.testing.assert_array_equal(Y, bunch.target)


def test_load_mulan_as_frame_names_the_columns(data_home):
    """Check that as_frame=True gives DataFrames named after features and labels."""
    pd = pytest.importorskip("pandas")
    bunch = load_mulan("emotions", data_home)

    framed = load_mulan("emotions", data_home, as_frame=True)

    assert isinstance(framed.data, pd.DataFrame)
    assert isinstance(framed.target, pd.DataFrame)
    assert list(framed.data.columns) == bunch.feature_names
    assert list(framed.target.columns) == bunch.target_names
    assert framed.frame.shape == (391, 72 + 6)
    np.testing.assert_array_equal(framed.data.to_numpy(), bunch.data)
    np.testing.assert_array_equal(framed.target.to_numpy(), bunch.target)


def test_load_mulan_missing_folder_says_where_it_looked(tmp_path):
    """Check that a missing data set folder names the path looked for."""
    expected = re.escape(repr(str(tmp_path / "scene")))

    with pytest.raises(FileNotFoundError, match=expected) as info:
        load_mulan("scene", tmp_path)

    assert "data_home should point at the folder" in str(info.value)


def test_load_mulan_missing_file_says_where_it_looked(tmp_path):
    """Check that a missing ARFF file names the path looked for."""
    (tmp_path / "scene").mkdir()
    (tmp_path / "scene" / "scene.xml").write_text("<labels/>")
    expected = re.escape(repr(str(tmp_path / "scene" / "scene-test.arff")))

    with pytest.raises(FileNotFoundError, match=expected):
        load_mulan("scene", tmp_path, subset="test")


def test_load_mulan_rejects_labels_that_are_not_the_last_attributes(tmp_path):
    """Check that an ARFF whose last attributes are not the XML labels is refused."""
    folder = tmp_path / "emotions"
    folder.mkdir()
    (folder / "emotions.xml").write_text(
        '<labels xmlns="http://mulan.sourceforge.net/labels">'
        '<label name="a"></label></labels>'
    )
    (folder / "emotions-train.arff").write_text(
        "@relation r\n@attribute a {0,1}\n@attribute f numeric\n@data\n1,0.5\n"
    )

    with pytest.raises(ValueError, match="last 1 attributes"):
        load_mulan("emotions", tmp_path)


def test_load_mulan_reads_a_small_sparse_file(tmp_path):
    """Check a tiny sparse ARFF, including an empty last row, against its values."""
    folder = tmp_path / "enron"
    folder.mkdir()
    (folder / "enron.xml").write_text(
        '<labels xmlns="http://mulan.sourceforge.net/labels">'
        '<label name="b"></label><label name="a"></label></labels>'
    )
    (folder / "enron-train.arff").write_text(
        "@relation r\n@attribute f0 numeric\n@attribute f1 {0,1}\n"
        "@attribute a {0,1}\n@attribute b {0,1}\n@data\n"
        "{0 2.5,3 1}\n% a comment\n{1 1,2 1}\n{}\n"
    )

    bunch = load_mulan("enron", tmp_path)

    assert bunch.data.format == "csr"
    np.testing.assert_array_equal(bunch.data.toarray(), [[2.5, 0], [0, 1], [0, 0]])
    np.testing.assert_array_equal(bunch.target, [[0, 1], [1, 0], [0, 0]])
    assert bunch.target_names == ["a", "b"]


# ---------------------------------------------------------------------------
# GoEmotions
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("subset", ["train", "dev", "test"])
def test_load_goemotions_matches_the_readme_counts(data_home, subset):
    """Check rows, 28 labels, 'neutral' last, and at least one label per row."""
    n_rows = GOEMOTIONS_ROWS[subset]

    bunch = load_goemotions(data_home, subset=subset)

    assert len(bunch.data) == len(bunch.ids) == n_rows
    assert all(isinstance(text, str) for text in bunch.data)
    assert bunch.target.shape == (n_rows, 28)
    assert bunch.target.dtype == np.int64
    assert len(bunch.target_names) == 28
    assert bunch.target_names[27] == "neutral"
    assert bunch.target.sum(axis=1).min() >= 1
    assert len(set(bunch.ids)) == n_rows


def test_load_goemotions_train_mean_positives(data_home):
    """Check that train rows carry 1.18 labels on average, as the README says."""
    texts, target = load_goemotions(data_home, return_X_y=True)

    assert len(texts) == target.shape[0]
    assert target.sum(axis=1).mean() == pytest.approx(1.18, abs=0.01)


def test_load_goemotions_first_row_matches_the_file(data_home):
    """Check that the first row's text, labels and id are read as in the file."""
    first = (data_home / "goemotions" / "dev.tsv").open(encoding="utf-8").readline()
    text, ids, comment_id = first.rstrip("\n").split("\t")

    bunch = load_goemotions(data_home, subset="dev")

    assert bunch.data[0] == text
    assert bunch.ids[0] == comment_id
    assert np.flatnonzero(bunch.target[0]).tolist() == sorted(
        int(label_id) for label_id in ids.split(",")
    )


def test_load_goemotions_rejects_a_truncated_file(tmp_path):
    """Check that a file with the wrong number of rows is refused."""
    folder = tmp_path / "goemotions"
    folder.mkdir()
    (folder / "labels.txt").write_text("\n".join(f"l{i}" for i in range(28)))
    (folder / "dev.tsv").write_text('a "quoted" text\t3,27\tid1\n')

    with pytest.raises(ValueError, match="holds 1 rows.*holds 5426"):
        load_goemotions(tmp_path, subset="dev")


def test_load_goemotions_rejects_label_ids_out_of_range(tmp_path):
    """Check that a label id beyond labels.txt is refused with its line."""
    folder = tmp_path / "goemotions"
    folder.mkdir()
    (folder / "labels.txt").write_text("a\nb\n")
    (folder / "test.tsv").write_text("text\t0,2\tid1\n")

    with pytest.raises(ValueError, match="line 1 .* label ids '0,2'"):
        load_goemotions(tmp_path, subset="test")


def test_load_goemotions_missing_folder_says_where_it_looked(tmp_path):
    """Check that a missing goemotions folder names the path looked for."""
    expected = re.escape(repr(str(tmp_path / "goemotions")))

    with pytest.raises(FileNotFoundError, match=expected):
        load_goemotions(tmp_path)


# ---------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------

# The data_home below does not exist: arguments are checked before any file.
NO_DATA = "no-such-data-folder"


@pytest.mark.parametrize(
    ("function", "kwargs", "error", "match"),
    [
        (make_reference_problem, {"n_samples": 0}, ValueError, "n_samples.*got 0"),
        (make_reference_problem, {"n_samples": 2.5}, TypeError, "n_samples.*2.5"),
        (make_reference_problem, {"n_samples": True}, TypeError, "n_samples"),
        (make_reference_problem, {"n_labels": 0}, ValueError, "n_labels.*>= 1"),
        (make_reference_problem, {"signal": 0.0}, ValueError, r"signal.*\(0, 1\]"),
        (make_reference_problem, {"signal": 1.5}, ValueError, "signal.*1.5"),
        (make_reference_problem, {"signal": "0.1"}, TypeError, "signal.*'0.1'"),
        (make_reference_problem, {"signal": np.nan}, ValueError, "signal.*nan"),
        (make_reference_problem, {"random_state": "0"}, TypeError, "random_state"),
        (reference_bayes_predict, {"X": [0, 1]}, ValueError, "2-dimensional"),
        (reference_bayes_predict, {"X": [[0, 2]]}, ValueError, "0 and 1.*2"),
        (reference_bayes_predict, {"X": sp.eye(2)}, TypeError, "sparse"),
        (reference_limits, {"n_labels": -1}, ValueError, "n_labels.*-1"),
        (reference_limits, {"signal": -0.1}, ValueError, "signal.*-0.1"),
        (
            load_mulan,
            {"name": "iris", "data_home": NO_DATA},
            ValueError,
            "name must be one of 'yeast', 'emotions', 'scene', 'enron'; got 'iris'",
        ),
        (
            load_mulan,
            {"name": "yeast", "data_home": NO_DATA, "subset": "dev"},
            ValueError,
            "subset must be one of 'train', 'test'; got 'dev'",
        ),
        (
            load_mulan,
            {"name": "yeast", "data_home": NO_DATA, "return_X_y": 1},
            TypeError,
            "return_X_y must be True or False, got 1",
        ),
        (
            load_mulan,
            {"name": "yeast", "data_home": NO_DATA, "as_frame": "yes"},
            TypeError,
            "as_frame must be True or False, got 'yes'",
        ),
        (
            load_mulan,
            {"name": "enron", "data_home": NO_DATA, "as_frame": True},
            ValueError,
            "as_frame=True is only available for the dense data sets; 'enron'",
        ),
        (
            load_mulan,
            {"name": "yeast", "data_home": None},
            TypeError,
            "data_home must be a str or a path-like.*None",
        ),
        (
            load_mulan,
            {"name": "yeast", "data_home": NO_DATA},
            FileNotFoundError,
            "data_home should point at the folder",
        ),
        (
            load_goemotions,
            {"data_home": NO_DATA, "subset": "validation"},
            ValueError,
            "subset must be one of 'train', 'dev', 'test'; got 'validation'",
        ),
        (
            load_goemotions,
            {"data_home": NO_DATA, "return_X_y": None},
            TypeError,
            "return_X_y must be True or False, got None",
        ),
        (
            load_goemotions,
            {"data_home": 3},
            TypeError,
            "data_home must be a str or a path-like.*3",
        ),
    ],
)
def test_bad_arguments_raise_clear_errors(function, kwargs, error, match):
    """Check that each invalid argument raises its error with a clear message."""
    with pytest.raises(error, match=match):
        function(**kwargs)
