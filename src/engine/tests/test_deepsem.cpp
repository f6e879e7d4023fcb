// torch first: c10's logging header defines CHECK, which Catch2 must own here.
#include "../src/deepsem_internal.hpp"
#include "../src/cpu_block_cache.hpp"
#include "../src/gene_mlp.hpp"

#include <ATen/CPUGeneratorImpl.h>

#undef CHECK
#include <catch2/catch.hpp>

#include "toy_data.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <unistd.h>

using grntorch::DeepSEMMode;
using grntorch::DeepSEMOptions;
using grntorch::Matrix;

namespace {

DeepSEMOptions small_opts(int epochs = 3) {
  auto o = DeepSEMOptions::defaults(DeepSEMMode::CellType);
  o.epochs = epochs;
  o.hidden = 16;
  o.batch_size = 16;
  o.lr_adj = 1e-3;  // large enough that A visibly moves in a few epochs
  o.lr = 1e-3;
  return o;
}

using grntorch_test::ThreadsOne;

}  // namespace

TEST_CASE("SEM layer: autograd gradient of the loss w.r.t. A matches finite differences", "[deepsem]") {
  const int n = 5, B = 4, H = 8;
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(3);
  grntorch::DeepSEMNets nets;
  nets.init(n, H, gen);
  auto dbl = torch::TensorOptions().dtype(torch::kFloat64);
  // Float64 copies of the nets, so that central differences are accurate.
  for (auto* t : {&nets.enc_w1, &nets.enc_b1, &nets.enc_w2, &nets.enc_b2, &nets.enc_wh, &nets.enc_bh, &nets.dec_w1,
                  &nets.dec_b1, &nets.dec_w2, &nets.dec_b2, &nets.dec_w3, &nets.dec_b3, &nets.pm_w1, &nets.pm_b1,
                  &nets.pm_w2, &nets.pm_b2, &nets.pv_w1, &nets.pv_b1, &nets.pv_w2, &nets.pv_b2})
    *t = t->to(torch::kFloat64).normal_(0, 0.3, gen);
  auto A0 = torch::rand({n, n}, gen, dbl) * 0.2 - 0.1;
  A0.fill_diagonal_(0);
  auto x = torch::randn({B, n}, gen, dbl);
  auto mask = (torch::rand({B, n}, gen, dbl) > 0.3).to(torch::kFloat64);
  auto eps = torch::randn({B, n}, gen, dbl);
  auto opt = DeepSEMOptions::defaults(DeepSEMMode::CellType);
  opt.alpha = 0.5;
  opt.beta = 0.7;

  for (bool use_mask : {true, false}) {
    auto A = A0.clone().requires_grad_(true);
    auto m = use_mask ? mask : torch::Tensor();
    auto L = grntorch::deepsem_batch_loss(nets, A, x, m, eps, opt);
    L.total.backward();
    auto g = A.grad().clone();
    const double h = 1e-6;
    double max_err = 0, max_g = 0;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        if (i == j) continue;
        auto Ap = A0.clone();
        auto Am = A0.clone();
        Ap[i][j] += h;
        Am[i][j] -= h;
        double fp = grntorch::deepsem_batch_loss(nets, Ap, x, m, eps, opt).total.item<double>();
        double fm = grntorch::deepsem_batch_loss(nets, Am, x, m, eps, opt).total.item<double>();
        double fd = (fp - fm) / (2 * h);
        max_err = std::max(max_err, std::abs(fd - g[i][j].item<double>()));
        max_g = std::max(max_g, std::abs(fd));
      }
    INFO("max |fd - autograd| = " << max_err << ", max |grad| = " << max_g);
    CHECK(max_g > 1e-3);
    CHECK(max_err < 1e-6 * std::max(1.0, max_g));
  }
}

