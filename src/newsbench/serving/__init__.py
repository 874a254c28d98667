"""``newsbench serve``: a detector behind an HTTP API and a web page (extra ``serve``).

``config`` holds the settings, ``server`` loads the detector and runs uvicorn, ``app`` the routes
and page, ``batching`` the micro-batcher. Nothing heavy is imported here, so the CLI's ``--help``
stays fast.
"""
