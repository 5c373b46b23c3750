"""The command line: ``zhucun`` and its commands; the only place that names a flag or an exit
code (the library names fields and returns statuses)."""

from optimizer.cli.entry import main

__all__ = ["main"]
