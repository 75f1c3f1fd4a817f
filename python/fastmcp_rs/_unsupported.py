"""Names FastMCP 4 has that fastmcp-rs does not implement yet. They import fine (so a server file that mentions
them loads), and raise ``NotImplementedError`` naming the feature when instantiated or called."""

from __future__ import annotations

from typing import Any, NoReturn

__all__: list[str] = []


def _refuse(name: str, feature: str) -> NoReturn:
    raise NotImplementedError(f"{name}: {feature} is not supported by fastmcp-rs yet")


def unsupported_class(name: str, feature: str, module: str) -> type:
    """A class that can be imported, subclassed and named in annotations, but not instantiated."""

    def __new__(cls: type, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse(cls.__name__, feature)

    return type(
        name,
        (),
        {
            "__new__": __new__,
            "__module__": module,
            "__qualname__": name,
            "__doc__": f"Not supported by fastmcp-rs yet ({feature}): instantiating it raises NotImplementedError.",
        },
    )


def unsupported_function(name: str, feature: str, module: str) -> Any:
    """A function that can be imported but raises when called."""

    def refuse(*args: Any, **kwargs: Any) -> NoReturn:
        _refuse(name, feature)

    refuse.__name__ = refuse.__qualname__ = name
    refuse.__module__ = module
    refuse.__doc__ = f"Not supported by fastmcp-rs yet ({feature}): calling it raises NotImplementedError."
    return refuse


def stub(name: str, feature: str, module: str) -> Any:
    """One stub name: ``...Error`` becomes a plain exception class (so ``except`` clauses work), other
    ``CamelCase`` names a class that refuses to be instantiated, the rest a function that refuses calls."""
    if name.endswith("Error"):
        return type(name, (Exception,), {"__module__": module, "__qualname__": name})
    if name[:1].isupper():
        return unsupported_class(name, feature, module)
    return unsupported_function(name, feature, module)
