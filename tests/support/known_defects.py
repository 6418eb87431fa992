"""The file with known defects (tests/cli/fixtures/known-defects.ttl) and exactly what validating it must
report, (shape, focus node, severity): shared by the command-line and the /validate tests."""

from __future__ import annotations

from pathlib import Path

KNOWN_DEFECTS = Path(__file__).parents[1] / "cli" / "fixtures" / "known-defects.ttl"
SHAPES = "https://w3id.org/andts/shapes/"
ID = "https://w3id.org/andts/id/"
PROGRAMME = ID + "programme/testkommun-andts-2024-2027"

DEFECTS = {
    (SHAPES + "Programme-period", PROGRAMME, "Violation"),
    (SHAPES + "Activity-focusArea", PROGRAMME + "/focus-area/1.1/activity/2", "Violation"),
    (SHAPES + "Goal-description", PROGRAMME + "/goal/9", "Warning"),
}
