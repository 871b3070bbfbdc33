# -*- Python -*-
# Runs every GoogleTest binary of the build (compiler unittests/ and the
# runtime's test/) as lit tests: each binary whose name ends in "tests".

import os

import lit.formats

config.name = "SSM-Unit"
config.suffixes = []
config.test_exec_root = config.ssm_obj_root
config.test_source_root = config.test_exec_root
config.test_format = lit.formats.GoogleTest("unittests;runtime/test", "tests")
# The build tree is this suite's root: its walk must not enter build/test,
# which holds the FileCheck suite (run on its own; else every test ran twice).
config.excludes = ["test"]