TEST_CASE("masked MSE ignores the zero (dropout) entries", "[deepsem]") {
  auto x = torch::tensor({{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}});
  auto mask = torch::tensor({{1.0f, 0.0f, 1.0f}, {0.0f, 1.0f, 1.0f}});
  auto xhat = torch::tensor({{0.0f, 100.0f, 3.0f}, {-50.0f, 7.0f, 6.0f}});
  // Only (0,0): 1, (0,2): 0, (1,1): 4, (1,2): 0 count: (1 + 0 + 4 + 0) / 4.
  CHECK(grntorch::deepsem_mse(x, xhat, mask).item<float>() == Approx(1.25f));
  auto xhat2 = xhat.clone();
  xhat2[0][1] = -1e3f;
  xhat2[1][0] = 1e3f;
  CHECK(grntorch::deepsem_mse(x, xhat2, mask).item<float>() == grntorch::deepsem_mse(x, xhat, mask).item<float>());
  // Unmasked: the plain mean over all entries.
  CHECK(grntorch::deepsem_mse(x, xhat, torch::Tensor()).item<float>() == Approx((1 + 98 * 98 + 0 + 54 * 54 + 4 + 0) / 6.0f));
}

TEST_CASE("standardisation follows the reference in both modes", "[deepsem]") {
  Matrix e(3, 4);
  float g0[] = {0, 1, 3, 0};   // non-zero mean 2, sd 1
  float g1[] = {0, 0, 0, 0};   // all zero -> 0
  float g2[] = {0, 5, 5, 5};   // non-zero sd 0 -> whole gene 0
  for (int j = 0; j < 4; ++j) { e(0, j) = g0[j]; e(1, j) = g1[j]; e(2, j) = g2[j]; }
  Matrix mask;
  auto s = grntorch::deepsem_standardize(e, DeepSEMMode::CellType, &mask);
  CHECK(s(0, 1) == Approx(-1.0f));
  CHECK(s(0, 2) == Approx(1.0f));
  CHECK(s(0, 0) == Approx(-2.0f));  // zeros are standardised with the non-zero statistics
  for (int j = 0; j < 4; ++j) { CHECK(s(1, j) == 0.0f); CHECK(s(2, j) == 0.0f); }
  CHECK(mask(0, 0) == 0.0f);
  CHECK(mask(0, 1) == 1.0f);
  CHECK(mask(2, 3) == 1.0f);
  // Clipping to +-10 in cell-type mode.
  Matrix big(1, 12);
  for (int j = 0; j < 11; ++j) big(0, j) = 1.0f + 0.001f * j;
  big(0, 11) = 1000.0f;
  auto sb = grntorch::deepsem_standardize(big, DeepSEMMode::CellType);
  CHECK(sb(0, 11) <= 10.0f);
  // Non-specific: plain z-score over all cells, population sd, no clipping.
  auto n = grntorch::deepsem_standardize(e, DeepSEMMode::NonSpecific);
  CHECK(n(0, 0) == Approx(-1.0f / std::sqrt(1.5f)));
  CHECK(n(0, 2) == Approx(2.0f / std::sqrt(1.5f)));
}

TEST_CASE("the diagonal of A never moves and A learns off the diagonal", "[deepsem]") {
  ThreadsOne t1;
  auto expr = grntorch_test::toy_expr(12, 40, 1);
  auto opt = small_opts(4);
  auto data = grntorch::deepsem_prepare(expr, opt.mode, torch::kCPU);
  auto res = grntorch::deepsem_train(data, opt, nullptr);
  auto A = res.model.state->A;  // the raw parameter, not the masked one
  CHECK(A.diagonal().abs().max().item<float>() == 0.0f);
  for (int i = 0; i < 12; ++i) CHECK(res.A(i, i) == 0.0f);
  // Initial values are 1/(n-1) + U(0, 2e-4): training must have moved them.
  auto off = A.masked_select(torch::eye(12).logical_not());
  CHECK((off - 1.0f / 11).abs().max().item<float>() > 1e-3f);
  CHECK(res.trace.loss.size() == 4u);
  for (double l : res.trace.loss) CHECK(std::isfinite(l));
}

TEST_CASE("same seed with one thread gives bit-identical A; another seed does not", "[deepsem]") {
  ThreadsOne t1;
  auto expr = grntorch_test::toy_expr(10, 30, 2);
  auto opt = small_opts(3);
  opt.seed = 11;
  auto a = grntorch::deepsem_fit(expr, opt);
  auto b = grntorch::deepsem_fit(expr, opt);
  CHECK(a.A.data == b.A.data);
  opt.seed = 12;
  auto c = grntorch::deepsem_fit(expr, opt);
  CHECK(a.A.data != c.A.data);
}

