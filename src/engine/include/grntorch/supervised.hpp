// Supervised link prediction on a gene graph: GENELink, GNNLink, scRegNet,
// scTransNet (SPEC section 5).  Plain types only; torch lives in the .cpp.
#pragma once

#include "grntorch/common.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace grntorch {

enum class SupervisedModel { GENELink, GNNLink, ScRegNet, ScTransNet };
enum class GNNKind { GCN, GAT, SAGE };

// Labelled regulator -> target pairs, 0-based gene rows of the expression.
struct LabeledPairs {
  std::vector<int> from;
  std::vector<int> to;
  std::vector<float> label;  // 0 or 1
  std::size_t size() const { return from.size(); }
};

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
  int patience = 0;             // stop after this many epochs without a better validation epoch; 0 = never
  bool select_best = true;      // keep the parameters of the best validation epoch
  std::vector<int> hidden;      // empty = the model's default sizes
  int heads = 3;                // GAT heads (GENELink, scRegNet with GAT)
  uint64_t seed = 1;
};

struct SupervisedResult {
  Matrix scores;                    // regulators x genes: logit of the predicted probability of regulation
  std::vector<double> train_loss;   // mean BCE per epoch
  std::vector<double> val_auroc;    // per epoch (empty without validation pairs)
  std::vector<double> val_loss;     // per epoch: mean BCE on the validation pairs (tie-break of val_auroc)
  int best_epoch = 0;               // 1-based epoch whose parameters were kept
  int epochs_run = 0;
};

// expr: genes x cells; regulators: 0-based gene rows whose outgoing pairs are
// scored; train: labelled pairs (must contain both classes); validation:
// labelled pairs used only for early stopping / model selection (may be
// empty).  embeddings: genes x d foundation-model embeddings (rows = 0 when
// unused; required by scRegNet and scTransNet).  node features are the genes'
// z-scored expression; the graph is the undirected training positives.
SupervisedResult fit_supervised(const Matrix& expr, const std::vector<int>& regulators,
                                const LabeledPairs& train, const LabeledPairs& validation,
                                const Matrix& embeddings, const SupervisedOptions& opt,
                                Monitor* monitor = nullptr);

// Area under the ROC curve (ties count one half); NaN when a class is absent.
double auroc(const std::vector<float>& score, const std::vector<float>& label);
// Average precision (sklearn's step-wise estimator); NaN without positives.
double average_precision(const std::vector<float>& score, const std::vector<float>& label);

// ---- foundation-model embeddings from a TorchScript module -------------------

struct TorchScriptPooled {
  Matrix mean;            // genes x d, mean over cells
  Matrix attentive;       // genes x d, attention-weighted (empty when the module returns no attention)
  int dim = 0;
  bool has_attention = false;
};

// Runs a TorchScript module (saved with torch.jit.save / Module::save) on the
// expression in batches of cells.  forward(x) receives x = cells x genes
// (float) and returns either a cells x genes x d tensor of per-cell gene
// embeddings, or a tuple (embeddings, attention) with attention cells x genes
// (the attention each gene receives in each cell).  Pools over cells: mean,
// and, with attention, sum_n a[n, g] h[n, g] / sum_n a[n, g].
TorchScriptPooled torchscript_embeddings(const std::string& path, const Matrix& expr, int batch_cells = 64,
                                         Monitor* monitor = nullptr);

// Writes a small TorchScript fixture (for tests and examples): forward(x)
// returns x[..., None] * w + b with w, b of length dim (seeded), and, when
// with_attention, the tuple (that, softmax(x, dim = 1)).
void write_torchscript_fixture(const std::string& path, int dim, bool with_attention, uint64_t seed = 1);

}  // namespace grntorch
