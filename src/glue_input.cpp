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

// One pass over a dense double vector/matrix (already the selected rows):
// whether every value is finite, whether every value is a non-negative whole
// number (counts-like), the maximum, and, for a genes x cells matrix, which
// rows are constant (all-zero included).  Nothing is allocated but the result.
// [[Rcpp::export(.grn_dense_check)]]
Rcpp::List grn_dense_check(const Rcpp::NumericMatrix x) {
  GRN_TRY
  const R_xlen_t nr = x.nrow();
  const R_xlen_t nc = x.ncol();
  bool finite = true;
  bool whole = true;
  double mx = R_NegInf;
  Rcpp::LogicalVector constant(nr, TRUE);
  const double* p = x.begin();
  for (R_xlen_t j = 0; j < nc; ++j) {
    const double* col = p + j * nr;
    for (R_xlen_t i = 0; i < nr; ++i) {
      const double v = col[i];
      if (!std::isfinite(v)) { finite = false; continue; }
      if (whole && (v < 0 || v != std::floor(v))) whole = false;
      if (v > mx) mx = v;
      if (j > 0 && constant[i] && v != p[i]) constant[i] = FALSE;
    }
  }
  return Rcpp::List::create(Rcpp::Named("finite") = finite, Rcpp::Named("whole") = whole,
                            Rcpp::Named("max") = mx, Rcpp::Named("constant") = constant);
  GRN_CATCH
}

// The same counts test on the non-zero values of a sparse matrix (its x slot):
// non-negative whole numbers, and their maximum.
// [[Rcpp::export(.grn_values_check)]]
Rcpp::List grn_values_check(const Rcpp::NumericVector v) {
  GRN_TRY
  bool finite = true;
  bool whole = true;
  double mx = R_NegInf;
  for (R_xlen_t k = 0; k < v.size(); ++k) {
    const double a = v[k];
    if (!std::isfinite(a)) { finite = false; continue; }
    if (whole && (a < 0 || a != std::floor(a))) whole = false;
    if (a > mx) mx = a;
  }
  return Rcpp::List::create(Rcpp::Named("finite") = finite, Rcpp::Named("whole") = whole,
                            Rcpp::Named("max") = mx);
  GRN_CATCH
}

namespace {
// Per-row statistics of y = log ? log1p(v * scale[j]) : v over all cells
// (implicit zeros included): sum, M2 (sum of squared deviations about the
// row's mean, two-pass) and the number of non-zero values.
struct RowStats {
  std::vector<double> sum, m2;
  std::vector<int> nnz;
  explicit RowStats(int nr) : sum(nr, 0.0), m2(nr, 0.0), nnz(nr, 0) {}
  Rcpp::List result() const {
    return Rcpp::List::create(Rcpp::Named("sum") = Rcpp::wrap(sum), Rcpp::Named("m2") = Rcpp::wrap(m2),
                              Rcpp::Named("nnz") = Rcpp::wrap(nnz));
  }
};

inline double transform(double v, bool log, const Rcpp::NumericVector& scale, int j) {
  if (!log) return v;
  return std::log1p(v * scale[j]);
}
}  // namespace

// Row statistics of a dgCMatrix from its slots: never densified.  `scale`
// (length ncol) is used only when `log` is TRUE.
// [[Rcpp::export(.grn_row_stats_sparse)]]
Rcpp::List grn_row_stats_sparse(const Eigen::Map<Eigen::SparseMatrix<double>> x, const Rcpp::NumericVector scale,
                                const bool log) {
  GRN_TRY
  const int nr = static_cast<int>(x.rows());
  const int nc = static_cast<int>(x.cols());
  if (log && scale.size() != nc) throw grntorch_argument_error("scale", "must have one value per column");
  RowStats s(nr);
  using It = Eigen::Map<Eigen::SparseMatrix<double>>::InnerIterator;
  for (int j = 0; j < nc; ++j) {
    for (It it(x, j); it; ++it) {
      const double y = transform(it.value(), log, scale, j);
      s.sum[it.row()] += y;
      if (y != 0) s.nnz[it.row()] += 1;
    }
    if ((j & 1023) == 0) Rcpp::checkUserInterrupt();
  }
  std::vector<double> mean(nr);
  for (int i = 0; i < nr; ++i) mean[i] = s.sum[i] / nc;
  std::vector<int> stored(nr, 0);
  for (int j = 0; j < nc; ++j) {
    for (It it(x, j); it; ++it) {
      const double d = transform(it.value(), log, scale, j) - mean[it.row()];
      s.m2[it.row()] += d * d;
      stored[it.row()] += 1;
    }
    if ((j & 1023) == 0) Rcpp::checkUserInterrupt();
  }
  // the implicit zeros: each contributes mean^2
  for (int i = 0; i < nr; ++i) s.m2[i] += static_cast<double>(nc - stored[i]) * mean[i] * mean[i];
  return s.result();
  GRN_CATCH
}

// Row statistics of a dense (double, integer or logical) genes x cells matrix or column block.
// [[Rcpp::export(.grn_row_stats_dense)]]
Rcpp::List grn_row_stats_dense(SEXP x, const Rcpp::NumericVector scale, const bool log) {
  GRN_TRY
  if (!Rf_isMatrix(x)) throw grntorch_argument_error("x", "must be a matrix");
  const int nr = Rf_nrows(x);
  const int nc = Rf_ncols(x);
  if (log && scale.size() != nc) throw grntorch_argument_error("scale", "must have one value per column");
  auto run = [&](auto get) {
    RowStats s(nr);
    for (int j = 0; j < nc; ++j) {
      for (int i = 0; i < nr; ++i) {
        const double y = transform(get(static_cast<R_xlen_t>(j) * nr + i), log, scale, j);
        s.sum[i] += y;
        if (y != 0) s.nnz[i] += 1;
      }
    }
    std::vector<double> mean(nr);
    for (int i = 0; i < nr; ++i) mean[i] = s.sum[i] / nc;
    for (int j = 0; j < nc; ++j) {
      for (int i = 0; i < nr; ++i) {
        const double d = transform(get(static_cast<R_xlen_t>(j) * nr + i), log, scale, j) - mean[i];
        s.m2[i] += d * d;
      }
    }
    return s.result();
  };
  switch (TYPEOF(x)) {
    case REALSXP: {
      const double* p = REAL(x);
      return run([p](R_xlen_t k) { return p[k]; });
    }
    case INTSXP:
    case LGLSXP: {
      const int* p = TYPEOF(x) == INTSXP ? INTEGER(x) : LOGICAL(x);
      return run([p](R_xlen_t k) { return p[k] == NA_INTEGER ? NA_REAL : static_cast<double>(p[k]); });
    }
    default:
      throw grntorch_argument_error("x", "must hold numbers");
  }
  GRN_CATCH
}
