// Glue shared by the DeepSEM family's entry points (glue_deepsem.cpp, glue_dazzle.cpp,
// glue_infosem.cpp): DeepSEM's options, read once.  Rcpp only: never include torch.
#pragma once

#include "glue.h"
#include "grntorch/deepsem.hpp"

namespace grnglue {

// DeepSEM's options, shared by the DeepSEM and InfoSEM entry points (names as
// in deepsem(): mode, alpha, beta, epochs, batch_size, lr, lr_adj, hidden,
// lr_decay, cells_per_epoch, net_epochs, adj_epochs, seed, device, precision).
grntorch::DeepSEMOptions deepsem_options(const Options& o);

// One fit on the DeepSEM engine as every such entry point runs it (DeepSEM,
// DAZZLE): the expression converted, the threads set, the progress monitor;
// fit(x, monitor) returns the DeepSEMResult.  Returns R's list: A (genes x
// genes, A[target, regulator]), the per-epoch trace (loss, mse, kl, sparse,
// and classifier when the model has one), seconds and the threads used.
template <class Fit>
Rcpp::List run_sem(const Rcpp::NumericMatrix& expr, const RunControls& run, const std::string& label, Fit&& fit) {
  grntorch::Matrix x = to_engine(expr, "x");
  ThreadScope scope(run.threads);
  grntorch::DeepSEMResult res;
  const int used_threads = scope.in_effect();
  {
    RMonitor mon(run.verbose, label);
    res = fit(x, &mon);
  }
  Rcpp::List out = Rcpp::List::create(
      Rcpp::Named("A") = to_r(res.A), Rcpp::Named("loss") = Rcpp::wrap(res.trace.loss),
      Rcpp::Named("mse") = Rcpp::wrap(res.trace.mse), Rcpp::Named("kl") = Rcpp::wrap(res.trace.kl),
      Rcpp::Named("sparse") = Rcpp::wrap(res.trace.sparse), Rcpp::Named("seconds") = res.seconds,
      Rcpp::Named("threads") = used_threads);
  if (!res.trace.classifier.empty()) out.push_back(Rcpp::wrap(res.trace.classifier), "classifier");
  return out;
}

}  // namespace grnglue
