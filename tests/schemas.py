"""Where the c3voc schedule schemas are: the workspace's ``../shared/schemas``.

They are not copied into the repository: voc/schedule publishes them without a licence of
their own (its package says EUPL-1.2), which this MIT project does not take in. The tests
read them where the workspace keeps them; ``CAMPWIKI_SCHEMAS`` points elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_REPO = Path(__file__).resolve().parent.parent
_PLACES = [
    os.environ.get("CAMPWIKI_SCHEMAS", ""),
    str(_REPO.parent / "shared" / "schemas"),
    "/work/shared/schemas",
]


def schemas_dir() -> Path:
    """Return the folder holding the schemas, or skip (saying why) where there is none."""
    for place in _PLACES:
        if place and (Path(place) / "schedule.xml.xsd").exists():
            return Path(place)
    if os.environ.get("CAMPWIKI_REQUIRE_BROWSER"):  # CI: everything must run
        pytest.fail(f"the c3voc schemas are in none of {_PLACES}")
    pytest.skip("the c3voc schemas are not here: set CAMPWIKI_SCHEMAS to their folder")
