"""``python -m fpplan.server [--host …] [--port …] [--data …]``: the same as ``fpplan serve``."""

from fpplan.server.serve import main

main()
