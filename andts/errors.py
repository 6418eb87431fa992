"""Typed errors. The CLI prints them on stderr with their exit code; the server maps them to statuses."""

from __future__ import annotations

import re


class AndtsError(Exception):
    """An error a user can act on. Its message is shown as is; no stack trace."""

    exit_code = 2


#: Characters a message must not carry raw: control characters (a terminal runs ESC sequences), bidi
#: controls (they reorder the text shown around them), line and paragraph separators.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufeff]")


def printable(text: str) -> str:
    """`text` with unsafe characters written as escapes (\\x1b, \\u202e): messages quote source text,
    and the CLI prints them on a terminal and the server in pages."""
    return _UNSAFE.sub(lambda m: m.group(0).encode("unicode_escape", "backslashreplace").decode("ascii"), text)


class SourceError(AndtsError):
    """A source document cannot be read as what it claims to be. Names the file and line."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        message = printable(message)
        self.file, self.line, self.reason = file, line, message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple:
        # a loader in a forked build process raises it; it reaches the build's process pickled
        return (type(self), (self.file, self.line, self.reason))


class RdfParseError(AndtsError):
    """An RDF file does not parse."""


class ValidationFailed(AndtsError):
    """The data has SHACL violations."""

    exit_code = 1


class StoreError(AndtsError):
    """The store cannot be opened, read or replaced."""
