"""`python -m cnnstudio …` (also what `torchrun -m cnnstudio train …` runs)."""

import sys

from cnnstudio.cli.main import main

sys.exit(main())
