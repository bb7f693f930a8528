"""Where a sweep's records go: an append-only file written record by record (flushed and
fsynced, so that a killed sweep loses nothing it finished) and read back to resume.

- ``.jsonl``: one JSON object per line (types kept).
- ``.csv``: one row per record; the header is the union of the columns seen so far (when a
  record brings a new column -- a result field after only errors -- the file is rewritten once,
  atomically). Non-string cells are written as JSON (``1.5``, ``true``), empty cells are None.
- ``.parquet``: the records are journalled to ``<out>.journal.jsonl`` while the sweep runs and
  written as Parquet (needs pandas and pyarrow) when it ends.

Every append is flushed to the operating system at once (a killed sweep keeps every record
it wrote) and fsynced at most every ``FSYNC_EVERY_S`` (1 s) and at the end (a crash of the
machine loses at most that much). A truncated last line (a sweep killed while writing) is
ignored on reading.
"""

import csv
import io
import json
import os
import time

__all__ = ["open_store", "read_records", "write_table"]


_FINITE = float("inf")


def _cell(value):
    # the common types first, without json.dumps (the driver writes every record: on a
    # 2-core machine its time is taken from the workers); the text is json.dumps's
    t = type(value)
    if t is str:
        return value
    if value is None:
        return ""
    if t is float and -_FINITE < value < _FINITE:
        return repr(value)
    if t is int:
        return str(value)
    if t is bool:
        return "true" if value else "false"
    return json.dumps(value, separators=(",", ":"))


def _uncell(text):
    if text == "":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


# every append is flushed to the OS (a killed sweep keeps it); fsync (which costs milliseconds)
# at most every FSYNC_EVERY_S seconds and at close, so that a crash of the machine loses at most
# that much
FSYNC_EVERY_S = 1.0
_last_sync = {}


def _fsync(f, force=True):
    f.flush()
    now = time.monotonic()
    if force or now - _last_sync.get(f.name, -1e9) >= FSYNC_EVERY_S:
        os.fsync(f.fileno())
        _last_sync[f.name] = now


