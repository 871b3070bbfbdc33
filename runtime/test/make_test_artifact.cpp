//===- make_test_artifact.cpp - Writes the test module as an .ssmb --------===//
//
// Part of the ssmc project. Used by the ssm-run CTest smoke tests:
//   make-test-artifact <out.ssmb> [<kernels.so>]
// writes buildTestModule() (see kernel_artifacts.h) over the test kernel
// library.
//
//===----------------------------------------------------------------------===//

#include "kernel_artifacts.h"

#include <cstdio>

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr,
                 "usage: make-test-artifact <out.ssmb> [<kernels.so>]\n");
    return 1;
  }
  std::string so = argc == 3 ? argv[2] : ssmrt::test::testKernelsPath();
  ssmrt::Expected<std::vector<uint8_t>> bytes = ssmrt::test::readFileBytes(so);
  if (!bytes.ok()) {
    std::fprintf(stderr, "make-test-artifact: %s\n",
                 bytes.status().toString().c_str());
    return 1;
  }
  ssmrt::Expected<std::vector<uint8_t>> module =
      ssmrt::test::buildTestModule(*bytes);
  if (!module.ok()) {
    std::fprintf(stderr, "make-test-artifact: %s\n",
                 module.status().toString().c_str());
    return 1;
  }
  ssmrt::Status written = ssmrt::test::writeFileBytes(argv[1], *module);
  if (!written.ok()) {
    std::fprintf(stderr, "make-test-artifact: %s\n",
                 written.toString().c_str());
    return 1;
  }
  return 0;
}
