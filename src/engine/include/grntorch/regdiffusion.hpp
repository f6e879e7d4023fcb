// RegDiffusion (Zhu & Slonim, J Comput Biol 2024) on the LibTorch engine:
// plain types only.
//
// A denoising diffusion model whose noise predictor holds DeepSEM's learned
// adjacency without a matrix inverse.  Per training step (the reference's
// defaults in RegDiffusionOptions):
//   x0    a bootstrap batch of cells of the normalised expression (per cell
//         min-max to [0, 1], then per gene z-score);
//   x_t   = sqrt(abar_t) x0 + sqrt(1 - abar_t) eps, t ~ U{0..T-1} per cell,
//         linear beta schedule from start_noise to end_noise scaled by 1000/T;
//   h     per gene: tanh([x_t, gene embedding]) then two blocks
//         (Linear, tanh, dropout, + tanh(time MLP) + tanh(cell-type MLP),
//         Linear, tanh; the second block also sees x_t), a sinusoidal time
//         embedding through Linear + tanh;
//   z     = final(h (I - C)), C = soft(A, tau) o offdiag o adjacency dropout,
//         tau = 1 / (2 (n - 1));
//   loss  = mean (z - eps)^2 + sparse_loss_coef * mean(soft(A) o offdiag)
//         (the sparsity term from step 12 on, as the reference);
//   Adam (betas 0.9, 0.99) with lr_nn / weight_decay_nn for the nets and
//   lr_adj / weight_decay_adj for A.
// Evaluation uses no dropout: the returned adjacency is soft(A) o offdiag
// (the reference 0.0.8 kept the adjacency dropout on in evaluation through a
// `self.train` / `self.training` slip; 0.2.x fixed it; this follows 0.2.x).
//
// Orientation: A(i, j) is the effect of gene i (regulator) on gene j (target),
// i.e. A is stored regulator x target (as the reference's adjacency).
#pragma once

#include "grntorch/common.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace grntorch {

struct RegDiffusionOptions {
  int T = 5000;                 // diffusion steps
  double start_noise = 1e-4;    // beta at t = 0 (times 1000 / T)
  double end_noise = 0.02;      // beta at t = T - 1 (times 1000 / T)
  int time_dim = 64;            // sinusoidal time embedding width (even, >= 4)
  int celltype_dim = 4;         // width of the (single) cell-type embedding
  int hidden = 16;              // width of the gene embedding + value and of each block's input
  int blocks = 2;               // number of blocks (reference hidden_dims = [16, 16, 16]: 2 blocks)
  double init_coef = 5;         // A starts at init_coef / (n - 1)
  double lr_nn = 1e-3;
  double lr_adj = 0;            // 0 = 1 / (50 (n - 1)), the reference's default
  double weight_decay_nn = 0.1;
  double weight_decay_adj = 0.01;
  double sparse_loss_coef = 0.25;
  double adj_dropout = 0.3;     // fraction of A's entries dropped per step (training only)
  double mlp_dropout = 0.1;     // dropout in each block (training only)
  int sparse_after = 10;        // the sparsity term counts from 0-based step sparse_after + 1 on
  int batch_size = 128;         // bootstrap cells per step (drawn with replacement)
  int steps = 1000;
  std::uint64_t seed = 1;
  std::string device = "cpu";
  // The rows of A to return (0-based regulators, in this order); empty = every
  // gene.  At 10,000 genes with 2,000 regulators the result is 80 MB, not 400.
  std::vector<int> rows;
};

// Validates options against the data size; throws InvalidArgument naming the option.
void validate(const RegDiffusionOptions& opt, int n_genes, int n_cells);

struct RegDiffusionTrace {
  std::vector<double> loss;        // total loss of each step
  std::vector<double> mse;         // noise-prediction error
  std::vector<double> sparse;      // sparse_loss_coef * mean(A) (0 before it is switched on)
  std::vector<double> adj_change;  // mean change of the adjacency's off-diagonal entries, times (n - 1)
  std::vector<double> seconds;     // wall time of each step
};

struct RegDiffusionResult {
  // rows x genes (genes x genes when opt.rows is empty), A(regulator, target)
  // = soft(A, tau) * (n - 1), zero diagonal (the reference's get_adj(), in
  // float32 instead of float16).
  Matrix A;
  RegDiffusionTrace trace;
  double seconds = 0;
};

// The reference's normalisation of a genes x cells matrix of log expression:
// per cell min-max to [0, 1], then per gene z-score (population sd).  A cell
// with max = min, or a gene with sd 0, gives 0 (the reference gives NaN).
// Returns genes x cells.
Matrix regdiffusion_normalize(const Matrix& expr);

// Train RegDiffusion on a genes x cells matrix of log expression (normalised
// inside as above).  Calls monitor->progress() once per step and checks for
// interrupts every step.  Throws InvalidArgument for bad options, Interrupted,
// EngineError when the loss becomes NaN/Inf (or LibTorch fails) and
// OutOfMemory.  With one thread the same seed gives bit-identical results.
RegDiffusionResult regdiffusion_fit(const Matrix& expr, const RegDiffusionOptions& opt, Monitor* monitor = nullptr);

// A genes x cells matrix the caller holds in double precision, column-major
// (R's layout).  The fit reads it without a copy: it keeps the normalisation's
// per-cell and per-gene statistics and normalises the cells it draws at each
// step, so a fit at many cells needs no second genes x cells matrix.  Values
// are taken at float precision, as a Matrix would hold them: the result is the
// fit of the Matrix with the same values, bit for bit.
struct DoubleMatrixView {
  const double* data = nullptr;
  int rows = 0;
  int cols = 0;
};
RegDiffusionResult regdiffusion_fit(const DoubleMatrixView& expr, const RegDiffusionOptions& opt,
                                    Monitor* monitor = nullptr);

}  // namespace grntorch
