// DAZZLE on DeepSEM's engine (grntorch/dazzle.hpp).
// torch first: c10's logging header defines CHECK, which Catch2 must own here.
#include "../src/deepsem_internal.hpp"
#include "grntorch/dazzle.hpp"

#undef CHECK
#include <catch2/catch.hpp>

#include "toy_data.hpp"

#include <cmath>

using grntorch::DazzleOptions;
using grntorch::Matrix;

namespace {

DazzleOptions small_dazzle(int epochs = 4) {
  DazzleOptions o;
  o.deepsem.epochs = epochs;
  o.deepsem.hidden = 16;
  o.deepsem.batch_size = 16;
  o.deepsem.lr = 1e-3;
  o.deepsem.lr_adj = 1e-3;
  o.deepsem.seed = 3;
  return o;
}

using grntorch_test::ThreadsOne;

}  // namespace

TEST_CASE("DAZZLE: the reference's defaults", "[dazzle]") {
  DazzleOptions o;
  CHECK(o.deepsem.alpha == 100.0);
  CHECK(o.deepsem.beta == 1.0);
  CHECK(o.deepsem.epochs == 120);
  CHECK(o.deepsem.batch_size == 64);
  CHECK(o.deepsem.lr == 1e-4);
  CHECK(o.deepsem.lr_adj == 2e-5);
  CHECK(o.deepsem.hidden == 128);
  CHECK(o.augment == 0.1);
  CHECK(o.classifier_weight == 0.5);
  CHECK(o.sparse_delay == 5);
  CHECK(o.lr_milestones == std::vector<int>{1000, 2000});
}

TEST_CASE("DAZZLE: a zero's z-score is what an augmented entry becomes", "[dazzle]") {
  Matrix e(2, 4);
  float v[2][4] = {{0, 1, 2, 5}, {3, 3.5f, 4, 6}};
  for (int g = 0; g < 2; ++g)
    for (int j = 0; j < 4; ++j) e(g, j) = v[g][j];
  Matrix mask;
  std::vector<float> zz;
  auto xs = grntorch::deepsem_standardize(e, grntorch::DeepSEMMode::NonSpecific, &mask, &zz);
  REQUIRE(zz.size() == 2u);
  CHECK(zz[0] == Approx(xs(0, 0)));  // gene 0 has a zero: its z-score
  double m = (3 + 3.5 + 4 + 6) / 4.0, ss = 0;
  for (float x : v[1]) ss += (x - m) * (x - m);
  CHECK(zz[1] == Approx(-m / std::sqrt(ss / 4)));
  CHECK(mask(0, 0) == 0.0f);
  CHECK(mask(0, 1) == 1.0f);
}

TEST_CASE("DAZZLE: same seed gives bit-identical A on one thread; another seed does not", "[dazzle]") {
  ThreadsOne t1;
  auto expr = grntorch_test::toy_expr(10, 40, 5);
  auto o = small_dazzle(3);
  auto a = grntorch::dazzle_fit(expr, o);
  auto b = grntorch::dazzle_fit(expr, o);
  CHECK(a.A.data == b.A.data);
  o.deepsem.seed = 4;
  auto c = grntorch::dazzle_fit(expr, o);
  CHECK(a.A.data != c.A.data);
}

TEST_CASE("DAZZLE: the diagonal stays zero, A learns, the loss falls", "[dazzle]") {
  ThreadsOne t1;
  auto expr = grntorch_test::toy_expr(12, 64, 6);
  auto o = small_dazzle(25);
  auto res = grntorch::dazzle_fit(expr, o);
  for (int i = 0; i < 12; ++i) CHECK(res.A(i, i) == 0.0f);
  auto Araw = res.model.state->A;
  auto off = Araw.masked_select(torch::eye(12).logical_not());
  CHECK((off - 1.0f / 11).abs().max().item<float>() > 1e-3f);
  REQUIRE(res.trace.loss.size() == 25u);
  REQUIRE(res.trace.classifier.size() == 25u);
  // reconstruction + KL fall over training (the sparsity term enters at epoch 6, so compare the rest)
  auto fit_part = [&](std::size_t e) { return res.trace.mse[e] + res.trace.kl[e]; };
  CHECK(fit_part(24) < fit_part(0));
  for (double l : res.trace.loss) CHECK(std::isfinite(l));
}

TEST_CASE("DAZZLE: the sparsity term enters the loss after sparse_delay epochs", "[dazzle]") {
  ThreadsOne t1;
  auto expr = grntorch_test::toy_expr(8, 32, 7);
  auto o = small_dazzle(4);
  o.sparse_delay = 2;
  auto r = grntorch::dazzle_fit(expr, o);
  for (std::size_t e = 0; e < 4; ++e) {
    const double base = r.trace.mse[e] + r.trace.kl[e] + r.trace.classifier[e];
    CHECK(r.trace.sparse[e] > 0);
    if (e < 2) CHECK(r.trace.loss[e] == Approx(base).epsilon(1e-5));
    else CHECK(r.trace.loss[e] == Approx(base + r.trace.sparse[e]).epsilon(1e-5));
  }
}

TEST_CASE("DAZZLE: no augmentation means no classifier (DeepSEM's single-optimiser variant)", "[dazzle]") {
  ThreadsOne t1;
  auto expr = grntorch_test::toy_expr(8, 32, 8);
  auto o = small_dazzle(3);
  o.augment = 0;
  o.classifier_weight = 0.5;
  auto a = grntorch::dazzle_fit(expr, o);
  o.classifier_weight = 7;
  auto b = grntorch::dazzle_fit(expr, o);
  CHECK(a.A.data == b.A.data);  // the classifier's weight has no effect without augmentation
  for (double c : a.trace.classifier) CHECK(c == 0.0);
  o.augment = 0.3;
  auto c = grntorch::dazzle_fit(expr, o);
  CHECK(a.A.data != c.A.data);
  for (double v : c.trace.classifier) CHECK(v > 0.0);
}

TEST_CASE("DAZZLE: bad options are InvalidArgument naming the option", "[dazzle]") {
  auto expr = grntorch_test::toy_expr(6, 20, 9);
  auto check = [&](DazzleOptions o, const std::string& name) {
    try {
      grntorch::dazzle_fit(expr, o);
      FAIL("no error for " << name);
    } catch (const grntorch::InvalidArgument& e) {
      CHECK(std::string(e.what()).find(name) != std::string::npos);
    }
  };
  auto o = small_dazzle(1);
  o.augment = 1;
  check(o, "augment");
  o = small_dazzle(1);
  o.augment = -0.1;
  check(o, "augment");
  o = small_dazzle(1);
  o.classifier_weight = -1;
  check(o, "classifier_weight");
  o = small_dazzle(1);
  o.sparse_delay = -1;
  check(o, "sparse_delay");
}
