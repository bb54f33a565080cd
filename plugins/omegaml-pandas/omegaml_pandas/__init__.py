"""omegaml-pandas: DataFrames and Series as omegaml datasets.

Kinds: ``pandas.columnar`` (the default: Parquet chunks with per-chunk
statistics, so filters skip chunks and projections read only their columns)
and ``pandas.dfrows`` (one document per row, for native database queries).
Importing this package does not import pandas; the backends import it when used.
"""
__version__ = "0.1.0"
