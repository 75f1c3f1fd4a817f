"""``fastmcp.server.providers.aggregate``: ``AggregateProvider(providers, provider_error_strategy=)``, several
providers served as one (``add_provider(p, namespace=...)`` adds more, a namespace prefixing that provider's
names as a mount's does). Given to a server (``FastMCP(providers=[...])``, ``add_provider``), it is served as
a live link: what its providers gain or lose later shows at once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from ..server import FastMCP

__all__ = ["AggregateProvider"]


class AggregateProvider(FastMCP):
    """Providers combined into one (see the module's documentation)."""

    def __init__(
        self,
        providers: Sequence[Any] | None = None,
        *,
        provider_error_strategy: Literal["warn", "raise"] = "warn",
    ) -> None:
        super().__init__("AggregateProvider")
        self.provider_error_strategy = provider_error_strategy
        self.providers: list[Any] = []
        for provider in providers or ():
            self.add_provider(provider)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(providers={self.providers!r})"

    def add_provider(self, provider: Any, *, namespace: str = "") -> None:
        self.providers.append(provider)
        super().add_provider(provider, namespace=namespace)
