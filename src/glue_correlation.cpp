#include "glue.h"

#include "grntorch/correlation.hpp"

// expr: genes x cells (finite, checked); regulators: 1-based rows.
// [[Rcpp::export(.grn_correlation)]]
Rcpp::NumericMatrix grn_correlation(const Rcpp::NumericMatrix expr, const Rcpp::IntegerVector regulators,
                                    const std::string method, const int threads, const bool verbose) {
  GRN_TRY
  grntorch::Matrix x = grnglue::to_engine(expr, "x");
  std::vector<int> regs(regulators.size());
  for (int i = 0; i < regulators.size(); ++i) regs[i] = regulators[i] - 1;
  grntorch::CorrelationMethod m;
  if (method == "pearson") m = grntorch::CorrelationMethod::Pearson;
  else if (method == "spearman") m = grntorch::CorrelationMethod::Spearman;
  else Rcpp::stop("unknown correlation method '%s'", method);
  grnglue::ThreadScope scope(threads);
  grnglue::RMonitor mon(verbose, method);
  return grnglue::to_r(grntorch::correlation_scores(x, regs, m, &mon));
  GRN_CATCH
}