TEST_CASE("the fast evaluation orders give the same fit as the plain one", "[deepsem]") {
  ThreadsOne t1;
  auto expr = grntorch_test::toy_expr(10, 40, 3);
  auto opt = small_opts(6);
  auto fit = [&](unsigned sp) {
    opt.speedups = sp;
    return grntorch::deepsem_fit(expr, opt).A;
  };
  auto plain = fit(0);
  // SPEC's evaluation orders (solve, frozen nets, encoder cache, constant
  // inverse) and the block cache change only the rounding: the fits agree
  // closely.  (The fused kernels' tanh differs from libm's by a few ulp; on toy
  // data with large learning rates RMSprop amplifies that, since it moves every
  // entry by ~lr_adj per step whatever its gradient's size: they are compared
  // per batch in the next test instead.)
  for (unsigned sp : {15u, 15u | grntorch::kSpeedBlockCache, 15u | grntorch::kSpeedDecoderTable}) {
    auto fast = fit(sp);
    std::vector<double> d, m, fa, pa;
    for (int i = 0; i < 10; ++i)
      for (int j = 0; j < 10; ++j) {
        if (i == j) continue;
        double f = fast(i, j), p = plain(i, j);
        d.push_back(std::abs(f - p));
        m.push_back(std::abs(p - 1.0 / 9));
        fa.push_back(f);
        pa.push_back(p);
      }
    auto median = [](std::vector<double> v) {
      std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
      return v[v.size() / 2];
    };
    double mf = 0, mp = 0;
    for (std::size_t k = 0; k < fa.size(); ++k) { mf += fa[k]; mp += pa[k]; }
    mf /= fa.size();
    mp /= pa.size();
    double sfp = 0, sff = 0, spp = 0;
    for (std::size_t k = 0; k < fa.size(); ++k) {
      sfp += (fa[k] - mf) * (pa[k] - mp);
      sff += (fa[k] - mf) * (fa[k] - mf);
      spp += (pa[k] - mp) * (pa[k] - mp);
    }
    double cor = sfp / std::sqrt(sff * spp);
    INFO("speedups " << sp << ": median |fast - plain| = " << median(d) << ", median move = " << median(m)
                     << ", correlation = " << cor);
    CHECK(median(m) > 1e-3);
    CHECK(cor > 0.9999);
    CHECK(median(d) < 1e-3 * median(m));
  }
}

TEST_CASE("one batch: fused and plain nets give the same loss and gradients", "[deepsem]") {
  ThreadsOne t1;
  const int n = 30, B = 20, H = 32;
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(5);
  grntorch::DeepSEMNets nets;
  nets.init(n, H, gen);
  auto A0 = torch::rand({n, n}, gen, torch::kFloat32) * 0.05;
  A0.fill_diagonal_(0);
  auto x = torch::randn({B, n}, gen, torch::kFloat32);
  auto mask = (torch::rand({B, n}, gen, torch::kFloat32) > 0.3).to(torch::kFloat32);
  auto eps = torch::randn({B, n}, gen, torch::kFloat32);
  auto opt = DeepSEMOptions::defaults(DeepSEMMode::CellType);
  std::vector<torch::Tensor> grads[2];
  double losses[2];
  for (int f = 0; f < 2; ++f) {
    nets.fused = f == 1;
    nets.set_requires_grad(true);
    for (auto& p : nets.parameters()) p.mutable_grad().reset();
    auto A = A0.clone().requires_grad_(true);
    auto L = grntorch::deepsem_batch_loss(nets, A, x, mask, eps, opt);
    L.total.backward();
    losses[f] = L.total.item<double>();
    grads[f].push_back(A.grad().clone());
    for (auto& p : nets.parameters()) grads[f].push_back(p.grad().clone());
  }
  CHECK(losses[1] == Approx(losses[0]).epsilon(1e-5));
  for (std::size_t i = 0; i < grads[0].size(); ++i) {
    auto diff = (grads[1][i] - grads[0][i]).abs().max().item<double>();
    auto scale = grads[0][i].abs().max().item<double>();
    INFO("gradient " << i << ": max diff " << diff << ", max " << scale);
    CHECK(diff <= 1e-3 * scale + 1e-7);
  }
}

