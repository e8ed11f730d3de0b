"""Tests of the documentation: the guide's code runs, the API page is complete."""

import doctest
import re
from pathlib import Path

import pytest

import sklearn_multilabel
from sklearn_multilabel import datasets

DOCS = Path(__file__).resolve().parents[1] / "docs"
GUIDE_PAGES = sorted((DOCS / "guide").glob("*.rst"))


def test_guide_pages_are_found():
    """Check that the guide pages are where the doctests look for them."""
    names = {page.stem for page in GUIDE_PAGES}
    assert {"all_zeros", "logits", "pos_weight", "thresholds"} <= names


@pytest.mark.parametrize("page", GUIDE_PAGES, ids=lambda page: page.name)
def test_guide_examples_run(page):
    """Check that every example of a guide page runs and prints what it shows."""
    result = doctest.testfile(
        str(page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        raise_on_error=False,
        report=True,
    )
    assert result.failed == 0, f"{result.failed} examples of {page.name} failed"


@pytest.mark.parametrize(
    "module, names",
    [
        ("", sklearn_multilabel.__all__),
        ("datasets.", datasets.__all__),
    ],
)
def test_api_page_lists_every_public_name(module, names):
    """Check that the API reference documents every name of __all__."""
    listed = set(re.findall(r"^   (\w+)$", (DOCS / "api.rst").read_text(), re.M))
    missing = [name for name in names if name not in listed]
    assert not missing, f"docs/api.rst lacks sklearn_multilabel.{module}{missing}"
