// InfoSEM (Cui et al., ICML 2025) on the LibTorch engine: plain types only.
//
// DeepSEM with informative priors on the adjacency (paper sections 3.2-3.4):
//  * InfoSEM-B: a(target, regulator) ~ Laplace(m, sigma_a) with the prior mean
//    m(t, r) = h_r . w_reg + h_t . w_tgt  (the paper's [h_i, h_k] w^T with
//    i = regulator, k = target), w = (w_reg, w_tgt) ~ N(0, sigma_w^2), all
//    learned by MAP together with A.  M is never materialised as an
//    n x n x 2d tensor: it is a regulator vector plus a target vector.
//  * InfoSEM-BC: A = A^e * sigmoid(A^l), A^l = L_a L_b of rank h; A^e keeps the
//    InfoSEM-B prior; A^l gets N(logit p_pos, sigma_l^2) on known positive
//    pairs, N(logit p_neg, sigma_l^2) on known negative pairs, nothing elsewhere.
//
// Loss (DeepSEM's mean-normalised loss plus the priors), n = number of genes:
//   mse + beta * KL
//   + alpha * mean_{n x n} |A^e - M|            (off-diagonal; = DeepSEM's alpha*mean|A| when w = 0)
//   + |w|^2 / (2 sigma_w^2)                      (InfoSEM-B and -BC)
//   + sum_{labelled (t,r)} (A^l(t,r) - mu)^2 / (2 sigma_l^2 n^2)   (InfoSEM-BC)
// i.e. the two matrix priors share DeepSEM's 1/n^2 normalisation (per entry of
// A), while the prior on w (one 2d-vector) enters at full weight.
#pragma once

#include "grntorch/deepsem.hpp"
#include "grntorch/pairs.hpp"

#include <vector>

namespace grntorch {

struct InfoSEMOptions {
  DeepSEMOptions deepsem;   // everything DeepSEM has (alpha, beta, epochs, lr, lr_adj, seed, ...)
  // sd of the Gaussian prior on w; 0 fixes w = 0, which is exactly DeepSEM
  // (no extra parameter, the same random stream, bit-identical A).
  double sigma_w = 1.0;
  // How A^e is parametrised for the optimiser (the MAP objective is the same):
  //  * offset: A^e = M + D with D the trained matrix (started at
  //    DeepSEM's init, w = 0) and alpha * mean|D| as the Laplace term.  The
  //    likelihood's gradient reaches w through every entry of A.
  //  * centred (default): A^e itself is trained and w only feels the Laplace term
  //    alpha * mean|A^e - M| (a fixed-size L1 force per entry).
  bool offset_parametrization = false;
  // InfoSEM-BC (only used when labels are given)
  int rank = 128;            // rank h of A^l (capped by the number of genes)
  double sigma_l = 0.1;      // sd of the logit prior
  double p_pos = 0.95;       // prior mode of the edge probability of a known edge
  double p_neg = 0.05;       // ... of a known non-edge
  double lr_logit = 1e-3;    // RMSprop learning rate of L_a, L_b (A epochs)
  double logit_init_sd = 0.01;  // L_a, L_b ~ N(0, sd^2): A^l ~ 0, sigmoid ~ 0.5 at the start
};

void validate(const InfoSEMOptions& opt, int n_genes, int n_cells, int n_dims);

struct InfoSEMResult {
  Matrix A;         // effective adjacency, genes x genes, A(target, regulator), zero diagonal
  Matrix A_effect;  // A^e (InfoSEM-BC); equals A for InfoSEM-B
  Matrix prob;      // sigmoid(A^l) (InfoSEM-BC), genes x genes; empty for InfoSEM-B
  Matrix prior_mean;  // M (target x regulator, zero diagonal); empty without embeddings
  std::vector<float> w_regulator, w_target;  // learned w (d each; empty without embeddings)
  DeepSEMTrace trace;  // `sparse` holds all prior terms together
  double seconds = 0;
};

// expr: genes x cells log expression (DeepSEM standardises it).  embeddings:
// genes x d (rows = the genes of expr, in the same order; d may be 0); used
// as given (the R side centres and scales them).  labels: InfoSEM-BC's known
// pairs (from = regulator, to = target, label 1 = known edge, 0 = known
// non-edge; no self-pairs); null or empty for InfoSEM-B.  Throws
// InvalidArgument, Interrupted, EngineError (e.g. a diverged fit) or OutOfMemory.
InfoSEMResult infosem_fit(const Matrix& expr, const Matrix& embeddings, const LabeledPairs* labels,
                          const InfoSEMOptions& opt, Monitor* monitor = nullptr);

}  // namespace grntorch
