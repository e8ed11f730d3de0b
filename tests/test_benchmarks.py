"""Smoke tests of the benchmarks: each runs end to end on tiny data."""

import csv
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.__main__ import main
from benchmarks.quality import BAYES, DEFAULTS, ESTIMATORS, KERAS, OVR, TUNED_LR
from benchmarks.quality import run as run_quality
from benchmarks.speed import AVERAGED, AVERAGED_RAW, OURS, RAW, SCIKERAS
from sklearn_multilabel.datasets import reference_limits

ROOT = Path(__file__).resolve().parents[1]
DATA_HOME = ROOT.parent / "shared" / "data"

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _check_png(path):
    import matplotlib.pyplot as plt

    assert path.read_bytes()[:8] == PNG_MAGIC
    height, width = plt.imread(path).shape[:2]
    assert height > 200 and width > 300


def _table_rows(markdown, first_cell):
    """Cells of the Markdown table rows whose first cell is `first_cell`."""
    rows = []
    for line in markdown.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and cells[0] == first_cell:
            rows.append(cells[1:])
    return rows


def test_quality_benchmark_writes_tables_and_plot(tmp_path, capsys):
    """Check that the quick quality run scores every estimator and the Bayes rule."""
    status = main(
        ["quality", "--quick", "--datasets", "reference", "--seeds", "0", "1"]
        + ["--out", str(tmp_path)]
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "reference" in printed and f"wrote {tmp_path}" in printed

    with open(tmp_path / "quality_runs.csv", newline="", encoding="utf-8") as f:
        runs = list(csv.DictReader(f))
    by_name = {}
    for run in runs:
        by_name.setdefault(run["estimator"], []).append(run)
    # Two seeds for each estimator that varies, one fit for the others.
    assert set(by_name) == set(ESTIMATORS) | {BAYES}
    assert len(by_name[DEFAULTS]) == 2 and len(by_name[TUNED_LR]) == 1
    for run in runs:
        assert 0.0 <= float(run["macro_f1"]) <= 1.0
        assert 0.0 <= float(run["micro_f1"]) <= 1.0

    # The Bayes rule, scored on the test rows, lands near its exact limit.
    bayes = float(by_name[BAYES][0]["macro_f1"])
    assert abs(bayes - reference_limits()["bayes_f1"]) < 0.08

    text = (tmp_path / "quality.md").read_text(encoding="utf-8")
    assert (
        "python -m benchmarks quality --quick --datasets reference --seeds 0 1" in text
    )
    assert "## Targets" in text
    for name in ESTIMATORS:
        (cells,) = _table_rows(text, name)[:1]
        assert cells[0] != "-"
    (bayes_cells,) = _table_rows(text, BAYES)[:1]
    assert float(bayes_cells[0]) == pytest.approx(bayes, abs=5e-4)
    _check_png(tmp_path / "quality.png")


def test_quality_benchmark_runs_the_text_pipeline(tmp_path):
    """Check that TF-IDF features reach the networks sparse and get scored."""
    if not DATA_HOME.is_dir():
        pytest.skip(f"the shared data folder {DATA_HOME} is not present")
    result = run_quality(
        datasets=["goemotions"],
        seeds=[0],
        estimators=[DEFAULTS, KERAS, OVR],
        data_home=DATA_HOME,
        out=tmp_path,
        quick=True,
        verbose=0,
    )

    assert {run["estimator"] for run in result["runs"]} == {DEFAULTS, KERAS, OVR}
    assert result["skipped"] == {"goemotions": {}}
    for run in result["runs"]:
        assert 0 < run["macro_f1"] <= 1 and 0 < run["micro_f1"] <= 1
    text = (tmp_path / "quality.md").read_text(encoding="utf-8")
    assert "2000 training rows, 500 test rows, raw text, 28 labels" in text
    _check_png(tmp_path / "quality.png")


def test_image_block_cnn_reads_the_features_as_a_grid_of_blocks():
    """Check the scene network: one logit per label, and a clear error for X."""
    from benchmarks.quality import image_block_cnn

    model = image_block_cnn({"n_features_in_": 294, "n_outputs_": 6})
    assert model.output_shape == (None, 6)
    # The two convolutions see a 7 x 7 picture of 6 channels.
    convolutions = [layer for layer in model.layers if "conv" in layer.name]
    assert convolutions[0].input.shape[1:] == (7, 7, 6)
    with pytest.raises(ValueError, match="got 100 features"):
        image_block_cnn({"n_features_in_": 100, "n_outputs_": 6})


def test_quality_grid_search_tries_the_scene_network(tmp_path):
    """Check that the scene search holds the convolutional grid and runs it."""
    if not DATA_HOME.is_dir():
        pytest.skip(f"the shared data folder {DATA_HOME} is not present")
    from benchmarks.quality import TUNED, image_block_cnn, search_space

    grids = search_space("scene", quick=False)
    assert len(grids) == 2 and grids[1]["clf__model"] == [image_block_cnn]
    assert search_space("yeast", quick=False) == grids[:1]

    result = run_quality(
        datasets=["scene"],
        seeds=[0],
        estimators=[TUNED],
        data_home=DATA_HOME,
        out=tmp_path,
        quick=True,
        verbose=0,
    )
    (run,) = result["runs"]
    assert 0 < run["macro_f1"] <= 1
    # The winning setting is named, a builder by its name, not its address.
    assert run["detail"] and " at 0x" not in run["detail"]


def test_quality_merge_reruns_some_rows_and_keeps_the_others(tmp_path):
    """Check --merge: fits of the pairs not run now are kept, the others replaced."""
    common = dict(datasets=["reference"], out=tmp_path, quick=True, verbose=0)
    run_quality(seeds=[0, 1], estimators=[DEFAULTS, OVR], **common)
    with open(tmp_path / "quality_runs.csv", newline="", encoding="utf-8") as f:
        first = list(csv.DictReader(f))

    result = run_quality(seeds=[2], estimators=[DEFAULTS], merge=True, **common)
    with open(tmp_path / "quality_runs.csv", newline="", encoding="utf-8") as f:
        merged = list(csv.DictReader(f))

    # The logistic regression and the Bayes rule are kept; the defaults rerun.
    kept = [r for r in first if r["estimator"] == OVR]
    assert [r for r in merged if r["estimator"] == OVR] == kept
    assert [r["seed"] for r in merged if r["estimator"] == DEFAULTS] == ["2"]
    assert sum(r["estimator"] == BAYES for r in merged) == 1
    assert all(r["code"] for r in merged)
    assert result["summary"][("reference", OVR)]["n"] == 1

    text = (tmp_path / "quality.md").read_text(encoding="utf-8")
    assert "--estimators defaults --merge" in text
    assert _table_rows(text, OVR) and _table_rows(text, DEFAULTS)


def test_speed_benchmark_writes_tables_and_plot(tmp_path):
    """Check that the quick speed run measures every figure side by side."""
    from benchmarks.speed import run

    results = run(out=tmp_path, quick=True, verbose=0)

    assert [r["rows"] for r in results["latency"]] == [1, 100, 1000]
    for row in results["latency"]:
        names = (OURS, SCIKERAS, RAW, AVERAGED, AVERAGED_RAW)
        assert all(row[name] > 0 for name in names)
    for case in results["fit"]["results"]:
        assert case[OURS] > 0 and case[RAW] > 0
    assert results["thresholds"][OURS] > 0
    for name in (OURS, SCIKERAS):
        fits = results["repeated"][name]
        assert len(fits["seconds"]) == 4 and len(fits["rss"]) == 5
    sparse = results["sparse"]
    assert sparse["dense_bytes"] == 3000 * 20000 * 4
    assert 0 < sparse["sparse_bytes"] < sparse["dense_bytes"]

    text = (tmp_path / "speed.md").read_text(encoding="utf-8")
    for heading in (
        "## Targets",
        "## Predict latency",
        "## Fit time",
        "## Threshold search",
        "## Consecutive fits",
        "## Sparse input",
    ):
        assert heading in text
    # One line per target, each saying whether it is met.
    section = text.split("## Targets")[1].split("##")[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    rows = [row for row in rows if ":---" not in row][1:]
    assert len(rows) == 9
    assert all(row.rstrip(" |").endswith(("yes", "**no**")) for row in rows)
    assert "under 1 ms" in section and "within 1.2x of Model.fit" in section
    _check_png(tmp_path / "speed.png")


def test_command_line_refuses_bad_options():
    """Check that `python -m benchmarks` names a bad option and what it accepts."""
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks", "quality", "--datasets", "iris"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "unknown name(s) 'iris'" in result.stderr
    assert "yeast" in result.stderr
