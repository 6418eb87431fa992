"""Three changes to how pyshacl works, not to what it finds, where it repeats bookkeeping for every focus node.

  * it asks `p in list` of its list of constraint parameters for every predicate of a shape each time it
    validates a focus node against the shape: the list gets a set's membership test (`_ParameterList`);
  * `sh:property` validates the property shape once per value node of its parent shape, each time finding
    the shape's constraints again and building their components, where SHACL's results are per focus
    node anyway: the property shape is validated once with all the value nodes as its focus nodes
    (`_property_shape_once`), as pyshacl itself does for a shape's targets;
  * `sh:qualifiedValueShape` validates each value node against the value shape on its own, to count those
    that conform (every label of every entity against shapes:SwedishLiteral): when the value shape is a
    node shape whose constraints each judge one value node by itself (`PER_VALUE`), it is validated once
    with all the value nodes, and a value node conforms when no report that counts has it as focus node
    (`_value_shape_once`). Any other value shape goes pyshacl's way.

They replace private methods of one pyshacl release, `PYSHACL_VERSION` (pyproject.toml pins it): `apply`
refuses any other, because a private method may change its meaning without notice. Reports are the same
with and without them, result for result: tests/shapes/test_pyshacl_speedups.py validates random graphs
against shapes made to exercise each change, and tests/shapes/test_strategies.py the real programmes with
violations put in, both ways. `apply(on=False)` gives pyshacl back its own code. The validation cache's
key covers this file, so results kept from before a change here are not reused.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import version
from typing import Any
from weakref import WeakKeyDictionary

from andts.errors import AndtsError
from andts.namespaces import SH as _SH

#: The pyshacl release these changes are written against and tested with.
PYSHACL_VERSION = "0.40.1"

#: Constraint parameters whose components report each failing value node with itself as focus node, when
#: the shape is a node shape (its only value node is its focus node), and judge nothing else.
PER_VALUE = frozenset(_SH[name] for name in (
    "class", "datatype", "nodeKind", "in", "languageIn", "pattern", "flags", "minLength", "maxLength",
    "minInclusive", "maxInclusive", "minExclusive", "maxExclusive"))

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


def _per_value(shape) -> bool:  # type: ignore[no-untyped-def]
    """Whether `shape` is a node shape all of whose constraints are in PER_VALUE (kept with its shapes graph,
    which pyshacl makes anew for each validation)."""
    of_graph = _PER_VALUE_SHAPES.setdefault(shape.sg, {})
    known = of_graph.get(shape.node)
    if known is None:
        from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS

        constraints = {p for p, _ in shape.sg.predicate_objects(shape.node)
                       if p in ALL_CONSTRAINT_PARAMETERS or p in (_SH.expression, _SH.js, _SH.sparql)}
        known = (not shape.is_property_shape and bool(constraints) and constraints <= PER_VALUE
                 and not shape.find_custom_constraints())
        of_graph[shape.node] = known
    return known


_PER_VALUE_SHAPES: WeakKeyDictionary[Any, dict[Any, bool]] = WeakKeyDictionary()


def _value_shape_once(self, executor, v_shape, target_graph, focus_value_nodes, potentially_recursive,
                      _evaluation_path):  # type: ignore[no-untyped-def]
    """`QualifiedValueShapeConstraintComponent._evaluate_value_shape` with one `validate` call for all value
    nodes, when the value shape allows it (`_per_value`); pyshacl's own method otherwise."""
    from pyshacl.constraints.core.shape_based_constraints import (
        SH_QualifiedMaxCountConstraintComponent,
        SH_QualifiedMinCountConstraintComponent,
    )

    other = self.shape.get_other_shape(v_shape)
    if (not other or self.is_disjoint or (potentially_recursive and other in potentially_recursive)
            or not _per_value(other)):
        return _ORIGINAL["value"](self, executor, v_shape, target_graph, focus_value_nodes, potentially_recursive,
                                  _evaluation_path)
    values = list(dict.fromkeys(v for vs in focus_value_nodes.values() for v in vs))
    failing: set = set()
    if values:
        conforms, reports = other.validate(executor, target_graph, focus=values, _evaluation_path=_evaluation_path[:])
        if not conforms:
            # Reports carry the value shape's own severity. When it is one the caller allows, pyshacl calls
            # the shape conformant (and so every value node); otherwise each report counts against its node.
            for _text, _node, parts in reports:
                focus = next(o for _s, p, o in parts if p == _SH.focusNode)
                failing.add(focus[1] if isinstance(focus, tuple) else focus)
    non_conformant, found = False, []
    for f, value_nodes in focus_value_nodes.items():
        number_conforms = sum(1 for v in value_nodes if v not in failing)
        if self.max_count is not None and number_conforms > self.max_count:
            non_conformant = True
            found.append(self.make_v_result(target_graph, f, constraint_component=SH_QualifiedMaxCountConstraintComponent))
        if self.min_count is not None and number_conforms < self.min_count:
            non_conformant = True
            found.append(self.make_v_result(target_graph, f, constraint_component=SH_QualifiedMinCountConstraintComponent))
    return non_conformant, found


class PyshaclVersionError(AndtsError):
    """The pyshacl installed is not the release the speedups replace the private methods of."""


def installed_version() -> str:
    return version("pyshacl")


def check_version() -> None:
    """Raise PyshaclVersionError unless the installed pyshacl is PYSHACL_VERSION."""
    found = installed_version()
    if found != PYSHACL_VERSION:
        raise PyshaclVersionError(
            f"andts.pyshacl_speedups replaces private methods of pyshacl {PYSHACL_VERSION}, but pyshacl {found} "
            f"is installed: install pyshacl=={PYSHACL_VERSION} (as pyproject.toml pins it), or check the "
            "speedups against the new release (tests/shapes/test_pyshacl_speedups.py) and move the pin")


def apply(on: bool = True) -> None:
    """Make pyshacl use all three (idempotent), or give it back its own list and methods. Refuses a pyshacl
    other than PYSHACL_VERSION (PyshaclVersionError)."""
    if on:
        check_version()
    import pyshacl.shape
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
    from pyshacl.constraints.core.shape_based_constraints import PropertyConstraintComponent
    from pyshacl.constraints.core.shape_based_constraints import QualifiedValueShapeConstraintComponent as Qualified

    _ORIGINAL.setdefault("property", PropertyConstraintComponent._evaluate_property_shape)
    _ORIGINAL.setdefault("value", Qualified._evaluate_value_shape)
    _DECIDED[:] = [True]
    if on:
        pyshacl.shape.CONSTRAINT_PARAMS = (_ParameterList(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)
        PropertyConstraintComponent._evaluate_property_shape = _property_shape_once
        Qualified._evaluate_value_shape = _value_shape_once
    else:
        if hasattr(pyshacl.shape, "CONSTRAINT_PARAMS"):
            del pyshacl.shape.CONSTRAINT_PARAMS  # pyshacl caches its own list there at first use
        PropertyConstraintComponent._evaluate_property_shape = _ORIGINAL["property"]
        Qualified._evaluate_value_shape = _ORIGINAL["value"]


def at_first_use() -> None:
    """`apply`, unless it has run already (pyshacl is imported only when something is validated)."""
    if not _DECIDED:
        apply()


def applied() -> bool:
    from pyshacl.constraints.core.shape_based_constraints import PropertyConstraintComponent

    return PropertyConstraintComponent._evaluate_property_shape is _property_shape_once  # and the others with it
