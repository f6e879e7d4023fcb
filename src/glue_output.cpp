// The edges of a result, chosen on the score matrix itself: only the pairs
// kept ever become R vectors, so `top = k` on a 1,500 x 30,000 score matrix
// costs k rows, not 45 million.
#include "glue.h"

#include <algorithm>
#include <cmath>
#include <queue>
#include <vector>

namespace {

struct Cand {
  double w;  // |score|
  int r;     // 0-based row (regulator)
  int c;     // 0-based column (gene)
};

// The order of the edge table: weight descending, then the regulator's and
// the target's name (as ranked by the caller: R's radix order), ascending.
struct Before {
  const int* rkey;
  const int* ckey;
  bool operator()(const Cand& a, const Cand& b) const {
    if (a.w != b.w) return a.w > b.w;
    if (rkey[a.r] != rkey[b.r]) return rkey[a.r] < rkey[b.r];
    return ckey[a.c] < ckey[b.c];
  }
};

}  // namespace

// scores: regulators x genes; self_col: for each row the 1-based column of the
// same gene (NA: none); row_key / col_key: sort keys of the row / column names;
// top: how many edges to keep (NA: every non-zero, non-self pair).
// Returns list(row, col) (1-based, in rank order) and n_nonfinite.
// [[Rcpp::export(.grn_top_pairs)]]
Rcpp::List grn_top_pairs(const Rcpp::NumericMatrix scores, const Rcpp::IntegerVector self_col,
                         const Rcpp::IntegerVector row_key, const Rcpp::IntegerVector col_key, const int top) {
  GRN_TRY
  const int nr = scores.nrow(), nc = scores.ncol();
  if (self_col.size() != nr || row_key.size() != nr || col_key.size() != nc) {
    throw grntorch_argument_error("scores", "internal error: key lengths do not match the score matrix");
  }
  const double* s = scores.begin();
  R_xlen_t nonfinite = 0;
  for (R_xlen_t i = 0, n = static_cast<R_xlen_t>(nr) * nc; i < n; ++i) {
    if (!std::isfinite(s[i])) ++nonfinite;
  }
  if (nonfinite > 0) {
    return Rcpp::List::create(Rcpp::Named("row") = Rcpp::IntegerVector(0), Rcpp::Named("col") = Rcpp::IntegerVector(0),
                              Rcpp::Named("n_nonfinite") = static_cast<double>(nonfinite));
  }
  const Before before{row_key.begin(), col_key.begin()};
  const bool all = top == NA_INTEGER;
  std::vector<Cand> kept;
  // Bounded: a heap whose top is the worst of the best `top` seen so far.
  std::priority_queue<Cand, std::vector<Cand>, Before> heap(before);
  if (all) kept.reserve(static_cast<std::size_t>(nr) * nc);
  for (int c = 0; c < nc; ++c) {
    if (c % 256 == 0) Rcpp::checkUserInterrupt();
    const double* col = s + static_cast<R_xlen_t>(c) * nr;
    for (int r = 0; r < nr; ++r) {
      const double v = col[r];
      if (v == 0.0 || self_col[r] == c + 1) continue;
      const Cand cand{std::fabs(v), r, c};
      if (all) {
        kept.push_back(cand);
      } else if (static_cast<int>(heap.size()) < top) {
        heap.push(cand);
      } else if (before(cand, heap.top())) {
        heap.pop();
        heap.push(cand);
      }
    }
  }
  if (!all) {
    kept.reserve(heap.size());
    while (!heap.empty()) {
      kept.push_back(heap.top());
      heap.pop();
    }
  }
  std::sort(kept.begin(), kept.end(), before);
  Rcpp::IntegerVector row(kept.size()), col(kept.size());
  for (std::size_t k = 0; k < kept.size(); ++k) {
    row[k] = kept[k].r + 1;
    col[k] = kept[k].c + 1;
  }
  return Rcpp::List::create(Rcpp::Named("row") = row, Rcpp::Named("col") = col, Rcpp::Named("n_nonfinite") = 0.0);
  GRN_CATCH
}
