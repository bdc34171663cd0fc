"""What a pure core pulls in when imported alone, for the tests that keep it pure."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def modules_loaded_by(*names: str) -> list[str]:
    """Import ``names`` in a fresh interpreter and return every module it then holds.

    A bare ``wiki`` package stands in for the app's, whose ``__init__`` imports Flask: the
    question is what the named modules themselves pull in.
    """
    code = (
        "import sys, types, json\n"
        f"pkg = types.ModuleType('wiki'); pkg.__path__ = [{str(ROOT / 'wiki')!r}]\n"
        "sys.modules['wiki'] = pkg\n"
        f"import {', '.join(names)}\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    )
    return json.loads(done.stdout)
