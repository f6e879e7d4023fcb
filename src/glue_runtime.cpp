#include "glue.h"

// [[Rcpp::export(.grn_runtime_info)]]
Rcpp::List grn_runtime_info() {
  GRN_TRY
  auto info = grntorch::runtime_info();
  return Rcpp::List::create(
      Rcpp::Named("torch_version") = info.torch_version,
      Rcpp::Named("threads") = info.intra_op_threads,
      Rcpp::Named("interop_threads") = info.inter_op_threads,
      Rcpp::Named("blas") = info.blas_kind,
      Rcpp::Named("blas_library") = info.blas,
      Rcpp::Named("cuda") = info.cuda_available,
      Rcpp::Named("parallel_info") = info.parallel_info,
      Rcpp::Named("onednn") = info.onednn);
  GRN_CATCH
}

// [[Rcpp::export(.grn_set_threads)]]
int grn_set_threads(int n) {
  GRN_TRY
  return grntorch::set_threads(n);
  GRN_CATCH
}

// The argument named by the last argument error of the glue ("" when none);
// read by R/engine.R right after it caught that error.
// [[Rcpp::export(.grn_error_arg)]]
std::string grn_error_arg() { return grnglue::last_error_arg; }
