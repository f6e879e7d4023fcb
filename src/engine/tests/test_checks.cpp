// The one check of an entry point's expression matrix (checks.hpp).
#include "../src/checks.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

using grntorch::InvalidArgument;
using grntorch::Matrix;
using grntorch::detail::check_expression;
using grntorch::detail::ExpressionNeeds;

TEST_CASE("check_expression: size, buffer, finiteness and regulators", "[checks]") {
  const ExpressionNeeds needs{"scUniGP", /*min_genes=*/2, /*min_cells=*/3, /*finite=*/false, /*some_regulators=*/true};
  Matrix ok(4, 3, 1.0f);
  CHECK_NOTHROW(check_expression(ok, needs, {0, 3}));
  CHECK_THROWS_WITH(check_expression(Matrix(4, 2), needs, {0}),
                    "expr: scUniGP needs at least 2 genes and 3 cells, not 4 x 2");
  CHECK_THROWS_WITH(check_expression(Matrix(1, 5), needs, {0}),
                    "expr: scUniGP needs at least 2 genes and 3 cells, not 1 x 5");
  Matrix short_buffer = ok;
  short_buffer.data.pop_back();
  CHECK_THROWS_WITH(check_expression(short_buffer, needs, {0}), "expr: buffer does not match its dimensions");
  CHECK_THROWS_WITH(check_expression(ok, needs, {}), "regulators: none given");
  CHECK_THROWS_WITH(check_expression(ok, needs, {4}), "regulators: index out of range");
  CHECK_THROWS_WITH(check_expression(ok, needs, {-1}), "regulators: index out of range");
  CHECK_THROWS_AS(check_expression(ok, needs, {4}), InvalidArgument);

  // Finiteness only where a model asks for it.
  Matrix nan = ok;
  nan(1, 2) = std::numeric_limits<float>::quiet_NaN();
  CHECK_NOTHROW(check_expression(nan, needs));
  ExpressionNeeds finite = needs;
  finite.finite = true;
  CHECK_THROWS_WITH(check_expression(nan, finite), "expr: contains NA, NaN or infinite values");
  nan(1, 2) = std::numeric_limits<float>::infinity();
  CHECK_THROWS_WITH(check_expression(nan, finite), "expr: contains NA, NaN or infinite values");

  // An empty regulator list passes where regulators are optional.
  ExpressionNeeds optional = needs;
  optional.some_regulators = false;
  CHECK_NOTHROW(check_expression(ok, optional, {}));
}
