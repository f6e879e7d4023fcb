#include "glue_deepsem.h"

#include "grntorch/dazzle.hpp"

// One DAZZLE run.  expr: genes x cells (finite, checked); opts: DeepSEM's
// options (deepsem_options(); `mode` must be "nonspecific", DAZZLE's one
// z-score) plus augment, classifier_weight, sparse_delay, lr_milestones,
// threads, verbose and label.  Returns A (genes x genes, A[target,
// regulator]) and the per-epoch loss trace.
// [[Rcpp::export(.grn_dazzle)]]
Rcpp::List grn_dazzle(const Rcpp::NumericMatrix expr, const Rcpp::List opts) {
  GRN_TRY
  grnglue::Options o(opts, "dazzle()");
  grntorch::DazzleOptions opt;
  opt.deepsem = grnglue::deepsem_options(o);
  opt.augment = o.number("augment");
  opt.classifier_weight = o.number("classifier_weight");
  opt.sparse_delay = o.integer("sparse_delay");
  opt.lr_milestones = o.int_vector("lr_milestones", 0);
  const grnglue::RunControls run = grnglue::run_controls(o);
  const std::string label = o.string("label");
  o.finish();
  grntorch::Matrix x = grnglue::to_engine(expr, "x");
  grnglue::ThreadScope scope(run.threads);
  grntorch::DeepSEMResult res;
  const int used_threads = scope.in_effect();
  {
    grnglue::RMonitor mon(run.verbose, label);
    res = grntorch::dazzle_fit(x, opt, &mon);
  }
  return Rcpp::List::create(
      Rcpp::Named("A") = grnglue::to_r(res.A), Rcpp::Named("loss") = Rcpp::wrap(res.trace.loss),
      Rcpp::Named("mse") = Rcpp::wrap(res.trace.mse), Rcpp::Named("kl") = Rcpp::wrap(res.trace.kl),
      Rcpp::Named("sparse") = Rcpp::wrap(res.trace.sparse),
      Rcpp::Named("classifier") = Rcpp::wrap(res.trace.classifier), Rcpp::Named("seconds") = res.seconds,
      Rcpp::Named("threads") = used_threads);
  GRN_CATCH
}
