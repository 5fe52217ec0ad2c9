"""``python -m agent.cli``: the same as the ``mock-interview`` command."""

import sys

from agent.cli.main import main

sys.exit(main())
