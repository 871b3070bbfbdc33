// The repository stands on its own: no file refers to a specification or
// style guide outside it (scripts/check_self_contained.py lists the
// patterns). The second half plants such a citation in a scratch tree to show
// that the check fails on one.
// RUN: %python %S/../../scripts/check_self_contained.py %S/../.. | FileCheck %s
// RUN: rm -rf %t && mkdir -p %t/docs
// RUN: %python -c "import sys; open(sys.argv[1], 'w').write('see ../' + 'sha' + 'red/sp' + 'ec/MOD' + 'ELS.md section 6\n')" %t/docs/note.md
// RUN: not %python %S/../../scripts/check_self_contained.py %t | FileCheck %s --check-prefix=BAD

// CHECK: ok: no references outside the repository

// BAD: docs/note.md:1: refers to
// BAD: reference(s) to files outside the repository
