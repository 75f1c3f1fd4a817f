"""``fastmcp.server.auth.providers.huggingface``: authentication (huggingface provider) is not supported by
fastmcp-rs yet. The names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = ["HuggingFaceProvider", "HuggingFaceTokenVerifier"]

_FEATURE = "authentication (huggingface provider)"

HuggingFaceProvider = stub("HuggingFaceProvider", _FEATURE, __name__)
HuggingFaceTokenVerifier = stub("HuggingFaceTokenVerifier", _FEATURE, __name__)
