"""pytest setup for python/test: make python/ importable (ssm_testing, ssmc)
and the build's extension modules findable (build/python/ssmc/, or
$SSM_BUILD_DIR/python/ssmc/; see ssmc/_ext.py)."""

import os
import sys

_PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _PYTHON_DIR not in sys.path:
    sys.path.insert(0, _PYTHON_DIR)

_BUILD_PYTHON_DIR = os.path.join(
    os.environ.get("SSM_BUILD_DIR", os.path.join(os.path.dirname(_PYTHON_DIR), "build")), "python")
if os.path.isdir(_BUILD_PYTHON_DIR) and _BUILD_PYTHON_DIR not in sys.path:
    sys.path.append(_BUILD_PYTHON_DIR)
