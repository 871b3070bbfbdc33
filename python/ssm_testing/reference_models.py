"""Moved into the ssmc package (``ssmc.reference_models``), so a pip-installed ssmc
has it; this name stays an alias of that module for the tests and tools."""

import sys

from ssmc import reference_models as _moved

sys.modules[__name__] = _moved