TEST_CASE("the tabulated frozen decoder matches the decoder in value and input gradient", "[deepsem]") {
  ThreadsOne t1;
  const int n = 40, B = 16, H = 128;
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(9);
  grntorch::DeepSEMNets nets;
  nets.init(n, H, gen);
  // Trained decoders have larger weights than the initial ones: scale them up.
  nets.dec_w1.mul_(4);
  nets.dec_w2.mul_(2);
  nets.dec_b1.normal_(0, 0.5, gen);
  nets.set_requires_grad(false);
  auto z0 = torch::randn({B, n}, gen, torch::kFloat32) * 3;
  auto w = torch::randn({B, n}, gen, torch::kFloat32);
  torch::Tensor out[2], grad[2];
  for (int f = 0; f < 2; ++f) {
    auto z = z0.clone().requires_grad_(true);
    out[f] = f == 0 ? nets.decode(z) : nets.decode_frozen_table(z);
    (out[f].reshape({B, n}) * w).sum().backward();
    grad[f] = z.grad().clone();
  }
  auto vdiff = (out[1].reshape({B, n}) - out[0].reshape({B, n})).abs().max().item<double>();
  auto gdiff = (grad[1] - grad[0]).abs().max().item<double>();
  auto gscale = grad[0].abs().max().item<double>();
  INFO("max |table - exact| = " << vdiff << ", max gradient diff " << gdiff << " of " << gscale);
  CHECK(out[0].reshape({B, n}).std().item<double>() > 0.01);  // not a flat function
  CHECK(vdiff < 2e-6);
  CHECK(gdiff < 1e-5 * gscale + 1e-7);
  // A wrong slope (e.g. the table's spacing left out of the chain rule) would fail here.
  auto nan_in = z0.clone();
  nan_in.index_put_({0, 0}, std::numeric_limits<float>::quiet_NaN());
  CHECK(torch::isnan(nets.decode_frozen_table(nan_in)).any().item<bool>());
}

TEST_CASE("save -> load of a fitted model gives the same A and nets", "[deepsem]") {
  ThreadsOne t1;
  auto expr = grntorch_test::toy_expr(9, 30, 4);
  auto opt = small_opts(3);
  opt.mode = DeepSEMMode::NonSpecific;
  auto res = grntorch::deepsem_fit(expr, opt);
  char tmpl[] = "/tmp/grntorch_deepsem_XXXXXX";
  int fd = mkstemp(tmpl);
  REQUIRE(fd >= 0);
  close(fd);
  std::string path = tmpl;
  res.model.save(path);
  auto back = grntorch::DeepSEMModel::load(path);
  std::remove(path.c_str());
  CHECK(back.n_genes() == 9);
  CHECK(back.options().mode == DeepSEMMode::NonSpecific);
  CHECK(back.options().seed == opt.seed);
  auto A1 = back.adjacency();
  CHECK(A1.data == res.A.data);
  auto p0 = res.model.state->nets.parameters();
  auto p1 = back.state->nets.parameters();
  REQUIRE(p0.size() == p1.size());
  for (std::size_t k = 0; k < p0.size(); ++k) CHECK(torch::equal(p0[k], p1[k]));
  CHECK_THROWS_AS(grntorch::DeepSEMModel::load(path + ".missing"), grntorch::InvalidArgument);
}

TEST_CASE("a diverging fit stops with a clear error; bad options are rejected", "[deepsem]") {
  ThreadsOne t1;
  auto expr = grntorch_test::toy_expr(8, 20, 5);
  auto opt = small_opts(6);
  opt.lr = 1e6;
  opt.lr_adj = 1e6;
  try {
    grntorch::deepsem_fit(expr, opt);
    FAIL("expected an error");
  } catch (const std::runtime_error& e) {
    std::string msg = e.what();
    CHECK(msg.find("diverged") != std::string::npos);
    CHECK(msg.find("lr") != std::string::npos);
  }
  auto o2 = small_opts();
  o2.epochs = 0;
  CHECK_THROWS_AS(grntorch::deepsem_fit(expr, o2), grntorch::InvalidArgument);
  o2 = small_opts();
  o2.device = "tpu";
  CHECK_THROWS_AS(grntorch::deepsem_fit(expr, o2), grntorch::InvalidArgument);
}

