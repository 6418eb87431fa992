"""andts-kg: a linked-data knowledge graph of Swedish municipal ANDTS prevention programmes."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("andts-kg")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"
