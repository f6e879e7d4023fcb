#include "glue.h"

#include "grntorch/correlation.hpp"

// expr: genes x cells (finite, checked); regulators: 1-based rows; opts:
// method ("pearson" / "spearman"), threads, verbose.
// [[Rcpp::export(.grn_correlation)]]
Rcpp::NumericMatrix grn_correlation(const Rcpp::NumericMatrix expr, const Rcpp::IntegerVector regulators,
                                    const Rcpp::List opts) {
  GRN_TRY
  grnglue::Options o(opts, "correlation_method()");
  const std::string method = o.string("method", {"pearson", "spearman"});
  const grnglue::RunControls run = grnglue::run_controls(o);
  o.finish();
  grntorch::Matrix x = grnglue::to_engine(expr, "x");
  const std::vector<int> regs = grnglue::to_rows(regulators);
  const grntorch::CorrelationMethod m =
      method == "pearson" ? grntorch::CorrelationMethod::Pearson : grntorch::CorrelationMethod::Spearman;
  grnglue::ThreadScope scope(run.threads);
  grnglue::RMonitor mon(run.verbose, method);
  return grnglue::to_r(grntorch::correlation_scores(x, regs, m, &mon));
  GRN_CATCH
}
