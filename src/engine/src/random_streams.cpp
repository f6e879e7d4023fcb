// The engine's one random-stream rule (see random_streams.hpp).
#include "random_streams.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>

namespace grntorch {
namespace detail {

at::Generator seeded_generator(std::uint64_t seed) {
  return at::make_generator<at::CPUGeneratorImpl>(seed);
}

SeedScope::SeedScope(std::uint64_t seed) {
  auto gen = at::detail::getDefaultCPUGenerator();
  // As torch::manual_seed() does (Note [Acquire lock when using random generators]).
  std::lock_guard<std::mutex> lock(gen.mutex());
  saved_ = gen.get_state();
  gen.set_current_seed(seed);
}

SeedScope::~SeedScope() {
  try {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(saved_);
  } catch (...) {
    // A destructor must not throw; the state is then left as the fit left it.
  }
}

}  // namespace detail
}  // namespace grntorch
