"""``fastmcp.server.middleware.rate_limiting``: rate limiting middleware is not supported by fastmcp-rs yet. The
names import; using them raises ``NotImplementedError``."""

from fastmcp_rs._unsupported import stub

__all__ = [
    "RateLimitError",
    "RateLimitingMiddleware",
    "SlidingWindowRateLimiter",
    "SlidingWindowRateLimitingMiddleware",
    "TokenBucketRateLimiter",
]

_FEATURE = "rate limiting middleware"

RateLimitError = stub("RateLimitError", _FEATURE, __name__)
RateLimitingMiddleware = stub("RateLimitingMiddleware", _FEATURE, __name__)
SlidingWindowRateLimiter = stub("SlidingWindowRateLimiter", _FEATURE, __name__)
SlidingWindowRateLimitingMiddleware = stub("SlidingWindowRateLimitingMiddleware", _FEATURE, __name__)
TokenBucketRateLimiter = stub("TokenBucketRateLimiter", _FEATURE, __name__)
