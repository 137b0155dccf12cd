"""``python -m caremap …``: the command line (see :mod:`caremap.cli`)."""

import sys

from caremap.cli import main

sys.exit(main())