namespace {
struct StopAfter : grntorch::Monitor {
  int polls = 0, limit;
  explicit StopAfter(int l) : limit(l) {}
  bool interrupted() override { return ++polls > limit; }
};
}  // namespace

TEST_CASE("training polls the monitor every batch and stops when interrupted", "[deepsem]") {
  auto expr = grntorch_test::toy_expr(8, 64, 6);
  auto opt = small_opts(50);
  opt.batch_size = 8;  // 8 batches per epoch
  StopAfter mon(5);
  CHECK_THROWS_AS(grntorch::deepsem_fit(expr, opt, &mon), grntorch::Interrupted);
  CHECK(mon.polls == 6);
}

TEST_CASE("cells_per_epoch: k cells a step budget of ceil(k / batch) per epoch; k >= cells changes nothing",
          "[deepsem]") {
  ThreadsOne t1;
  auto expr = grntorch_test::toy_expr(8, 64, 7);
  auto opt = small_opts(3);
  opt.batch_size = 8;
  opt.speedups = 0;  // no encoder cache: the monitor is polled exactly once per batch
  StopAfter all(1000000), sub(1000000);
  auto full = grntorch::deepsem_fit(expr, opt, &all);
  CHECK(all.polls == 3 * 8);
  opt.cells_per_epoch = 20;  // 3 batches (8 + 8 + 4) per epoch
  auto part = grntorch::deepsem_fit(expr, opt, &sub);
  CHECK(sub.polls == 3 * 3);
  CHECK(part.A.data != full.A.data);
  // The same seed draws the same subsets.
  CHECK(grntorch::deepsem_fit(expr, opt).A.data == part.A.data);
  // A budget at least the number of cells is the reference's full pass, bit for bit.
  opt.speedups = grntorch::kSpeedAll;
  opt.cells_per_epoch = 0;
  auto ref = grntorch::deepsem_fit(expr, opt);
  opt.cells_per_epoch = 64;
  CHECK(grntorch::deepsem_fit(expr, opt).A.data == ref.A.data);
  opt.cells_per_epoch = -1;
  CHECK_THROWS_AS(grntorch::deepsem_fit(expr, opt), grntorch::InvalidArgument);
}

TEST_CASE("cells_per_epoch: the encoder cache of A epochs holds the epoch's own cells", "[deepsem]") {
  ThreadsOne t1;
  auto expr = grntorch_test::toy_expr(10, 48, 8);
  auto opt = small_opts(6);
  opt.batch_size = 8;
  opt.cells_per_epoch = 20;
  opt.speedups = 0;
  auto plain = grntorch::deepsem_fit(expr, opt).A;
  opt.speedups = 15u;  // includes kSpeedEncoderCache
  auto cached = grntorch::deepsem_fit(expr, opt).A;
  double worst = 0, move = 0;
  for (int i = 0; i < 10; ++i)
    for (int j = 0; j < 10; ++j) {
      if (i == j) continue;
      worst = std::max(worst, std::abs(double(cached(i, j)) - plain(i, j)));
      move = std::max(move, std::abs(double(plain(i, j)) - 1.0 / 9));
    }
  INFO("max |cached - plain| = " << worst << ", max move = " << move);
  CHECK(move > 1e-3);
  CHECK(worst < 1e-2 * move);
}

TEST_CASE("SEM decode: x = z (I - A^T)^-1 satisfies x_i = sum_j A[i, j] x_j + z_i (A is target x regulator)",
          "[deepsem]") {
  auto A = torch::zeros({3, 3});
  A[1][0] = 0.5f;   // gene 0 regulates gene 1
  A[2][1] = -2.0f;  // gene 1 regulates gene 2
  auto z = torch::tensor({{1.0f, 2.0f, 3.0f}, {-1.0f, 0.5f, 0.0f}});
  auto x = grntorch::deepsem_sem_decode(z, A);
  CHECK(torch::allclose(x.select(1, 0), z.select(1, 0)));
  CHECK(torch::allclose(x.select(1, 1), z.select(1, 1) + 0.5f * x.select(1, 0)));
  CHECK(torch::allclose(x.select(1, 2), z.select(1, 2) - 2.0f * x.select(1, 1)));
  CHECK(torch::allclose(x, x.mm(A.t()) + z, 1e-5, 1e-6));
}

