#include "glue.h"

#include "grntorch/supervised.hpp"
#include "grntorch/torchscript.hpp"

// expr: genes x cells; regulators and pair genes: 1-based rows; embeddings:
// genes x d (0 columns when unused); opts: model, gnn, epochs, lr, lr_decay,
// batch_size, weight_decay, dropout, patience, select_best, select_window,
// select_average, hidden, heads, pair_correlation, cell_features (0 = every cell), seed, threads,
// verbose.  Returns scores
// (regulators x genes) and the training trace.
// [[Rcpp::export(.grn_supervised)]]
Rcpp::List grn_supervised(const Rcpp::NumericMatrix expr, const Rcpp::IntegerVector regulators,
                          const Rcpp::IntegerVector train_from, const Rcpp::IntegerVector train_to,
                          const Rcpp::NumericVector train_label, const Rcpp::IntegerVector val_from,
                          const Rcpp::IntegerVector val_to, const Rcpp::NumericVector val_label,
                          const Rcpp::NumericMatrix embeddings, const Rcpp::List opts) {
  GRN_TRY
  grnglue::Options p(opts, "supervised model");
  grntorch::SupervisedOptions o;
  using M = grntorch::SupervisedModel;
  const std::string model = p.string("model", {"genelink", "gnnlink", "scregnet", "sctransnet"});
  o.model = p.choice<M>("model", {{"genelink", M::GENELink}, {"gnnlink", M::GNNLink}, {"scregnet", M::ScRegNet},
                                  {"sctransnet", M::ScTransNet}});
  using G = grntorch::GNNKind;
  o.gnn = p.choice<G>("gnn", {{"gcn", G::GCN}, {"gat", G::GAT}, {"sage", G::SAGE}});
  o.epochs = p.integer("epochs");
  o.lr = p.number("lr");
  o.lr_decay = p.number("lr_decay");
  o.batch_size = p.integer("batch_size");
  o.weight_decay = p.number("weight_decay");
  o.dropout = p.number("dropout");
  o.patience = p.integer("patience");
  o.select_best = p.flag("select_best");
  o.select_window = p.integer("select_window");
  o.select_average = p.flag("select_average");
  o.hidden = p.int_vector("hidden");
  o.heads = p.integer("heads");
  o.pair_correlation = p.flag("pair_correlation");
  o.cell_features = p.integer("cell_features");
  o.seed = p.seed("seed");
  const grnglue::RunControls run = grnglue::run_controls(p);
  p.finish();
  grntorch::Matrix x = grnglue::to_engine(expr, "x");
  grntorch::Matrix emb;
  if (embeddings.ncol() > 0) emb = grnglue::to_engine(embeddings, "embeddings");
  const std::vector<int> regs = grnglue::to_rows(regulators);
  grnglue::ThreadScope scope(run.threads);
  grnglue::RMonitor mon(run.verbose, model);
  auto res = grntorch::fit_supervised(x, regs, grnglue::to_pairs(train_from, train_to, train_label),
                                      grnglue::to_pairs(val_from, val_to, val_label), emb, o, &mon);
  mon.finish();
  return Rcpp::List::create(Rcpp::Named("scores") = grnglue::to_r(res.scores),
                            Rcpp::Named("train_loss") = Rcpp::wrap(res.train_loss),
                            Rcpp::Named("val_auroc") = Rcpp::wrap(res.val_auroc),
                            Rcpp::Named("val_loss") = Rcpp::wrap(res.val_loss),
                            Rcpp::Named("best_epoch") = res.best_epoch,
                            Rcpp::Named("epochs_run") = res.epochs_run,
                            Rcpp::Named("pair_weights") = Rcpp::wrap(res.pair_weights),
                            Rcpp::Named("input_features") = res.input_features,
                            Rcpp::Named("cell_variance_kept") = res.cell_variance_kept,
                            Rcpp::Named("phase_seconds") = grnglue::phase_seconds(res.seconds));
  GRN_CATCH
}

// Pooled per-gene embeddings from a TorchScript module run on expr (genes x
// cells); opts: batch_cells, threads, verbose.
// [[Rcpp::export(.grn_torchscript_embeddings)]]
Rcpp::List grn_torchscript_embeddings(const std::string path, const Rcpp::NumericMatrix expr, const Rcpp::List opts) {
  GRN_TRY
  grnglue::Options o(opts, "fm_embeddings()");
  const int batch_cells = o.integer("batch_cells");
  const grnglue::RunControls run = grnglue::run_controls(o);
  o.finish();
  grntorch::Matrix x = grnglue::to_engine(expr, "expression");
  grnglue::ThreadScope scope(run.threads);
  grnglue::RMonitor mon(run.verbose, "torchscript");
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
