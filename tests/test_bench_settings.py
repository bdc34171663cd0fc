"""The live benches start the app as production runs it.

``bench.votes`` and ``bench.fanout`` serve the app under gunicorn with production settings.
When production began refusing the per-process ``memory://`` limit store, their settings
still asked for it, and both benches stopped at start-up; this test would have said so.
"""

from __future__ import annotations

from bench.live_support import server_env
from wiki import create_app


def test_the_live_benches_settings_are_ones_production_accepts(monkeypatch, tmp_path):
    for name, value in server_env(f"sqlite:///{tmp_path / 'bench.sqlite3'}").items():
        monkeypatch.setenv(name, value)
    app = create_app()
    assert app.config["ENV"] == "production"
    assert app.config["RATELIMIT_STORAGE_URI"] == "database://"
