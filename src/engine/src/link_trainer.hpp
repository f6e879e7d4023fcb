// The one training loop of the engine's supervised link predictors (GENELink,
// GNNLink, scRegNet, scTransNet and both stages of scUniGP).  Internal, torch.
//
// An epoch: the training pairs are shuffled with torch::randperm (LibTorch's
// global generator, so a model's dropout and the shuffles share one stream,
// seeded by the fit's SeedScope: random_streams.hpp), cut into batches, and
// each batch takes one optimiser step on the mean BCE of its logits; a
// non-finite batch loss stops the fit with an EngineError.  After the epoch
// the model is scored on the validation pairs (AUROC with grntorch::auroc, and
// mean BCE).  An epoch is "better" than the best so far when its validation
// AUROC is higher, or equal with a lower validation BCE (small validation
// sets reach AUROC 1 early).  Early stopping:
// the fit stops after `patience` consecutive epochs that are not better
// (patience 0 = never stop early); with select_best the parameters and
// buffers of the best epoch are restored at the end.
//
// Windowed selection (select_window = w > 1, odd, with validation pairs): from
// epoch e >= w the window of epochs e-w+1..e is judged by its mean validation
// AUROC and mean BCE under the same rule; a better window makes its centre
// e - (w-1)/2 the best epoch and keeps the centre epoch's state, or with
// select_average the element-wise mean of the w epochs' states.  Patience
// counts complete windows only (at least w + patience epochs run); a run
// shorter than w epochs keeps its last epoch.  w = 1 is the per-epoch rule.
#pragma once

#include "grntorch/common.hpp"
#include "grntorch/pairs.hpp"

#include <torch/torch.h>

#include <deque>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace grntorch {
namespace link {

struct TrainerOptions {
  int epochs = 1;
  int batch_size = 256;
  // An epoch's last batch is dropped when it has fewer pairs than this
  // (BatchNorm needs 2 in training mode); 1 keeps every batch.
  int min_batch = 1;
  // After every batch every parameter group's learning rate is multiplied by
  // this (1 = constant).
  double lr_decay = 1.0;
  // Stop after this many consecutive epochs without a better validation
  // epoch; 0 = never stop early.
  int patience = 0;
  // Restore the parameters and buffers of the best validation epoch at the end
  // (without validation pairs every epoch counts as better: the last one is kept).
  bool select_best = true;
  // Judge epochs by the mean of a centred window of this many (odd, >= 1)
  // validation epochs; with select_average keep the mean of the window's
  // states instead of its centre epoch's (see the top of this file).
  int select_window = 1;
  bool select_average = false;
  // Monitor::progress(min(total, offset + epoch), total, mean training loss)
  // after every epoch (total 0 = epochs); Monitor::batch() after every batch.
  int progress_offset = 0;
  int progress_total = 0;
  // Names the fit in the divergence message, e.g. "GENELink", and what to try.
  std::string what = "training";
  // The stage named in Monitor::batch() reports; empty = `what`.
  std::string stage;
  std::string advice = "try a smaller lr";
};

// The options of one training stage from its four numbers and its name (the
// rest at their defaults).
inline TrainerOptions stage_options(int epochs, int batch_size, double lr_decay, int patience, std::string what) {
  TrainerOptions t;
  t.epochs = epochs;
  t.batch_size = batch_size;
  t.lr_decay = lr_decay;
  t.patience = patience;
  t.what = std::move(what);
  return t;
}

// Per-gene input features from the cell axis (the cell_features option of the
// supervised models and scUniGP).  z: genes x cells, each row z-scored.  With
// max_features <= 0 or at most max_features cells, z itself.  Otherwise the
// genes' scores on the top k = min(max_features, genes) right singular vectors
// of z (truncated SVD, no further centring): the best rank-k approximation of
// z, so a linear first layer on them is the full model restricted to the
// dominant k-dimensional subspace of the cells (with k = genes, when there are
// fewer genes than max_features, that subspace holds all of z: nothing is
// lost).  Exact (an eigen-decomposition of the smaller Gram matrix) when genes
// or cells are at most kExactLimit, else a randomized SVD (Halko et al. 2011:
// k + 10 random directions from a generator seeded with `seed`, 3 power
// iterations).  The scores are scaled so that their mean square is that of z
// (1 for z-scored rows), the scale the first layer's initialisation expects.
// A rows x k column-major Matrix as a [rows, k] float tensor, each column
// (axis = 0) or each row (axis = 1) standardised to mean 0 and (population)
// sd 1, a constant one to 0.  Computed in place on one double copy, so the
// peak is the input, that copy and the float result (16 bytes per element
// with the input's 4): at genes x cells this is the largest transient of the
// graph models at many cells.  The sd as the models always took it, to the
// bit: sqrt(mean((x - mean)^2)) (the supervised models) or torch's std of x
// (scUniGP); the two differ only in the last bits.
enum class SdFormula { CentredMean, Std };
torch::Tensor standardized(const Matrix& m, int axis, SdFormula formula = SdFormula::CentredMean);

struct CellFeatures {
  torch::Tensor x;            // genes x features, float32
  int64_t features = 0;       // columns of x
  double variance_kept = 1.0; // share of sum(z^2) in the kept components (1 = all cells)
  bool reduced = false;
};
constexpr int64_t kExactLimit = 4096;
CellFeatures cell_axis_features(const torch::Tensor& z, int max_features, uint64_t seed,
                                int64_t exact_limit = kExactLimit);

// Labelled pairs as tensors: from, to (long), y (float).
struct PairTensors {
  torch::Tensor from, to, y;
  std::vector<float> label;  // the labels again, for the AUROC
  int64_t size() const { return static_cast<int64_t>(label.size()); }
};
PairTensors pair_tensors(const LabeledPairs& p);

// Shuffled batches of 0..n-1 (one torch::randperm per iterator).
class BatchIterator {
 public:
  BatchIterator(int64_t n, int batch_size, int min_batch = 1);
  // The next batch's indices (long), false when the epoch is done.
  bool next(torch::Tensor& idx);
  // How many batches next() hands out in all.
  int count() const;

