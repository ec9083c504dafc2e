"""Many reports at once: Dask analysis and the accuracy evaluation on benchmark corpora."""
