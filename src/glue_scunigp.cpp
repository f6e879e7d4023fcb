#include "glue.h"

#include "grntorch/scunigp.hpp"

// expr: genes x cells; regulators and pair endpoints 1-based rows of expr;
// opts: gnn, fusion, gnn_dims, tower_dims, gat_heads, pretrain_epochs,
// pretrain_patience, d_model, n_heads, n_layers, dim_feedforward, dropout,
// epochs, patience, lr, gnn_lr_scale, weight_decay, batch_size, cell_features (0 = every cell), seed,
// threads, verbose.
// [[Rcpp::export(.grn_scunigp)]]
Rcpp::List grn_scunigp(const Rcpp::NumericMatrix expr, const Rcpp::IntegerVector regulators,
                       const Rcpp::IntegerVector train_from, const Rcpp::IntegerVector train_to,
                       const Rcpp::NumericVector train_label, const Rcpp::IntegerVector val_from,
                       const Rcpp::IntegerVector val_to, const Rcpp::NumericVector val_label,
                       const Rcpp::List opts) {
  GRN_TRY
  grnglue::Options p(opts, "scunigp()");
  grntorch::ScUniGPOptions o;
  o.seed = p.seed("seed");  // first, as in scunigp()
  o.gnn = p.choice<grntorch::ScUniGPGnn>("gnn", {{"gat", grntorch::ScUniGPGnn::GAT}, {"gcn", grntorch::ScUniGPGnn::GCN}});
  o.fusion = p.choice<grntorch::ScUniGPFusion>("fusion", {{"multiscale", grntorch::ScUniGPFusion::MultiScale},
                                                        {"late", grntorch::ScUniGPFusion::Late},
                                                        {"early", grntorch::ScUniGPFusion::Early},
                                                        {"none", grntorch::ScUniGPFusion::None}});
  o.gnn_dims = p.int_vector("gnn_dims");
  o.tower_dims = p.int_vector("tower_dims");
  o.gat_heads = p.integer("gat_heads");
  o.pretrain_epochs = p.integer("pretrain_epochs");
  o.pretrain_patience = p.integer("pretrain_patience");
  o.d_model = p.integer("d_model");
  o.n_heads = p.integer("n_heads");
  o.n_layers = p.integer("n_layers");
  o.dim_feedforward = p.integer("dim_feedforward");
  o.dropout = p.number("dropout");
  o.epochs = p.integer("epochs");
  o.patience = p.integer("patience");
  o.lr = p.number("lr");
  o.gnn_lr_scale = p.number("gnn_lr_scale");
  o.weight_decay = p.number("weight_decay");
  o.batch_size = p.integer("batch_size");
  o.cell_features = p.integer("cell_features");
  const grnglue::RunControls run = grnglue::run_controls(p);
  p.finish();
  grntorch::Matrix x = grnglue::to_engine(expr, "x");
  const std::vector<int> regs = grnglue::to_rows(regulators);
  grnglue::ThreadScope scope(run.threads);
  grnglue::RMonitor mon(run.verbose, "scunigp");
  grntorch::ScUniGPResult r = grntorch::scunigp_fit(x, grnglue::to_pairs(train_from, train_to, train_label),
                                                    grnglue::to_pairs(val_from, val_to, val_label), regs, o, &mon);
  mon.finish();
  return Rcpp::List::create(
      Rcpp::Named("logits") = grnglue::to_r(r.logits),
      Rcpp::Named("expert_logits") = r.expert_logits.data.empty() ? Rcpp::RObject(R_NilValue)
                                                                  : Rcpp::RObject(grnglue::to_r(r.expert_logits)),
      Rcpp::Named("pretrain_val_auroc") = r.pretrain_val_auroc, Rcpp::Named("val_auroc") = r.val_auroc,
      Rcpp::Named("train_loss") = r.train_loss, Rcpp::Named("pretrain_best_epoch") = r.pretrain_best_epoch,
      Rcpp::Named("best_epoch") = r.best_epoch, Rcpp::Named("best_val_auroc") = r.best_val_auroc,
      Rcpp::Named("seconds") = Rcpp::NumericVector::create(Rcpp::Named("pretrain") = r.seconds_pretrain,
                                                           Rcpp::Named("train") = r.seconds_train,
                                                           Rcpp::Named("predict") = r.seconds_predict),
      Rcpp::Named("phase_seconds") = grnglue::phase_seconds(r.phase_seconds),
      Rcpp::Named("n_parameters") = static_cast<double>(r.n_parameters),
      Rcpp::Named("input_features") = r.input_features, Rcpp::Named("cell_variance_kept") = r.cell_variance_kept);
  GRN_CATCH
}
