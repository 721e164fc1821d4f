"""Open CNN Studio: `python main.py [design.cnn.json]` (the same as the `cnnstudio` command)."""

import sys

from cnnstudio.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
