// RegDiffusion internals with torch types, for the engine tests.  Not a
// public header: include only from src/engine/src/*.cpp and src/engine/tests/*.cpp.
#pragma once

#include "grntorch/regdiffusion.hpp"
#include "regdiffusion_kernels.hpp"

#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <vector>

namespace grntorch {
namespace rd {

// sign(x) * max(0, |x| - tau): the reference's soft threshold of A.
inline float soft_threshold(float x, float tau) {
  const float a = std::fabs(x) - tau;
  if (!(a > 0.0f)) return 0.0f;
  return x > 0.0f ? a : -a;
}

// Counter-based dropout masks: element k of stream `key` is kept when
// uniform(key, k) > p.  Two rounds of a 32-bit integer hash keyed by the
// stream, so masks do not depend on the thread count and need no storage.
inline std::uint32_t hash32(std::uint32_t x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}
struct DropKey {
  std::uint32_t k1 = 0, k2 = 0;
  std::uint32_t threshold = 0;  // keep when the 32-bit draw is >= threshold (about p * 2^32)
  float scale = 1.0f;           // 1 / (1 - p)
  bool off = true;              // p == 0: keep everything, scale 1
  bool keep(std::uint64_t k) const {
    if (off) return true;
    return hash32(hash32(static_cast<std::uint32_t>(k) ^ k1) + k2 + static_cast<std::uint32_t>(k >> 32)) >= threshold;
  }
};
// The key of a stream from the run's seed, the step and a stream number.
DropKey drop_key(std::uint64_t seed, std::int64_t step, std::uint32_t stream, double p);

// The nets (everything but A).  Linear weights are (out, in) as in PyTorch.
struct Block {
  torch::Tensor l1_w, l1_b, l2_w, l2_b, t_w, t_b, c_w, c_b;
};
struct Nets {
  torch::Tensor time_w, time_b;  // Linear(time_dim -> time_dim) after the sinusoidal embedding
  torch::Tensor gene_emb;        // n x (hidden - 1), N(0, 1)
  torch::Tensor ct_emb;          // celltype_dim (the one cell type's embedding), N(0, 1)
  std::vector<Block> blocks;
  torch::Tensor final_w, final_b;  // Linear(hidden - 1 -> 1): (1, hidden - 1), (1)
  std::vector<torch::Tensor> parameters() const;
  void init(int n, const RegDiffusionOptions& o, at::Generator& gen);
};

// The sinusoidal embedding of the (integer) time steps t (float, b) -> b x time_dim.
torch::Tensor time_embedding(const torch::Tensor& t, int time_dim);

// The per-gene features before the adjacency, reduced by the final layer's
// weight: u (b x n) = h_last . final_w (autograd through the nets).  `masks`:
// one dropout multiplier (b x n x (hidden - 1), values 0 or 1/(1-p)) per
// block, or empty for evaluation.
torch::Tensor features(const Nets& nets, const torch::Tensor& xt, const torch::Tensor& t,
                       const std::vector<torch::Tensor>& masks, int time_dim);

// The dropout multipliers of one block's first layer: b x n x D values 0 or
// 1/(1-p), element ((o n + g) D + j) from stream `key` (the fused kernels draw
// the same masks).
torch::Tensor dropout_mask(int64_t b, int64_t n, int64_t D, const DropKey& key);

// The same u as features() with the dropout streams of training step `step`
// (block k: stream k + 1), by the fused CPU kernels (two blocks only).
torch::Tensor features_fused(const Nets& nets, const torch::Tensor& xt, const torch::Tensor& t, int time_dim,
                             std::uint64_t seed, std::int64_t step, double p);

// C = soft(A, tau) o offdiag o dropout (n x n, CPU float32).  Returns the sum
// of soft(A, tau) o offdiag (the sparsity term before its coefficient / n^2).
double build_c(const torch::Tensor& A, torch::Tensor& C, float tau, const DropKey& drop);

// The kernels' form of a dropout key.
rdk::Drop to_drop(const DropKey& k);

// The gradient of the loss with respect to A (before weight decay) from
// gC = dL/dC and the sparsity coefficient per entry (0 when off).
torch::Tensor grad_a(const torch::Tensor& A, const torch::Tensor& gC, float tau, const DropKey& drop, float sparse_coef);

}  // namespace rd
}  // namespace grntorch
