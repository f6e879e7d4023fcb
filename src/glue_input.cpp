// Sparse input: only the selected rows (genes) of a dgCMatrix are ever made dense.
#include <RcppEigen.h>

#include "glue.h"

#include <cmath>
#include <vector>

// [[Rcpp::depends(RcppEigen)]]

// x: genes x cells dgCMatrix; rows: 1-based gene rows to keep, in output order.
// [[Rcpp::export(.grn_densify_rows)]]
Rcpp::NumericMatrix grn_densify_rows(const Eigen::Map<Eigen::SparseMatrix<double>> x,
                                     const Rcpp::IntegerVector rows) {
  GRN_TRY
  const int nr = static_cast<int>(x.rows());
  const int nc = static_cast<int>(x.cols());
  std::vector<int> map(nr, -1);
  for (int k = 0; k < rows.size(); ++k) {
    const int r = rows[k];
    if (r == NA_INTEGER || r < 1 || r > nr) throw grntorch_argument_error("rows", "row index out of range");
    map[r - 1] = k;
  }
  Rcpp::NumericMatrix out(rows.size(), nc);
  for (int j = 0; j < nc; ++j) {
    for (Eigen::Map<Eigen::SparseMatrix<double>>::InnerIterator it(x, j); it; ++it) {
      const int k = map[it.row()];
      if (k < 0) continue;
      const double v = it.value();
      if (!std::isfinite(v)) throw grntorch_argument_error("x", "contains NA, NaN or infinite values");
      out(k, j) = v;
    }
  }
  return out;
  GRN_CATCH
}
