// The engine's one random-stream rule (internal; implemented in random_streams.cpp).
//
//   Every fit that draws random numbers runs inside a SeedScope made from its
//   seed, and takes any generator it passes explicitly from seeded_generator().
//
// 1. SeedScope(seed) seeds LibTorch's global CPU generator with the fit's seed
//    (exactly what torch::manual_seed(seed) does to that generator) for the
//    scope's lifetime, and puts the generator's previous state back when the
//    scope ends, normally or by an exception.  So a fit neither depends on nor
//    changes the global stream of the code around it.  The draws that take no
//    explicit generator come from it: module initialisation, dropout,
//    torch::randperm's shuffles.  The CUDA generators are neither seeded nor
//    touched: a model that needs random numbers on CUDA draws them on the CPU
//    and moves them (as DeepSEM does).
// 2. seeded_generator(seed) is a fresh CPU generator seeded with the fit's
//    seed: the one way to make an explicit stream.  A further stream of the
//    same fit that must be independent of the first uses the seed XOR a fixed
//    constant written beside its use (InfoSEM's prior).
//
// Which stream a draw comes from is part of a model's results: moving a draw
// from one stream to the other changes every seed's network.  Today DeepSEM
// and InfoSEM draw only from explicit generators (initialisation, the cell
// permutation, the noise); GENELink, GNNLink, scRegNet, scTransNet and
// scUniGP from the global one, and from an explicit one for the randomized
// SVD of the cell axis (link::cell_axis_features).
#pragma once

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <cstdint>

namespace grntorch {
namespace detail {

// A fresh CPU generator seeded with `seed`.
at::Generator seeded_generator(std::uint64_t seed);

// Seeds LibTorch's global CPU generator for the lifetime of the scope, then
// restores its previous state (see above).  Scopes nest.
class SeedScope {
 public:
  explicit SeedScope(std::uint64_t seed);
  ~SeedScope();
  SeedScope(const SeedScope&) = delete;
  SeedScope& operator=(const SeedScope&) = delete;

 private:
  at::Tensor saved_;  // the global CPU generator's state before the scope
};

}  // namespace detail
}  // namespace grntorch
