"""Tests of the command line demo."""

import io

import pytest

from sklearn_multilabel.__main__ import main, run


def test_demo_prints_every_approach_side_by_side():
    """Check that the demo scores the five approaches on held-out rows."""
    out = io.StringIO()
    rows = run(n_train=3000, n_test=2000, n_labels=4, seed=0, out=out)
    text = out.getvalue()

    assert len(rows) == 5
    for name in rows:
        assert name in text
    for f1, recall, precision, rate in rows.values():
        assert 0 <= f1 <= 1 and 0 <= recall <= 1 and 0 <= precision <= 1
        assert 0 <= rate <= 1

    # The recall-leaning metric buys recall; the Bayes rule has precision 1.
    assert rows["this estimator, F2"][1] > rows["this estimator, F1"][1]
    assert rows["Bayes rule (the limit)"][2] == 1.0


def test_demo_refuses_too_few_rows(capsys):
    """Check that a bad option ends with a usage error."""
    with pytest.raises(SystemExit):
        main(["--n-train", "1"])
    assert "--n-train must be at least 2" in capsys.readouterr().err
