// torch first: c10's logging header defines CHECK, which Catch2 must own here.
#include "../src/infosem_internal.hpp"

#include <ATen/CPUGeneratorImpl.h>

#undef CHECK
#include <catch2/catch.hpp>

#include "toy_data.hpp"

#include <cmath>
#include <random>

using grntorch::DeepSEMMode;
using grntorch::InfoSEMOptions;
using grntorch::Matrix;

namespace {

Matrix toy_emb(int genes, int d, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.f, 1.f);
  Matrix m(genes, d);
  for (auto& v : m.data) v = nd(rng) / std::sqrt(static_cast<float>(d));
  return m;
}

InfoSEMOptions small_is_opts(int epochs = 3) {
  InfoSEMOptions o;
  o.deepsem = grntorch::DeepSEMOptions::defaults(DeepSEMMode::CellType);
  o.deepsem.epochs = epochs;
  o.deepsem.hidden = 16;
  o.deepsem.batch_size = 16;
  o.deepsem.lr_adj = 1e-3;
  o.deepsem.lr = 1e-3;
  o.rank = 4;
  return o;
}

torch::Tensor random_A(int64_t n, at::Generator& gen) {
  auto A = torch::rand({n, n}, gen, torch::TensorOptions().dtype(torch::kFloat32)) * 0.02 - 0.01;
  A.fill_diagonal_(0);
  return A;
}

}  // namespace

TEST_CASE("InfoSEM-B with w = 0 has exactly DeepSEM's loss", "[infosem]") {
  const int n = 12, d = 5, B = 8;
  auto opt = small_is_opts();
  opt.sigma_w = 1.0;
  auto prior = grntorch::infosem_make_prior(toy_emb(n, d, 1), nullptr, opt, n, torch::kCPU);
  REQUIRE(prior->learn_w);
  REQUIRE(prior->w_reg.abs().sum().item<float>() == 0.0f);  // w starts at its prior mode, 0
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(5);
  auto A = random_A(n, gen);
  // the prior term alone
  const float ref = grntorch::sparsity_term(A, opt.deepsem.alpha).item<float>();
  CHECK(prior->effect_prior(A).item<float>() == ref);
  // the whole batch loss: DeepSEM's parts + the InfoSEM term
  grntorch::DeepSEMNets nets;
  nets.init(n, 16, gen);
  auto x = torch::randn({B, n}, gen, torch::TensorOptions().dtype(torch::kFloat32));
  auto eps = torch::randn({B, n}, gen, torch::TensorOptions().dtype(torch::kFloat32));
  auto ds = grntorch::deepsem_batch_loss(nets, A, x, torch::Tensor(), eps, opt.deepsem);
  auto is_total = ds.mse + ds.kl + prior->effect_prior(A);
  CHECK(is_total.item<float>() == ds.total.item<float>());
  // and a non-zero w changes it
  prior->w_reg.fill_(0.5);
  CHECK(prior->effect_prior(A).item<float>() != ref);
}

TEST_CASE("the offset parametrisation A = M + D has the centred objective and reaches w through the likelihood", "[infosem]") {
  const int n = 12, d = 5, B = 8;
  auto opt = small_is_opts();
  opt.sigma_w = 0.7;
  REQUIRE_FALSE(opt.offset_parametrization);  // centred is the default
  opt.offset_parametrization = true;
  auto prior = grntorch::infosem_make_prior(toy_emb(n, d, 2), nullptr, opt, n, torch::kCPU);
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(9);
  auto D = random_A(n, gen);
  auto ext = prior->extension();
  REQUIRE(ext.adjacency);
  REQUIRE(ext.a_penalty);
  // w = 0: A = D and the penalty is DeepSEM's alpha * mean|A|
  auto A0 = ext.adjacency(D);
  CHECK(torch::equal(A0, D));
  CHECK(ext.a_penalty(A0).item<float>() == grntorch::sparsity_term(D, opt.deepsem.alpha).item<float>());
  // w != 0: A = D + M, and the loss equals the centred loss at A^e = D + M
  prior->w_reg.copy_(torch::randn({d}, gen) * 0.1);
  prior->w_tgt.copy_(torch::randn({d}, gen) * 0.1);
  auto M = prior->prior_mean();
  auto A1 = ext.adjacency(D);
  CHECK(torch::allclose(A1, D + M));
  CHECK(M.abs().sum().item<float>() > 0);
  const float offset_pen = ext.a_penalty(A1).item<float>();
  const float centred_pen = prior->effect_prior(A1).item<float>();
  CHECK(offset_pen == Approx(centred_pen).epsilon(1e-5));
  // the likelihood's gradient reaches w (centred: w sees only the Laplace term)
  grntorch::DeepSEMNets nets;
  nets.init(n, 16, gen);
  auto x = torch::randn({B, n}, gen, torch::TensorOptions().dtype(torch::kFloat32));
  auto eps = torch::randn({B, n}, gen, torch::TensorOptions().dtype(torch::kFloat32));
  prior->w_reg.requires_grad_(true);
  auto parts = grntorch::deepsem_batch_loss(nets, ext.adjacency(D), x, torch::Tensor(), eps, opt.deepsem);
  auto g = torch::autograd::grad({parts.mse}, {prior->w_reg});
  CHECK(g[0].abs().sum().item<float>() > 0);
  prior->w_reg.requires_grad_(false);
}

