// scUniGP (unified graph + pairwise supervised GRN inference): plain option /
// result types and the fit-and-predict entry point.  No torch here.
//
// Model (../shared/papers/scunigp.txt, Eq. 4-8, appendix A-C, Algorithm 1):
//   global branch   GNN (GAT or GCN) over the z-scored expression and the
//                   undirected training-positive graph; level l = 1..L-1 are the
//                   GNN layers' outputs, level L = role towers (TF tower for the
//                   regulator, target tower for the target), expert score
//                   s_ij = h_i^(L) . h_j^(L)  (pre-trained alone with BCE on s).
//                   With GAT this is GENELink's network (appendix C: 3 heads,
//                   128 -> 64 -> 32 -> 16, LeakyReLU, attention dropout 0.5,
//                   tower dropout 0.01), pre-trained with GENELink's recipe
//                   (Adam 3e-3 decayed x0.99 per step, best validation AUROC).
//   pairwise branch [l(x_i) + p0 ; l(x_j) + p1] -> TransformerEncoder -> z^(0)
//                   (l = one linear projection computed once per gene per batch).
//   fusion          z^(l) = z^(l-1) + Block_l([z^(l-1); P_l h_i^(l); Q_l h_j^(l); 1{l=L} s_ij]),
//                   Block = Linear -> BatchNorm -> PReLU -> Dropout;
//   classifier      residual Linear/BN/PReLU block -> Linear/BN/PReLU -> Linear,
//                   plus w * s_ij at the final decision (appendix C: "GNN prediction
//                   scores are additionally incorporated during the final decision
//                   stage"); w starts at 1 and the last Linear at 0, so joint
//                   training starts from the pre-trained GNN's prediction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "grntorch/common.hpp"
#include "grntorch/pairs.hpp"

namespace grntorch {

enum class ScUniGPGnn { GAT, GCN };
// MultiScale: the paper's Eq. 7 (level-l GNN features at fusion step l, the
// expert score at the last step and the final decision).  Late: decision-level
// ensemble of the pairwise logit and the expert score (no GNN features).
// Early: the GNN's output embedding h^L (last graph layer) concatenated to the
// expression features before the transformer (no expert score, no per-layer
// features).  None: pairwise branch only (no GNN).
enum class ScUniGPFusion { MultiScale, Late, Early, None };

struct ScUniGPOptions {
  // Global branch (appendix C).
  ScUniGPGnn gnn = ScUniGPGnn::GAT;
  std::vector<int> gnn_dims{128, 64};  // GNN layer widths (levels 1..L-1)
  int gat_heads = 3;                   // first GAT layer concatenates heads, later ones average
  std::vector<int> tower_dims{32, 16};  // TF / target towers; the last width is level L
  double gnn_dropout = 0.01;           // between GNN layers and in the towers
  double gat_attn_dropout = 0.5;       // GENELink's dropout on the attention coefficients
  int pretrain_epochs = 90;            // GENELink's epochs (the paper's appendix: 30)
  int pretrain_patience = 10;          // as patience below, for pre-training
  double pretrain_lr = 3e-3;
  double pretrain_lr_decay = 0.99;     // per step, as GENELink
  int pretrain_batch_size = 256;
  // Pairwise branch.
  int d_model = 64;
  int n_heads = 4;
  int n_layers = 2;
  int dim_feedforward = 128;
  double dropout = 0.2;
  // Fusion + classifier + joint training.
  ScUniGPFusion fusion = ScUniGPFusion::MultiScale;
  int epochs = 60;
  // Early stopping: stop after this many consecutive epochs without a better
  // validation epoch (higher AUROC, ties: lower BCE); 0 = never stop early.
  int patience = 8;
  double lr = 1e-3;
  double gnn_lr_scale = 0.1;   // learning-rate factor for the pre-trained GNN in joint training
  double weight_decay = 1e-5;
  double lr_gamma = 0.999;     // step scheduler (per lr_step epochs)
  int lr_step = 10;
  int batch_size = 256;
  int predict_batch_size = 8192;
  // Per-gene input features: with more cells than this, the genes' scores on
  // the top cell_features principal components of the cell axis instead of
  // their z-scored expression (as SupervisedOptions::cell_features); 0 = every cell.
  int cell_features = 0;
  std::uint64_t seed = 1;
};

struct ScUniGPResult {
  // regulators x genes logits of the selected (best validation AUROC) model;
  // probability = 1 / (1 + exp(-logit)).
  Matrix logits;
  // regulators x genes expert scores s_ij of the selected model's global
  // branch (empty without a GNN): the GNN's own prediction, for diagnostics.
  Matrix expert_logits;
  std::vector<double> pretrain_val_auroc;  // per pre-training epoch
  std::vector<double> val_auroc;           // per joint epoch
  std::vector<double> train_loss;          // per joint epoch (mean BCE)
  int pretrain_best_epoch = 0;             // 1-based, 0 when no pre-training
  int best_epoch = 0;                      // 1-based
  double best_val_auroc = 0.0;
  double seconds_pretrain = 0.0;
  double seconds_train = 0.0;
  double seconds_predict = 0.0;
  PhaseSeconds phase_seconds;       // both stages' training loops, by phase
  int input_features = 0;           // per gene: the cells, or the kept components (cell_features)
  double cell_variance_kept = 1.0;  // share of the z scores' sum of squares in them (1: every cell)
  long long n_parameters = 0;
};

// expr: genes x cells (column-major, finite).  train / validation: labelled
// pairs (validation must hold both classes; it drives early stopping and model
// selection - nothing else is looked at).  regulators: 0-based rows scored
// against every gene.  Throws InvalidArgument on bad input, Interrupted when
// the monitor asks.
// Both stages train through the engine's shared link-prediction loop
// (shuffled with torch::randperm from the seeded LibTorch generator).
// Also throws EngineError (e.g. a diverged fit) and OutOfMemory.
ScUniGPResult scunigp_fit(const Matrix& expr, const LabeledPairs& train, const LabeledPairs& validation,
                          const std::vector<int>& regulators, const ScUniGPOptions& options,
                          Monitor* monitor = nullptr);


}  // namespace grntorch
