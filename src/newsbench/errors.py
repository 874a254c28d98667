"""One exception tree for everything newsbench reports to a user.

Every error carries a message that says what was expected, what was found and how to fix it;
the CLI prints the message (no traceback) and exits with status 2.
"""

from __future__ import annotations


class NewsbenchError(Exception):
    """Base class of all errors newsbench raises on purpose."""


class ConfigError(NewsbenchError):
    """An option or setting has a value that cannot be used."""


class DataError(NewsbenchError):
    """An input file cannot be read or mapped to texts and labels."""


class ModelError(NewsbenchError):
    """A detector cannot be found, loaded or run."""


class MissingDependencyError(NewsbenchError):
    """An optional dependency is not installed; the message names the extra to install."""


def require(module: str, extra: str):
    """Import an optional module or raise an install hint instead of a traceback.

    Args:
        module: dotted module name to import.
        extra: the newsbench extra that provides it, e.g. ``"onnx"``.

    Returns:
        The imported module.
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{module} is not installed; install it with: pip install 'newsbench[{extra}]'"
        ) from exc
