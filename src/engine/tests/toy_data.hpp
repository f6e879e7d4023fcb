// Shared fixtures for the engine tests.
#pragma once

#include "grntorch/common.hpp"

#include <algorithm>
#include <random>

namespace grntorch_test {

// Log-expression-like data, genes x cells: non-negative with ~30% dropout zeros.
inline grntorch::Matrix toy_expr(int genes, int cells, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(2.0f, 1.0f);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  grntorch::Matrix m(genes, cells);
  for (auto& v : m.data) v = u(rng) < 0.3f ? 0.f : std::max(0.05f, nd(rng));
  return m;
}

// One LibTorch thread for the scope of a test (bit-identical runs), restored after.
struct ThreadsOne {
  int prev;
  ThreadsOne() : prev(grntorch::set_threads(1)) {}
  ~ThreadsOne() { grntorch::set_threads(prev); }
};

}  // namespace grntorch_test
