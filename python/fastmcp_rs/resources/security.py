"""``ResourceSecurity``: what is screened out of template parameters before the function runs."""

from __future__ import annotations

import dataclasses
from collections.abc import Set

__all__ = ["DEFAULT_RESOURCE_SECURITY", "ResourceSecurity"]


@dataclasses.dataclass(frozen=True)
class ResourceSecurity:
    """What is screened out of template parameters before the function runs (all on by default): ``..``
    segments that climb above their start, absolute paths (``/x``, ``\\x``, ``C:``) and NUL bytes. Checked
    natively on the decoded values, however they were encoded in the URI."""

    reject_path_traversal: bool = True
    reject_absolute_paths: bool = True
    reject_null_bytes: bool = True
    exempt_params: Set[str] = frozenset()


DEFAULT_RESOURCE_SECURITY = ResourceSecurity()
