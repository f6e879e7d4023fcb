#include "glue.h"

#include "grntorch/deepsem.hpp"

#include <cmath>

// One DeepSEM run.  expr: genes x cells (finite, checked).  Returns A
// (genes x genes, A[target, regulator]) and the per-epoch loss trace.
// [[Rcpp::export(.grn_deepsem)]]
Rcpp::List grn_deepsem(const Rcpp::NumericMatrix expr, const std::string mode, const double alpha, const double beta,
                       const int epochs, const int batch_size, const double lr, const double lr_adj, const int hidden,
                       const double lr_decay, const double seed, const int net_epochs, const int adj_epochs,
                       const int threads, const std::string device, const bool verbose, const std::string label) {
  GRN_TRY
  grntorch::Matrix x = grnglue::to_engine(expr, "x");
  grntorch::DeepSEMMode m;
  if (mode == "celltype") m = grntorch::DeepSEMMode::CellType;
  else if (mode == "nonspecific") m = grntorch::DeepSEMMode::NonSpecific;
  else Rcpp::stop("`mode` must be \"celltype\" or \"nonspecific\"");
  if (!std::isfinite(seed) || seed < 0) Rcpp::stop("`seed` must be a non-negative whole number");
  grntorch::DeepSEMOptions opt = grntorch::DeepSEMOptions::defaults(m);
  opt.alpha = alpha;
  opt.beta = beta;
  opt.epochs = epochs;
  opt.batch_size = batch_size;
  opt.lr = lr;
  opt.lr_adj = lr_adj;
  opt.hidden = hidden;
  opt.lr_decay = lr_decay;
  opt.net_epochs = net_epochs;
  opt.adj_epochs = adj_epochs;
  opt.seed = static_cast<std::uint64_t>(seed);
  opt.device = device;
  grnglue::ThreadScope scope(threads);
  grntorch::DeepSEMResult res;
  {
    grnglue::RMonitor mon(verbose, label);
    res = grntorch::deepsem_fit(x, opt, &mon);
  }
  return Rcpp::List::create(
      Rcpp::Named("A") = grnglue::to_r(res.A), Rcpp::Named("loss") = Rcpp::wrap(res.trace.loss),
      Rcpp::Named("mse") = Rcpp::wrap(res.trace.mse), Rcpp::Named("kl") = Rcpp::wrap(res.trace.kl),
      Rcpp::Named("sparse") = Rcpp::wrap(res.trace.sparse), Rcpp::Named("seconds") = res.seconds);
  GRN_CATCH
}
