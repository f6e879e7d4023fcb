// The engine's error funnel (errors.hpp): typed out-of-memory failures and
// LibTorch errors without C++ backtraces, at the public entry points.
#include "../src/errors.hpp"

#include <catch2/catch.hpp>

#include "grntorch/deepsem.hpp"
#include "grntorch/torchscript.hpp"

#include <torch/torch.h>

#include <cstdio>
#include <string>

#include <unistd.h>

#include "toy_data.hpp"

using namespace grntorch;

namespace {

// 1e12 bytes: more than this machine can have, so under Linux overcommit
// (heuristic or strict) the allocation fails at once instead of paging.
constexpr int64_t kHugeFloats = 250000000000LL;

bool one_line_without_backtrace(const std::string& m) {
  return m.find('\n') == std::string::npos && m.find("Exception raised from") == std::string::npos &&
         m.find("frame #") == std::string::npos;
}

}  // namespace

TEST_CASE("a CPU allocation failure is OutOfMemory with its size, through torch ops", "[errors]") {
  grntorch::detail::prepare_engine();
  try {
    auto t = torch::empty({kHugeFloats}, torch::kFloat32);  // not through guarded(): the allocator itself is typed
    FAIL("allocated 1e12 bytes");
  } catch (const OutOfMemory& e) {
    CHECK(e.bytes() == Approx(4.0 * kHugeFloats));
    CHECK(one_line_without_backtrace(e.what()));
    CHECK(std::string(e.what()).find("931.3 GiB") != std::string::npos);
  }
  // A matmul whose output needs 1e12 bytes, run through the funnel.
  auto a = torch::ones({500000, 1}), b = torch::ones({1, 500000});
  try {
    grntorch::detail::guarded([&] { return torch::mm(a, b); });
    FAIL("allocated the product");
  } catch (const OutOfMemory& e) {
    CHECK(e.bytes() == Approx(1e12));
    CHECK(one_line_without_backtrace(e.what()));
  }
  // Small allocations still work and tensors free normally.
  CHECK(torch::ones({1000}).sum().item<float>() == 1000.0f);
}

TEST_CASE("std::bad_alloc becomes OutOfMemory", "[errors]") {
  CHECK_THROWS_AS(grntorch::detail::guarded([]() -> int { throw std::bad_alloc(); }), OutOfMemory);
}

TEST_CASE("a LibTorch error becomes EngineError without the C++ backtrace", "[errors]") {
  try {
    grntorch::detail::guarded([] { return torch::ones({4}).view({3}); });
    FAIL("bad view accepted");
  } catch (const OutOfMemory&) {
    FAIL("not an allocation failure");
  } catch (const EngineError& e) {
    const std::string m = e.what();
    CHECK(m.find("invalid for input of size 4") != std::string::npos);
    CHECK(one_line_without_backtrace(m));
  }
  // InvalidArgument and Interrupted pass through unchanged.
  CHECK_THROWS_AS(grntorch::detail::guarded([]() -> int { throw InvalidArgument("x: bad"); }), InvalidArgument);
  CHECK_THROWS_AS(grntorch::detail::guarded([]() -> int { throw Interrupted(); }), Interrupted);
  CHECK_THROWS_AS(grntorch::detail::guarded([]() -> int { throw std::runtime_error("plain"); }), EngineError);
}

TEST_CASE("public entry points: misuse gives a clean classed error", "[errors]") {
  // device "cuda" on a CPU-only LibTorch: an argument error naming the device.
  auto x = grntorch_test::toy_expr(6, 12, 2);
  DeepSEMOptions o;
  o.epochs = 1;
  o.device = "cuda";
  if (!runtime_info().cuda_available) {
    try {
      deepsem_fit(x, o);
      FAIL("cuda accepted");
    } catch (const InvalidArgument& e) {
      CHECK(std::string(e.what()).find("device") != std::string::npos);
      CHECK(one_line_without_backtrace(e.what()));
    }
  }
  // A LibTorch archive that is not a DeepSEM model: LibTorch's own error, as EngineError.
  const std::string path = "/tmp/grntorch_errors_test_" + std::to_string(::getpid()) + ".pt";
  write_torchscript_fixture(path, 2, false, 1);
  try {
    DeepSEMModel::load(path);
    FAIL("loaded a TorchScript module as a DeepSEM model");
  } catch (const InvalidArgument& e) {
    CHECK(one_line_without_backtrace(e.what()));
  } catch (const EngineError& e) {
    CHECK(one_line_without_backtrace(e.what()));
  }
  std::remove(path.c_str());
}
