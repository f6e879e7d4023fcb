// The engine's error funnel (errors.hpp): typed out-of-memory failures and
// LibTorch errors without C++ backtraces, at the public entry points.
#include "../src/errors.hpp"

#include <torch/torch.h>  // before Catch2: c10's logging macros would replace CHECK

#include <catch2/catch.hpp>

#include "grntorch/deepsem.hpp"
#include "grntorch/torchscript.hpp"

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

// What a call threw: the engine type (the most derived of ours), what(), bytes.
struct Thrown {
  std::string type = "nothing";
  std::string what;
  double bytes = -1;
};

template <class F>
Thrown thrown_by(F&& f) {
  Thrown t;
  try {
    f();
  } catch (const OutOfMemory& e) {
    t = Thrown{"OutOfMemory", e.what(), e.bytes()};
  } catch (const EngineError& e) {
    t = Thrown{"EngineError", e.what()};
  } catch (const InvalidArgument& e) {
    t = Thrown{"InvalidArgument", e.what()};
  } catch (const Interrupted& e) {
    t = Thrown{"Interrupted", e.what()};
  } catch (const std::exception& e) {
    t = Thrown{"other", e.what()};
  }
  return t;
}

}  // namespace

TEST_CASE("a CPU allocation failure is OutOfMemory with its size, through torch ops", "[errors]") {
  grntorch::detail::prepare_engine();
  // Not through guarded(): the allocator itself throws the typed error.
  Thrown t = thrown_by([] { return torch::empty({kHugeFloats}, torch::kFloat32); });
  CHECK(t.type == "OutOfMemory");
  CHECK(t.bytes == Approx(4.0 * kHugeFloats));
  CHECK(one_line_without_backtrace(t.what));
  CHECK(t.what.find("931.3 GiB") != std::string::npos);
  // A matmul whose output needs 1e12 bytes, run through the funnel.
  auto a = torch::ones({500000, 1}), b = torch::ones({1, 500000});
  t = thrown_by([&] { return grntorch::detail::guarded([&] { return torch::mm(a, b); }); });
  CHECK(t.type == "OutOfMemory");
  CHECK(t.bytes == Approx(1e12));
  CHECK(one_line_without_backtrace(t.what));
  // Small allocations still work and tensors free normally.
  CHECK(torch::ones({1000}).sum().item<float>() == 1000.0f);
}

TEST_CASE("std::bad_alloc becomes OutOfMemory", "[errors]") {
  CHECK(thrown_by([] { grntorch::detail::guarded([]() -> int { throw std::bad_alloc(); }); }).type == "OutOfMemory");
}

TEST_CASE("a LibTorch error becomes EngineError without the C++ backtrace", "[errors]") {
  Thrown t = thrown_by([] { return grntorch::detail::guarded([] { return torch::ones({4}).view({3}); }); });
  CHECK(t.type == "EngineError");
  CHECK(t.what.find("invalid for input of size 4") != std::string::npos);
  CHECK(one_line_without_backtrace(t.what));
  // InvalidArgument and Interrupted pass through unchanged; other exceptions become EngineError.
  using grntorch::detail::guarded;
  CHECK(thrown_by([] { guarded([]() -> int { throw InvalidArgument("x: bad"); }); }).type == "InvalidArgument");
  CHECK(thrown_by([] { guarded([]() -> int { throw Interrupted(); }); }).type == "Interrupted");
  CHECK(thrown_by([] { guarded([]() -> int { throw std::runtime_error("plain"); }); }).type == "EngineError");
}

TEST_CASE("public entry points: misuse gives a clean classed error", "[errors]") {
  // device "cuda" on a CPU-only LibTorch: an argument error naming the device.
  auto x = grntorch_test::toy_expr(6, 12, 2);
  DeepSEMOptions o;
  o.epochs = 1;
  o.device = "cuda";
  if (!runtime_info().cuda_available) {
    Thrown t = thrown_by([&] { deepsem_fit(x, o); });
    CHECK(t.type == "InvalidArgument");
    CHECK(t.what.find("device") != std::string::npos);
    CHECK(one_line_without_backtrace(t.what));
  }
  // A LibTorch archive that is not a DeepSEM model: LibTorch's own error, as EngineError.
  const std::string path = "/tmp/grntorch_errors_test_" + std::to_string(::getpid()) + ".pt";
  write_torchscript_fixture(path, 2, false, 1);
  Thrown t = thrown_by([&] { DeepSEMModel::load(path); });
  std::remove(path.c_str());
  INFO(t.what);
  CHECK((t.type == "EngineError" || t.type == "InvalidArgument"));
  CHECK(one_line_without_backtrace(t.what));
}
