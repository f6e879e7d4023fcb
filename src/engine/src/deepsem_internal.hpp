// DeepSEM internals with torch types, for models built on DeepSEM (InfoSEM)
// and for the engine tests.  Not a public header: include only from
// src/engine/src/*.cpp and src/engine/tests/*.cpp.
#pragma once

#include "grntorch/deepsem.hpp"

#include <torch/torch.h>

#include <functional>
#include <vector>

namespace grntorch {

// The nets of DeepSEM (reference layer shapes; K = 1).
struct DeepSEMNets {
  // Encoder q(z | x, y): Linear(2 -> H) on (x, y = 1), tanh, Linear(H -> H), tanh,
  // two heads Linear(H -> 1) stacked as one (2 x H) weight: row 0 = mu, row 1 = logvar.
  torch::Tensor enc_w1, enc_b1, enc_w2, enc_b2, enc_wh, enc_bh;
  // Decoder p(x | z): Linear(1 -> H), tanh, Linear(H -> H), tanh, Linear(H -> 1).
  torch::Tensor dec_w1, dec_b1, dec_w2, dec_b2, dec_w3, dec_b3;
  // Prior p(z | y) at y = 1: Linear(1 -> H), tanh, Linear(H -> n) for the mean and for the logvar.
  torch::Tensor pm_w1, pm_b1, pm_w2, pm_b2, pv_w1, pv_b1, pv_w2, pv_b2;
  // DAZZLE's dropout-augmentation classifier on z: three Linear(1 -> 1) with
  // tanh between them (undefined for DeepSEM).
  torch::Tensor cls_w, cls_b;  // 3 weights, 3 biases

  // DeepSEM (true): the encoder reads (x, y = 1) and a prior net gives p(z).
  // DAZZLE (false): the encoder reads x alone, its two heads are one Linear(H -> 2),
  // there is no prior net, and the classifier above exists.
  bool deepsem_layout = true;

  // Use the fused CPU kernels for the per-gene MLPs (set by the trainer).
  bool fused = false;
  // bfloat16 inputs to the fused MLPs' H x H products (DeepSEMOptions::bfloat16).
  bool bf16 = false;

  std::vector<torch::Tensor> parameters() const;
  std::vector<std::string> names() const;
  // Xavier-normal weights, zero biases (as the reference's initialisation).
  void init(int n_genes, int hidden, at::Generator& gen);
  // DAZZLE's layout (deepsem_layout = false), Xavier-normal weights and zero biases.
  void init_dazzle(int hidden, at::Generator& gen);
  // The decoder's layers (both layouts), drawn after the encoder's.
  void init_decoder(int hidden, at::Generator& gen);
  // The classifier's logits for z (any shape).
  torch::Tensor classify(const torch::Tensor& z) const;
  void to(const torch::Device& dev);
  void set_requires_grad(bool on);

