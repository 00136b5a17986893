"""The evidence columns a user reads beside each ranked model: ``observed`` (its score on the
known dataset the description matches) and ``evidence`` (the nearest known datasets it was
scored on, with its mean within-benchmark z there; higher is better)."""
from __future__ import annotations

import numpy as np
import pandas as pd

EVIDENCE_ROWS = 100    # evidence strings are written for the first rows only


def _one_chunk(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with each Arrow-backed column in one chunk: taking a few rows of a chunked column
    costs milliseconds (a ~1.5M-row parquet read gives a dozen chunks), of one chunk microseconds."""
    out = df.copy(deep=False)
    for c in out.columns:
        arr = out[c].array
        if hasattr(arr, "_pa_array") and arr._pa_array.num_chunks > 1:
            out[c] = pd.Series(pd.array(arr._pa_array.combine_chunks(), dtype=arr.dtype), index=out.index, name=c)
    return out


class EvidenceWriter:
    def __init__(self, records: pd.DataFrame, catalog_index: dict):
        """``catalog_index``: model name -> catalog row."""
        self.index = catalog_index
        self.records_by_dataset = records.groupby("dataset").indices
        self.record_row = pd.Index(list(catalog_index)).get_indexer(records["model"])   # catalog row of each record
        self.records = _one_chunk(records[["model", "dataset", "subset", "metric", "score", "z"]])

    def write(self, models, neighbours: list[str], match: str | None) -> tuple[list[str], list[str]]:
        """``observed`` and ``evidence`` for each of ``models`` (first ``EVIDENCE_ROWS``; '' below)."""
        idx = [self.records_by_dataset.get(d, np.zeros(0, np.int64)) for d in neighbours]
        idx = np.concatenate(idx).astype(np.int64) if idx else np.zeros(0, np.int64)
        shown = list(models[:EVIDENCE_ROWS])
        shown_rows = [self.index[m] for m in shown if m in self.index]
        sub = self.records.iloc[idx[np.isin(self.record_row[idx], shown_rows)]]   # select by integer row first: cheap
        # a few hundred records at most: plain Python over column lists beats a pandas groupby here
        observed_of, z_of = {}, {}
        for m, d, subset, metric, score, z in zip(*(sub[c].tolist() for c in sub.columns)):
            if d == match and len(observed_of.setdefault(m, [])) < 2:
                observed_of[m].append(f"{score:g} {metric}" + (f" ({subset})" if isinstance(subset, str) and subset
                                                               else ""))
            acc = z_of.setdefault((m, d), [0.0, 0])
            acc[0] += z
            acc[1] += 1
        observed, evidence = [""] * len(models), [""] * len(models)
        for i, m in enumerate(shown):
            observed[i] = "; ".join(observed_of.get(m, ()))
            evidence[i] = ", ".join(f"{d} (z={z_of[m, d][0] / z_of[m, d][1]:+.2f})" for d in neighbours
                                    if (m, d) in z_of)
        return observed, evidence
