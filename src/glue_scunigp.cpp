#include "glue.h"

#include "grntorch/scunigp.hpp"

namespace {

grntorch::LabeledPairs to_pairs(const Rcpp::IntegerVector& from, const Rcpp::IntegerVector& to,
                                const Rcpp::NumericVector& label) {
  grntorch::LabeledPairs p;
  for (R_xlen_t k = 0; k < from.size(); ++k) {
    p.from.push_back(from[k] - 1);
    p.to.push_back(to[k] - 1);
    p.label.push_back(static_cast<float>(label[k]));
  }
  return p;
}

template <typename T>
T get(const Rcpp::List& p, const char* name) {
  if (!p.containsElementNamed(name)) Rcpp::stop("internal: scunigp parameter '%s' missing", name);
  return Rcpp::as<T>(p[name]);
}

}  // namespace

// expr: genes x cells; regulators and pair endpoints 1-based rows of expr.
// [[Rcpp::export(.grn_scunigp)]]
Rcpp::List grn_scunigp(const Rcpp::NumericMatrix expr, const Rcpp::IntegerVector regulators,
                       const Rcpp::IntegerVector train_from, const Rcpp::IntegerVector train_to,
                       const Rcpp::NumericVector train_label, const Rcpp::IntegerVector val_from,
                       const Rcpp::IntegerVector val_to, const Rcpp::NumericVector val_label,
                       const Rcpp::List params, const int threads, const bool verbose) {
  GRN_TRY
  grntorch::Matrix x = grnglue::to_engine(expr, "x");
  std::vector<int> regs(regulators.size());
  for (R_xlen_t i = 0; i < regulators.size(); ++i) regs[i] = regulators[i] - 1;
  grntorch::ScUniGPOptions o;
  const std::string gnn = get<std::string>(params, "gnn"), fusion = get<std::string>(params, "fusion");
  o.gnn = gnn == "gcn" ? grntorch::ScUniGPGnn::GCN : grntorch::ScUniGPGnn::GAT;
  if (fusion == "multiscale") o.fusion = grntorch::ScUniGPFusion::MultiScale;
  else if (fusion == "late") o.fusion = grntorch::ScUniGPFusion::Late;
  else if (fusion == "early") o.fusion = grntorch::ScUniGPFusion::Early;
  else o.fusion = grntorch::ScUniGPFusion::None;
  o.gnn_dims = get<std::vector<int>>(params, "gnn_dims");
  o.tower_dims = get<std::vector<int>>(params, "tower_dims");
  o.gat_heads = get<int>(params, "gat_heads");
  o.pretrain_epochs = get<int>(params, "pretrain_epochs");
  o.pretrain_patience = get<int>(params, "pretrain_patience");
  o.d_model = get<int>(params, "d_model");
  o.n_heads = get<int>(params, "n_heads");
  o.n_layers = get<int>(params, "n_layers");
  o.dim_feedforward = get<int>(params, "dim_feedforward");
  o.dropout = get<double>(params, "dropout");
  o.epochs = get<int>(params, "epochs");
  o.patience = get<int>(params, "patience");
  o.lr = get<double>(params, "lr");
  o.gnn_lr_scale = get<double>(params, "gnn_lr_scale");
  o.weight_decay = get<double>(params, "weight_decay");
  o.batch_size = get<int>(params, "batch_size");
  o.seed = static_cast<std::uint64_t>(get<double>(params, "seed"));
  grnglue::ThreadScope scope(threads);
  grnglue::RMonitor mon(verbose, "scunigp");
  grntorch::ScUniGPResult r = grntorch::scunigp_fit(x, to_pairs(train_from, train_to, train_label),
                                                    to_pairs(val_from, val_to, val_label), regs, o, &mon);
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
      Rcpp::Named("n_parameters") = static_cast<double>(r.n_parameters));
  GRN_CATCH
}
