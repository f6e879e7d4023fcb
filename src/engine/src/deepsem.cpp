// DeepSEM on LibTorch.  See deepsem.hpp for the model and SPEC.md section 3
// for the reference behaviour reproduced here.
#include "deepsem_internal.hpp"

#include "checks.hpp"
#include "cpu_block_cache.hpp"
#include "errors.hpp"
#include "gene_mlp.hpp"
#include "random_streams.hpp"
#include "tensor_io.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cmath>
#include <limits>
#include <sstream>

namespace grntorch {

// ---------------------------------------------------------------- options

DeepSEMOptions DeepSEMOptions::defaults(DeepSEMMode mode) {
  DeepSEMOptions o;
  o.mode = mode;
  if (mode == DeepSEMMode::NonSpecific) {
    o.alpha = 100.0;
    o.beta = 1.0;
  } else {
    o.alpha = 1.0;
    o.beta = 0.01;
  }
  return o;
}

void validate(const DeepSEMOptions& o, int n_genes, int n_cells) {
  auto bad = [](const std::string& what) { throw InvalidArgument(what); };
  auto finite_ge = [](double v, double lo) { return std::isfinite(v) && v >= lo; };
  detail::check_expression_size(n_genes, n_cells, {"DeepSEM"});
  if (!finite_ge(o.alpha, 0)) bad("alpha must be a finite number >= 0");
  if (!finite_ge(o.beta, 0)) bad("beta must be a finite number >= 0");
  if (o.epochs < 1) bad("epochs must be >= 1");
  if (o.batch_size < 1) bad("batch_size must be >= 1");
  if (!(std::isfinite(o.lr) && o.lr > 0)) bad("lr must be a finite number > 0");
  if (!(std::isfinite(o.lr_adj) && o.lr_adj > 0)) bad("lr_adj must be a finite number > 0");
  if (o.hidden < 1) bad("hidden must be >= 1");
  if (!(std::isfinite(o.lr_decay) && o.lr_decay > 0 && o.lr_decay <= 1)) bad("lr_decay must be in (0, 1]");
  if (o.cells_per_epoch < 0) bad("cells_per_epoch must be >= 0");
  if (o.net_epochs < 1) bad("net_epochs must be >= 1");
  if (o.adj_epochs < 1) bad("adj_epochs must be >= 1");
  if (o.bfloat16 && o.device.rfind("cuda", 0) == 0)
    bad("precision: \"bfloat16\" is implemented for the CPU kernels only; use \"float32\" on CUDA");
}

torch::Device deepsem_device(const std::string& device) {
  torch::Device dev(torch::kCPU);
  try {
    dev = torch::Device(device);
  } catch (const std::exception&) {
    throw InvalidArgument("device must be \"cpu\" or \"cuda\" (optionally \"cuda:<index>\"), not \"" + device + "\"");
  }
  if (dev.is_cuda() && !torch::cuda::is_available()) {
    throw InvalidArgument("device = \"" + device +
                          "\": this LibTorch has no usable CUDA (Debian's libtorch is CPU-only); use device = \"cpu\" "
                          "or build against a CUDA LibTorch");
  }
  if (!dev.is_cpu() && !dev.is_cuda()) throw InvalidArgument("device must be \"cpu\" or \"cuda\"");
  return dev;
}

// ---------------------------------------------------------------- data

Matrix deepsem_standardize(const Matrix& expr, DeepSEMMode mode, Matrix* mask, std::vector<float>* zero_z) {
  const int n = expr.rows, c = expr.cols;
  Matrix out(n, c);
  if (mask != nullptr) *mask = Matrix(n, c);
  if (zero_z != nullptr) zero_z->assign(static_cast<std::size_t>(n), 0.0f);
  for (int g = 0; g < n; ++g) {
    // float64 statistics, population sd (numpy's default ddof = 0), like the reference.
    double s = 0, ss = 0;
    long cnt = 0;
    for (int j = 0; j < c; ++j) {
      double v = expr(g, j);
      if (mask != nullptr) (*mask)(g, j) = v != 0.0 ? 1.0f : 0.0f;
      if (mode == DeepSEMMode::NonSpecific || v != 0.0) {
        s += v;
        ++cnt;
      }
    }
    double mean = cnt > 0 ? s / cnt : 0.0;
    for (int j = 0; j < c; ++j) {
      double v = expr(g, j);
      if (mode == DeepSEMMode::NonSpecific || v != 0.0) ss += (v - mean) * (v - mean);
    }
    double sd = cnt > 0 ? std::sqrt(ss / cnt) : 0.0;
    if (zero_z != nullptr && cnt > 0 && sd > 0) (*zero_z)[static_cast<std::size_t>(g)] = static_cast<float>(-mean / sd);
    for (int j = 0; j < c; ++j) {
      double z = 0.0;
      // The reference divides by a zero sd and then maps NaN/Inf to 0: the whole gene becomes 0.
      if (cnt > 0 && sd > 0) z = (static_cast<double>(expr(g, j)) - mean) / sd;
      if (!std::isfinite(z)) z = 0.0;
      if (mode == DeepSEMMode::CellType) z = std::min(10.0, std::max(-10.0, z));
      out(g, j) = static_cast<float>(z);
    }
  }
  return out;
}

DeepSEMData deepsem_prepare(const Matrix& expr, DeepSEMMode mode, const torch::Device& dev) {
  Matrix mask;
  Matrix xs = deepsem_standardize(expr, mode, mode == DeepSEMMode::CellType ? &mask : nullptr);
  // genes x cells column-major == cells x genes row-major.
  DeepSEMData d;
  d.x = tio::colmajor_tensor(xs).to(dev);
  if (mode == DeepSEMMode::CellType) d.mask = tio::colmajor_tensor(mask).to(dev);
  return d;
}

// ---------------------------------------------------------------- nets

std::vector<torch::Tensor> DeepSEMNets::parameters() const {
  if (!deepsem_layout)
    return {enc_w1, enc_b1, enc_w2, enc_b2, enc_wh, enc_bh, dec_w1, dec_b1, dec_w2, dec_b2, dec_w3, dec_b3, cls_w, cls_b};
  return {enc_w1, enc_b1, enc_w2, enc_b2, enc_wh, enc_bh, dec_w1, dec_b1, dec_w2, dec_b2, dec_w3, dec_b3,
          pm_w1,  pm_b1,  pm_w2,  pm_b2,  pv_w1,  pv_b1,  pv_w2,  pv_b2};
}

std::vector<std::string> DeepSEMNets::names() const {
  return {"enc_w1", "enc_b1", "enc_w2", "enc_b2", "enc_wh", "enc_bh", "dec_w1", "dec_b1", "dec_w2", "dec_b2",
          "dec_w3", "dec_b3", "pm_w1",  "pm_b1",  "pm_w2",  "pm_b2",  "pv_w1",  "pv_b1",  "pv_w2",  "pv_b2"};
}

namespace {

// Xavier-normal (gain 1) weight of a Linear(fan_in -> fan_out), shape (fan_out, fan_in).
torch::Tensor xavier(int64_t fan_out, int64_t fan_in, at::Generator& gen) {
  double sd = std::sqrt(2.0 / static_cast<double>(fan_in + fan_out));
  return torch::empty({fan_out, fan_in}, torch::kFloat32).normal_(0.0, sd, gen);
}

torch::Tensor zeros(int64_t n) { return torch::zeros({n}, torch::kFloat32); }

}  // namespace

void DeepSEMNets::init(int n, int H, at::Generator& gen) {
  enc_w1 = xavier(H, 2, gen);  // input (x, y) with y = 1 (the K = 1 categorical sample)
  enc_b1 = zeros(H);
  enc_w2 = xavier(H, H, gen);
  enc_b2 = zeros(H);
  // Two Linear(H -> 1) heads, each initialised as its own layer.
  enc_wh = torch::cat({xavier(1, H, gen), xavier(1, H, gen)}, 0);
  enc_bh = zeros(2);
  init_decoder(H, gen);
  pm_w1 = xavier(H, 1, gen);
  pm_b1 = zeros(H);
  pm_w2 = xavier(n, H, gen);
  pm_b2 = zeros(n);
  pv_w1 = xavier(H, 1, gen);
  pv_b1 = zeros(H);
  pv_w2 = xavier(n, H, gen);
  pv_b2 = zeros(n);
}

void DeepSEMNets::init_decoder(int H, at::Generator& gen) {
  dec_w1 = xavier(H, 1, gen);
  dec_b1 = zeros(H);
  dec_w2 = xavier(H, H, gen);
  dec_b2 = zeros(H);
  dec_w3 = xavier(1, H, gen);
  dec_b3 = zeros(1);
}

void DeepSEMNets::init_dazzle(int H, at::Generator& gen) {
  deepsem_layout = false;
  // The reference's module order: encoder MLP(1, H, 2), decoder MLP(1, H, 1), classifier MLP(1, 1, 1).
  enc_w1 = xavier(H, 1, gen);
  enc_b1 = zeros(H);
  enc_w2 = xavier(H, H, gen);
  enc_b2 = zeros(H);
  enc_wh = xavier(2, H, gen);  // one Linear(H -> 2): row 0 = mu, row 1 = logvar
  enc_bh = zeros(2);
  init_decoder(H, gen);
  // Xavier-normal of a 1 x 1 weight: sd 1.
  cls_w = torch::cat({xavier(1, 1, gen).reshape({1}), xavier(1, 1, gen).reshape({1}), xavier(1, 1, gen).reshape({1})});
  cls_b = zeros(3);
}

torch::Tensor DeepSEMNets::classify(const torch::Tensor& z) const {
  auto h = torch::tanh(z * cls_w[0] + cls_b[0]);
  h = torch::tanh(h * cls_w[1] + cls_b[1]);
  return h * cls_w[2] + cls_b[2];
}

void DeepSEMNets::to(const torch::Device& dev) {
  std::vector<torch::Tensor*> refs = {&enc_w1, &enc_b1, &enc_w2, &enc_b2, &enc_wh, &enc_bh, &dec_w1,
                                      &dec_b1, &dec_w2, &dec_b2, &dec_w3, &dec_b3, &pm_w1,  &pm_b1,
                                      &pm_w2,  &pm_b2,  &pv_w1,  &pv_b1,  &pv_w2,  &pv_b2, &cls_w, &cls_b};
  for (auto* t : refs)
    if (t->defined()) *t = t->to(dev).detach();
}

void DeepSEMNets::set_requires_grad(bool on) {
  for (auto& p : parameters()) p.requires_grad_(on);
}

std::pair<torch::Tensor, torch::Tensor> DeepSEMNets::encode(const torch::Tensor& x) const {
  const int64_t B = x.size(0), n = x.size(1);
  // DeepSEM: Linear(2 -> H) on (x, 1) = x * w[:, 0] + (w[:, 1] + b), tanh, Linear(H -> H), tanh, two heads.
  // DAZZLE: Linear(1 -> H) on x.
  auto b1 = deepsem_layout ? enc_w1.select(1, 1) + enc_b1 : enc_b1;
  auto out = gene_mlp(x, enc_w1.select(1, 0), b1, enc_w2, enc_b2, enc_wh, enc_bh, fused, bf16);
  return {out.select(1, 0).reshape({B, n}), out.select(1, 1).reshape({B, n})};
}

torch::Tensor DeepSEMNets::decode(const torch::Tensor& zinv) const {
  const int64_t B = zinv.size(0), n = zinv.size(1);
  return gene_mlp(zinv, dec_w1.select(1, 0), dec_b1, dec_w2, dec_b2, dec_w3, dec_b3, fused, bf16).view({B, n});
}

namespace {

// Cubic Hermite interpolation of a scalar function tabulated at t0 + k h
// (k = 0..G-1) by its values and slopes (float64).  The gradient flows to the
// input only: the slope of the interpolant, saved in the forward pass.
class HermiteTableFunction : public torch::autograd::Function<HermiteTableFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& s_in,
                               const torch::Tensor& val, const torch::Tensor& slope, double t0, double h) {
    auto s = s_in.contiguous();
    auto out = torch::empty_like(s);
    auto dout = torch::empty_like(s);
    const int64_t R = s.numel(), G = val.numel();
    const double *v = val.data_ptr<double>(), *d = slope.data_ptr<double>();
    const float* sp = s.data_ptr<float>();
    float *op = out.data_ptr<float>(), *dp = dout.data_ptr<float>();
    at::parallel_for(0, R, 8192, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const double x = (static_cast<double>(sp[r]) - t0) / h;
        int64_t k = static_cast<int64_t>(std::floor(x));
        k = std::min<int64_t>(std::max<int64_t>(k, 0), G - 2);
        const double u = x - static_cast<double>(k), u2 = u * u, u3 = u2 * u;
        const double v0 = v[k], v1 = v[k + 1], d0 = d[k], d1 = d[k + 1];
        op[r] = static_cast<float>((2 * u3 - 3 * u2 + 1) * v0 + (u3 - 2 * u2 + u) * h * d0 + (3 * u2 - 2 * u3) * v1 +
                                   (u3 - u2) * h * d1);
        dp[r] = static_cast<float>((6 * u2 - 6 * u) * (v0 - v1) / h + (3 * u2 - 4 * u + 1) * d0 + (3 * u2 - 2 * u) * d1);
      }
    });
    ctx->save_for_backward({dout});
    return out;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto dout = ctx->get_saved_variables()[0];
    return {grads[0] * dout, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor DeepSEMNets::decode_frozen_table(const torch::Tensor& zinv) const {
  if (!zinv.device().is_cpu() || zinv.scalar_type() != torch::kFloat32 || zinv.numel() == 0) return decode(zinv);
  double lo, hi;
  {
    torch::NoGradGuard ng;
    auto mm = torch::aminmax(zinv.detach());
    lo = std::get<0>(mm).item<double>();
    hi = std::get<1>(mm).item<double>();
  }
  if (!std::isfinite(lo) || !std::isfinite(hi)) return decode(zinv);  // let the exact path produce the NaN
  // Spacing <= 1/32 bounds the Hermite error by (1/32)^4 / 384 * max|f''''| ~ 3e-9 |f''''|;
  // beyond a range of 2048 the grid stops growing and the spacing widens.
  constexpr double kStep = 1.0 / 32;
  constexpr int64_t kMaxPoints = int64_t{1} << 16;
  int64_t G = static_cast<int64_t>(std::ceil((hi - lo) / kStep)) + 1;
  G = std::min(std::max<int64_t>(G, 2), kMaxPoints);
  double h = (hi - lo) / static_cast<double>(G - 1);
  if (!(h > 0)) h = 1.0;
  torch::Tensor val, slope;
  {
    torch::NoGradGuard ng;
    const auto f64 = torch::kFloat64;
    auto a = dec_w1.detach().select(1, 0).to(f64), c = dec_b1.detach().to(f64);
    auto W2 = dec_w2.detach().to(f64), b2 = dec_b2.detach().to(f64);
    auto wo = dec_w3.detach().reshape({-1}).to(f64), bo = dec_b3.detach().to(f64);
    auto t = torch::arange(G, torch::TensorOptions().dtype(f64)) * h + lo;
    auto h1 = torch::addcmul(c, t.unsqueeze(1), a.unsqueeze(0)).tanh_();  // G x H
    auto d1 = (1 - h1 * h1) * a;                                          // d h1 / dt
    auto h2 = torch::addmm(b2, h1, W2.t()).tanh_();
    auto d2 = (1 - h2 * h2) * d1.mm(W2.t());
    val = (h2.mv(wo) + bo).contiguous();
    slope = d2.mv(wo).contiguous();
  }
  return HermiteTableFunction::apply(zinv, val, slope, lo, h);
}

namespace {

// {Mt, penalty} from A (n x n, float32, contiguous, CPU): Mt = I - (A o D)^T
// with D the off-diagonal mask, penalty = alpha * mean|A o D| (when `pen`).
// Backward in one pass: gA[j, i] = D[j, i] (-gMt[i, j] + gpen alpha / n^2 sign A[j, i]).
class SemMatrixFunction : public torch::autograd::Function<SemMatrixFunction> {
 public:
  static constexpr int64_t kTile = 32;

  static torch::autograd::tensor_list forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& A_in,
                                              double alpha, bool pen) {
    auto A = A_in.contiguous();
    const int64_t n = A.size(0);
    auto Mt = torch::empty({n, n}, A.options());
    const float* a = A.data_ptr<float>();
    float* m = Mt.data_ptr<float>();
    const int64_t tiles = (n + kTile - 1) / kTile;
    // Mt[i, j] = -A[j, i] by 32 x 32 tiles, then the diagonal = 1; per-tile-row sums of |A| in double
    // (A's diagonal subtracted: the masked A has a zero diagonal).
    std::vector<double> rowsum(static_cast<size_t>(tiles), 0.0);
    at::parallel_for(0, tiles, 1, [&](int64_t t0, int64_t t1) {
      for (int64_t ti = t0; ti < t1; ++ti) {
        const int64_t i0 = ti * kTile, i1 = std::min(n, i0 + kTile);
        for (int64_t j0 = 0; j0 < n; j0 += kTile) {
          const int64_t j1 = std::min(n, j0 + kTile);
          for (int64_t i = i0; i < i1; ++i) {
            float* mrow = m + i * n;
            for (int64_t j = j0; j < j1; ++j) mrow[j] = -a[j * n + i];
          }
        }
        for (int64_t i = i0; i < i1; ++i) m[i * n + i] = 1.0f;
        if (pen) {
          double acc = 0;
          for (int64_t i = i0; i < i1; ++i) {
            const float* arow = a + i * n;
            float s = 0;
            for (int64_t j = 0; j < n; ++j) s += std::fabs(arow[j]);
            acc += static_cast<double>(s) - std::fabs(arow[i]);
          }
          rowsum[static_cast<size_t>(ti)] = acc;
        }
      }
    });
    double total = 0;
    for (double v : rowsum) total += v;
    auto penalty = torch::full({}, pen ? alpha * total / static_cast<double>(n * n) : 0.0, A.options());
    ctx->save_for_backward({A});
    ctx->saved_data["alpha"] = alpha;
    ctx->saved_data["pen"] = pen;
    return {Mt, penalty};
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto A = ctx->get_saved_variables()[0];
    const double alpha = ctx->saved_data["alpha"].toDouble();
    const bool pen = ctx->saved_data["pen"].toBool();
    const int64_t n = A.size(0);
    auto gMt = grads[0].defined() ? grads[0].contiguous() : torch::zeros({n, n}, A.options());
    const float gp = (pen && grads[1].defined()) ? grads[1].item<float>() : 0.0f;
    const float scale = static_cast<float>(alpha / static_cast<double>(n * n)) * gp;
    auto gA = torch::empty({n, n}, A.options());
    const float *a = A.data_ptr<float>(), *g = gMt.data_ptr<float>();
    float* o = gA.data_ptr<float>();
    const int64_t tiles = (n + kTile - 1) / kTile;
    at::parallel_for(0, tiles, 1, [&](int64_t t0, int64_t t1) {
      for (int64_t tj = t0; tj < t1; ++tj) {
        const int64_t j0 = tj * kTile, j1 = std::min(n, j0 + kTile);
        // Rows j of gA: the L1 term (contiguous), then minus gMt^T by tiles, then a zero diagonal.
        for (int64_t j = j0; j < j1; ++j) {
          const float* arow = a + j * n;
          float* orow = o + j * n;
          for (int64_t i = 0; i < n; ++i) orow[i] = arow[i] > 0 ? scale : (arow[i] < 0 ? -scale : 0.0f);
        }
        for (int64_t i0 = 0; i0 < n; i0 += kTile) {
          const int64_t i1 = std::min(n, i0 + kTile);
          for (int64_t j = j0; j < j1; ++j) {
            float* orow = o + j * n;
            for (int64_t i = i0; i < i1; ++i) orow[i] -= g[i * n + j];
          }
        }
        for (int64_t j = j0; j < j1; ++j) o[j * n + j] = 0.0f;
      }
    });
    return {gA, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

std::pair<torch::Tensor, torch::Tensor> DeepSEMNets::prior() const {
  // Linear(1 -> H) at y = 1 is w[:, 0] + b.
  auto hm = (pm_w1.select(1, 0) + pm_b1).tanh().unsqueeze(0);
  auto hv = (pv_w1.select(1, 0) + pv_b1).tanh().unsqueeze(0);
  return {torch::addmm(pm_b2, hm, pm_w2.t()), torch::addmm(pv_b2, hv, pv_w2.t())};
}

// ---------------------------------------------------------------- loss

torch::Tensor sparsity_term(const torch::Tensor& A, double alpha, const torch::Tensor& offset) {
  if (offset.defined()) return alpha * (A - offset).abs().mean();
  return alpha * A.abs().mean();
}

torch::Tensor deepsem_sem_decode(const torch::Tensor& z, const torch::Tensor& A) {
  auto Mt = torch::eye(A.size(0), A.options()) - A.t();
  return torch::linalg_solve(Mt, z, /*left=*/false);
}

torch::Tensor deepsem_mse(const torch::Tensor& x, const torch::Tensor& xhat, const torch::Tensor& mask) {
  if (!mask.defined()) return (x - xhat).pow(2).mean();
  return ((x - xhat).pow(2) * mask).sum() / mask.sum();
}

namespace {

constexpr double kLog2Pi = 1.8378770664093453;  // log(2 pi)
constexpr double kLog10 = 2.302585092994046;      // -log(0.1): the K = 1 categorical term

// Everything after the encoder for one batch.  mu0/lv0: B x n encoder heads;
// pm0/plv0: 1 x n prior rows; Mt = I - A^T; zinv_of maps z to z (I - A^T)^-1.
struct SemParts {
  torch::Tensor mse, kl;  // kl includes the constant categorical term
};

template <class ZinvFn>
SemParts sem_loss(const DeepSEMNets& nets, const torch::Tensor& mu0, const torch::Tensor& lv0,
                  const torch::Tensor& pm0, const torch::Tensor& plv0, const torch::Tensor& Mt,
                  ZinvFn&& zinv_of, const torch::Tensor& x, const torch::Tensor& mask, const torch::Tensor& eps,
                  double beta, bool decoder_table = false) {
  // The four products with Mt as one (mu0, lv0: B x n; pm0, plv0: 1 x n).
  const int64_t B = mu0.size(0);
  auto prod = torch::cat({mu0, lv0, pm0, plv0}, 0).mm(Mt);
  auto mu = prod.narrow(0, 0, B);
  auto lv = prod.narrow(0, B, B);
  auto var = lv.exp();
  auto z = mu + eps * (var + 1e-10).sqrt();
  auto xhat = decoder_table ? nets.decode_frozen_table(zinv_of(z)) : nets.decode(zinv_of(z));
  auto mse = deepsem_mse(x, xhat, mask);
  auto pm = prod.narrow(0, 2 * B, 1);
  auto pvar = prod.narrow(0, 2 * B + 1, 1).exp();
  // One-sample Monte Carlo KL: log q(z) - log p(z), each the mean over genes of
  // a Gaussian log density (variance + 1e-8), then the mean over cells.
  auto vq = var + 1e-8;
  auto vp = pvar + 1e-8;
  auto log_q = -0.5 * (kLog2Pi + vq.log() + (z - mu).pow(2) / vq).mean(1);
  auto log_p = -0.5 * (kLog2Pi + vp.log() + (z - pm).pow(2) / vp).mean(1);
  auto kl = beta * (log_q - log_p).mean() + beta * kLog10;
  return {mse, kl};
}

// Minimal RMSprop (PyTorch's defaults: alpha 0.99, eps 1e-8, no momentum).
class RMSprop {
 public:
  RMSprop(std::vector<torch::Tensor> params, double lr) : params_(std::move(params)), lr_(lr) {
    for (auto& p : params_) sq_.push_back(torch::zeros_like(p));
  }
  void zero_grad() {
    for (auto& p : params_)
      if (p.grad().defined()) p.mutable_grad().reset();
  }
  void step() {
    torch::NoGradGuard ng;
    for (std::size_t i = 0; i < params_.size(); ++i) {
      auto g = params_[i].grad();
      if (!g.defined()) continue;
      auto& p = params_[i];
      auto& sq = sq_[i];
      if (p.device().is_cpu() && p.scalar_type() == torch::kFloat32 && g.scalar_type() == torch::kFloat32 &&
          p.is_contiguous() && sq.is_contiguous() && g.is_contiguous() && g.numel() == p.numel()) {
        // One pass instead of five (the same arithmetic, element by element).
        float *pp = p.data_ptr<float>(), *qp = sq.data_ptr<float>();
        const float* gp = g.data_ptr<float>();
        const float lr = static_cast<float>(lr_);
        at::parallel_for(0, p.numel(), 1 << 16, [&](int64_t i0, int64_t i1) {
          for (int64_t j = i0; j < i1; ++j) {
            const float gj = gp[j];
            const float v = qp[j] * 0.99f + 0.01f * gj * gj;
            qp[j] = v;
            pp[j] -= lr * (gj / (std::sqrt(v) + 1e-8f));
          }
        });
        continue;
      }
      sq.mul_(0.99).addcmul_(g, g, 0.01);
      p.addcdiv_(g, sq.sqrt().add_(1e-8), -lr_);
    }
  }
  double lr_;

 private:
  std::vector<torch::Tensor> params_, sq_;
};

// Minimal Adam (PyTorch's algorithm without weight decay or amsgrad), one
// learning rate per parameter group.  DAZZLE's recipe: betas 0.9, 0.9.
class Adam {
 public:
  Adam(std::vector<std::vector<torch::Tensor>> groups, std::vector<double> lrs, double beta1, double beta2)
      : groups_(std::move(groups)), lrs_(std::move(lrs)), b1_(beta1), b2_(beta2) {
    for (auto& g : groups_) {
      m_.emplace_back();
      v_.emplace_back();
      for (auto& p : g) {
        m_.back().push_back(torch::zeros_like(p));
        v_.back().push_back(torch::zeros_like(p));
      }
    }
  }
  void zero_grad() {
    for (auto& g : groups_)
      for (auto& p : g)
        if (p.grad().defined()) p.mutable_grad().reset();
  }
  void step() {
    torch::NoGradGuard ng;
    ++t_;
    const double bc1 = 1 - std::pow(b1_, static_cast<double>(t_));
    const double bc2 = std::sqrt(1 - std::pow(b2_, static_cast<double>(t_)));
    for (std::size_t k = 0; k < groups_.size(); ++k) {
      for (std::size_t i = 0; i < groups_[k].size(); ++i) {
        auto& p = groups_[k][i];
        auto g = p.grad();
        if (!g.defined()) continue;
        m_[k][i].mul_(b1_).add_(g, 1 - b1_);
        v_[k][i].mul_(b2_).addcmul_(g, g, 1 - b2_);
        auto denom = (v_[k][i].sqrt() / bc2).add_(1e-8);
        p.addcdiv_(m_[k][i], denom, -lrs_[k] / bc1);
      }
    }
  }
  // Multiplies every group's learning rate.
  void scale_lr(double f) {
    for (auto& l : lrs_) l *= f;
  }

 private:
  std::vector<std::vector<torch::Tensor>> groups_;
  std::vector<double> lrs_;
  std::vector<std::vector<torch::Tensor>> m_, v_;
  double b1_, b2_;
  int64_t t_ = 0;
};

[[noreturn]] void throw_nonfinite(int epoch, int batch, double loss) {
  std::ostringstream s;
  s << "DeepSEM diverged: the loss became " << (std::isnan(loss) ? "NaN" : "infinite") << " at epoch " << epoch
    << " (batch " << batch << "). Try smaller learning rates (`lr`, `lr_adj`), a smaller `beta`, "
    << "a larger `alpha`, or another `seed`; check that the expression is normalised log expression "
    << "(not raw counts).";
  throw EngineError(s.str());
}

}  // namespace

DeepSEMLoss deepsem_batch_loss(const DeepSEMNets& nets, const torch::Tensor& A, const torch::Tensor& x,
                               const torch::Tensor& mask, const torch::Tensor& eps, const DeepSEMOptions& opt) {
  const int64_t n = A.size(0);
  auto Mt = torch::eye(n, A.options()) - A.t();
  auto enc = nets.encode(x);
  auto pr = nets.prior();
  auto parts = sem_loss(nets, enc.first, enc.second, pr.first, pr.second, Mt,
                        [&](const torch::Tensor& z) { return torch::linalg_solve(Mt, z, /*left=*/false); }, x, mask,
                        eps, opt.beta);
  DeepSEMLoss out;
  out.mse = parts.mse;
  out.kl = parts.kl;
  out.sparse = sparsity_term(A, opt.alpha);
  out.total = out.mse + out.kl + out.sparse;
  return out;
}

// ---------------------------------------------------------------- model

DeepSEMModel::DeepSEMModel() : state(std::make_shared<State>()) {}
DeepSEMModel::DeepSEMModel(std::shared_ptr<State> s) : state(std::move(s)) {}

int DeepSEMModel::n_genes() const { return state->n; }
const DeepSEMOptions& DeepSEMModel::options() const { return state->opt; }

torch::Tensor DeepSEMModel::State::A_effective() const {
  torch::NoGradGuard ng;
  auto a = A.detach().clone();
  a.fill_diagonal_(0);
  return a;
}

Matrix DeepSEMModel::adjacency() const {
  if (!state || !state->A.defined()) throw InvalidArgument("model: not fitted");
  return detail::guarded([&] { return tio::to_matrix(state->A_effective()); });
}

namespace {

void save_model(const DeepSEMModel& model, const std::string& path) {
  const auto& state = model.state;
  if (!state || !state->A.defined()) throw InvalidArgument("model: not fitted");
  if (!state->nets.deepsem_layout) throw InvalidArgument("model: saving is implemented for DeepSEM's layout only");
  torch::serialize::OutputArchive ar;
  const auto& o = state->opt;
  auto dbl = tio::to_double({o.alpha, o.beta, o.lr, o.lr_adj, o.lr_decay});
  auto ints = tio::to_long(std::vector<int64_t>{static_cast<int64_t>(o.mode), o.epochs, o.batch_size, o.hidden,
                                                o.net_epochs, o.adj_epochs, static_cast<int64_t>(o.seed),
                                                static_cast<int64_t>(o.speedups), state->n});
  ar.write("format", tio::to_long(std::vector<int64_t>{1}));
  ar.write("options_double", dbl);
  ar.write("options_int", ints);
  ar.write("cells_per_epoch", tio::to_long(std::vector<int64_t>{o.cells_per_epoch}));
  ar.write("bfloat16", tio::to_long(std::vector<int64_t>{o.bfloat16 ? 1 : 0}));
  ar.write("A", state->A.detach().to(torch::kCPU));
  auto ps = state->nets.parameters();
  auto nm = state->nets.names();
  for (std::size_t i = 0; i < ps.size(); ++i) ar.write(nm[i], ps[i].detach().to(torch::kCPU));
  try {
    ar.save_to(path);
  } catch (const c10::Error& e) {
    throw InvalidArgument("path: cannot write \"" + path + "\": " + e.what_without_backtrace());
  }
}

DeepSEMModel load_model(const std::string& path) {
  torch::serialize::InputArchive ar;
  try {
    ar.load_from(path);
  } catch (const std::exception& e) {
    throw InvalidArgument("path: cannot read a DeepSEM model from \"" + path + "\"");
  }
  auto s = std::make_shared<DeepSEMModel::State>();
  torch::Tensor dbl, ints;
  ar.read("options_double", dbl);
  ar.read("options_int", ints);
  auto d = dbl.accessor<double, 1>();
  auto i = ints.accessor<int64_t, 1>();
  auto& o = s->opt;
  o.alpha = d[0];
  o.beta = d[1];
  o.lr = d[2];
  o.lr_adj = d[3];
  o.lr_decay = d[4];
  o.mode = static_cast<DeepSEMMode>(i[0]);
  o.epochs = static_cast<int>(i[1]);
  o.batch_size = static_cast<int>(i[2]);
  o.hidden = static_cast<int>(i[3]);
  o.net_epochs = static_cast<int>(i[4]);
  o.adj_epochs = static_cast<int>(i[5]);
  o.seed = static_cast<std::uint64_t>(i[6]);
  o.speedups = static_cast<unsigned>(i[7]);
  s->n = static_cast<int>(i[8]);
  torch::Tensor cpe;
  if (ar.try_read("cells_per_epoch", cpe)) o.cells_per_epoch = static_cast<int>(cpe.item<int64_t>());
  torch::Tensor b16;
  if (ar.try_read("bfloat16", b16)) o.bfloat16 = b16.item<int64_t>() != 0;
  ar.read("A", s->A);
  auto nm = s->nets.names();
  std::vector<torch::Tensor*> refs = {&s->nets.enc_w1, &s->nets.enc_b1, &s->nets.enc_w2, &s->nets.enc_b2,
                                      &s->nets.enc_wh, &s->nets.enc_bh, &s->nets.dec_w1, &s->nets.dec_b1,
                                      &s->nets.dec_w2, &s->nets.dec_b2, &s->nets.dec_w3, &s->nets.dec_b3,
                                      &s->nets.pm_w1,  &s->nets.pm_b1,  &s->nets.pm_w2,  &s->nets.pm_b2,
                                      &s->nets.pv_w1,  &s->nets.pv_b1,  &s->nets.pv_w2,  &s->nets.pv_b2};
  for (std::size_t k = 0; k < refs.size(); ++k) ar.read(nm[k], *refs[k]);
  return DeepSEMModel(s);
}

}  // namespace

void DeepSEMModel::save(const std::string& path) const {
  detail::guarded([&] { save_model(*this, path); });
}

DeepSEMModel DeepSEMModel::load(const std::string& path) {
  return detail::guarded([&] { return load_model(path); });
}

// ---------------------------------------------------------------- training

namespace {

// One run of DeepSEM's training loop (deepsem_train in steps).  All random
// numbers come from one CPU generator (so CPU and CUDA runs draw the same
// stream), in this order: initialisation, then per epoch the shuffle, then
// per batch the noise.
struct DeepSEMRun {
  const DeepSEMData& data;
  const DeepSEMOptions& opt;
  Monitor* monitor;
  const DeepSEMExtension* ext;
  const DeepSEMJoint* joint;  // DAZZLE's recipe, or null
  int64_t cells, n, bs;
  int64_t used;       // cells seen per epoch (all, or the cells_per_epoch subset)
  int64_t n_batches;
  bool subsample;     // a fresh subset of cells every epoch
  torch::Device dev;
  torch::TensorOptions fopt;
  unsigned sp;
  bool masked;
  at::Generator gen;
  std::shared_ptr<DeepSEMModel::State> st;
  torch::Tensor offdiag, eye;
  std::vector<torch::Tensor> adj_params;  // A, the extension's parameters (requires_grad follows A's)
  std::unique_ptr<RMSprop> net_opt, adj_opt;
  std::unique_ptr<Adam> joint_opt;        // DAZZLE: one optimiser for the nets and A
  int64_t joint_steps = 0;
  std::vector<RMSprop> own_opts;          // extension parameters with their own learning rate
  // Encoder outputs of every cell, valid while the nets do not change (A epochs).
  torch::Tensor mu0_all, lv0_all, pm0_c, plv0_c;
  bool enc_cache_valid = false;
  // Net epochs: A, I - A^T, its inverse and the prior term are constant.
  torch::Tensor Aeff_c, Mt_c, Minv_c, sparse_c;

  DeepSEMRun(const DeepSEMData& d, const DeepSEMOptions& o, Monitor* m, const DeepSEMExtension* e,
             const DeepSEMJoint* j)
      : data(d), opt(o), monitor(m), ext(e), joint(j), cells(d.x.size(0)), n(d.x.size(1)), bs(o.batch_size),
        used(o.cells_per_epoch > 0 && o.cells_per_epoch < cells ? o.cells_per_epoch : cells),
        n_batches((used + bs - 1) / bs), subsample(used < cells), dev(d.x.device()),
        fopt(torch::TensorOptions().dtype(torch::kFloat32).device(dev)), sp(o.speedups), masked(d.mask.defined()),
        gen(detail::seeded_generator(o.seed)) {}

  torch::Tensor adjacency() const {
    torch::Tensor a = (ext != nullptr && ext->adjacency) ? ext->adjacency(st->A) : st->A;
    return a * offdiag;
  }
  torch::Tensor penalty(const torch::Tensor& Aeff) const {
    if (ext != nullptr && ext->a_penalty) return ext->a_penalty(Aeff);
    return sparsity_term(Aeff, opt.alpha);
  }

  void init_model();
  void init_optimisers();
  void prepare_epoch(bool net_epoch, const torch::Tensor& perm);
  SemParts net_batch_parts(const torch::Tensor& xb, const torch::Tensor& mb, const torch::Tensor& eps);
  SemParts adj_batch_parts(const torch::Tensor& idx, const torch::Tensor& xb, const torch::Tensor& mb,
                           const torch::Tensor& eps, bool nets_grad, torch::Tensor& sparse);
  struct JointParts {
    torch::Tensor mse, kl, sparse, classifier;
  };
  JointParts joint_batch_parts(const torch::Tensor& xb, const torch::Tensor& mb, int64_t len);
  void step(const torch::Tensor& total, bool net_epoch);
  void zero_grads();
  void run_epoch(int epoch, DeepSEMTrace& trace);
};

void DeepSEMRun::init_model() {
  st = std::make_shared<DeepSEMModel::State>();
  st->opt = opt;
  st->n = static_cast<int>(n);
  if (joint != nullptr) st->nets.init_dazzle(opt.hidden, gen);
  else st->nets.init(static_cast<int>(n), opt.hidden, gen);
  st->nets.to(dev);
  st->nets.fused = (sp & kSpeedFusedMLP) != 0;
  st->nets.bf16 = opt.bfloat16;
  {
    // A = 1/(n-1) + U(0, 2e-4), zero diagonal (float64 draw, as numpy does, then float32).
    auto a = torch::rand({n, n}, gen, torch::TensorOptions().dtype(torch::kFloat64)) * 2e-4 + 1.0 / (n - 1);
    a.fill_diagonal_(0);
    st->A = a.to(torch::kFloat32).to(dev);
  }
  offdiag = torch::ones({n, n}, fopt) - torch::eye(n, fopt);
  eye = torch::eye(n, fopt);
}

void DeepSEMRun::init_optimisers() {
  adj_params = {st->A};
  // Extension parameters with their own learning rate get their own optimiser.
  std::vector<torch::Tensor> own_lr_params;
  std::vector<double> own_lrs;
  if (ext != nullptr) {
    if (!ext->a_params_lr.empty() && ext->a_params_lr.size() != ext->a_params.size())
      throw InvalidArgument("DeepSEMExtension: a_params_lr must be empty or as long as a_params");
    for (std::size_t i = 0; i < ext->a_params.size(); ++i) {
      if (ext->a_params_lr.empty() || ext->a_params_lr[i] == opt.lr_adj) {
        adj_params.push_back(ext->a_params[i]);
      } else {
        own_lr_params.push_back(ext->a_params[i]);
        own_lrs.push_back(ext->a_params_lr[i]);
      }
    }
  }
  if (joint != nullptr) {
    if (ext != nullptr) throw InvalidArgument("DeepSEMJoint: a DeepSEMExtension is not supported with the joint recipe");
    joint_opt = std::make_unique<Adam>(std::vector<std::vector<torch::Tensor>>{st->nets.parameters(), adj_params},
                                       std::vector<double>{opt.lr, opt.lr_adj}, 0.9, 0.9);
    return;
  }
  net_opt = std::make_unique<RMSprop>(st->nets.parameters(), opt.lr);
  adj_opt = std::make_unique<RMSprop>(adj_params, opt.lr_adj);
  for (std::size_t i = 0; i < own_lr_params.size(); ++i)
    own_opts.emplace_back(std::vector<torch::Tensor>{own_lr_params[i]}, own_lrs[i]);
  for (const auto& p : own_lr_params) adj_params.push_back(p);  // requires_grad follows A's
}

// The per-epoch constants: A and (I - A^T)^-1 in net epochs, the encoder
// outputs of every cell in A epochs (once per block of A epochs; with a
// subset of cells per epoch, of that epoch's cells only, every A epoch).
void DeepSEMRun::prepare_epoch(bool net_epoch, const torch::Tensor& perm) {
  if (net_epoch) {
    enc_cache_valid = false;
    torch::NoGradGuard ng;
    Aeff_c = adjacency();
    Mt_c = eye - Aeff_c.t();
    Minv_c = (sp & kSpeedConstInverse) ? torch::linalg_inv(Mt_c) : torch::Tensor();
    sparse_c = penalty(Aeff_c);
    return;
  }
  Aeff_c = Mt_c = Minv_c = sparse_c = torch::Tensor();
  if ((sp & kSpeedEncoderCache) && (!enc_cache_valid || subsample)) {
    torch::NoGradGuard ng;
    if (!mu0_all.defined()) {
      mu0_all = torch::empty({cells, n}, fopt);
      lv0_all = torch::empty({cells, n}, fopt);
    }
    for (int64_t s0 = 0; s0 < used; s0 += bs) {
      check_interrupt(monitor);
      int64_t len = std::min(bs, used - s0);
      if (subsample) {
        auto rows = perm.narrow(0, s0, len);
        auto enc = st->nets.encode(data.x.index_select(0, rows));
        mu0_all.index_copy_(0, rows, enc.first);
        lv0_all.index_copy_(0, rows, enc.second);
      } else {
        auto enc = st->nets.encode(data.x.narrow(0, s0, len));
        mu0_all.narrow(0, s0, len).copy_(enc.first);
        lv0_all.narrow(0, s0, len).copy_(enc.second);
      }
    }
    auto pr = st->nets.prior();
    pm0_c = pr.first;
    plv0_c = pr.second;
    enc_cache_valid = true;
  }
}

SemParts DeepSEMRun::net_batch_parts(const torch::Tensor& xb, const torch::Tensor& mb, const torch::Tensor& eps) {
  auto enc = st->nets.encode(xb);
  auto pr = st->nets.prior();
  torch::Tensor Minv = Minv_c;
  if (!Minv.defined()) {
    torch::NoGradGuard ng;
    Minv = torch::linalg_inv(Mt_c);
  }
  return sem_loss(st->nets, enc.first, enc.second, pr.first, pr.second, Mt_c,
                  [&](const torch::Tensor& z) { return z.mm(Minv); }, xb, mb, eps, opt.beta);
}

SemParts DeepSEMRun::adj_batch_parts(const torch::Tensor& idx, const torch::Tensor& xb, const torch::Tensor& mb,
                                     const torch::Tensor& eps, bool nets_grad, torch::Tensor& sparse) {
  // A's off-diagonal part: I - A^T and the penalty (fused on the CPU when A is DeepSEM's own).
  torch::Tensor Mt, Aeff;
  const bool fused_a = (sp & kSpeedFusedA) && dev.is_cpu() && (ext == nullptr || !ext->adjacency) &&
                       st->A.scalar_type() == torch::kFloat32;
  const bool own_penalty = ext == nullptr || !ext->a_penalty;
  if (fused_a) {
    auto r = SemMatrixFunction::apply(st->A, opt.alpha, own_penalty);
    Mt = r[0];
    if (own_penalty) sparse = r[1];
    else Aeff = adjacency();
  } else {
    Aeff = adjacency();
    Mt = eye - Aeff.t();
  }
  torch::Tensor mu0, lv0, pm0, plv0;
  if (sp & kSpeedEncoderCache) {
    mu0 = mu0_all.index_select(0, idx);
    lv0 = lv0_all.index_select(0, idx);
    pm0 = pm0_c;
    plv0 = plv0_c;
  } else {
    auto enc = st->nets.encode(xb);
    auto pr = st->nets.prior();
    mu0 = enc.first;
    lv0 = enc.second;
    pm0 = pr.first;
    plv0 = pr.second;
  }
  // The decoder table needs frozen nets (no weight gradients).
  const bool table = (sp & kSpeedDecoderTable) && !nets_grad && dev.is_cpu();
  SemParts parts;
  if (sp & kSpeedSolve) {
    parts = sem_loss(st->nets, mu0, lv0, pm0, plv0, Mt,
                     [&](const torch::Tensor& z) { return torch::linalg_solve(Mt, z, /*left=*/false); }, xb, mb, eps,
                     opt.beta, table);
  } else {
    parts = sem_loss(st->nets, mu0, lv0, pm0, plv0, Mt,
                     [&](const torch::Tensor& z) { return z.mm(torch::linalg_inv(Mt)); }, xb, mb, eps, opt.beta,
                     table);
  }
  if (!(fused_a && own_penalty)) sparse = penalty(Aeff);
  return parts;
}

DeepSEMRun::JointParts DeepSEMRun::joint_batch_parts(const torch::Tensor& xb, const torch::Tensor& mb, int64_t len) {
  const auto f32 = torch::TensorOptions().dtype(torch::kFloat32);
  // Dropout augmentation: entries set to zero before the z-score, i.e. to their gene's z-score of 0.
  torch::Tensor x = xb, da;
  if (joint->augment > 0) {
    da = torch::rand({len, n}, gen, f32).to(dev) < joint->augment;
    x = torch::where(da, joint->zero_z, xb);
  }
  auto eps = torch::randn({len, n}, gen, f32).to(dev);
  auto enc = st->nets.encode(x);
  torch::Tensor Mt, sparse;
  if ((sp & kSpeedFusedA) && dev.is_cpu() && st->A.scalar_type() == torch::kFloat32) {
    auto r = SemMatrixFunction::apply(st->A, opt.alpha, true);
    Mt = r[0];
    sparse = r[1];
  } else {
    auto Aeff = adjacency();
    Mt = eye - Aeff.t();
    sparse = sparsity_term(Aeff, opt.alpha);
  }
  // Both heads through the SEM layer, z by the reparameterisation, then its inverse and the decoder.
  auto prod = torch::cat({enc.first, enc.second}, 0).mm(Mt);
  auto mu = prod.narrow(0, 0, len);
  auto lv = prod.narrow(0, len, len);
  auto z = mu + eps * (0.5 * lv).exp();
  auto xhat = st->nets.decode(torch::linalg_solve(Mt, z, /*left=*/false));
  JointParts out;
  out.mse = deepsem_mse(x, xhat, mb);
  // Closed-form KL of N(mu, exp(lv)) from N(0, 1), averaged over the entries.
  out.kl = opt.beta * (-0.5 * (1 + lv - mu.pow(2) - lv.exp()).mean());
  out.sparse = sparse;
  if (joint->augment > 0) {
    // Class-weighted BCE of the augmentation mask, positives weighted (1 - p) / p.
    const double w = (1 - joint->augment) / joint->augment;
    auto logits = st->nets.classify(z);
    auto y = da.to(torch::kFloat32);
    auto bce = -(w * y * torch::log_sigmoid(logits) + (1 - y) * torch::log_sigmoid(-logits)).mean();
    out.classifier = joint->classifier_weight * bce;
  } else {
    out.classifier = torch::zeros({}, fopt);
  }
  return out;
}

void DeepSEMRun::zero_grads() {
  if (joint_opt) {
    joint_opt->zero_grad();
    return;
  }
  net_opt->zero_grad();
  adj_opt->zero_grad();
  for (auto& o : own_opts) o.zero_grad();
}

void DeepSEMRun::step(const torch::Tensor& total, bool net_epoch) {
  zero_grads();
  total.backward();
  if (joint_opt) {
    joint_opt->step();
    ++joint_steps;
    for (int m : joint->lr_milestones)
      if (joint_steps == m) joint_opt->scale_lr(0.5);
    return;
  }
  if (net_epoch) {
    net_opt->step();
  } else {
    adj_opt->step();
    for (auto& o : own_opts) o.step();
  }
}

void DeepSEMRun::run_epoch(int epoch, DeepSEMTrace& trace) {
  using clock = std::chrono::steady_clock;
  const auto t_epoch = clock::now();
  const int cycle = opt.net_epochs + opt.adj_epochs;
  // The joint recipe (DAZZLE) trains the nets and A together at every step.
  const bool net_epoch = joint == nullptr && epoch % cycle < opt.net_epochs;
  const bool nets_grad = joint != nullptr || net_epoch || !(sp & kSpeedFreezeNets);
  st->nets.set_requires_grad(nets_grad);
  for (auto& p : adj_params) p.requires_grad_(joint != nullptr || !net_epoch);
  auto perm = torch::randperm(cells, gen, torch::TensorOptions().dtype(torch::kInt64)).to(dev);
  if (joint == nullptr) prepare_epoch(net_epoch, perm);

  double sum_loss = 0, sum_mse = 0, sum_kl = 0, sum_sparse = 0, sum_cls = 0;
  for (int64_t b = 0; b < n_batches; ++b) {
    check_interrupt(monitor);
    const int64_t s0 = b * bs, len = std::min(bs, used - s0);
    auto idx = perm.narrow(0, s0, len);
    auto xb = data.x.index_select(0, idx);
    torch::Tensor mb = masked ? data.mask.index_select(0, idx) : torch::Tensor();
    if (joint != nullptr) {
      auto jp = joint_batch_parts(xb, mb, len);
      auto total = jp.mse + jp.kl + jp.classifier;
      if (epoch >= joint->sparse_delay) total = total + jp.sparse;
      const double lv = total.item<double>();
      if (!std::isfinite(lv)) throw_nonfinite(epoch + 1, static_cast<int>(b + 1), lv);
      step(total, false);
      sum_loss += lv;
      sum_mse += jp.mse.item<double>();
      sum_kl += jp.kl.item<double>();
      sum_sparse += jp.sparse.item<double>();
      sum_cls += jp.classifier.item<double>();
      continue;
    }
    auto eps = torch::randn({len, n}, gen, torch::TensorOptions().dtype(torch::kFloat32)).to(dev);
    torch::Tensor sparse = sparse_c;
    SemParts parts = net_epoch ? net_batch_parts(xb, mb, eps) : adj_batch_parts(idx, xb, mb, eps, nets_grad, sparse);
    auto total = parts.mse + parts.kl + sparse;
    const double lv = total.item<double>();
    if (!std::isfinite(lv)) throw_nonfinite(epoch + 1, static_cast<int>(b + 1), lv);
    step(total, net_epoch);
    sum_loss += lv;
    sum_mse += parts.mse.item<double>();
    sum_kl += parts.kl.item<double>();
    sum_sparse += sparse.item<double>();
  }
  zero_grads();
  if (net_opt) net_opt->lr_ *= opt.lr_decay;

  const double nb = static_cast<double>(n_batches);
  trace.loss.push_back(sum_loss / nb);
  trace.mse.push_back(sum_mse / nb);
  trace.kl.push_back(sum_kl / nb);
  trace.sparse.push_back(sum_sparse / nb);
  if (joint != nullptr) trace.classifier.push_back(sum_cls / nb);
  trace.seconds.push_back(std::chrono::duration<double>(clock::now() - t_epoch).count());
  if (ext != nullptr && ext->on_epoch_end) {
    torch::NoGradGuard ng;
    ext->on_epoch_end(epoch, adjacency());
  }
  if (monitor != nullptr) monitor->progress(epoch + 1, opt.epochs, sum_loss / nb);
}

}  // namespace

DeepSEMResult deepsem_train(const DeepSEMData& data, const DeepSEMOptions& opt, Monitor* monitor,
                            const DeepSEMExtension* ext, const DeepSEMJoint* joint) {
  using clock = std::chrono::steady_clock;
  const auto t_start = clock::now();
  validate(opt, static_cast<int>(data.x.size(1)), static_cast<int>(data.x.size(0)));
  DeepSEMRun run(data, opt, monitor, ext, joint);
  std::unique_ptr<CpuBlockCacheScope> block_cache;
  if ((run.sp & kSpeedBlockCache) && run.dev.is_cpu()) block_cache = std::make_unique<CpuBlockCacheScope>();
  run.init_model();
  run.init_optimisers();
  DeepSEMResult res;
  for (int epoch = 0; epoch < opt.epochs; ++epoch) run.run_epoch(epoch, res.trace);

  run.st->nets.set_requires_grad(false);
  for (auto& p : run.adj_params) p.requires_grad_(false);
  {
    torch::NoGradGuard ng;
    res.A = tio::to_matrix(run.adjacency());
  }
  res.model = DeepSEMModel(run.st);
  res.seconds = std::chrono::duration<double>(clock::now() - t_start).count();
  return res;
}

namespace {

DeepSEMResult deepsem_fit_impl(const Matrix& expr, const DeepSEMOptions& opt, Monitor* monitor) {
  detail::check_expression(expr, {"DeepSEM", /*min_genes=*/2, /*min_cells=*/2, /*finite=*/true});
  validate(opt, expr.rows, expr.cols);
  detail::SeedScope seeds(opt.seed);  // the engine's random-stream rule (random_streams.hpp)
  auto dev = deepsem_device(opt.device);
  auto data = deepsem_prepare(expr, opt.mode, dev);
  return deepsem_train(data, opt, monitor, nullptr);
}

}  // namespace

DeepSEMResult deepsem_fit(const Matrix& expr, const DeepSEMOptions& opt, Monitor* monitor) {
  return detail::guarded([&] { return deepsem_fit_impl(expr, opt, monitor); });
}

}  // namespace grntorch
