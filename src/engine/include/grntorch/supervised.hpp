// Supervised link prediction on a gene graph: GENELink, GNNLink, scRegNet,
// scTransNet (SPEC section 5).  Plain types only; torch lives in the .cpp.
#pragma once

#include "grntorch/common.hpp"
#include "grntorch/pairs.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace grntorch {

enum class SupervisedModel { GENELink, GNNLink, ScRegNet, ScTransNet };
enum class GNNKind { GCN, GAT, SAGE };

struct SupervisedOptions {
  SupervisedModel model = SupervisedModel::GENELink;
  GNNKind gnn = GNNKind::GCN;   // scRegNet's graph encoder
  int epochs = 90;
  double lr = 3e-3;
  double lr_decay = 0.99;       // multiplied into the learning rate after every batch (1 = constant)
  int batch_size = 256;
  double weight_decay = 0.0;
  double dropout = 0.0;         // model-specific meaning (see supervised.cpp); < 0 = model default
  // "Better" = a higher validation AUROC, or an equal one with a lower validation
  // BCE (small validation sets saturate at AUROC 1 in the first epochs).
  // Stop after this many consecutive epochs without a better validation epoch;
  // 0 = never stop early (the engine's one meaning, shared with scUniGP).
  int patience = 0;
  bool select_best = true;      // keep the parameters of the best validation epoch
  // Windowed selection (odd, >= 1; 1 = the per-epoch rule above): from epoch
  // e >= w the window e-w+1..e is judged by its mean validation AUROC (ties:
  // mean validation BCE); a better window makes its centre e - (w-1)/2 the
  // kept epoch, and the kept parameters are the centre epoch's or, with
  // select_average, the mean of the window's w epochs (Polyak / SWA averaging
  // of the iterates: at a constant learning rate neighbouring epochs differ by
  // optimiser noise the small validation set cannot tell apart).  Patience
  // counts complete windows only (at least w + patience epochs run); a run
  // shorter than w epochs keeps its last epoch.  See link_trainer.hpp.
  int select_window = 1;
  bool select_average = false;
  std::vector<int> hidden;      // empty = the model's default sizes
  int heads = 3;                // GAT heads (GENELink, scRegNet with GAT)
  // Opt-in, not in any of the papers: add k (a r~ + b |r|~) to every pair's
  // logit, r = the Pearson correlation of the two genes' expression over the
  // cells, ~ = standardised over the regulator x gene pairs, a and b learnt
  // from 0 (k = 10, see supervised.cpp).  Off: the faithful model, bit-identical.
  bool pair_correlation = false;
  // Node features from the cell axis: with more cells than this, each gene's
  // z-scored expression is replaced by its scores on the top cell_features
  // principal components of the cell axis (truncated SVD, scaled to the z
  // scores' mean square; see link_trainer.hpp); 0 = every cell.
  int cell_features = 0;
  uint64_t seed = 1;
};

struct SupervisedResult {
  Matrix scores;                    // regulators x genes: logit of the predicted probability of regulation
  std::vector<double> train_loss;   // mean BCE per epoch
  std::vector<double> val_auroc;    // per epoch (empty without validation pairs)
  std::vector<double> val_loss;     // per epoch: mean BCE on the validation pairs (tie-break of val_auroc)
  int best_epoch = 0;               // 1-based epoch whose parameters were kept
  int epochs_run = 0;
  std::vector<double> pair_weights;  // with pair_correlation: the learnt weights of r~ and |r|~ (k a, k b); else empty
  int input_features = 0;            // node features per gene: the cells, or the kept components (cell_features)
  double cell_variance_kept = 1.0;   // share of the z scores' sum of squares in those components (1: every cell)
  PhaseSeconds seconds;              // where the training loop's time went
};

// expr: genes x cells; regulators: 0-based gene rows whose outgoing pairs are
// scored; train: labelled pairs (must contain both classes); validation:
// labelled pairs used only for early stopping / model selection (may be
// empty).  embeddings: genes x d foundation-model embeddings (rows = 0 when
// unused; required by scRegNet and scTransNet).  node features are the genes'
// z-scored expression; the graph is the undirected training positives.
// Training: the shared link-prediction loop (Adam, per-batch lr decay,
// validation AUROC with BCE tie-break, optionally over a window of epochs,
// early stopping).  Throws InvalidArgument, Interrupted, EngineError (e.g. a
// diverged fit) or OutOfMemory.  Metrics: grntorch/metrics.hpp; foundation-model embeddings:
// grntorch/torchscript.hpp.
SupervisedResult fit_supervised(const Matrix& expr, const std::vector<int>& regulators,
                                const LabeledPairs& train, const LabeledPairs& validation,
                                const Matrix& embeddings, const SupervisedOptions& opt,
                                Monitor* monitor = nullptr);

}  // namespace grntorch
