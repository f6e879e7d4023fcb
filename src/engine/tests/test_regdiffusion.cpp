// torch first: c10's logging header defines CHECK, which Catch2 must own here.
#include "../src/regdiffusion_internal.hpp"
#include "../src/regdiffusion_kernels.hpp"
#include "../src/gemm_backend.hpp"

#include <ATen/CPUGeneratorImpl.h>

#undef CHECK
#include <catch2/catch.hpp>

#include "toy_data.hpp"

#include <cmath>
#include <numeric>

using grntorch::Matrix;
using grntorch::RegDiffusionOptions;
namespace rd = grntorch::rd;

namespace {

using grntorch_test::ThreadsOne;

RegDiffusionOptions small_opts(int steps) {
  RegDiffusionOptions o;
  o.steps = steps;
  o.batch_size = 32;
  return o;
}

double mean_of(const std::vector<double>& v, std::size_t from, std::size_t to) {
  return std::accumulate(v.begin() + from, v.begin() + to, 0.0) / static_cast<double>(to - from);
}

// The reference's soft threshold written with tensor ops (autograd follows it).
torch::Tensor soft_ref(const torch::Tensor& A, double tau) {
  return torch::sign(A) * torch::clamp_min(A.abs() - tau, 0.0);
}

// The reference's forward written as it is (einsum over the hidden dimension,
// then the final layer), on the nets of the engine.
torch::Tensor reference_z(const rd::Nets& nets, const torch::Tensor& xt, const torch::Tensor& t,
                          const std::vector<torch::Tensor>& masks, int time_dim, const torch::Tensor& IminusC) {
  const int64_t b = xt.size(0), n = xt.size(1), h1 = nets.gene_emb.size(1);
  auto x3 = xt.unsqueeze(-1);
  auto h = torch::cat({x3, nets.gene_emb.unsqueeze(0).repeat({b, 1, 1})}, -1).tanh();
  auto temb = torch::linear(rd::time_embedding(t, time_dim), nets.time_w, nets.time_b).tanh();
  for (std::size_t k = 0; k < nets.blocks.size(); ++k) {
    const auto& B = nets.blocks[k];
    auto in = k == 0 ? h : torch::cat({h, x3}, -1);
    auto a = torch::linear(in, B.l1_w, B.l1_b).tanh() * masks[k];
    a = a + torch::linear(temb, B.t_w, B.t_b).tanh().unsqueeze(1) + torch::linear(nets.ct_emb, B.c_w, B.c_b).tanh();
    h = torch::linear(a, B.l2_w, B.l2_b).tanh();
  }
  (void)h1;
  auto hz = torch::einsum("ogd,gh->ohd", {h, IminusC});
  return torch::linear(hz, nets.final_w, nets.final_b).squeeze(-1);
}

}  // namespace

TEST_CASE("RegDiffusion: the soft threshold is sign(x) max(0, |x| - tau)", "[regdiffusion]") {
  REQUIRE(rd::soft_threshold(0.3f, 0.1f) == Approx(0.2f));
  REQUIRE(rd::soft_threshold(-0.3f, 0.1f) == Approx(-0.2f));
  REQUIRE(rd::soft_threshold(0.05f, 0.1f) == 0.0f);
  REQUIRE(rd::soft_threshold(-0.05f, 0.1f) == 0.0f);
  REQUIRE(rd::soft_threshold(0.1f, 0.1f) == 0.0f);
  REQUIRE(rd::soft_threshold(0.0f, 0.1f) == 0.0f);
  // C without dropout is the soft-thresholded A with a zero diagonal.
  const int64_t n = 7;
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(5);
  auto A = torch::randn({n, n}, gen, torch::kFloat32) * 0.3;
  torch::Tensor C;
  const float tau = 0.1f;
  const double sum = rd::build_c(A, C, tau, rd::drop_key(1, 0, 0, 0.0));
  auto expect = soft_ref(A, tau) * (1 - torch::eye(n));
  REQUIRE(torch::allclose(C, expect, 0, 1e-7));
  REQUIRE(sum == Approx(expect.sum().item<double>()).margin(1e-5));
  for (int64_t i = 0; i < n; ++i) REQUIRE(C[i][i].item<float>() == 0.0f);
}

