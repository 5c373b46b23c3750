"""``python -m optimizer.cli``: the ``zhucun`` command."""

import sys

from optimizer.cli.entry import main

sys.exit(main())