 private:
  torch::Tensor perm_;
  int64_t n_, pos_ = 0;
  int batch_size_, min_batch_;
};

// zero_grad, backward, step; then every group's lr *= lr_decay (when != 1).
// With `seconds`, the backward pass (with zero_grad) and the step (with the
// decay) are added to its backward and step.
void optimiser_step(torch::optim::Optimizer& opt, const torch::Tensor& loss, double lr_decay = 1.0,
                    PhaseSeconds* seconds = nullptr);

// Throws EngineError when loss is NaN or infinite, naming the fit, the epoch
// and the batch (1-based) and what to try.
void check_finite_loss(double loss, int epoch, int batch, const TrainerOptions& opt);

struct Validation {
  double auroc = std::numeric_limits<double>::quiet_NaN();
  double bce = std::numeric_limits<double>::quiet_NaN();
};
// AUROC and mean BCE of logits for the pairs' labels.
Validation validate(const torch::Tensor& logits, const PairTensors& pairs);

// The one rule: a finite AUROC above best's, or equal to it with a lower BCE.
bool better(const Validation& v, const Validation& best);

// A copy of a module's parameters and buffers.
class BestState {
 public:
  void save(torch::nn::Module& m);
  void restore(torch::nn::Module& m) const;
  bool empty() const { return values_.empty(); }
  // The element-wise mean of non-empty states of one module, summed in double
  // in the order given; tensors that are not floating point (e.g. counters)
  // are taken from the middle state.
  static BestState mean(const std::deque<BestState>& states);

 private:
  std::vector<torch::Tensor> values_;
};

// The states of a module's last `size` epochs (oldest first).
class StateWindow {
 public:
  explicit StateWindow(int size) : size_(size) {}
  void push(torch::nn::Module& m);
  const BestState& centre() const { return states_.at(states_.size() / 2); }
  BestState mean() const { return BestState::mean(states_); }

 private:
  int size_;
  std::deque<BestState> states_;
};

// Tracks the best epoch (or window of `window` epochs) under better() and
// counts the epochs (complete windows) since.
class EarlyStopping {
 public:
  explicit EarlyStopping(int patience, int window = 1) : patience_(patience), window_(window) {}
  // Records an epoch (1-based); true when it (window = 1) or the window it
  // completes is better than the best so far; the best epoch is then the
  // epoch or the window's centre.
  bool update(const Validation& v, int epoch);
  // Records an epoch that counts as better without a validation (no pairs).
  void accept(int epoch);
  bool should_stop() const { return patience_ > 0 && since_best_ >= patience_; }
  int best_epoch() const { return best_epoch_; }
  // The best epoch's validation, or the best window's mean.
  const Validation& best() const { return best_; }

 private:
  bool judge(const Validation& v, int epoch);
  int patience_;
  int window_;
  std::deque<Validation> recent_;  // the last `window_` epochs (window_ > 1)
  int since_best_ = 0;
  int best_epoch_ = 0;
  Validation best_{-std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity()};
};

// What the loop needs from a model.
struct LinkTask {
  torch::nn::Module* module = nullptr;        // train()/eval(), and the state kept for the best epoch
  torch::optim::Optimizer* optimizer = nullptr;
  // Logits of training pairs (training mode, with gradients).
  std::function<torch::Tensor(const torch::Tensor& from, const torch::Tensor& to)> train_logits;
  // Logits of the validation pairs; called in eval mode under NoGradGuard.
  std::function<torch::Tensor()> validation_logits;
  // Called after the batches of every epoch (e.g. a per-epoch lr schedule).
  std::function<void()> on_epoch_end;
};

struct History {
  std::vector<double> train_loss;  // mean BCE over the batches, per epoch
  std::vector<double> val_auroc;   // per epoch (empty without validation pairs)
  std::vector<double> val_loss;    // per epoch
  int best_epoch = 0;              // 1-based epoch whose state is kept (last epoch without selection)
  int epochs_run = 0;
  // The best epoch's validation AUROC (with a window: the best window's mean).
  double best_val_auroc = std::numeric_limits<double>::quiet_NaN();
  // Wall seconds over the whole fit: the training batches' forward pass and
  // loss, their backward pass (with zero_grad), the optimiser steps, and the
  // validation passes.
  PhaseSeconds seconds;
};

// Trains task.module on `train` (must not be empty) for up to opt.epochs
// epochs; `validation` may be empty (no selection, no early stopping).
History train_link_predictor(const LinkTask& task, const PairTensors& train, const PairTensors& validation,
                             const TrainerOptions& opt, Monitor* monitor);

}  // namespace link
}  // namespace grntorch
