#include "grntorch/correlation.hpp"

#include "checks.hpp"
#include "errors.hpp"
#include "tensor_io.hpp"

#include <algorithm>
#include <limits>
#include <numeric>

namespace grntorch {

std::vector<float> average_ranks(const float* x, int n, int stride) {
  std::vector<int> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  std::stable_sort(idx.begin(), idx.end(),
                   [&](int a, int b) { return x[static_cast<std::size_t>(a) * stride] < x[static_cast<std::size_t>(b) * stride]; });
  std::vector<float> r(n);
  int i = 0;
  while (i < n) {
    int j = i;
    const float v = x[static_cast<std::size_t>(idx[i]) * stride];
    while (j + 1 < n && x[static_cast<std::size_t>(idx[j + 1]) * stride] == v) ++j;
    const float avg = 0.5f * static_cast<float>(i + j) + 1.0f;
    for (int k = i; k <= j; ++k) r[idx[k]] = avg;
    i = j + 1;
  }
  return r;
}

namespace {

Matrix correlation_impl(const Matrix& expr, const std::vector<int>& regulators, CorrelationMethod method,
                        Monitor* monitor) {
  detail::check_expression(expr, {"correlation", /*min_genes=*/2, /*min_cells=*/3, /*finite=*/false, /*some_regulators=*/true},
                           regulators);
  const int n_genes = expr.rows, n_cells = expr.cols;

  torch::NoGradGuard no_grad;
  // Column-major genes x cells == row-major cells x genes.
  torch::Tensor x;
  if (method == CorrelationMethod::Spearman) {
    Matrix ranked(n_genes, n_cells);
    for (int g = 0; g < n_genes; ++g) {
      check_interrupt(monitor);
      auto r = average_ranks(expr.data.data() + g, n_cells, n_genes);
      for (int c = 0; c < n_cells; ++c) ranked(g, c) = r[c];
    }
    x = tio::colmajor_tensor(ranked);
  } else {
    x = tio::colmajor_tensor(expr);
  }
  check_interrupt(monitor);
  // Centre and scale in double for accuracy, then one GEMM.
  auto xd = x.to(torch::kFloat64);
  xd = xd - xd.mean(0, true);
  auto norm = xd.pow(2).sum(0, true).sqrt();
  auto zero = norm.eq(0);
  xd = xd / norm.masked_fill(zero, 1.0);
  xd.masked_fill_(zero.expand_as(xd), 0.0);
  auto idx = tio::to_long(regulators);
  auto xr = xd.index_select(1, idx);                 // cells x regs
  auto cor = torch::mm(xr.t(), xd).clamp(-1.0, 1.0);  // regs x genes
  check_interrupt(monitor);
  Matrix out = tio::to_matrix(cor);
  if (monitor) monitor->progress(1, 1, std::numeric_limits<double>::quiet_NaN());
  return out;
}

}  // namespace

Matrix correlation_scores(const Matrix& expr, const std::vector<int>& regulators,
                          CorrelationMethod method, Monitor* monitor) {
  return detail::guarded([&] { return correlation_impl(expr, regulators, method, monitor); });
}

}  // namespace grntorch
