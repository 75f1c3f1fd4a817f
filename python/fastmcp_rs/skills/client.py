"""``fastmcp.skills.client``: ``SkillsClientExtension``, what a client passes in ``Client(extensions=[...])`` to
say it speaks the skills extension (SEP-2640); then ``client.list_skills()`` and ``client.get_skill()`` work
on a 2026-07-28 connection to a server that offers it."""

from mcp.client.extension import ClientExtension

from .extension import SKILLS_EXTENSION_ID

__all__ = ["SkillsClientExtension"]


class SkillsClientExtension(ClientExtension):
    """Declares support for the skills extension (SEP-2640)."""

    identifier = SKILLS_EXTENSION_ID
