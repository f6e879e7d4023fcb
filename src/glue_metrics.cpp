#include "glue.h"

#include "grntorch/metrics.hpp"

// score: finite doubles (already |w| where BEELINE's rules ask for it);
// label: 0/1 integers of the same length.
// [[Rcpp::export(.grn_ranking_metrics)]]
Rcpp::List grn_ranking_metrics(const Rcpp::NumericVector score, const Rcpp::IntegerVector label, const double hit_frac) {
  GRN_TRY
  if (score.size() != label.size()) throw grntorch_argument_error("label", "differs in length from score");
  grntorch::RankingMetrics m = grntorch::ranking_metrics(score.begin(), label.begin(),
                                                         static_cast<std::size_t>(score.size()), hit_frac);
  return Rcpp::List::create(
      Rcpp::Named("n") = static_cast<double>(m.n), Rcpp::Named("n_pos") = static_cast<double>(m.n_pos),
      Rcpp::Named("auroc") = m.auroc, Rcpp::Named("auprc") = m.auprc,
      Rcpp::Named("average_precision") = m.average_precision, Rcpp::Named("hit") = m.hit,
      Rcpp::Named("hit_k") = static_cast<double>(m.hit_k), Rcpp::Named("early_precision") = m.early_precision,
      Rcpp::Named("early_taken") = static_cast<double>(m.early_taken));
  GRN_CATCH
}
