// Ranking metrics for scored, labelled pairs (BEELINE-compatible).  Plain
// C++17, no torch: a sort plus one sweep over tie groups, in double.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace grntorch {

struct RankingMetrics {
  std::int64_t n = 0;            // scored pairs
  std::int64_t n_pos = 0;        // positives among them
  double auroc = 0;              // tie-aware (ties count 1/2), NaN without both classes
  double auprc = 0;              // trapezoid under sklearn's PR curve, from (recall 0, precision 1)
  double average_precision = 0;  // sum over thresholds of (R_t - R_{t-1}) * P_t
  double hit = 0;                // precision among the top ceil(hit_frac * n) pairs, ties shared pro rata
  std::int64_t hit_k = 0;        // number of pairs in that top fraction
  double early_precision = 0;    // BEELINE EP: pairs with w >= max(min non-zero w, k-th largest w), k = n_pos
  std::int64_t early_taken = 0;  // how many pairs EP looked at (0 when every score is zero)
};

// score[i]: higher = more confident (callers pass |w| for BEELINE's rules);
// label[i]: 0 or 1.  Scores must be finite.  hit_frac in (0, 1].
// Throws InvalidArgument on bad input.
RankingMetrics ranking_metrics(const double* score, const int* label, std::size_t n, double hit_frac);

// The same sweep for float scores (the models' validation and test scores):
// label > 0.5 is a positive.  Scores may be infinite; a NaN score makes the
// result NaN.  Throws InvalidArgument when the lengths differ.
// AUROC, exact (ties count one half); NaN when a class is absent.
double auroc(const std::vector<float>& score, const std::vector<float>& label);
// Average precision (sklearn's step-wise estimator); NaN without positives.
double average_precision(const std::vector<float>& score, const std::vector<float>& label);

}  // namespace grntorch
