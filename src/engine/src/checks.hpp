// The one check of the expression matrix an engine entry point receives
// (internal; torch-free, implemented in checks.cpp).  Every model's entry
// point calls check_expression() before it touches the data; the glue has
// already checked finiteness for R callers, the engine checks again where a
// model needs it for other callers.
#pragma once

#include "grntorch/common.hpp"

#include <vector>

namespace grntorch {
namespace detail {

// What an entry point needs of its genes x cells matrix.
struct ExpressionNeeds {
  const char* model = "the model";  // named in the messages, e.g. "DeepSEM"
  int min_genes = 2;
  int min_cells = 2;
  bool finite = false;               // reject NA, NaN and infinite values too
  bool some_regulators = false;      // (with regulators) an empty list is an error
};

// Throws InvalidArgument, "expr: ..." (or "regulators: ..."), when the matrix
// has fewer genes or cells than needed, its buffer does not match its
// dimensions, (needs.finite) a value is not finite, or (with regulators) a
// regulator is not a row of expr.
void check_expression(const Matrix& expr, const ExpressionNeeds& needs);
void check_expression(const Matrix& expr, const ExpressionNeeds& needs, const std::vector<int>& regulators);

// The same for a caller's column-major genes x cells doubles read at float
// precision (a value finite as a double but not as a float is not finite).
void check_expression(const double* data, int rows, int cols, const ExpressionNeeds& needs);

// The size rule alone, for code that holds the sizes but not the matrix.
void check_expression_size(int n_genes, int n_cells, const ExpressionNeeds& needs);

}  // namespace detail
}  // namespace grntorch
