"""One module per command of ``python -m caremap``: each has ``NAME``, ``HELP``, ``DESCRIPTION``,
``add_arguments(parser)`` and ``run(arguments) -> exit code``. Add a module to :data:`caremap.cli.COMMANDS`."""
