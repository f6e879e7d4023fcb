// Fused CPU kernels of RegDiffusion (internal; no torch): the per-gene nets
// (2 blocks) forward and backward, and the passes over the genes x genes
// adjacency.  See regdiffusion_kernels.cpp.
#pragma once

#include <cstdint>
#include <vector>

namespace grntorch {
namespace rdk {

// A dropout stream (see rd::DropKey): element k is kept when
// hash32(hash32(k ^ k1) + k2) >= threshold (indices below 2^32).
struct Drop {
  std::uint32_t k1 = 0, k2 = 0, threshold = 0;
  float scale = 1.0f;
  bool off = true;
};

// The per-gene nets with two blocks, for one batch.  Row (o, g) of the batch
// (cell o, gene g) runs
//   block 0: a = tanh(w10 tanh(x) + P[g]); s = a * mask0 + te0[o] + ce0; h = tanh(W2_0 s + b2_0)
//   block 1: a = tanh(W1b [h, x] + b1b); s = a * mask1 + te1[o] + ce1; h = tanh(W2_1 s + b2_1)
//   u = wf . h
// where P[g] = W1_0[:, 1:] tanh(gene_emb[g]) + b1_0 (computed outside).
// Dimensions: x, u: b x n; te*: b x D; ce*, w10, b*, wf: D; P: n x D;
// W1b: D x (D + 1); W2_*: D x D (row-major, PyTorch's (out, in)).
struct Nets2 {
  std::int64_t b = 0, n = 0;
  int D = 0;
  const float* xt = nullptr;
  const float* te[2] = {nullptr, nullptr};
  const float* ce[2] = {nullptr, nullptr};
  const float* P = nullptr;
  const float* w10 = nullptr;
  const float* W1b = nullptr;
  const float* b1b = nullptr;
  const float* W2[2] = {nullptr, nullptr};
  const float* b2[2] = {nullptr, nullptr};
  const float* wf = nullptr;
  Drop mask[2];  // element index ((o n + g) D + j)
};

struct Nets2Grads {
  std::vector<float> te[2], ce[2], P, w10, W1b, b1b, W2[2], b2[2], wf;
};

// Floats of the forward activations kept for the backward pass.
std::size_t nets2_saved_floats(std::int64_t b, std::int64_t n, int D);
// u (b x n) = the nets' output.  `saved` (32-byte aligned, nets2_saved_floats()
// floats, or null) receives the activations for nets2_backward().
void nets2_forward(const Nets2& k, float* u, float* saved);
// Gradients of sum(gu * u) with respect to every input but xt, from the
// activations saved by nets2_forward() (null: the forward is recomputed).
void nets2_backward(const Nets2& k, const float* gu, Nets2Grads& g, float* saved);

// C = soft(A, tau) o offdiag o dropout (n x n, row-major); returns the sum of
// soft(A, tau) o offdiag.  (n * n < 2^32.)
double build_c(const float* A, float* C, std::int64_t n, float tau, const Drop& d);

// Adam (PyTorch's, L2 weight decay, betas 0.9 / 0.99) on A, M, V in place,
// with the gradient of A made in the same pass from gC = U^T Z = -dL/dC
// (U = the nets' output, Z = dL/dz, both b x n row-major; the product is made
// tile by tile, 64 x 512, never stored whole), the dropout `d` and the
// sparsity term; then, when `next`, C = soft(A_new, tau) o offdiag o
// dropout(dnext), build_c() for the next step.  step_size = lr / (1 - 0.9^t),
// sbc2 = sqrt(1 - 0.99^t).  n * n < 2^32.
struct AdamFusedSums {
  double change = 0;       // sum over the off-diagonal of the change of soft(A, tau)
  double next_sparse = 0;  // sum of soft(A_new, tau) o offdiag (build_c()'s return for the next step)
};
AdamFusedSums adam_a_fused(float* A, float* M, float* V, float* C, const float* U, const float* Z, std::int64_t b,
                           std::int64_t n, const Drop& d, const Drop& dnext, bool next, float tau, float sparse_coef,
                           float wd, float step_size, float sbc2, float eps);

// The tanh the kernels use (rational approximation, absolute error < 1e-6).
float tanh_approx(float x);

}  // namespace rdk
}  // namespace grntorch
