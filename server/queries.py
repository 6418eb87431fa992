"""Named queries: the catalogue's framework-free core lives in `andts.catalogue`; this module keeps the
server's old import path (`from andts.server.queries import NamedQuery`, `queries.catalogue(folder)`)."""

from andts.catalogue import (
    ANY,
    TYPES,
    BadParameter,
    NamedQuery,
    Parameter,
    QueryFileError,
    UnknownQuery,
    catalogue,
    find,
    parse,
    read,
    render,
)

__all__ = ["ANY", "TYPES", "BadParameter", "NamedQuery", "Parameter", "QueryFileError", "UnknownQuery",
           "catalogue", "find", "parse", "read", "render"]