TEST_CASE("RegDiffusion: adjacency dropout keeps about 1 - p, scaled by 1/(1 - p), never the diagonal", "[regdiffusion]") {
  const int64_t n = 200;
  auto A = torch::ones({n, n}, torch::kFloat32);
  torch::Tensor C;
  rd::build_c(A, C, 0.5f, rd::drop_key(3, 7, 0, 0.3));
  auto nz = (C != 0).to(torch::kFloat64).sum().item<double>() / static_cast<double>(n * (n - 1));
  REQUIRE(nz == Approx(0.7).margin(0.01));
  REQUIRE(C.max().item<float>() == Approx(0.5f / 0.7f));
  REQUIRE(torch::diagonal(C).abs().sum().item<float>() == 0.0f);
  // Another step draws another mask.
  torch::Tensor C2;
  rd::build_c(A, C2, 0.5f, rd::drop_key(3, 8, 0, 0.3));
  REQUIRE(!torch::equal(C, C2));
}

TEST_CASE("RegDiffusion: the reordered product gives the reference's loss and gradients", "[regdiffusion]") {
  ThreadsOne one;
  const int64_t n = 9, b = 6;
  RegDiffusionOptions o;
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(11);
  rd::Nets nets;
  nets.init(static_cast<int>(n), o, gen);
  const float tau = 0.5f / (n - 1);
  auto A0 = torch::rand({n, n}, gen, torch::kFloat32) * 0.6 - 0.3;
  auto xt = torch::randn({b, n}, gen, torch::kFloat32);
  auto t = torch::randint(0, o.T, {b}, gen, torch::kLong).to(torch::kFloat32);
  auto noise = torch::randn({b, n}, gen, torch::kFloat32);
  std::vector<torch::Tensor> masks;
  for (int k = 0; k < o.blocks; ++k)
    masks.push_back((torch::rand({b, n, o.hidden - 1}, gen, torch::kFloat32) > 0.1).to(torch::kFloat32) / 0.9);
  const auto drop = rd::drop_key(2, 3, 0, 0.3);
  const double coef = 0.25;

  // Reference: autograd through the einsum formula.
  auto keep = torch::empty({n, n}, torch::kFloat32);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      keep[i][j] = (i != j && drop.keep(static_cast<std::uint64_t>(i * n + j))) ? drop.scale : 0.0f;
  auto offdiag = 1 - torch::eye(n);
  auto A = A0.clone().requires_grad_(true);
  auto IminusC = torch::eye(n) - soft_ref(A, tau) * keep;
  auto z = reference_z(nets, xt, t, masks, o.time_dim, IminusC);
  auto loss_ref = (z - noise).pow(2).mean() + coef * (soft_ref(A, tau) * offdiag).mean();
  loss_ref.backward();
  auto gA_ref = A.grad().clone();
  std::vector<torch::Tensor> g_ref;
  for (auto& p : nets.parameters()) {
    g_ref.push_back(p.grad().clone());
    p.mutable_grad().reset();
  }

  // The engine's order: u = h . w, z = u (I - C) + bias, gradients by hand.
  auto u = rd::features(nets, xt, t, masks, o.time_dim);
  torch::Tensor C;
  const double ssum = rd::build_c(A0, C, tau, drop);
  auto ud = u.detach();
  auto z2 = ud - ud.mm(C) + nets.final_b.detach();
  auto loss2 = (z2 - noise).pow(2).mean().item<double>() + coef * ssum / (n * n);
  REQUIRE(loss2 == Approx(loss_ref.item<double>()).epsilon(1e-5));
  auto gz = 2 * (z2 - noise) / static_cast<double>(b * n);
  u.backward(gz - gz.mm(C.t()));
  auto gC = -ud.t().mm(gz);
  auto gA = rd::grad_a(A0, gC, tau, drop, static_cast<float>(coef / (n * n)));
  REQUIRE(torch::allclose(gA, gA_ref, 1e-4, 1e-7));
  auto ps = nets.parameters();
  for (std::size_t k = 0; k + 1 < ps.size(); ++k) {  // all but the final bias (set by hand in training)
    INFO("parameter " << k);
    REQUIRE(torch::allclose(ps[k].grad(), g_ref[k], 1e-4, 1e-6));
  }
  REQUIRE(gz.sum().item<double>() == Approx(g_ref.back().item<double>()).margin(1e-6));
}

