"""Tiny raw-format fixtures, one module per registry dataset: the files its origin serves (same
paths, same columns and encodings), a few rows each, and what its normaliser must make of them.

Each module defines ``raw_files() -> dict[str, bytes]`` (keyed by ``RawFile.key``, one entry for every
file of the registry entry) and ``EXPECTED``: rows_in / real / fake after the shared cleaning, plus
any column values the PROVENANCE states (e.g. a label mapping)."""