TEST_CASE("the prior mean is a regulator term plus a target term (A stored target x regulator)", "[infosem]") {
  const int n = 6, d = 3;
  auto H = torch::randn({n, d});
  auto w_reg = torch::zeros({d});
  auto w_tgt = torch::zeros({d});
  w_reg[0] = 1.0;
  auto M = grntorch::infosem_prior_mean(H, w_reg, w_tgt);
  for (int t = 0; t < n; ++t)
    for (int r = 0; r < n; ++r) {
      const float want = t == r ? 0.f : H[r][0].item<float>();
      CHECK(M[t][r].item<float>() == Approx(want));
    }
  w_reg.zero_();
  w_tgt[1] = 2.0;
  M = grntorch::infosem_prior_mean(H, w_reg, w_tgt);
  CHECK(M[4][1].item<float>() == Approx(2.0f * H[4][1].item<float>()));
  CHECK(M[2][2].item<float>() == 0.0f);
}

TEST_CASE("the logit prior touches only the labelled pairs", "[infosem]") {
  const int n = 10;
  auto opt = small_is_opts();
  opt.sigma_l = 0.5;
  grntorch::LabeledPairs lab;
  lab.from = {0, 3, 7};
  lab.to = {5, 1, 2};
  lab.label = {1, 0, 1};
  auto prior = grntorch::infosem_make_prior(Matrix(n, 0), &lab, opt, n, torch::kCPU);
  REQUIRE(prior->bc);
  REQUIRE(prior->La.size(1) == 4);
  auto L = torch::zeros({n, n}).requires_grad_(true);
  auto val = prior->logit_prior(L);
  const double mu = std::log(0.95 / 0.05);  // |logit(0.95)| = |logit(0.05)|
  CHECK(val.item<double>() == Approx(3 * mu * mu / (2 * 0.25 * n * n)).epsilon(1e-5));
  val.backward();
  auto g = L.grad();
  int nonzero = 0;
  for (int t = 0; t < n; ++t)
    for (int r = 0; r < n; ++r) {
      const float gv = g[t][r].item<float>();
      bool labelled = false;
      int y = -1;
      for (std::size_t k = 0; k < lab.label.size(); ++k)
        if (lab.to[k] == t && lab.from[k] == r) labelled = true, y = lab.label[k];
      if (labelled) {
        ++nonzero;
        CHECK(gv != 0.0f);
        CHECK((y == 1 ? gv < 0 : gv > 0));  // pulls positives up, negatives down
      } else {
        CHECK(gv == 0.0f);
      }
    }
  CHECK(nonzero == 3);
}

TEST_CASE("sigma_w = 0 fixes w = 0 and gives DeepSEM's network bit for bit", "[infosem]") {
  grntorch_test::ThreadsOne one;
  auto x = grntorch_test::toy_expr(10, 40, 2);
  auto opt = small_is_opts(3);
  opt.sigma_w = 0;
  auto is = grntorch::infosem_fit(x, toy_emb(10, 4, 3), nullptr, opt);
  auto ds = grntorch::deepsem_fit(x, opt.deepsem);
  REQUIRE(is.A.data.size() == ds.A.data.size());
  CHECK(is.A.data == ds.A.data);
  for (float w : is.w_regulator) CHECK(w == 0.0f);
}

