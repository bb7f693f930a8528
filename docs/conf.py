"""Sphinx configuration of the attractor documentation.

The scientific-Python stack: Sphinx with autodoc/autosummary and numpydoc for the API
reference, sphinx-gallery for the runnable examples in ``python/examples/``, and the PyData
theme (the one NumPy, SciPy, pandas and scikit-image use). Build with ``docs/build.sh``.
"""

import os
import sys
from pathlib import Path

import attractor

ROOT = Path(__file__).resolve().parents[1]
# ATTRACTOR_DOCS_QUICK=1 renders the gallery without running it (the scripts run in pytest)
QUICK = os.environ.get("ATTRACTOR_DOCS_QUICK", "") not in ("", "0")

project = "attractor"
author = "the attractor developers"
copyright = "2026, the attractor developers"
version = release = attractor.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "**.codeobj.json"]
default_role = "math"

# MathJax comes from its CDN; ATTRACTOR_DOCS_MATHJAX names a local MathJax 2 instead (for
# offline viewing and the screenshots: Debian's libjs-mathjax, see screenshots.sh)
if os.environ.get("ATTRACTOR_DOCS_MATHJAX"):
    mathjax_path = os.environ["ATTRACTOR_DOCS_MATHJAX"]

# -- API reference -----------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
# the estimators inherit scikit-learn's methods (get_params, set_output, ...); their docstrings
# are scikit-learn's, with references into its own documentation
autodoc_inherit_docstrings = False
nitpick_ignore_regex = [
    # types named in docstrings and signatures of other projects
    (r"py:.*", r"(np|numpy|dimod|sklearn|pandas|pyarrow|ray)\..*"),
    (r"py:class", r"(optional|array-like|array|ndarray|callable|default.*|path-like)"),
]



def _skip_member(app, what, name, obj, skip, options):
    """scikit-learn adds ``set_*_request`` methods (metadata routing) to every estimator."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)


# -- gallery -----------------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": [str(ROOT / "python" / "examples")],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r".*\.py$",  # run every script, not only plot_*.py
    "plot_gallery": "False" if QUICK else "True",
    "abort_on_example_error": True,
    "only_warn_on_example_error": False,
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    "min_reported_time": 1,
    "image_scrapers": ("matplotlib",),
    "within_subsection_order": "FileNameSortKey",
}

# -- HTML --------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"attractor {version}"
html_static_path = ["_static"]
html_show_sourcelink = False
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_context = {"default_mode": "light"}
