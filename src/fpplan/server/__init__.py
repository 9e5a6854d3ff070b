"""The dashboard server: ``fpplan serve`` (``serve``: the workspace prepared, the pages chosen for the address
served, then Voila), the Voila application with its fresh preheated pools and the leader pages' export routes
(``voila_app``, ``export``), the kernel manager and the executor's kernel client (``kernels``), and the server's
settings (``settings``: ``config/server.yaml`` and the ``FPPLAN_*`` environment variables).

It sits above ``fpplan.app`` (the pages it serves) and beside the command line; nothing below imports it. Importing
it marks jsonschema's unused, slow optional import absent for the process (``fpplan.startup``), before Voila and
jupyter_server load.
"""

from fpplan.startup import skip_unused_imports

skip_unused_imports()
