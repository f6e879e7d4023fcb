// Correlation scorers (Pearson, Spearman) computed with LibTorch.
#pragma once

#include "grntorch/common.hpp"

namespace grntorch {

enum class CorrelationMethod { Pearson, Spearman };

// expr: genes x cells (column-major).  regulators: 0-based gene rows.
// Returns a regulators x genes matrix of correlations; a gene with zero
// variance correlates 0 with everything (never NaN).  Self-pairs keep their
// value (1); dropping them is the caller's business.
Matrix correlation_scores(const Matrix& expr, const std::vector<int>& regulators,
                          CorrelationMethod method, Monitor* monitor = nullptr);

// Average ranks (1-based, ties share their mean rank) of x.
std::vector<float> average_ranks(const float* x, int n, int stride = 1);

}  // namespace grntorch
