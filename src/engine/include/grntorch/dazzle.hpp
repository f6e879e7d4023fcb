// DAZZLE (Zhu & Slonim, PLOS Comput Biol 2025) on the DeepSEM engine: plain types only.
//
// DeepSEM's VAE with the structural-equation layer, trained by another recipe
// (the reference package grn-dazzle 0.0.2, DEFAULT_DAZZLE_CONFIGS):
//   - the expression is z-scored per gene over all cells (population sd); at
//     every step a fraction `augment` of the batch's entries is set to zero
//     before z-scoring (dropout augmentation);
//   - the encoder reads the value alone (no categorical input, no prior net):
//     the KL term is the closed form against N(0, 1), averaged over entries;
//   - a small classifier (three scalar layers with tanh) tells from z which
//     entries were zeroed; its class-weighted binary cross-entropy enters the
//     loss with weight `classifier_weight`;
//   - the reconstruction error counts the entries that were non-zero before
//     augmentation;
//   - alpha * mean|A| enters the loss from epoch `sparse_delay` on;
//   - one Adam optimiser (betas 0.9, 0.9) updates the nets (lr) and A
//     (lr_adj) at every step; both rates halve at the optimiser steps in
//     `lr_milestones`.
// Everything else (layer widths, initialisation, A's masked diagonal, batches,
// cells_per_epoch, seed, threads, progress, interrupts) is DeepSEM's: the fit
// runs DeepSEM's epoch driver and per-gene MLP kernels.
#pragma once

#include "grntorch/deepsem.hpp"

#include <vector>

namespace grntorch {

struct DazzleOptions {
  // DeepSEM's options: alpha, beta, epochs, batch_size, lr, lr_adj, hidden,
  // cells_per_epoch, seed, device, bfloat16 are used; mode, lr_decay,
  // net_epochs and adj_epochs are not (DAZZLE has one recipe).
  DeepSEMOptions deepsem = defaults_deepsem();
  double augment = 0.1;             // dropout augmentation rate, in [0, 1)
  double classifier_weight = 0.5;   // weight of the classifier's loss (chi), >= 0
  int sparse_delay = 5;             // epochs without the sparsity term, >= 0
  std::vector<int> lr_milestones = {1000, 2000};  // optimiser steps at which both rates halve

  // DeepSEM's options at DAZZLE's defaults (alpha 100, beta 1).
  static DeepSEMOptions defaults_deepsem();
};

// Validates options against the data size; throws InvalidArgument naming the option.
void validate(const DazzleOptions& opt, int n_genes, int n_cells);

// Train DAZZLE on a genes x cells matrix of log expression (z-scored inside).
// The result's trace gets the classifier's loss per epoch in `classifier`
// (weighted by classifier_weight; 0 when augment = 0) and `sparse` holds
// alpha * mean|A| whether or not it entered the loss yet.
DeepSEMResult dazzle_fit(const Matrix& expr, const DazzleOptions& opt, Monitor* monitor = nullptr);

}  // namespace grntorch
