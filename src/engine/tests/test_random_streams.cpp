// The engine's one random-stream rule (random_streams.hpp): a fit seeds the
// global CPU generator for its duration and restores it; explicit streams come
// from seeded_generator().  Both must draw exactly what the code they replaced
// drew (torch::manual_seed, at::make_generator / at::detail::createCPUGenerator).
#include "../src/random_streams.hpp"

#include <torch/torch.h>  // before Catch2: c10's logging macros would replace CHECK

#include <catch2/catch.hpp>

#include <ATen/CPUGeneratorImpl.h>

#include "grntorch/torchscript.hpp"

#include <cstdio>
#include <stdexcept>
#include <string>

#include <unistd.h>

using grntorch::detail::SeedScope;
using grntorch::detail::seeded_generator;

namespace {

// A few draws of each kind the models make: normal (init, noise), uniform, a permutation.
torch::Tensor draws(at::Generator gen) {
  return torch::cat({torch::randn({7}, gen, torch::kFloat64), torch::rand({5}, gen, torch::kFloat64),
                     torch::randperm(9, gen, torch::kLong).to(torch::kFloat64),
                     torch::randn({3}, gen, torch::kFloat32).to(torch::kFloat64)});
}
torch::Tensor global_draws() {
  return torch::cat({torch::randn({7}, torch::kFloat64), torch::rand({5}, torch::kFloat64),
                     torch::randperm(9, torch::kLong).to(torch::kFloat64),
                     torch::randn({3}, torch::kFloat32).to(torch::kFloat64)});
}

}  // namespace

TEST_CASE("seeded_generator draws what make_generator and createCPUGenerator drew", "[random]") {
  for (std::uint64_t seed : {0ULL, 1ULL, 3ULL, 4503599627370496ULL, 5ULL ^ 0x9E3779B97F4A7C15ULL}) {
    const auto a = draws(seeded_generator(seed));
    CHECK(torch::equal(a, draws(at::make_generator<at::CPUGeneratorImpl>(seed))));
    CHECK(torch::equal(a, draws(at::detail::createCPUGenerator(seed))));
  }
}

TEST_CASE("SeedScope draws what torch::manual_seed drew and restores the global stream", "[random]") {
  torch::manual_seed(11);
  const auto before = global_draws();
  const auto after_ref = global_draws();  // where the global stream goes next, without a scope
  torch::manual_seed(7);
  const auto seeded_ref = global_draws();

  torch::manual_seed(11);
  CHECK(torch::equal(global_draws(), before));
  {
    SeedScope scope(7);
    CHECK(torch::equal(global_draws(), seeded_ref));
    {
      SeedScope inner(7);  // scopes nest
      CHECK(torch::equal(global_draws(), seeded_ref));
    }
    CHECK_FALSE(torch::equal(global_draws(), seeded_ref));  // the outer scope's stream goes on
  }
  CHECK(torch::equal(global_draws(), after_ref));

  // An exception out of the scope restores too.
  torch::manual_seed(11);
  global_draws();
  try {
    SeedScope scope(7);
    global_draws();
    throw std::runtime_error("stop");
  } catch (const std::runtime_error&) {
  }
  CHECK(torch::equal(global_draws(), after_ref));
}

TEST_CASE("a seeded engine call leaves the global generator as it found it", "[random]") {
  const std::string path = "/tmp/grntorch_random_streams_" + std::to_string(getpid()) + ".pt";
  torch::manual_seed(21);
  global_draws();
  const auto ref = global_draws();
  torch::manual_seed(21);
  global_draws();
  grntorch::write_torchscript_fixture(path, 4, false, 3);  // draws its weights inside a SeedScope(3)
  std::remove(path.c_str());
  CHECK(torch::equal(global_draws(), ref));
}
