//===- mapped_file_test.cpp - Tests for MappedFile and ArtifactFile -------===//
//
// Part of the ssmc project.
//
//===----------------------------------------------------------------------===//

#include "ssmrt/core/mapped_file.h"
#include "ssmrt/format/reader.h"

#include "test_util.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace ssmrt {
namespace {

using namespace ssmrt::format;
using test::Bytes;

/// A unique temporary directory, removed (with its files) at the end.
class TempDir {
public:
  TempDir() {
    const char *base = std::getenv("TMPDIR");
    std::string tmpl =
        std::string(base && *base ? base : "/tmp") + "/ssmrt-test-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    const char *made = ::mkdtemp(buf.data());
    EXPECT_NE(made, nullptr);
    path_ = made ? made : "";
  }
  ~TempDir() {
    for (const std::string &f : files_)
      ::unlink(f.c_str());
    if (!path_.empty())
      ::rmdir(path_.c_str());
  }
  std::string write(const std::string &name, const Bytes &bytes) {
    std::string p = path_ + "/" + name;
    FILE *f = std::fopen(p.c_str(), "wb");
    EXPECT_NE(f, nullptr);
    if (f) {
      if (!bytes.empty()) {
        EXPECT_EQ(std::fwrite(bytes.data(), 1, bytes.size(), f), bytes.size());
      }
      std::fclose(f);
    }
    files_.push_back(p);
    return p;
  }
  const std::string &path() const { return path_; }

private:
  std::string path_;
  std::vector<std::string> files_;
};

TEST(MappedFileTest, MapsWholeFile) {
  TempDir dir;
  Bytes content = {1, 2, 3, 4, 5};
  std::string p = dir.write("five.bin", content);
  Expected<MappedFile> f = MappedFile::openReadOnly(p);
  ASSERT_TRUE(f.ok()) << f.status().toString();
  ASSERT_EQ(f->size(), 5u);
  EXPECT_EQ(Bytes(f->data(), f->data() + f->size()), content);
  EXPECT_EQ(f->path(), p);
  // Moves keep the mapping.
  MappedFile moved = std::move(f).value();
  EXPECT_EQ(moved.size(), 5u);
  EXPECT_EQ(moved.data()[4], 5);
}

TEST(MappedFileTest, EmptyFile) {
  TempDir dir;
  Expected<MappedFile> f = MappedFile::openReadOnly(dir.write("e", {}));
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->size(), 0u);
  EXPECT_EQ(f->data(), nullptr);
}

TEST(MappedFileTest, MissingFile) {
  TempDir dir;
  std::string p = dir.path() + "/does-not-exist.ssmb";
  Expected<MappedFile> f = MappedFile::openReadOnly(p);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::NotFound);
  EXPECT_EQ(f.status().message(),
            "cannot open '" + p + "': No such file or directory");
}

TEST(MappedFileTest, Directory) {
  TempDir dir;
  Expected<MappedFile> f = MappedFile::openReadOnly(dir.path());
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::InvalidArgument);
  EXPECT_NE(f.status().message().find("not a regular file"), std::string::npos)
      << f.status().message();
}

TEST(ArtifactFileTest, OpensValidArtifact) {
  TempDir dir;
  Bytes bytes = test::buildSampleModule();
  std::string p = dir.write("model.ssmb", bytes);
  Expected<ArtifactFile> f = ArtifactFile::openPath(p);
  ASSERT_TRUE(f.ok()) << f.status().toString();
  EXPECT_EQ(f->path(), p);
  const ArtifactView &view = f->view();
  EXPECT_EQ(view.size(), bytes.size());
  EXPECT_EQ(view.entryCount(), 3u);
  EXPECT_TRUE(test::exerciseAllAccessors(view).ok());
  // The mapping is page-aligned, so section data is 64-byte aligned in
  // memory.
  Expected<KernelObject> obj = view.kernelObject(1);
  ASSERT_TRUE(obj.ok());
  EXPECT_EQ(reinterpret_cast<uintptr_t>(obj->data) % 64, 0u);
  // Moving the file object keeps the view valid.
  ArtifactFile moved = std::move(f).value();
  EXPECT_TRUE(test::exerciseAllAccessors(moved.view()).ok());
}

TEST(ArtifactFileTest, ErrorsNameThePath) {
  TempDir dir;
  Bytes bytes = test::buildSampleModule();
  bytes.resize(bytes.size() - 10);
  std::string p = dir.write("cut.ssmb", bytes);
  Expected<ArtifactFile> f = ArtifactFile::openPath(p);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::DataLoss);
  EXPECT_EQ(f.status().message(),
            "'" + p + "': truncated: file is " + std::to_string(bytes.size()) +
                " bytes, header says " + std::to_string(bytes.size() + 10));

  Expected<ArtifactFile> empty = ArtifactFile::openPath(dir.write("e", {}));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), StatusCode::DataLoss);

  Expected<ArtifactFile> missing = ArtifactFile::openPath(dir.path() + "/nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::NotFound);
}

TEST(ArtifactFileTest, UnreadableFile) {
  if (::geteuid() == 0)
    GTEST_SKIP() << "root can read files without read permission";
  TempDir dir;
  std::string p = dir.write("locked.ssmb", test::buildSampleModule());
  ASSERT_EQ(::chmod(p.c_str(), 0), 0);
  Expected<ArtifactFile> f = ArtifactFile::openPath(p);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::FailedPrecondition);
  EXPECT_NE(f.status().message().find("Permission denied"), std::string::npos);
}

} // namespace
} // namespace ssmrt
