"""Writes docs/tf1_unsupported.md from graphrnn.compat.unsupported.UNSUPPORTED (the one list).

Run after editing the list: ``python docs/make_tf1_unsupported.py``. tests/compat checks the file
is current.
"""

from __future__ import annotations

import os

from graphrnn.compat.unsupported import render_markdown
from graphrnn.io.atomic import write_text


def main() -> None:
    write_text(os.path.join(os.path.dirname(os.path.abspath(__file__)), "tf1_unsupported.md"), render_markdown())


if __name__ == "__main__":
    main()
