"""``python -m fastmcp_rs.cli``: the same as the ``fastmcp-rs`` script."""

import sys

from . import main

sys.exit(main())
