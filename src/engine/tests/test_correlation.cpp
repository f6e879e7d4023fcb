#include <catch2/catch.hpp>

#include "grntorch/correlation.hpp"

#include <cmath>
#include <random>

using grntorch::CorrelationMethod;
using grntorch::Matrix;

namespace {

double ref_pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const std::size_t n = a.size();
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < n; ++i) { ma += a[i]; mb += b[i]; }
  ma /= n; mb /= n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

Matrix random_expr(int genes, int cells, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd;
  Matrix m(genes, cells);
  for (auto& v : m.data) v = nd(rng);
  return m;
}

std::vector<double> row(const Matrix& m, int g) {
  std::vector<double> r(m.cols);
  for (int c = 0; c < m.cols; ++c) r[c] = m(g, c);
  return r;
}

}  // namespace

TEST_CASE("Pearson scores match a direct double-precision computation", "[correlation]") {
  Matrix x = random_expr(7, 50, 1);
  // Make gene 3 depend on gene 0 so there is a strong correlation to find.
  for (int c = 0; c < x.cols; ++c) x(3, c) = 2.0f * x(0, c) + 0.1f * x(3, c);
  std::vector<int> regs{0, 5};
  Matrix s = grntorch::correlation_scores(x, regs, CorrelationMethod::Pearson);
  REQUIRE(s.rows == 2);
  REQUIRE(s.cols == 7);
  for (int r = 0; r < 2; ++r)
    for (int g = 0; g < 7; ++g)
      CHECK(s(r, g) == Approx(ref_pearson(row(x, regs[r]), row(x, g))).margin(1e-5));
  CHECK(s(0, 3) > 0.99f);
  CHECK(s(0, 0) == Approx(1.0).margin(1e-6));
}

TEST_CASE("Spearman equals Pearson on average ranks, with ties", "[correlation]") {
  Matrix x(3, 6);
  const float g0[] = {1, 2, 2, 3, 0, 0};
  const float g1[] = {0, 0, 0, 5, 1, 2};
  const float g2[] = {6, 5, 4, 3, 2, 1};
  for (int c = 0; c < 6; ++c) { x(0, c) = g0[c]; x(1, c) = g1[c]; x(2, c) = g2[c]; }
  auto r0 = grntorch::average_ranks(g0, 6);
  CHECK(r0[4] == Approx(1.5));
  CHECK(r0[1] == Approx(4.5));
  CHECK(r0[3] == Approx(6.0));
  Matrix s = grntorch::correlation_scores(x, {0}, CorrelationMethod::Spearman);
  auto rk = [](const float* v) {
    auto r = grntorch::average_ranks(v, 6);
    return std::vector<double>(r.begin(), r.end());
  };
  CHECK(s(0, 1) == Approx(ref_pearson(rk(g0), rk(g1))).margin(1e-6));
  CHECK(s(0, 2) == Approx(ref_pearson(rk(g0), rk(g2))).margin(1e-6));
}

TEST_CASE("A constant gene correlates 0, never NaN", "[correlation]") {
  Matrix x = random_expr(4, 20, 2);
  for (int c = 0; c < x.cols; ++c) x(2, c) = 3.5f;
  Matrix s = grntorch::correlation_scores(x, {0, 2}, CorrelationMethod::Pearson);
  for (float v : s.data) CHECK_FALSE(std::isnan(v));
  CHECK(s(0, 2) == 0.0f);
  CHECK(s(1, 0) == 0.0f);
}

TEST_CASE("Bad arguments throw InvalidArgument", "[correlation]") {
  Matrix x = random_expr(4, 20, 3);
  CHECK_THROWS_AS(grntorch::correlation_scores(x, {4}, CorrelationMethod::Pearson), grntorch::InvalidArgument);
  CHECK_THROWS_AS(grntorch::correlation_scores(x, {}, CorrelationMethod::Pearson), grntorch::InvalidArgument);
  Matrix tiny = random_expr(4, 2, 4);
  CHECK_THROWS_AS(grntorch::correlation_scores(tiny, {0}, CorrelationMethod::Pearson), grntorch::InvalidArgument);
}

TEST_CASE("An interrupting monitor stops the computation", "[correlation]") {
  struct Stop : grntorch::Monitor {
    bool interrupted() override { return true; }
  } stop;
  Matrix x = random_expr(4, 20, 5);
  CHECK_THROWS_AS(grntorch::correlation_scores(x, {0}, CorrelationMethod::Spearman, &stop), grntorch::Interrupted);
}

TEST_CASE("runtime_info reports a LibTorch version and a BLAS", "[runtime]") {
  auto info = grntorch::runtime_info();
  const bool versioned = info.torch_version.rfind("1.", 0) == 0 || info.torch_version.rfind("2.", 0) == 0;
  CHECK(versioned);
  CHECK_FALSE(info.blas_kind.empty());
  CHECK(info.intra_op_threads >= 1);
  int prev = grntorch::set_threads(1);
  CHECK(grntorch::runtime_info().intra_op_threads == 1);
  grntorch::set_threads(prev);
  CHECK_THROWS_AS(grntorch::set_threads(0), grntorch::InvalidArgument);
}
