"""One module per ``stgcn-pyg`` verb: ``add_arguments(parser)`` and ``run(args) -> int``."""
