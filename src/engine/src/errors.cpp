// The engine's error funnel and the typed CPU allocation failure (see errors.hpp).
#include "errors.hpp"

#include "grntorch/common.hpp"

#include <c10/core/CPUAllocator.h>
#include <c10/util/Exception.h>

#include <cstdio>
#include <mutex>
#include <new>
#include <string>

namespace grntorch {
namespace detail {

namespace {

std::string human_bytes(std::size_t bytes) {
  char buf[64];
  const double b = static_cast<double>(bytes);
  if (b >= 1024.0 * 1024 * 1024) std::snprintf(buf, sizeof buf, "%.1f GiB", b / (1024.0 * 1024 * 1024));
  else if (b >= 1024.0 * 1024) std::snprintf(buf, sizeof buf, "%.1f MiB", b / (1024.0 * 1024));
  else std::snprintf(buf, sizeof buf, "%zu bytes", bytes);
  return buf;
}

// The first line of a message (CUDA's out-of-memory text may carry advice on
// further lines; the engine's messages are one line).
std::string first_line(const std::string& s) {
  const auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

// LibTorch's default CPU allocator with a typed failure: whatever the
// default allocator throws for a request is an allocation failure of that
// request (it has no other failure), reported as OutOfMemory with its size.
class TypedFailureCPUAllocator final : public c10::Allocator {
 public:
  explicit TypedFailureCPUAllocator(c10::Allocator* inner) : inner_(inner) {}
  c10::DataPtr allocate(size_t n) const override {
    try {
      return inner_->allocate(n);
    } catch (const c10::Error&) {
      throw_out_of_memory(n);
    } catch (const std::bad_alloc&) {
      throw_out_of_memory(n);
    }
  }
  c10::DeleterFnPtr raw_deleter() const override { return inner_->raw_deleter(); }

 private:
  c10::Allocator* inner_;
};

}  // namespace

void prepare_engine() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Static lifetime: tensors allocated through it may outlive any scope.
    static TypedFailureCPUAllocator* wrapper = new TypedFailureCPUAllocator(c10::GetDefaultCPUAllocator());
    c10::SetCPUAllocator(wrapper);
  });
}

void throw_out_of_memory(std::size_t bytes) {
  throw OutOfMemory("out of memory: could not allocate " + human_bytes(bytes) + " (" + std::to_string(bytes) +
                        " bytes); use less data, smaller batches or a machine with more memory",
                    static_cast<double>(bytes));
}

void rethrow_engine_error() {
  try {
    throw;
  } catch (const InvalidArgument&) {
    throw;
  } catch (const Interrupted&) {
    throw;
  } catch (const EngineError&) {  // OutOfMemory included
    throw;
  } catch (const c10::OutOfMemoryError& e) {
    throw OutOfMemory("out of memory: " + first_line(e.what_without_backtrace()));
  } catch (const std::bad_alloc&) {
    throw OutOfMemory("out of memory (a memory allocation failed); use less data or a machine with more memory");
  } catch (const c10::Error& e) {
    throw EngineError(e.what_without_backtrace());
  } catch (const std::exception& e) {
    throw EngineError(e.what());
  } catch (...) {
    throw EngineError("unknown error in the engine");
  }
}

}  // namespace detail
}  // namespace grntorch