TEST_CASE("RegDiffusion: same seed with one thread is bit-identical; another seed is not", "[regdiffusion]") {
  ThreadsOne one;
  auto expr = grntorch_test::toy_expr(12, 60, 4);
  auto o = small_opts(15);
  auto a = grntorch::regdiffusion_fit(expr, o);
  auto b = grntorch::regdiffusion_fit(expr, o);
  REQUIRE(a.A.data == b.A.data);
  REQUIRE(a.trace.loss == b.trace.loss);
  o.seed = 2;
  auto c = grntorch::regdiffusion_fit(expr, o);
  REQUIRE(a.A.data != c.A.data);
}

TEST_CASE("RegDiffusion: a caller's doubles read in place give the float matrix's fit, bit for bit", "[regdiffusion]") {
  ThreadsOne one;
  auto expr = grntorch_test::toy_expr(14, 70, 6);
  // doubles that are not floats: read at float precision, as a Matrix would hold them
  std::vector<double> d(expr.data.size());
  for (std::size_t k = 0; k < d.size(); ++k) d[k] = static_cast<double>(expr.data[k]) + 1e-12;
  const grntorch::DoubleMatrixView view{d.data(), expr.rows, expr.cols};
  auto o = small_opts(12);
  auto a = grntorch::regdiffusion_fit(expr, o);
  auto b = grntorch::regdiffusion_fit(view, o);
  REQUIRE(a.A.data == b.A.data);
  REQUIRE(a.trace.loss == b.trace.loss);
  // the caller's values are untouched (nothing is normalised in place)
  for (std::size_t k = 0; k < d.size(); ++k) REQUIRE(d[k] == static_cast<double>(expr.data[k]) + 1e-12);
  // a value finite as a double but not as a float, or too few cells: InvalidArgument naming expr
  d[3] = 1e39;
  REQUIRE_THROWS_AS(grntorch::regdiffusion_fit(view, o), grntorch::InvalidArgument);
  const grntorch::DoubleMatrixView one_cell{d.data(), expr.rows, 1};
  REQUIRE_THROWS_WITH(grntorch::regdiffusion_fit(one_cell, o), Catch::Contains("expr"));
}

TEST_CASE("RegDiffusion: the loss decreases and the diagonal stays zero", "[regdiffusion]") {
  ThreadsOne one;
  auto expr = grntorch_test::toy_expr(15, 80, 9);
  auto o = small_opts(300);
  auto r = grntorch::regdiffusion_fit(expr, o);
  REQUIRE(r.trace.loss.size() == 300u);
  REQUIRE(r.trace.mse.size() == 300u);
  const double first = mean_of(r.trace.mse, 0, 30), last = mean_of(r.trace.mse, 270, 300);
  INFO("first " << first << " last " << last);
  REQUIRE(last < first);
  for (int i = 0; i < 15; ++i) REQUIRE(r.A(i, i) == 0.0f);
  double off = 0;
  for (int i = 0; i < 15; ++i)
    for (int j = 0; j < 15; ++j)
      if (i != j) off += std::fabs(r.A(i, j));
  REQUIRE(off > 0);
  // The sparsity term is off for the first sparse_after + 1 steps, on afterwards.
  REQUIRE(r.trace.sparse[10] == 0.0);
  REQUIRE(r.trace.sparse[11] != 0.0);
  for (std::size_t s = 0; s < r.trace.loss.size(); ++s)
    REQUIRE(r.trace.loss[s] == Approx(r.trace.mse[s] + r.trace.sparse[s]));
}

