#!/usr/bin/env bash
# Build the documentation (HTML in docs/_build/html) and check it:
#   - Sphinx in nitpicky mode with warnings as errors (-n -W --keep-going): every internal
#     cross-reference must resolve, every API object must import, every gallery script must run;
#   - the gallery scripts run (sphinx-gallery executes each and embeds its figures);
#   - the examples in the user guide and in the package's docstrings run as doctests;
#   - the Rust reference built by `cargo doc` (if present) is copied in as rust/.
# Usage: docs/build.sh [--no-doctest]. Needs: pip install "./python[docs]".
set -euo pipefail
cd "$(dirname "$0")"
PY=${PYTHON:-python3}
export MPLBACKEND=Agg
start=$(date +%s)
rm -rf _build/html auto_examples api/generated
"$PY" -m sphinx -b html -n -W --keep-going -j 1 . _build/html
echo "docs: built in $(( $(date +%s) - start )) s: $(find _build/html -name '*.html' | wc -l) HTML pages" \
     "($(ls guide/*.rst | wc -l) guide, $(ls api/generated/*.rst | wc -l) API)," \
     "$(ls auto_examples/*.py 2>/dev/null | wc -l) gallery examples"
# the Rust reference, when `cargo doc -p attractor --no-deps` has built it, goes in as rust/
rustdoc="${CARGO_TARGET_DIR:-../target}/doc"
if [[ -f "$rustdoc/attractor/index.html" ]]; then
  cp -r "$rustdoc" _build/html/rust
  echo "docs: the Rust reference (cargo doc) is at _build/html/rust/attractor/index.html"
else
  echo "docs: no Rust reference in $rustdoc (run cargo doc -p attractor --no-deps first to include it)"
fi
if [[ "${1:-}" != "--no-doctest" ]]; then
  # the guide's examples, and the docstring examples of the installed package
  pkg=$("$PY" -c "import attractor, os; print(os.path.dirname(attractor.__file__))")
  (cd /tmp && "$PY" -m pytest -q -p no:cacheprovider --doctest-glob='*.rst' "$OLDPWD/guide" \
     --doctest-modules "$pkg" --ignore="$pkg/sweep/__main__.py" \
     -o doctest_optionflags="ELLIPSIS NORMALIZE_WHITESPACE")
fi
