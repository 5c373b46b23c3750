"""``python -m benchmarks``: see :mod:`benchmarks.cli`."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
