// Ranking metrics: hand-worked cases with ties and zeros, and a brute-force check.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "grntorch/common.hpp"
#include "grntorch/metrics.hpp"

using grntorch::ranking_metrics;

TEST_CASE("hand-worked metrics with ties and a zero score", "[metrics]") {
  // positives 0.9, 0.5, 0.0; negative 0.5.
  std::vector<double> s{0.9, 0.5, 0.5, 0.0};
  std::vector<int> y{1, 1, 0, 1};
  auto m = ranking_metrics(s.data(), y.data(), s.size(), 0.5);
  CHECK(m.n == 4);
  CHECK(m.n_pos == 3);
  CHECK(m.auroc == Approx(0.5));
  CHECK(m.auprc == Approx(61.0 / 72.0));
  CHECK(m.average_precision == Approx(29.0 / 36.0));
  CHECK(m.hit_k == 2);
  CHECK(m.hit == Approx(0.75));           // 1 + half of the tied pair
  CHECK(m.early_taken == 3);              // k = 3: threshold 0.5, the zero is never taken
  CHECK(m.early_precision == Approx(2.0 / 3.0));
}

TEST_CASE("all-zero scores: EP is 0, AUROC 0.5, Hit equals the density", "[metrics]") {
  std::vector<double> s(10, 0.0);
  std::vector<int> y{1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  auto m = ranking_metrics(s.data(), y.data(), s.size(), 0.01);
  CHECK(m.early_taken == 0);
  CHECK(m.early_precision == 0.0);
  CHECK(m.auroc == Approx(0.5));
  CHECK(m.hit == Approx(0.2));
  CHECK(m.average_precision == Approx(0.2));
}

TEST_CASE("AUROC equals the pairwise (Mann-Whitney) count on random tied data", "[metrics]") {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> sc(0, 20);
  std::bernoulli_distribution lab(0.3);
  std::vector<double> s(500);
  std::vector<int> y(500);
  for (std::size_t i = 0; i < s.size(); ++i) {
    s[i] = (sc(rng) - 10) / 20.0;  // negatives, zeros (also -0.0 below) and ties
    if (s[i] == 0.0 && i % 2) s[i] = -0.0;
    y[i] = lab(rng) ? 1 : 0;
  }
  double num = 0, np = 0, nn = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (y[i]) np++; else nn++;
    if (!y[i]) continue;
    for (std::size_t j = 0; j < s.size(); ++j) {
      if (y[j]) continue;
      num += s[i] > s[j] ? 1.0 : (s[i] == s[j] ? 0.5 : 0.0);
    }
  }
  auto m = ranking_metrics(s.data(), y.data(), s.size(), 0.01);
  CHECK(std::abs(m.auroc - num / (np * nn)) < 1e-12);
  // Hit@1% (5 slots): the top scores counted directly, the boundary tie group pro rata.
  std::vector<double> sorted = s;
  std::sort(sorted.begin(), sorted.end(), [](double a, double b) { return a > b; });
  const double cut = sorted[4];
  double above = 0, n_above = 0, tie_pos = 0, tie_n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] > cut) { above += y[i]; n_above++; }
    else if (s[i] == cut) { tie_pos += y[i]; tie_n++; }
  }
  CHECK(m.hit_k == 5);
  CHECK(std::abs(m.hit - (above + (5 - n_above) * tie_pos / tie_n) / 5.0) < 1e-12);
}

TEST_CASE("bad input throws InvalidArgument", "[metrics]") {
  std::vector<double> s{0.1, NAN};
  std::vector<int> y{0, 1};
  CHECK_THROWS_AS(ranking_metrics(s.data(), y.data(), 2, 0.01), grntorch::InvalidArgument);
  std::vector<double> s2{0.1, 0.2};
  std::vector<int> y2{0, 2};
  CHECK_THROWS_AS(ranking_metrics(s2.data(), y2.data(), 2, 0.01), grntorch::InvalidArgument);
  CHECK_THROWS_AS(ranking_metrics(s2.data(), y.data(), 2, 0.0), grntorch::InvalidArgument);
}
