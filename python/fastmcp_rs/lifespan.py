"""The old ``fastmcp_rs.lifespan`` path (FastMCP's is ``fastmcp_rs.server.lifespan``)."""

from .server.lifespan import ComposedLifespan, ContextManagerLifespan, Lifespan, lifespan

__all__ = ["ComposedLifespan", "ContextManagerLifespan", "Lifespan", "lifespan"]
