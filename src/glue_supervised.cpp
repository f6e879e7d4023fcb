#include "glue.h"

#include "grntorch/metrics.hpp"
#include "grntorch/supervised.hpp"
#include "grntorch/torchscript.hpp"

namespace {

grntorch::LabeledPairs to_pairs(const Rcpp::IntegerVector& from, const Rcpp::IntegerVector& to,
                                const Rcpp::NumericVector& label) {
  grntorch::LabeledPairs p;
  const R_xlen_t n = from.size();
  p.from.resize(n);
  p.to.resize(n);
  p.label.resize(n);
  for (R_xlen_t i = 0; i < n; ++i) {
    p.from[i] = from[i] - 1;
    p.to[i] = to[i] - 1;
    p.label[i] = static_cast<float>(label[i]);
  }
  return p;
}

}  // namespace

// expr: genes x cells; regulators and pair genes: 1-based rows; embeddings:
// genes x d (0 columns when unused).  Returns scores (regulators x genes) and
// the training trace.
// [[Rcpp::export(.grn_supervised)]]
Rcpp::List grn_supervised(const Rcpp::NumericMatrix expr, const Rcpp::IntegerVector regulators,
                          const Rcpp::IntegerVector train_from, const Rcpp::IntegerVector train_to,
                          const Rcpp::NumericVector train_label, const Rcpp::IntegerVector val_from,
                          const Rcpp::IntegerVector val_to, const Rcpp::NumericVector val_label,
                          const Rcpp::NumericMatrix embeddings, const std::string model, const std::string gnn,
                          const int epochs, const double lr, const double lr_decay, const int batch_size,
                          const double weight_decay, const double dropout, const int patience,
                          const bool select_best, const Rcpp::IntegerVector hidden, const int heads,
                          const double seed, const int threads, const bool verbose) {
  GRN_TRY
  grntorch::Matrix x = grnglue::to_engine(expr, "x");
  grntorch::Matrix emb;
  if (embeddings.ncol() > 0) emb = grnglue::to_engine(embeddings, "embeddings");
  std::vector<int> regs(regulators.size());
  for (R_xlen_t i = 0; i < regulators.size(); ++i) regs[i] = regulators[i] - 1;
  grntorch::SupervisedOptions o;
  if (model == "genelink") o.model = grntorch::SupervisedModel::GENELink;
  else if (model == "gnnlink") o.model = grntorch::SupervisedModel::GNNLink;
  else if (model == "scregnet") o.model = grntorch::SupervisedModel::ScRegNet;
  else if (model == "sctransnet") o.model = grntorch::SupervisedModel::ScTransNet;
  else Rcpp::stop("unknown supervised model '%s'", model);
  if (gnn == "gcn") o.gnn = grntorch::GNNKind::GCN;
  else if (gnn == "gat") o.gnn = grntorch::GNNKind::GAT;
  else if (gnn == "sage") o.gnn = grntorch::GNNKind::SAGE;
  else Rcpp::stop("unknown gnn '%s'", gnn);
  o.epochs = epochs;
  o.lr = lr;
  o.lr_decay = lr_decay;
  o.batch_size = batch_size;
  o.weight_decay = weight_decay;
  o.dropout = dropout;
  o.patience = patience;
  o.select_best = select_best;
  o.hidden.assign(hidden.begin(), hidden.end());
  o.heads = heads;
  o.seed = static_cast<uint64_t>(seed);
  grnglue::ThreadScope scope(threads);
  grnglue::RMonitor mon(verbose, model);
  auto res = grntorch::fit_supervised(x, regs, to_pairs(train_from, train_to, train_label),
                                      to_pairs(val_from, val_to, val_label), emb, o, &mon);
  mon.finish();
  return Rcpp::List::create(Rcpp::Named("scores") = grnglue::to_r(res.scores),
                            Rcpp::Named("train_loss") = Rcpp::wrap(res.train_loss),
                            Rcpp::Named("val_auroc") = Rcpp::wrap(res.val_auroc),
                            Rcpp::Named("val_loss") = Rcpp::wrap(res.val_loss),
                            Rcpp::Named("best_epoch") = res.best_epoch,
                            Rcpp::Named("epochs_run") = res.epochs_run);
  GRN_CATCH
}

// Pooled per-gene embeddings from a TorchScript module run on expr (genes x cells).
// [[Rcpp::export(.grn_torchscript_embeddings)]]
Rcpp::List grn_torchscript_embeddings(const std::string path, const Rcpp::NumericMatrix expr, const int batch_cells,
                                      const int threads, const bool verbose) {
  GRN_TRY
  grntorch::Matrix x = grnglue::to_engine(expr, "expression");
  grnglue::ThreadScope scope(threads);
  grnglue::RMonitor mon(verbose, "torchscript");
  auto p = grntorch::torchscript_embeddings(path, x, batch_cells, &mon);
  mon.finish();
  return Rcpp::List::create(Rcpp::Named("mean") = grnglue::to_r(p.mean),
                            Rcpp::Named("attentive") = p.has_attention ? Rcpp::RObject(grnglue::to_r(p.attentive)) : Rcpp::RObject(R_NilValue));
  GRN_CATCH
}

// Writes a small TorchScript fixture module (tests, examples).
// [[Rcpp::export(.grn_write_torchscript_fixture)]]
void grn_write_torchscript_fixture(const std::string path, const int dim, const bool with_attention, const double seed) {
  GRN_TRY
  grntorch::write_torchscript_fixture(path, dim, with_attention, static_cast<uint64_t>(seed));
  GRN_CATCH
}

// Test AUROC / average precision of scores against 0/1 labels.
// [[Rcpp::export(.grn_pair_metrics)]]
Rcpp::NumericVector grn_pair_metrics(const Rcpp::NumericVector score, const Rcpp::NumericVector label) {
  GRN_TRY
  std::vector<float> s(score.begin(), score.end()), l(label.begin(), label.end());
  return Rcpp::NumericVector::create(Rcpp::Named("auroc") = grntorch::auroc(s, l),
                                     Rcpp::Named("average_precision") = grntorch::average_precision(s, l));
  GRN_CATCH
}