TEST_CASE("RegDiffusion: normalisation is per-cell min-max then per-gene z-score", "[regdiffusion]") {
  auto x = grntorch_test::toy_expr(3, 40, 2);
  auto z = grntorch::regdiffusion_normalize(x);
  for (int g = 0; g < 3; ++g) {
    double s = 0, ss = 0;
    for (int c = 0; c < 40; ++c) {
      s += z(g, c);
      ss += z(g, c) * z(g, c);
    }
    REQUIRE(s == Approx(0).margin(1e-5));
    REQUIRE(ss / 40 == Approx(1).margin(1e-5));
  }
  // A gene constant after the cell scaling gives zeros, not NaN.
  Matrix k(2, 3, 1.0f);
  k(1, 0) = 2;
  k(1, 1) = 2;
  k(1, 2) = 2;
  auto zk = grntorch::regdiffusion_normalize(k);
  for (float v : zk.data) REQUIRE(std::isfinite(v));
}

TEST_CASE("RegDiffusion: bad options name the option", "[regdiffusion]") {
  auto expr = grntorch_test::toy_expr(6, 40, 1);
  auto o = small_opts(2);
  o.steps = 0;
  REQUIRE_THROWS_WITH(grntorch::regdiffusion_fit(expr, o), Catch::Contains("steps"));
  o = small_opts(2);
  o.batch_size = 41;
  REQUIRE_THROWS_WITH(grntorch::regdiffusion_fit(expr, o), Catch::Contains("batch_size"));
  o = small_opts(2);
  o.T = 1;
  REQUIRE_THROWS_AS(grntorch::regdiffusion_fit(expr, o), grntorch::InvalidArgument);
  o = small_opts(2);
  o.lr_nn = -1;
  REQUIRE_THROWS_WITH(grntorch::regdiffusion_fit(expr, o), Catch::Contains("lr_nn"));
}

TEST_CASE("RegDiffusion: the fused per-gene kernels give the LibTorch path's output and gradients", "[regdiffusion]") {
  ThreadsOne one;
  REQUIRE(std::fabs(grntorch::rdk::tanh_approx(0.3f) - std::tanh(0.3f)) < 1e-6);
  for (float x = -9.0f; x <= 9.0f; x += 0.01f) REQUIRE(std::fabs(grntorch::rdk::tanh_approx(x) - std::tanh(x)) < 2e-6);
  const int64_t n = 37, b = 5;  // n not a multiple of the tile
  RegDiffusionOptions o;
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(21);
  rd::Nets nets;
  nets.init(static_cast<int>(n), o, gen);
  auto xt = torch::randn({b, n}, gen, torch::kFloat32);
  auto t = torch::randint(0, o.T, {b}, gen, torch::kLong).to(torch::kFloat32);
  auto gu = torch::randn({b, n}, gen, torch::kFloat32);
  const std::uint64_t seed = 5;
  const int64_t step = 9;
  std::vector<torch::Tensor> masks;
  for (int k = 0; k < 2; ++k)
    masks.push_back(rd::dropout_mask(b, n, o.hidden - 1, rd::drop_key(seed, step, static_cast<std::uint32_t>(k + 1), 0.1)));
  auto u1 = rd::features(nets, xt, t, masks, o.time_dim);
  u1.backward(gu);
  std::vector<torch::Tensor> g1;
  for (auto& p : nets.parameters()) {
    g1.push_back(p.grad().defined() ? p.grad().clone() : torch::zeros_like(p));
    p.mutable_grad().reset();
  }
  auto u2 = rd::features_fused(nets, xt, t, o.time_dim, seed, step, 0.1);
  REQUIRE(torch::allclose(u1, u2, 1e-4, 1e-5));
  u2.backward(gu);
  auto ps = nets.parameters();
  for (std::size_t k = 0; k < ps.size(); ++k) {
    INFO("parameter " << k);
    auto g2 = ps[k].grad().defined() ? ps[k].grad() : torch::zeros_like(ps[k]);
    REQUIRE(torch::allclose(g2, g1[k], 1e-3, 1e-4));
  }
}

