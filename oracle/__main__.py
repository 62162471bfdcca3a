"""``python -m oracle``: see oracle/cli.py."""

import sys

from oracle.cli import main

sys.exit(main())