class JsonlStore:
    def __init__(self, path):
        self.path = os.fspath(path)
        self._f = None

    def read(self):
        if not os.path.exists(self.path):
            return []
        out = []
        with open(self.path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if not line:
                    continue
                try:
                    out.append(json.loads(line))
                except ValueError:  # a line cut short by a kill
                    continue
        return out

    def append(self, records):
        if self._f is None:
            # drop a partial last line before appending after it
            if os.path.exists(self.path):
                with open(self.path, "rb+") as f:
                    data = f.read()
                    if data and not data.endswith(b"\n"):
                        f.truncate(data.rfind(b"\n") + 1)
            self._f = open(self.path, "a", encoding="utf-8")
        for r in records:
            self._f.write(json.dumps(r, separators=(",", ":"), default=str) + "\n")
        _fsync(self._f, force=False)

    def close(self):
        if self._f is not None:
            _fsync(self._f)
            self._f.close()
            self._f = None


class CsvStore:
    def __init__(self, path):
        self.path = os.fspath(path)
        self._f = None
        self._columns = None

    def read(self):
        if not os.path.exists(self.path):
            return []
        with open(self.path, encoding="utf-8", newline="") as f:
            text = f.read()
        if text and not text.endswith("\n"):
            text = text[: text.rfind("\n") + 1]
        rows = list(csv.reader(io.StringIO(text)))
        if not rows:
            return []
        header = rows[0]
        out = []
        for row in rows[1:]:
            if len(row) != len(header):
                continue
            out.append({k: _uncell(v) for k, v in zip(header, row)})
        return out

    def _rewrite(self, columns, records):
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(columns)
            for r in records:
                w.writerow([_cell(r.get(c)) for c in columns])
            _fsync(f)
        os.replace(tmp, self.path)

    def append(self, records):
        if not records:
            return
        if self._columns is None:
            old = self.read()
            cols = []
            if os.path.exists(self.path):
                with open(self.path, encoding="utf-8", newline="") as f:
                    first = f.readline()
                cols = next(csv.reader([first]), []) if first.endswith("\n") else []
            self._columns = cols
            # rewrite once: drops a cut-short last row and fixes the header
            self._rewrite(self._columns, old)
            self._f = open(self.path, "a", encoding="utf-8", newline="")
            self._writer = csv.writer(self._f)
        have = set(self._columns)
        new = [k for r in records for k in r if k not in have]
        if new:
            seen = []
            for k in new:
                if k not in seen:
                    seen.append(k)
            self._f.close()
            old = self.read()
            self._columns = self._columns + seen
            self._rewrite(self._columns, old)
            self._f = open(self.path, "a", encoding="utf-8", newline="")
            self._writer = csv.writer(self._f)
        if os.path.getsize(self.path) == 0:
            self._writer.writerow(self._columns)
        cols = self._columns
        self._writer.writerows([[_cell(r.get(c)) for c in cols] for r in records])
        _fsync(self._f, force=False)

    def close(self):
        if self._f is not None:
            _fsync(self._f)
            self._f.close()
            self._f = None


class ParquetStore(JsonlStore):
    def __init__(self, path):
        self.final = os.fspath(path)
        super().__init__(self.final + ".journal.jsonl")

    def read(self):
        recs = super().read()
        if not recs and os.path.exists(self.final):
            import pandas as pd

            recs = pd.read_parquet(self.final).to_dict("records")
        return recs

    def finish(self, records):
        write_table(records, self.final)


def open_store(path):
    """The store for ``path`` by its extension (``.csv``, ``.jsonl``/``.json``, ``.parquet``)."""
    p = os.fspath(path).lower()
    if p.endswith(".csv"):
        return CsvStore(path)
    if p.endswith(".jsonl") or p.endswith(".json") or p.endswith(".ndjson"):
        return JsonlStore(path)
    if p.endswith(".parquet") or p.endswith(".pq"):
        try:
            import pandas  # noqa: F401
            import pyarrow  # noqa: F401
        except ImportError as e:
            raise ImportError(
                f"out = {path!r}: Parquet needs pandas and pyarrow (pip install pandas pyarrow); "
                "or write .csv / .jsonl"
            ) from e
        return ParquetStore(path)
    raise ValueError(f"out = {path!r}: use a .csv, .jsonl or .parquet file")


def read_records(path):
    """The records stored at ``path`` (as written by a sweep).

    Parameters
    ----------
    path : str or path-like
        A ``.csv``, ``.jsonl`` or ``.parquet`` file.

    Returns
    -------
    records : list of dict
        The records, in the order they were written.

    Raises
    ------
    ValueError
        When ``path`` has another suffix.
    """
    return open_store(path).read()


def write_table(records, path):
    """Write ``records`` to ``path`` at once: Parquet via pandas, or CSV / JSONL.

    An existing file is replaced.

    Parameters
    ----------
    records : list of dict
        The records.
    path : str or path-like
        A ``.csv``, ``.jsonl`` or ``.parquet`` (``.pq``) file.

    Examples
    --------
    >>> import os, tempfile
    >>> from attractor.sweep import read_records, write_table
    >>> path = os.path.join(tempfile.mkdtemp(), "records.jsonl")
    >>> write_table([{"x": 1, "y": 1.5}, {"x": 2, "y": 4.0}], path)
    >>> read_records(path)
    [{'x': 1, 'y': 1.5}, {'x': 2, 'y': 4.0}]
    """
    p = os.fspath(path).lower()
    if p.endswith(".parquet") or p.endswith(".pq"):
        import pandas as pd

        df = pd.DataFrame.from_records(records)
        # mixed-type columns (a result that is sometimes a string) as strings
        for c in df.columns:
            if df[c].dtype == object:
                df[c] = df[c].map(lambda v: v if v is None or isinstance(v, str) else json.dumps(v))
        df.to_parquet(os.fspath(path), index=False)
        return
    if os.path.exists(path):
        os.remove(path)
    s = open_store(path)
    s.append(records)
    s.close()
