"""Typed errors. The CLI prints them on stderr with their exit code; the server maps them to statuses."""

from __future__ import annotations


class AndtsError(Exception):
    """An error a user can act on. Its message is shown as is; no stack trace."""

    exit_code = 2


class SourceError(AndtsError):
    """A source document cannot be read as what it claims to be. Names the file and line."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file, self.line, self.reason = file, line, message
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {message}")


class RdfParseError(AndtsError):
    """An RDF file does not parse."""


class ValidationFailed(AndtsError):
    """The data has SHACL violations."""

    exit_code = 1


class StoreError(AndtsError):
    """The store cannot be opened, read or replaced."""
