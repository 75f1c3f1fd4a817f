"""``fastmcp.experimental.utilities.openapi`` (FastMCP 2.11-2.13, deprecated since): see
``fastmcp.utilities.openapi``."""

import warnings

from fastmcp_rs.utilities.openapi import *  # noqa: F403
from fastmcp_rs.utilities.openapi import __all__ as __all__

warnings.warn(
    "Importing from fastmcp.experimental.utilities.openapi is deprecated. Import from "
    "fastmcp.utilities.openapi instead.",
    DeprecationWarning,
    stacklevel=2,
)
