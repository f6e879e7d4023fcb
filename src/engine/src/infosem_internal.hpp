// InfoSEM internals with torch types, for the engine tests.  Not a public header.
#pragma once

#include "grntorch/infosem.hpp"
#include "deepsem_internal.hpp"

#include <memory>

namespace grntorch {

// Prior mean M(t, r) = (H w_tgt)_t + (H w_reg)_r, n x n, zero diagonal.
// H: n x d; w_reg, w_tgt: d; offdiag: the n x n zero-diagonal mask (built if undefined).
torch::Tensor infosem_prior_mean(const torch::Tensor& H, const torch::Tensor& w_reg, const torch::Tensor& w_tgt,
                                 const torch::Tensor& offdiag = {});

// The InfoSEM prior terms as a DeepSEM extension.  Holds its parameters.
struct InfoSEMPrior {
  InfoSEMOptions opt;
  int64_t n = 0;
  torch::Tensor H;              // n x d (undefined when d = 0)
  torch::Tensor w_reg, w_tgt;   // d
  bool learn_w = false;
  bool bc = false;
  torch::Tensor La, Lb;         // n x h, h x n (storage orientation: A^l(target, regulator))
  torch::Tensor lab_index;      // flat indices t * n + r of the labelled pairs (int64)
  torch::Tensor lab_mu;         // logit(p_pos) / logit(p_neg) per labelled pair
  torch::Tensor offdiag;        // n x n, 1 off the diagonal
  torch::Tensor last_raw;       // the raw A parameter (A^e) last seen by the adjacency hook
  torch::Tensor last_logits;    // A^l computed in that same hook
  torch::Tensor last_effect;    // A^e computed in that same hook (offset: D + M)

  // Laplace term alpha * mean|A^e - M| (off-diagonal) + |w|^2 / (2 sigma_w^2).
  torch::Tensor effect_prior(const torch::Tensor& Ae) const;
  // Offset parametrisation A^e = M + D: alpha * mean|D| + |w|^2 / (2 sigma_w^2 n^2).
  torch::Tensor effect_prior_offset(const torch::Tensor& D) const;
  torch::Tensor prior_mean() const;  // M = H w_tgt (rows) + H w_reg (columns), zero diagonal
  torch::Tensor w_penalty() const;   // |w|^2 / (2 sigma_w^2 n^2)
  // sum over labelled pairs of (A^l - mu)^2 / (2 sigma_l^2 n^2).
  torch::Tensor logit_prior(const torch::Tensor& logits) const;
  torch::Tensor logits() const;  // L_a L_b
  DeepSEMExtension extension();  // hooks for deepsem_train (captures this)
};

std::unique_ptr<InfoSEMPrior> infosem_make_prior(const Matrix& embeddings, const LabeledPairs* labels,
                                                 const InfoSEMOptions& opt, int64_t n, const torch::Device& dev);

}  // namespace grntorch
