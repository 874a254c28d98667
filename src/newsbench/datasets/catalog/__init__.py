"""One module per dataset; each defines DATASET (a newsbench.datasets.registry.Dataset)."""
