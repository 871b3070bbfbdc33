# -*- Python -*-
# lit configuration for the ssm FileCheck tests (test/Unit runs the gtests).

import os
import sys

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "SSM"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.ssm_obj_root, "test")
config.excludes = ["Unit", "CMakeLists.txt", "README.md", "lit.cfg.py",
                   "lit.site.cfg.py"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
# RUN lines that write small input files use only the standard library.
config.substitutions.append(("%python", sys.executable))
llvm_config.with_system_environment(["HOME", "INCLUDE", "LIB", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
# mlir-runner's support libraries (tests that run lowered IR on the CPU).
config.substitutions.append(
    ("%mlir_lib_dir", os.path.join(os.path.dirname(config.llvm_tools_dir), "lib")))
tools = [
    ToolSubst("ssm-opt", unresolved="fatal"),
    ToolSubst("ssm-compile", unresolved="fatal"),
    ToolSubst("ssm-run", unresolved="fatal"),
]
llvm_config.add_tool_substitutions(tools, [config.ssm_tools_dir, config.llvm_tools_dir])
