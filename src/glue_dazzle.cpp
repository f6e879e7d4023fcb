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
  return grnglue::run_sem(expr, run, label, [&](const grntorch::Matrix& x, grntorch::Monitor* mon) {
    return grntorch::dazzle_fit(x, opt, mon);
  });
  GRN_CATCH
}