TEST_CASE("fused per-gene MLP matches the ATen composition, values and gradients", "[deepsem]") {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(9);
  const bool dnnl = grntorch::gemm::onednn_available();
  INFO("oneDNN products available: " << dnnl);
  // R = 2600: more rows than one block per thread (blocks of 1024 rows); both product back-ends.
  for (int64_t R : {333, 2600})
  for (int backend = 0; backend < (dnnl ? 2 : 1); ++backend)
  for (int64_t H : {24, 13})  // AVX2 path (H % 8 == 0, where the CPU has it) and the scalar path
  for (int64_t k : {1, 2}) {
    grntorch::gemm::set_onednn(backend == 0);
    std::vector<torch::Tensor> p = {torch::randn({R}, gen, torch::kFloat32) * 3, torch::randn({H}, gen, torch::kFloat32),
                                    torch::randn({H}, gen, torch::kFloat32),    torch::randn({H, H}, gen, torch::kFloat32) * 0.3,
                                    torch::randn({H}, gen, torch::kFloat32),    torch::randn({k, H}, gen, torch::kFloat32),
                                    torch::randn({k}, gen, torch::kFloat32)};
    auto g_out = torch::randn({R, k}, gen, torch::kFloat32);
    std::vector<torch::Tensor> a, b;
    for (auto& t : p) {
      a.push_back(t.clone().requires_grad_(true));
      b.push_back(t.clone().requires_grad_(true));
    }
    auto ya = grntorch::gene_mlp(a[0], a[1], a[2], a[3], a[4], a[5], a[6], /*fused=*/true);
    auto yb = grntorch::gene_mlp(b[0], b[1], b[2], b[3], b[4], b[5], b[6], /*fused=*/false);
    INFO("R = " << R << ", H = " << H << ", k = " << k << ", oneDNN " << (backend == 0 && dnnl));
    CHECK(torch::allclose(ya, yb, 1e-4, 1e-5));
    (ya * g_out).sum().backward();
    (yb * g_out).sum().backward();
    for (std::size_t i = 0; i < a.size(); ++i) {
      INFO("parameter " << i);
      REQUIRE(a[i].grad().defined());
      CHECK(torch::allclose(a[i].grad(), b[i].grad(), 1e-3, 1e-4));
    }
  }
  grntorch::gemm::set_onednn(true);
  // The kernels' tanh.
  double max_err = 0;
  for (float x = -12.0f; x <= 12.0f; x += 0.001f)
    max_err = std::max(max_err, std::abs(static_cast<double>(grntorch::kernels::tanh_scalar(x)) - std::tanh(double(x))));
  CHECK(max_err < 5e-7);
}