TEST_CASE("RegDiffusion: Adam on A fused with its product and the next C matches PyTorch's Adam and build_c",
          "[regdiffusion]") {
  // n above one 64 x 512 tile in both directions and not a multiple of 8;
  // both the oneDNN product and the plain-loop fallback.
  const int64_t n = 531, b = 12;
  const float tau = 0.5f / (n - 1);
  const double lr = 1.0 / (50.0 * (n - 1)), wd = 0.01;
  const float coef = static_cast<float>(0.25 / (static_cast<double>(n) * n));
  for (bool onednn : {true, false}) {
    INFO("oneDNN " << onednn);
    grntorch::gemm::set_onednn(onednn);
    at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(5);
    auto A0 = (torch::rand({n, n}, gen, torch::kFloat32) - 0.5) * (4 * tau);
    // Reference: PyTorch's Adam on A with the gradient grad_a() gives.
    auto Ar = A0.clone().requires_grad_(true);
    torch::optim::Adam ref({Ar}, torch::optim::AdamOptions(lr).betas(std::make_tuple(0.9, 0.99)).eps(1e-8).weight_decay(wd));
    // Fused: A, its moments and C in place.
    auto A = A0.clone(), M = torch::zeros({n, n}), V = torch::zeros({n, n}), C = torch::zeros({n, n});
    for (int t = 1; t <= 3; ++t) {
      INFO("step " << t);
      auto U = torch::randn({b, n}, gen, torch::kFloat32);
      auto Z = torch::randn({b, n}, gen, torch::kFloat32) * 1e-3;
      const auto drop = rd::drop_key(7, t, 0, 0.3), next = rd::drop_key(7, t + 1, 0, 0.3);
      {
        torch::NoGradGuard ng;
        auto gA = rd::grad_a(Ar.detach(), -U.t().mm(Z), tau, drop, coef);
        Ar.mutable_grad() = gA;
      }
      ref.step();
      const double bc1 = 1 - std::pow(0.9, t), bc2 = 1 - std::pow(0.99, t);
      const double soft_before = (soft_ref(A, tau) * (1 - torch::eye(n))).sum().item<double>();
      const auto sums = grntorch::rdk::adam_a_fused(
          A.data_ptr<float>(), M.data_ptr<float>(), V.data_ptr<float>(), C.data_ptr<float>(), U.data_ptr<float>(),
          Z.data_ptr<float>(), b, n, rd::to_drop(drop), rd::to_drop(next), true, tau, coef, static_cast<float>(wd),
          static_cast<float>(lr / bc1), static_cast<float>(std::sqrt(bc2)), 1e-8f);
      REQUIRE(torch::allclose(A, Ar.detach(), 1e-5, 1e-9));
      torch::Tensor Cref;
      const double ssum = rd::build_c(Ar.detach(), Cref, tau, next);
      REQUIRE(torch::allclose(C, Cref, 1e-5, 1e-9));
      // Sums of signed terms: float rounding relative to the sum of their magnitudes.
      const double mag = (soft_ref(Ar.detach(), tau).abs() * (1 - torch::eye(n))).sum().item<double>();
      REQUIRE(sums.next_sparse == Approx(ssum).margin(1e-5 * mag));
      REQUIRE(sums.change == Approx(ssum - soft_before).margin(1e-5 * mag));
      REQUIRE(C.diagonal().abs().max().item<float>() == 0.0f);
    }
  }
  grntorch::gemm::set_onednn(true);
}
