#include "glue.h"

#include "grntorch/infosem.hpp"

#include <cmath>

namespace {
double num(const Rcpp::List& o, const char* name) { return Rcpp::as<double>(o[name]); }
}  // namespace

// One InfoSEM run.  expr: genes x cells; embeddings: genes x d (rows aligned
// with expr, d may be 0); lab_*: 0-based labelled pairs (empty: InfoSEM-B).
// Returns A (genes x genes, A[target, regulator]), prob (InfoSEM-BC), w and
// the per-epoch trace.
// [[Rcpp::export(.grn_infosem)]]
Rcpp::List grn_infosem(const Rcpp::NumericMatrix expr, const Rcpp::NumericMatrix embeddings,
                       const Rcpp::IntegerVector lab_reg, const Rcpp::IntegerVector lab_tgt,
                       const Rcpp::IntegerVector lab_y, const Rcpp::List opts, const int threads, const bool verbose,
                       const std::string label) {
  GRN_TRY
  grntorch::Matrix x = grnglue::to_engine(expr, "x");
  grntorch::Matrix h = embeddings.ncol() > 0 ? grnglue::to_engine(embeddings, "embeddings") : grntorch::Matrix();
  if (embeddings.ncol() == 0) h.rows = expr.nrow();
  const std::string mode = Rcpp::as<std::string>(opts["mode"]);
  grntorch::DeepSEMMode m;
  if (mode == "celltype") m = grntorch::DeepSEMMode::CellType;
  else if (mode == "nonspecific") m = grntorch::DeepSEMMode::NonSpecific;
  else Rcpp::stop("`mode` must be \"celltype\" or \"nonspecific\"");
  const double seed = num(opts, "seed");
  if (!std::isfinite(seed) || seed < 0) Rcpp::stop("`seed` must be a non-negative whole number");
  grntorch::InfoSEMOptions opt;
  opt.deepsem = grntorch::DeepSEMOptions::defaults(m);
  opt.deepsem.alpha = num(opts, "alpha");
  opt.deepsem.beta = num(opts, "beta");
  opt.deepsem.epochs = static_cast<int>(num(opts, "epochs"));
  opt.deepsem.batch_size = static_cast<int>(num(opts, "batch_size"));
  opt.deepsem.lr = num(opts, "lr");
  opt.deepsem.lr_adj = num(opts, "lr_adj");
  opt.deepsem.hidden = static_cast<int>(num(opts, "hidden"));
  opt.deepsem.lr_decay = num(opts, "lr_decay");
  opt.deepsem.net_epochs = static_cast<int>(num(opts, "net_epochs"));
  opt.deepsem.adj_epochs = static_cast<int>(num(opts, "adj_epochs"));
  opt.deepsem.seed = static_cast<std::uint64_t>(seed);
  opt.deepsem.device = Rcpp::as<std::string>(opts["device"]);
  opt.sigma_w = num(opts, "sigma_w");
  opt.sigma_l = num(opts, "sigma_l");
  opt.rank = static_cast<int>(num(opts, "rank"));
  opt.lr_logit = num(opts, "lr_logit");
  opt.offset_parametrization = Rcpp::as<bool>(opts["offset"]);
  grntorch::LabeledPairs labs;
  labs.from.assign(lab_reg.begin(), lab_reg.end());
  labs.to.assign(lab_tgt.begin(), lab_tgt.end());
  labs.label.assign(lab_y.begin(), lab_y.end());
  grnglue::ThreadScope scope(threads);
  grntorch::InfoSEMResult res;
  {
    grnglue::RMonitor mon(verbose, label);
    res = grntorch::infosem_fit(x, h, labs.label.empty() ? nullptr : &labs, opt, &mon);
  }
  return Rcpp::List::create(
      Rcpp::Named("A") = grnglue::to_r(res.A),
      Rcpp::Named("prob") = res.prob.rows > 0 ? Rcpp::RObject(grnglue::to_r(res.prob)) : Rcpp::RObject(R_NilValue),
      Rcpp::Named("w_regulator") = Rcpp::wrap(res.w_regulator), Rcpp::Named("w_target") = Rcpp::wrap(res.w_target),
      Rcpp::Named("loss") = Rcpp::wrap(res.trace.loss), Rcpp::Named("mse") = Rcpp::wrap(res.trace.mse),
      Rcpp::Named("kl") = Rcpp::wrap(res.trace.kl), Rcpp::Named("prior") = Rcpp::wrap(res.trace.sparse),
      Rcpp::Named("epoch_seconds") = Rcpp::wrap(res.trace.seconds), Rcpp::Named("seconds") = res.seconds);
  GRN_CATCH
}
