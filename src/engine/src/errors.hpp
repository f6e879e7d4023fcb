// The engine's one error funnel (internal; torch-free header, the
// implementation lives in errors.cpp).
//
// Every public engine entry point runs its body through guarded(), so that
// callers (the R glue, the tools) only ever see the exception types of
// grntorch/common.hpp:
//   InvalidArgument, Interrupted, EngineError, OutOfMemory   pass through;
//   c10::OutOfMemoryError, std::bad_alloc                    -> OutOfMemory;
//   any other c10::Error  -> EngineError(what_without_backtrace())  (no C++ backtrace);
//   any other std::exception -> EngineError(what()).
// LibTorch's CPU allocation failures are typed at the source: prepare_engine()
// installs (once) a CPU allocator that delegates to LibTorch's default one and
// throws OutOfMemory with the requested size when it fails (Debian's LibTorch
// 1.13 reports that failure as a plain c10::Error).
#pragma once

#include <cstddef>
#include <utility>

namespace grntorch {
namespace detail {

// Installs the OutOfMemory-throwing CPU allocator wrapper (idempotent, thread-safe).
void prepare_engine();

// Call only inside a catch block: rethrows the exception being handled as one
// of the engine's types (see above).
[[noreturn]] void rethrow_engine_error();

// Throws OutOfMemory for a failed request of `bytes` bytes (one-line message).
[[noreturn]] void throw_out_of_memory(std::size_t bytes);

// Runs f() with the engine's error translation.
template <class F>
auto guarded(F&& f) -> decltype(std::forward<F>(f)()) {
  prepare_engine();
  try {
    return std::forward<F>(f)();
  } catch (...) {
    rethrow_engine_error();
  }
}

}  // namespace detail
}  // namespace grntorch
