"""Run the server with the rule judge: ``serve_rules.py DATABASE PORT [MODERATOR PASSWORD]``.

Used by the tests that need a real process (SIGKILL, browser). Settings come from STEELMAN_*.
"""

from __future__ import annotations

import os
import sys

import uvicorn
from serverkit import RuleJudge

from steelman.server import create_app, load_settings
from steelman.server.auth import add_moderator


def main() -> None:
    database, port = sys.argv[1], int(sys.argv[2])
    settings = load_settings(env=os.environ, database=database, port=port, rejudge_interval_s=0.0)
    app = create_app(settings, judge=RuleJudge())
    if len(sys.argv) > 4 and app.state.steelman.store.user(sys.argv[3]) is None:
        add_moderator(app.state.steelman.store, sys.argv[3], sys.argv[4])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main()
