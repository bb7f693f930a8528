//! Benchmark programs for `bench/*.py` (one binary each in `src/bin/`): each prints a
//! human-readable table on stderr and one JSON object per line on stdout for its script.
