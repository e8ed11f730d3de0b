"""Helpers shared by the quality and speed benchmarks."""

import os
import platform
import time
from pathlib import Path

import numpy as np

# The checkout's data sets sit beside it: <parent>/shared/data.
DEFAULT_DATA_HOME = Path(__file__).resolve().parents[2] / "shared" / "data"

DEFAULT_OUT = Path(__file__).resolve().parent / "results"


def log(message, verbose):
    """Print a progress line when `verbose` is on."""
    if verbose:
        print(message, flush=True)


def check_folder(path, what):
    """Return `path` as a Path, creating it; refuse a file in its place."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(
            f"{what} must be a folder; {str(path)!r} is a file. Pass another "
            "folder, or none for the default."
        )
    path.mkdir(parents=True, exist_ok=True)
    return path


def machine_line():
    """One line naming the machine and the versions the figures come from."""
    import keras
    import scikeras
    import sklearn
    import tensorflow as tf

    return (
        f"{os.cpu_count()} CPU cores ({platform.machine()}), "
        f"Python {platform.python_version()}, TensorFlow {tf.__version__}, "
        f"Keras {keras.__version__}, scikit-learn {sklearn.__version__}, "
        f"scikeras {scikeras.__version__}, numpy {np.__version__}"
    )


def code_version():
    """The commit of the checkout the figures come from, for the reports."""
    import subprocess

    root = Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", "sklearn_multilabel"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    return f"commit {commit}" + (" with uncommitted changes" if changed else "")


def markdown_table(header, rows, align=None):
    """Render a Markdown table; `align` holds one "l" or "r" per column."""
    align = align or ["l"] + ["r"] * (len(header) - 1)
    marks = {"l": ":---", "r": "---:"}
    lines = [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(marks[a] for a in align) + " |",
    ]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def median_seconds(call, repeat, warmup=1):
    """Median wall time of `call` over `repeat` runs, after `warmup` runs."""
    for _ in range(warmup):
        call()
    times = np.empty(repeat)
    for i in range(repeat):
        start = time.perf_counter()
        call()
        times[i] = time.perf_counter() - start
    return float(np.median(times))


def interleaved_medians(calls, repeat, warmup=1):
    """Median wall time of each call, running the calls in turn.

    On a shared machine the load changes over time; taking turns exposes
    every contender to the same load, so their ratio holds even when the
    absolute times drift.
    """
    for call in calls.values():
        for _ in range(warmup):
            call()
    times = {name: np.empty(repeat) for name in calls}
    for i in range(repeat):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            times[name][i] = time.perf_counter() - start
    return {name: float(np.median(values)) for name, values in times.items()}


def settle_op_determinism():
    """Read TensorFlow's op-determinism flag once, before scikeras can set it.

    TensorFlow reads the environment variable ``TF_DETERMINISTIC_OPS`` the
    first time the flag is asked for and keeps that answer. scikeras sets the
    variable during a seeded fit and then asks; when that is the first time
    in the process, determinism stays on for every later fit of any model,
    which slows them and makes unseeded Keras fits fail. Asking first keeps
    the process as it started.
    """
    from tensorflow.python.framework import config

    config.is_op_determinism_enabled()


def write_text(path, text):
    """Write `text` to `path` with a final newline; return the path."""
    path = Path(path)
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
    return path


def use_file_backend():
    """Select matplotlib's non-interactive backend and return pyplot."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
