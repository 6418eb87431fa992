"""Two changes to how pyshacl works, not to what it finds: together they halve the SHACL gate's time.

pyshacl spends most of its time on our shapes on bookkeeping that it repeats for every focus node:
  * it asks `p in list` of its list of constraint parameters for every predicate of a shape each time it
    validates a focus node against the shape (a million URIRef comparisons a programme): the list gets a
    set's membership test (`_ParameterList`);
  * `sh:property` validates the property shape once per value node of its parent shape — 2,400 calls a
    programme, each finding the shape's constraints again and building their components — where SHACL's
    results are per focus node anyway: the property shape is validated once with all the value nodes as
    its focus nodes (`_property_shape_once`), as pyshacl itself does for a shape's targets.

Reports are the same with and without them, result for result (tests/shapes/test_strategies.py runs real
programmes and broken fixtures both ways). `apply(on=False)` gives pyshacl back its own code. The
validation cache's key covers this file, so results kept from before a change here are not reused.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_ORIGINAL: dict[str, Any] = {}
_DECIDED: list[bool] = []  # whether `apply` has run in this process (a test may have turned them off)


class _ParameterList(list):
    """pyshacl's list of constraint parameters (same items, same order) with a set's membership test."""

    def __init__(self, items: Iterable[object] = ()) -> None:
        super().__init__(items)
        self._members = set(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members

    def copy(self) -> "_ParameterList":
        return _ParameterList(self)

    def append(self, item: object) -> None:
        super().append(item)
        self._members.add(item)


def _property_shape_once(self, executor, prop_shape, target_graph, focus_value_nodes, potentially_recursive,
                         _evaluation_path):  # type: ignore[no-untyped-def]
    """`PropertyConstraintComponent._evaluate_property_shape` with one `validate` call for all value
    nodes. A value node reached from two focus nodes is validated once more for each further time, as
    pyshacl's loop does (so a report it repeats is repeated here too)."""
    found = self.shape.get_other_shape(prop_shape)
    if not found or not found.is_property_shape or (potentially_recursive and found in potentially_recursive):
        # pyshacl's own warnings and errors
        return _ORIGINAL["property"](self, executor, prop_shape, target_graph, focus_value_nodes,
                                     potentially_recursive, _evaluation_path)
    first: list = []
    again: list = []
    seen: set = set()
    for values in focus_value_nodes.values():
        for v in values:
            (again if v in seen else first).append(v)
            seen.add(v)
    non_conformant, reports = False, []
    for focus in ([first] if first else []) + [[v] for v in again]:
        conforms, found_reports = found.validate(executor, target_graph, focus=focus,
                                                 _evaluation_path=_evaluation_path[:])
        non_conformant = non_conformant or not conforms
        reports.extend(found_reports)
    return non_conformant, reports


def apply(on: bool = True) -> None:
    """Make pyshacl use both (idempotent), or give it back its own list and method."""
    import pyshacl.shape
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
    from pyshacl.constraints.core.shape_based_constraints import PropertyConstraintComponent

    _ORIGINAL.setdefault("property", PropertyConstraintComponent._evaluate_property_shape)
    _DECIDED[:] = [True]
    if on:
        pyshacl.shape.CONSTRAINT_PARAMS = (_ParameterList(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)
        PropertyConstraintComponent._evaluate_property_shape = _property_shape_once
    else:
        if hasattr(pyshacl.shape, "CONSTRAINT_PARAMS"):
            del pyshacl.shape.CONSTRAINT_PARAMS  # pyshacl caches its own list there at first use
        PropertyConstraintComponent._evaluate_property_shape = _ORIGINAL["property"]


def at_first_use() -> None:
    """`apply`, unless it has run already (pyshacl is imported only when something is validated)."""
    if not _DECIDED:
        apply()


def applied() -> bool:
    from pyshacl.constraints.core.shape_based_constraints import PropertyConstraintComponent

    return PropertyConstraintComponent._evaluate_property_shape is _property_shape_once
