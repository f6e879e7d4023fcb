#include "glue_deepsem.h"
#include "grntorch/infosem.hpp"

// One InfoSEM run.  expr: genes x cells; embeddings: genes x d (rows aligned
// with expr, d may be 0); lab_reg, lab_tgt: 1-based rows of expr and lab_y
// the 0/1 labels of the labelled pairs (empty: InfoSEM-B);
// opts: DeepSEM's options (grnglue::deepsem_options) plus sigma_w, sigma_l,
// rank, lr_logit, offset, threads, verbose, label.  Returns A (genes x genes,
// A[target, regulator]), prob (InfoSEM-BC), w and the per-epoch trace.
// [[Rcpp::export(.grn_infosem)]]
Rcpp::List grn_infosem(const Rcpp::NumericMatrix expr, const Rcpp::NumericMatrix embeddings,
                       const Rcpp::IntegerVector lab_reg, const Rcpp::IntegerVector lab_tgt,
                       const Rcpp::IntegerVector lab_y, const Rcpp::List opts) {
  GRN_TRY
  grnglue::Options o(opts, "infosem()");
  grntorch::InfoSEMOptions opt;
  opt.deepsem = grnglue::deepsem_options(o);
  opt.sigma_w = o.number("sigma_w");
  opt.sigma_l = o.number("sigma_l");
  opt.rank = o.integer("rank");
  opt.lr_logit = o.number("lr_logit");
  opt.offset_parametrization = o.flag("offset");
  const grnglue::RunControls run = grnglue::run_controls(o);
  const std::string label = o.string("label");
  o.finish();
  grntorch::Matrix x = grnglue::to_engine(expr, "x");
  grntorch::Matrix h = embeddings.ncol() > 0 ? grnglue::to_engine(embeddings, "embeddings") : grntorch::Matrix();
  if (embeddings.ncol() == 0) h.rows = expr.nrow();
  const grntorch::LabeledPairs labs = grnglue::to_pairs(lab_reg, lab_tgt, Rcpp::NumericVector(lab_y));
  grnglue::ThreadScope scope(run.threads);
  grntorch::InfoSEMResult res;
  const int used_threads = scope.in_effect();
  {
    grnglue::RMonitor mon(run.verbose, label);
    res = grntorch::infosem_fit(x, h, labs.label.empty() ? nullptr : &labs, opt, &mon);
  }
  return Rcpp::List::create(
      Rcpp::Named("A") = grnglue::to_r(res.A),
      Rcpp::Named("prob") = res.prob.rows > 0 ? Rcpp::RObject(grnglue::to_r(res.prob)) : Rcpp::RObject(R_NilValue),
      Rcpp::Named("w_regulator") = Rcpp::wrap(res.w_regulator), Rcpp::Named("w_target") = Rcpp::wrap(res.w_target),
      Rcpp::Named("loss") = Rcpp::wrap(res.trace.loss), Rcpp::Named("mse") = Rcpp::wrap(res.trace.mse),
      Rcpp::Named("kl") = Rcpp::wrap(res.trace.kl), Rcpp::Named("prior") = Rcpp::wrap(res.trace.sparse),
      Rcpp::Named("epoch_seconds") = Rcpp::wrap(res.trace.seconds), Rcpp::Named("seconds") = res.seconds,
      Rcpp::Named("threads") = used_threads);
  GRN_CATCH
}
