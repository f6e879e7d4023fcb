// The one check of an entry point's expression matrix (see checks.hpp).  No torch.
#include "checks.hpp"

#include <cmath>
#include <string>

namespace grntorch {
namespace detail {

void check_expression_size(int n_genes, int n_cells, const ExpressionNeeds& needs) {
  if (n_genes < needs.min_genes || n_cells < needs.min_cells)
    throw InvalidArgument("expr: " + std::string(needs.model) + " needs at least " + std::to_string(needs.min_genes) +
                          " genes and " + std::to_string(needs.min_cells) + " cells, not " + std::to_string(n_genes) +
                          " x " + std::to_string(n_cells));
}

void check_expression(const Matrix& expr, const ExpressionNeeds& needs) {
  check_expression_size(expr.rows, expr.cols, needs);
  if (static_cast<std::size_t>(expr.rows) * static_cast<std::size_t>(expr.cols) != expr.data.size())
    throw InvalidArgument("expr: buffer does not match its dimensions");
  if (needs.finite)
    for (float v : expr.data)
      if (!std::isfinite(v)) throw InvalidArgument("expr: contains NA, NaN or infinite values");
}

void check_expression(const double* data, int rows, int cols, const ExpressionNeeds& needs) {
  check_expression_size(rows, cols, needs);
  if (data == nullptr) throw InvalidArgument("expr: no data");
  if (needs.finite) {
    const std::size_t n = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
    for (std::size_t k = 0; k < n; ++k)
      if (!std::isfinite(static_cast<float>(data[k]))) throw InvalidArgument("expr: contains NA, NaN or infinite values");
  }
}

void check_expression(const Matrix& expr, const ExpressionNeeds& needs, const std::vector<int>& regulators) {
  check_expression(expr, needs);
  if (needs.some_regulators && regulators.empty()) throw InvalidArgument("regulators: none given");
  for (int r : regulators)
    if (r < 0 || r >= expr.rows) throw InvalidArgument("regulators: index out of range");
}

}  // namespace detail
}  // namespace grntorch
