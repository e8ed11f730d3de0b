"""Sphinx configuration of the sklearn_multilabel documentation.

Build with ``python -m sphinx -W -b html docs docs/_build/html`` from the
root of the checkout, after ``pip install ".[docs]"``. The worked examples in
``examples/`` run during the build (sphinx-gallery); add
``-D plot_gallery=0`` to skip running them while editing prose.
"""

import os
import sys
from pathlib import Path

# Document the checkout, not whatever copy of the package is installed.
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

import sklearn_multilabel  # noqa: E402

# -- Project -----------------------------------------------------------------

project = "sklearn_multilabel"
author = "the sklearn_multilabel developers"
copyright = "the sklearn_multilabel developers"
release = sklearn_multilabel.__version__
version = release

# -- General -----------------------------------------------------------------

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.ipynb"]
root_doc = "index"
default_role = "literal"

# API pages are generated from the docstrings at every build.
autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": False}
autodoc_typehints = "none"

# numpydoc renders the Parameters, Attributes and Examples sections; the
# class template lists the methods, so numpydoc does not list them again.
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# -- Worked examples -----------------------------------------------------------

sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "min_reported_time": 1,
    "image_scrapers": ("matplotlib",),
    "reset_modules": ("matplotlib",),
    # Each API page links the examples that use its object.
    "doc_module": ("sklearn_multilabel",),
    "backreferences_dir": "generated/backreferences",
}


# -- HTML ----------------------------------------------------------------------

html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_multilabel {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_show_sourcelink = False

# -- Hooks ---------------------------------------------------------------------


def _skip_metadata_request_methods(app, what, name, obj, skip, options):
    # scikit-learn adds set_<method>_request methods to every estimator; their
    # docstrings point into scikit-learn's own documentation.
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_metadata_request_methods)
