"""Named queries as data: `queries/<name>.rq`, each a SPARQL query with a header of `#` comment lines.

    # title: Activities per national goal
    # title@sv: Aktiviteter per nationellt mål
    # description: How many activities …
    PREFIX andts: <https://w3id.org/andts/def/>
    SELECT …

The header is the `#` lines at the top of the file; each `# key: value` (or `# key@lang: value`) is one
field. `title` is required, `title@sv` and `description` expected; other keys are kept. The whole file,
header included, is the query text (the comments are valid SPARQL). No web framework here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from andts.errors import AndtsError

_FIELD = re.compile(r"#\s*(?P<key>[A-Za-z][\w-]*)(?:@(?P<lang>[A-Za-z]+(?:-[A-Za-z0-9]+)*))?\s*:\s*(?P<value>.*\S)\s*$")


class QueryFileError(AndtsError):
    """A named query file without the header it needs."""


@dataclass(frozen=True)
class NamedQuery:
    name: str  # the file name without .rq: the query's name in URLs
    title: str
    text: str
    description: str = ""
    titles: dict[str, str] = field(default_factory=dict)  # language tag → title (the untagged one too, as "")
    fields: dict[str, str] = field(default_factory=dict)  # every header field, "key" or "key@lang"

    def title_in(self, lang: str) -> str:
        return self.titles.get(lang, self.title)


def parse(name: str, text: str) -> NamedQuery:
    fields: dict[str, str] = {}
    titles: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break  # the header ends at the first line that is not a comment
        m = _FIELD.match(stripped)
        if m is None:
            continue
        key = m["key"].lower() + (f"@{m['lang']}" if m["lang"] else "")
        fields[key] = m["value"]
        if m["key"].lower() == "title":
            titles[m["lang"] or ""] = m["value"]
    if "" not in titles:
        raise QueryFileError(f"the named query {name!r} has no '# title: …' line in its header")
    if not any(line.strip() and not line.strip().startswith("#") for line in text.splitlines()):
        raise QueryFileError(f"the named query {name!r} has a header but no query")
    return NamedQuery(name=name, title=titles[""], text=text, description=fields.get("description", ""),
                      titles=titles, fields=fields)


def read(path: Path) -> NamedQuery:
    return parse(path.stem, path.read_text(encoding="utf-8"))


def catalogue(folder: Path) -> list[NamedQuery]:
    """Every named query in `folder`, by name; none when the folder does not exist."""
    if not folder.is_dir():
        return []
    return [read(p) for p in sorted(folder.glob("*.rq"))]