TEST_CASE("bfloat16 option: the MLP's products round their inputs to bfloat16, nothing else changes", "[deepsem]") {
  at::Generator gen = at::make_generator<at::CPUGeneratorImpl>(11);
  const int64_t R = 2600, H = 32, k = 2;
  std::vector<torch::Tensor> p = {torch::randn({R}, gen, torch::kFloat32) * 2, torch::randn({H}, gen, torch::kFloat32),
                                  torch::randn({H}, gen, torch::kFloat32),    torch::randn({H, H}, gen, torch::kFloat32) * 0.3,
                                  torch::randn({H}, gen, torch::kFloat32),    torch::randn({k, H}, gen, torch::kFloat32),
                                  torch::randn({k}, gen, torch::kFloat32)};
  auto bf = [](const torch::Tensor& t) { return t.to(torch::kBFloat16).to(torch::kFloat32); };
  // Forward reference in ATen: tanh(bf16(h1) bf16(W2)^T + b2) Wo^T + bo, h1 with the kernels' tanh.
  auto h1 = torch::empty({R, H}, torch::kFloat32);
  grntorch::kernels::first_layer_forward(p[0].data_ptr<float>(), p[1].data_ptr<float>(), p[2].data_ptr<float>(),
                                         h1.data_ptr<float>(), 0, static_cast<long>(R), static_cast<int>(H));
  auto ref = torch::addmm(p[6], torch::addmm(p[4], bf(h1), bf(p[3]).t()).tanh(), p[5].t());
  auto f32 = grntorch::gene_mlp(p[0], p[1], p[2], p[3], p[4], p[5], p[6], true, false);
  const bool dnnl = grntorch::gemm::onednn_available();
  std::vector<torch::Tensor> grads[2];
  for (int backend = 0; backend < 2; ++backend) {
    grntorch::gemm::set_onednn(backend == 0);
    std::vector<torch::Tensor> q;
    for (auto& t : p) q.push_back(t.clone().requires_grad_(true));
    auto y = grntorch::gene_mlp(q[0], q[1], q[2], q[3], q[4], q[5], q[6], true, true);
    INFO("oneDNN " << (backend == 0 && dnnl));
    // Same rounding as the reference (differences: tanh approximant, summation order).
    CHECK(torch::allclose(y, ref, 1e-4, 1e-4));
    // ... and a real change from float32 (bfloat16 keeps 8 significant bits).
    CHECK((y - f32).abs().max().item<double>() > 1e-5);
    CHECK(torch::allclose(y, f32, 2e-2, 2e-2));
    y.sum().backward();
    for (auto& t : q) grads[backend].push_back(t.grad().clone());
  }
  grntorch::gemm::set_onednn(true);
  // Gradients: oneDNN and the widened-float32 fallback agree, and both are
  // within bfloat16 rounding of the float32 gradients.
  std::vector<torch::Tensor> q;
  for (auto& t : p) q.push_back(t.clone().requires_grad_(true));
  grntorch::gene_mlp(q[0], q[1], q[2], q[3], q[4], q[5], q[6], true, false).sum().backward();
  for (std::size_t i = 0; i < q.size(); ++i) {
    INFO("parameter " << i);
    const double scale = q[i].grad().abs().max().item<double>();
    CHECK((grads[0][i] - grads[1][i]).abs().max().item<double>() <= 1e-4 * scale + 1e-6);
    CHECK((grads[0][i] - q[i].grad()).abs().max().item<double>() <= 3e-2 * scale + 1e-6);
  }
}

TEST_CASE("bfloat16 conversion rounds to nearest even and keeps NaN and infinities", "[deepsem]") {
  std::vector<float> x = {1.0f, -2.5f, 1.00390625f /* 1 + 2^-8: tie -> even (1) */, 1.01171875f /* tie -> up */,
                          3.14159265f, 1e-40f, std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity(), std::numeric_limits<float>::quiet_NaN(), 65504.0f};
  for (int i = 0; i < 7; ++i) x.push_back(0.1f * i - 0.3f);  // past one vector of 8 and a tail
  std::vector<uint16_t> y(x.size());
  std::vector<float> back(x.size());
  grntorch::kernels::to_bf16(x.data(), y.data(), static_cast<long>(x.size()));
  grntorch::kernels::from_bf16(y.data(), back.data(), static_cast<long>(x.size()));
  auto ref = torch::from_blob(x.data(), {static_cast<int64_t>(x.size())}, torch::kFloat32)
                 .to(torch::kBFloat16).to(torch::kFloat32);
  for (std::size_t i = 0; i < x.size(); ++i) {
    INFO("x = " << x[i]);
    if (std::isnan(x[i])) {
      CHECK(std::isnan(back[i]));
    } else {
      CHECK(back[i] == ref[static_cast<int64_t>(i)].item<float>());
    }
  }
  CHECK(back[2] == 1.0f);
  CHECK(back[3] == 1.015625f);
}

TEST_CASE("the caching allocator hands freed blocks back and restores the default allocator", "[deepsem]") {
  auto* before = c10::GetCPUAllocator();
  {
    grntorch::CpuBlockCacheScope scope;
    CHECK(c10::GetCPUAllocator() != before);
    void* p1;
    {
      auto t = torch::ones({1 << 20});
      p1 = t.data_ptr();
    }
    auto t2 = torch::zeros({1 << 20});
    CHECK(t2.data_ptr() == p1);  // same block, reused
    CHECK(t2.sum().item<float>() == 0.0f);
  }
  CHECK(c10::GetCPUAllocator() == before);
}