  // Encoder on a batch x (B x n): returns {mu0, logvar0}, each B x n (before the SEM layer).
  std::pair<torch::Tensor, torch::Tensor> encode(const torch::Tensor& x) const;
  // Decoder on z_inv (B x n): returns x_hat (B x n).
  torch::Tensor decode(const torch::Tensor& zinv) const;
  // The same decoder with frozen weights (no weight gradients; the gradient
  // flows to z_inv only), evaluated by cubic Hermite interpolation of a table
  // of the decoder's value and slope built in float64 over [min, max] of
  // z_inv with spacing <= 1/32 (kSpeedDecoderTable).  Falls back to decode()
  // off the CPU or when z_inv is not finite.
  torch::Tensor decode_frozen_table(const torch::Tensor& zinv) const;
  // Prior mean / logvar rows (1 x n) before the SEM layer.
  std::pair<torch::Tensor, torch::Tensor> prior() const;
};

// alpha * mean|A - offset|; offset may be undefined (DeepSEM: alpha * mean|A|)
// or anything broadcastable to A (InfoSEM-B: the n x n mean M = a_i + b_k).
// A must have a zero diagonal (the trainer passes the masked A), so the
// diagonal never gets a gradient from this term when offset is undefined.
torch::Tensor sparsity_term(const torch::Tensor& A, double alpha, const torch::Tensor& offset = torch::Tensor());

// Hooks for a model that keeps DeepSEM's nets, data and training loop but
// changes the prior on A (InfoSEM).  Every hook is optional.
struct DeepSEMExtension {
  // The term on A added to the loss (in place of alpha * mean|A|).  Gets the
  // effective A with a zero diagonal.  Default: sparsity_term(A, opt.alpha).
  std::function<torch::Tensor(const torch::Tensor& A)> a_penalty;
  // Extra tensors optimised together with A in A epochs (RMSprop, lr_adj);
  // the trainer sets their requires_grad flag.  Must live on the device.
  std::vector<torch::Tensor> a_params;
  // Optional learning rates of a_params (same length; empty = all lr_adj);
  // parameters with a rate other than lr_adj get their own RMSprop.
  std::vector<double> a_params_lr;
  // Builds the effective A from the raw A parameter (default: identity); the
  // trainer masks the diagonal afterwards.
  std::function<torch::Tensor(const torch::Tensor& A_param)> adjacency;
  // Called after every epoch (0-based) with the current masked A (no grad).
  std::function<void(int epoch, const torch::Tensor& A)> on_epoch_end;
};

// Standardised data on the device: x (cells x genes), mask (cells x genes,
// undefined in NonSpecific mode).
struct DeepSEMData {
  torch::Tensor x;
  torch::Tensor mask;
};
DeepSEMData deepsem_prepare(const Matrix& expr, DeepSEMMode mode, const torch::Device& dev);

torch::Device deepsem_device(const std::string& device);

struct DeepSEMModel::State {
  DeepSEMOptions opt;
  int n = 0;
  DeepSEMNets nets;
  torch::Tensor A;  // raw A parameter (n x n), target x regulator
  torch::Tensor A_effective() const;  // masked, zero diagonal (default adjacency hook)
};

// DAZZLE's training recipe on DeepSEM's epoch driver (see grntorch/dazzle.hpp):
// one Adam over the nets and A at every step, dropout augmentation of the
// z-scored batch (`zero_z`: each gene's z-score of a zero, 1 x n), the
// classifier, the closed-form KL, the sparsity term after a delay.
struct DeepSEMJoint {
  double augment = 0;
  double classifier_weight = 0;
  int sparse_delay = 0;
  std::vector<int> lr_milestones;
  torch::Tensor zero_z;
};

// The training loop.  `ext` may be null (plain DeepSEM); `joint` non-null
// trains with DAZZLE's recipe (data.x: the NonSpecific z-score, data.mask: the
// non-zero entries).  Returns the result with A = the effective masked
// adjacency after the last epoch.
DeepSEMResult deepsem_train(const DeepSEMData& data, const DeepSEMOptions& opt, Monitor* monitor,
                            const DeepSEMExtension* ext = nullptr, const DeepSEMJoint* joint = nullptr);

// One batch's loss parts (forward only), for tests: x, mask (may be undefined),
// noise eps (B x n); A = effective masked adjacency.
struct DeepSEMLoss {
  torch::Tensor total, mse, kl, sparse;
};
DeepSEMLoss deepsem_batch_loss(const DeepSEMNets& nets, const torch::Tensor& A, const torch::Tensor& x,
                               const torch::Tensor& mask, const torch::Tensor& eps, const DeepSEMOptions& opt);

// The SEM layer on the decoder side: z (I - A^T)^-1 by an LU solve
// (z: B x n; A: n x n, A[target, regulator]).  Row x of the result satisfies
// x = x A^T + z, i.e. x_i = sum_j A[i, j] x_j + z_i.
torch::Tensor deepsem_sem_decode(const torch::Tensor& z, const torch::Tensor& A);

// Masked MSE: sum((x - xhat)^2 * mask) / sum(mask); plain mean when mask undefined.
torch::Tensor deepsem_mse(const torch::Tensor& x, const torch::Tensor& xhat, const torch::Tensor& mask);

}  // namespace grntorch
