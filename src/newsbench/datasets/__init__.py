"""The public fake-news datasets newsbench knows how to fetch: where each one's raw files live (a
pinned commit, with checksums), its licence and citation, and how its raw files become newsbench's
shape (``title``, ``text``, ``label``, ``source`` and the dataset's own columns).

``base`` holds the types and the shared cleaning, ``registry`` the catalogue, ``catalog`` one module per
dataset; ``fetch`` downloads, verifies, normalises and caches (``newsbench data``).
"""
