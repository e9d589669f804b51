"""A Parquet dataset of extractions, built on a Dask cluster, loaded into SQLite or queried with
DuckDB: factcli for archives larger than one machine. See docs/dataset.md.

The core never imports this package; it needs the ``dask`` extra (dask[distributed], pyarrow,
duckdb).
"""
