"""``python -m oncoresist.cli``."""

import sys

from . import main

sys.exit(main())