TEST_CASE("InfoSEM-B learns w, stays finite and keeps the zero diagonal", "[infosem]") {
  grntorch_test::ThreadsOne one;
  const int n = 10;
  auto x = grntorch_test::toy_expr(n, 40, 4);
  auto opt = small_is_opts(6);
  opt.sigma_w = 10;
  auto res = grntorch::infosem_fit(x, toy_emb(n, 4, 5), nullptr, opt);
  REQUIRE(res.w_regulator.size() == 4u);
  float wsum = 0;
  for (float w : res.w_regulator) wsum += std::abs(w);
  for (float w : res.w_target) wsum += std::abs(w);
  CHECK(wsum > 0);
  for (int i = 0; i < n; ++i) CHECK(res.A(i, i) == 0.0f);
  for (float a : res.A.data) CHECK(std::isfinite(a));
  auto ds = grntorch::deepsem_fit(x, opt.deepsem);
  CHECK(res.A.data != ds.A.data);
  CHECK(res.prob.rows == 0);
}

TEST_CASE("both parametrisations of InfoSEM-B fit, stay finite and differ only in the optimiser's path", "[infosem]") {
  grntorch_test::ThreadsOne one;
  const int n = 10;
  auto x = grntorch_test::toy_expr(n, 40, 4);
  auto opt = small_is_opts(6);
  opt.sigma_w = 10;
  opt.offset_parametrization = true;
  auto off = grntorch::infosem_fit(x, toy_emb(n, 4, 5), nullptr, opt);
  opt.offset_parametrization = false;
  auto cen = grntorch::infosem_fit(x, toy_emb(n, 4, 5), nullptr, opt);
  for (float a : off.A.data) CHECK(std::isfinite(a));
  for (int i = 0; i < n; ++i) CHECK(off.A(i, i) == 0.0f);
  CHECK(off.A.data == off.A_effect.data);
  CHECK(off.A.data != cen.A.data);
}

TEST_CASE("InfoSEM-BC moves known edges up and known non-edges down", "[infosem]") {
  grntorch_test::ThreadsOne one;
  const int n = 12;
  auto x = grntorch_test::toy_expr(n, 48, 6);
  auto opt = small_is_opts(6);
  opt.sigma_l = 0.1;
  opt.lr_logit = 1e-2;
  grntorch::LabeledPairs lab;
  for (int r = 0; r < 3; ++r)
    for (int t = 3; t < 9; ++t) {
      lab.from.push_back(r);
      lab.to.push_back(t);
      lab.label.push_back(static_cast<float>((r + t) % 2));
    }
  auto res = grntorch::infosem_fit(x, toy_emb(n, 4, 7), &lab, opt);
  REQUIRE(res.prob.rows == n);
  double pos = 0, neg = 0;
  int npos = 0, nneg = 0;
  for (std::size_t k = 0; k < lab.label.size(); ++k) {
    const double p = res.prob(lab.to[k], lab.from[k]);
    if (lab.label[k] == 1.0f) pos += p, ++npos;
    else neg += p, ++nneg;
  }
  CHECK(pos / npos > 0.6);
  CHECK(neg / nneg < 0.4);
  // A = A^e * sigmoid(A^l) off the diagonal
  CHECK(res.A(4, 1) == Approx(res.A_effect(4, 1) * res.prob(4, 1)).epsilon(1e-4));
  for (int i = 0; i < n; ++i) CHECK(res.A(i, i) == 0.0f);
}

TEST_CASE("InfoSEM rejects bad inputs with the argument named", "[infosem]") {
  auto x = grntorch_test::toy_expr(8, 20, 1);
  auto opt = small_is_opts(1);
  CHECK_THROWS_WITH(grntorch::infosem_fit(x, toy_emb(7, 3, 1), nullptr, opt), Catch::Contains("embeddings"));
  grntorch::LabeledPairs lab{{0}, {99}, {1}};
  CHECK_THROWS_WITH(grntorch::infosem_fit(x, toy_emb(8, 3, 1), &lab, opt), Catch::Contains("prior_edges"));
  grntorch::LabeledPairs self{{2}, {2}, {1}};
  CHECK_THROWS_WITH(grntorch::infosem_fit(x, toy_emb(8, 3, 1), &self, opt), Catch::Contains("self"));
  opt.sigma_w = -1;
  CHECK_THROWS_AS(grntorch::infosem_fit(x, toy_emb(8, 3, 1), nullptr, opt), grntorch::InvalidArgument);
}
