"""Laboratory scale: find and re-verify every sealed package under some roots, and run work on a
Dask distributed cluster (``--cluster``). Nothing of Dask is imported unless a cluster is named."""
