// RegDiffusion on LibTorch.  See regdiffusion.hpp for the model.
//
// The reference computes z = final(einsum('ogd,gh->ohd', h, I - C)): a
// batch x genes x genes x hidden product.  The final layer is linear, so it is
// applied first: z = (h . w)(I - C) + bias, the same function with a
// batch x genes x genes product (hidden = 15 times fewer operations).  The
// genes x genes part (C, its gradient, Adam on A) runs outside autograd in
// fused passes over A; the per-gene nets run through LibTorch's autograd.
#include "regdiffusion_internal.hpp"
#include "regdiffusion_kernels.hpp"

#include "checks.hpp"
#include "errors.hpp"
#include "random_streams.hpp"
#include "tensor_io.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <sstream>

namespace grntorch {

// ---------------------------------------------------------------- options

void validate(const RegDiffusionOptions& o, int n_genes, int n_cells) {
  auto bad = [](const std::string& what) { throw InvalidArgument(what); };
  auto fin = [](double v) { return std::isfinite(v); };
  if (n_genes < 2) bad("expr: RegDiffusion needs at least 2 genes");
  if (n_cells < 2) bad("expr: RegDiffusion needs at least 2 cells");
  if (o.T < 2) bad("T must be >= 2");
  if (!(fin(o.start_noise) && o.start_noise > 0)) bad("start_noise must be a finite number > 0");
  if (!(fin(o.end_noise) && o.end_noise >= o.start_noise)) bad("end_noise must be a finite number >= start_noise");
  if (o.end_noise * 1000.0 / o.T >= 1.0) bad("end_noise * 1000 / T must be < 1 (a beta of the noise schedule)");
  if (o.time_dim < 4 || o.time_dim % 2 != 0) bad("time_dim must be an even number >= 4");
  if (o.celltype_dim < 1) bad("celltype_dim must be >= 1");
  if (o.hidden < 2) bad("hidden must be >= 2");
  if (o.blocks < 1) bad("blocks must be >= 1");
  if (!(fin(o.init_coef) && o.init_coef >= 0)) bad("init_coef must be a finite number >= 0");
  if (!(fin(o.lr_nn) && o.lr_nn > 0)) bad("lr_nn must be a finite number > 0");
  if (!(fin(o.lr_adj) && o.lr_adj >= 0)) bad("lr_adj must be a finite number > 0 (0 = the default)");
  if (!(fin(o.weight_decay_nn) && o.weight_decay_nn >= 0)) bad("weight_decay_nn must be a finite number >= 0");
  if (!(fin(o.weight_decay_adj) && o.weight_decay_adj >= 0)) bad("weight_decay_adj must be a finite number >= 0");
  if (!(fin(o.sparse_loss_coef) && o.sparse_loss_coef >= 0)) bad("sparse_loss_coef must be a finite number >= 0");
  if (!(fin(o.adj_dropout) && o.adj_dropout >= 0 && o.adj_dropout < 1)) bad("adj_dropout must be in [0, 1)");
  if (!(fin(o.mlp_dropout) && o.mlp_dropout >= 0 && o.mlp_dropout < 1)) bad("mlp_dropout must be in [0, 1)");
  if (o.sparse_after < 0) bad("sparse_after must be >= 0");
  if (o.batch_size < 1) bad("batch_size must be >= 1");
  if (o.batch_size > n_cells) bad("batch_size must be at most the number of cells");
  if (o.steps < 1) bad("steps must be >= 1");
  for (int r : o.rows)
    if (r < 0 || r >= n_genes) bad("rows: every row must be a 0-based gene index below the number of genes");
  if (o.device != "cpu")
    bad("device: RegDiffusion runs on the CPU only in this version (\"" + o.device + "\" is not supported)");
}

// ---------------------------------------------------------------- data

namespace {

// The reference's normalisation (per cell min-max, then per gene z-score with
// the population sd, in float64) of a genes x cells column-major matrix read
// at float precision, without a normalised copy: the statistics are kept and a
// value is normalised when it is read.  Each gene's sums run over the cells in
// order, whatever the thread split, so the values are those of normalising the
// whole matrix at once.
class Normalized {
 public:
  Normalized(const float* f, const double* d, int rows, int cols) : f_(f), d_(d), n_(rows), c_(cols) {
    lo_.assign(static_cast<std::size_t>(c_), 0.0);
    span_.assign(static_cast<std::size_t>(c_), 0.0);
    at::parallel_for(0, c_, 64, [&](int64_t j0, int64_t j1) {
      for (int64_t j = j0; j < j1; ++j) {
        double mn = std::numeric_limits<double>::infinity(), mx = -mn;
        for (int64_t g = 0; g < n_; ++g) {
          const double v = raw(g, j);
          mn = std::min(mn, v);
          mx = std::max(mx, v);
        }
        lo_[static_cast<std::size_t>(j)] = mn;
        span_[static_cast<std::size_t>(j)] = mx - mn;
      }
    });
    mean_.assign(static_cast<std::size_t>(n_), 0.0);
    sd_.assign(static_cast<std::size_t>(n_), 0.0);
    at::parallel_for(0, n_, 256, [&](int64_t g0, int64_t g1) {
      for (int64_t j = 0; j < c_; ++j)
        for (int64_t g = g0; g < g1; ++g) mean_[static_cast<std::size_t>(g)] += scaled(g, j);
      for (int64_t g = g0; g < g1; ++g) mean_[static_cast<std::size_t>(g)] /= static_cast<double>(c_);
      for (int64_t j = 0; j < c_; ++j)
        for (int64_t g = g0; g < g1; ++g) {
          const double e = scaled(g, j) - mean_[static_cast<std::size_t>(g)];
          sd_[static_cast<std::size_t>(g)] += e * e;
        }
      for (int64_t g = g0; g < g1; ++g)
        sd_[static_cast<std::size_t>(g)] = std::sqrt(sd_[static_cast<std::size_t>(g)] / static_cast<double>(c_));
    });
  }
  float at(int64_t g, int64_t j) const {
    const double sd = sd_[static_cast<std::size_t>(g)];
    return sd > 0 ? static_cast<float>((scaled(g, j) - mean_[static_cast<std::size_t>(g)]) / sd) : 0.0f;
  }
  // The normalised cells idx[0..b) as the rows of out (b x genes, row-major).
  void gather(const int64_t* idx, int64_t b, float* out) const {
    at::parallel_for(0, b, 8, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r)
        for (int64_t g = 0; g < n_; ++g) out[r * n_ + g] = at(g, idx[r]);
    });
  }

 private:
  double raw(int64_t g, int64_t j) const {
    const std::size_t k = static_cast<std::size_t>(g) + static_cast<std::size_t>(n_) * static_cast<std::size_t>(j);
    return f_ != nullptr ? static_cast<double>(f_[k]) : static_cast<double>(static_cast<float>(d_[k]));
  }
  double scaled(int64_t g, int64_t j) const {
    const double s = span_[static_cast<std::size_t>(j)];
    return s > 0 ? (raw(g, j) - lo_[static_cast<std::size_t>(j)]) / s : 0.0;
  }
  const float* f_;
  const double* d_;
  int64_t n_, c_;
  std::vector<double> lo_, span_, mean_, sd_;
};

}  // namespace

Matrix regdiffusion_normalize(const Matrix& expr) {
  detail::check_expression(expr, {"RegDiffusion", /*min_genes=*/1, /*min_cells=*/1, /*finite=*/false});
  const Normalized z(expr.data.data(), nullptr, expr.rows, expr.cols);
  Matrix out(expr.rows, expr.cols);
  for (int j = 0; j < expr.cols; ++j)
    for (int g = 0; g < expr.rows; ++g) out(g, j) = z.at(g, j);
  return out;
}

namespace rd {

DropKey drop_key(std::uint64_t seed, std::int64_t step, std::uint32_t stream, double p) {
  DropKey k;
  if (!(p > 0)) return k;
  k.off = false;
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(step) * 0xBF58476D1CE4E5B9ULL +
                    static_cast<std::uint64_t>(stream) * 0x94D049BB133111EBULL + 0x2545F4914F6CDD1DULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  k.k1 = static_cast<std::uint32_t>(z);
  k.k2 = static_cast<std::uint32_t>(z >> 32);
  k.threshold = static_cast<std::uint32_t>(std::min(4294967295.0, std::ceil(p * 4294967296.0)));
  k.scale = static_cast<float>(1.0 / (1.0 - p));
  return k;
}

namespace {

// PyTorch's default Linear initialisation: weight and bias U(-1/sqrt(in), 1/sqrt(in)).
void linear_init(torch::Tensor& w, torch::Tensor& b, int64_t out, int64_t in, at::Generator& gen) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  w = torch::empty({out, in}, torch::kFloat32).uniform_(-bound, bound, gen);
  b = torch::empty({out}, torch::kFloat32).uniform_(-bound, bound, gen);
}

}  // namespace

std::vector<torch::Tensor> Nets::parameters() const {
  std::vector<torch::Tensor> p = {time_w, time_b, gene_emb, ct_emb};
  for (const auto& b : blocks)
    for (const auto& t : {b.t_w, b.t_b, b.c_w, b.c_b, b.l1_w, b.l1_b, b.l2_w, b.l2_b}) p.push_back(t);
  p.push_back(final_w);
  p.push_back(final_b);
  return p;
}

void Nets::init(int n, const RegDiffusionOptions& o, at::Generator& gen) {
  const int64_t h = o.hidden;
  linear_init(time_w, time_b, o.time_dim, o.time_dim, gen);
  gene_emb = torch::randn({n, h - 1}, gen, torch::kFloat32);
  ct_emb = torch::randn({o.celltype_dim}, gen, torch::kFloat32);
  blocks.assign(static_cast<std::size_t>(o.blocks), Block());
  for (auto& b : blocks) {
    linear_init(b.t_w, b.t_b, h - 1, o.time_dim, gen);
    linear_init(b.c_w, b.c_b, h - 1, o.celltype_dim, gen);
    linear_init(b.l1_w, b.l1_b, h - 1, h, gen);
    linear_init(b.l2_w, b.l2_b, h - 1, h - 1, gen);
  }
  linear_init(final_w, final_b, 1, h - 1, gen);
  for (auto& p : parameters()) p.requires_grad_(true);
}

torch::Tensor time_embedding(const torch::Tensor& t, int time_dim) {
  const int64_t half = time_dim / 2;
  const double e = std::log(10000.0) / static_cast<double>(half - 1);
  auto freqs = torch::exp(torch::arange(half, torch::kFloat32) * static_cast<float>(-e));
  auto args = t.unsqueeze(1) * freqs.unsqueeze(0);
  return torch::cat({args.sin(), args.cos()}, -1);
}

torch::Tensor features(const Nets& nets, const torch::Tensor& xt, const torch::Tensor& t,
                       const std::vector<torch::Tensor>& masks, int time_dim) {
  const int64_t b = xt.size(0), n = xt.size(1), h1 = nets.gene_emb.size(1);
  auto x3 = xt.unsqueeze(-1);
  auto h = torch::cat({x3, nets.gene_emb.unsqueeze(0).expand({b, n, h1})}, -1).tanh();
  auto temb = torch::linear(time_embedding(t, time_dim), nets.time_w, nets.time_b).tanh();
  for (std::size_t k = 0; k < nets.blocks.size(); ++k) {
    const auto& B = nets.blocks[k];
    auto in = k == 0 ? h : torch::cat({h, x3}, -1);
    auto a = torch::linear(in, B.l1_w, B.l1_b).tanh();
    if (!masks.empty()) a = a * masks[k];
    auto te = torch::linear(temb, B.t_w, B.t_b).tanh().unsqueeze(1);   // b x 1 x h1
    auto ce = torch::linear(nets.ct_emb, B.c_w, B.c_b).tanh();        // h1
    a = a + te + ce;
    h = torch::linear(a, B.l2_w, B.l2_b).tanh();
  }
  return torch::matmul(h, nets.final_w.squeeze(0));  // b x n
}

torch::Tensor dropout_mask(int64_t b, int64_t n, int64_t D, const DropKey& key) {
  auto m = torch::empty({b, n, D}, torch::kFloat32);
  float* p = m.data_ptr<float>();
  const int64_t total = b * n * D;
  at::parallel_for(0, total, 1 << 15, [&](int64_t k0, int64_t k1) {
    for (int64_t k = k0; k < k1; ++k) p[k] = key.keep(static_cast<std::uint64_t>(k)) ? key.scale : 0.0f;
  });
  return m;
}

rdk::Drop to_drop(const DropKey& k) {
  rdk::Drop d;
  d.k1 = k.k1;
  d.k2 = k.k2;
  d.threshold = k.threshold;
  d.scale = k.scale;
  d.off = k.off;
  return d;
}

namespace {

// The buffer of Nets2Fn's saved activations, per thread, reused from step to
// step and released at the end of a fit (release_saved_cache()).
torch::Tensor& saved_cache() {
  static thread_local torch::Tensor cache;
  return cache;
}

torch::Tensor from_vec(const std::vector<float>& v, torch::IntArrayRef shape) {
  return torch::from_blob(const_cast<float*>(v.data()), shape, torch::kFloat32).clone();
}

// The two blocks' per-row work as one autograd node (regdiffusion_kernels.cpp).
class Nets2Fn : public torch::autograd::Function<Nets2Fn> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& xt,
                               const torch::Tensor& te0, const torch::Tensor& te1, const torch::Tensor& ce0,
                               const torch::Tensor& ce1, const torch::Tensor& P, const torch::Tensor& w10,
                               const torch::Tensor& W1b, const torch::Tensor& b1b, const torch::Tensor& W20,
                               const torch::Tensor& b20, const torch::Tensor& W21, const torch::Tensor& b21,
                               const torch::Tensor& wf, int64_t seed, int64_t step, double p) {
    std::vector<torch::Tensor> in = {xt, te0, te1, ce0, ce1, P, w10, W1b, b1b, W20, b20, W21, b21, wf};
    for (auto& t : in) t = t.detach().contiguous();
    ctx->saved_data["seed"] = seed;
    ctx->saved_data["step"] = step;
    ctx->saved_data["p"] = p;
    auto k = make(in, seed, step, p);
    auto u = torch::empty({k.b, k.n}, torch::kFloat32);
    // The activations for backward (LibTorch's CPU allocations are 64-byte aligned).
    // One buffer per thread, reused from step to step (a fresh one would be
    // page-faulted in at every step); training runs forward, backward, forward...
    auto& cache = saved_cache();
    const auto need = static_cast<int64_t>(rdk::nets2_saved_floats(k.b, k.n, k.D));
    if (!cache.defined() || cache.numel() < need) {
      cache = torch::empty({need}, torch::kFloat32);
    }
    auto saved = cache.defined() ? cache : torch::empty({0}, torch::kFloat32);
    rdk::nets2_forward(k, u.data_ptr<float>(), saved.numel() ? saved.data_ptr<float>() : nullptr);
    in.push_back(saved);
    ctx->save_for_backward(in);
    return u;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto in = ctx->get_saved_variables();
    auto k = make(in, ctx->saved_data["seed"].toInt(), ctx->saved_data["step"].toInt(),
                  ctx->saved_data["p"].toDouble());
    auto gu = grads[0].contiguous();
    rdk::Nets2Grads g;
    rdk::nets2_backward(k, gu.data_ptr<float>(), g, in[14].numel() ? in[14].data_ptr<float>() : nullptr);
    const int64_t D = k.D;
    return {torch::Tensor(),
            from_vec(g.te[0], {k.b, D}), from_vec(g.te[1], {k.b, D}),
            from_vec(g.ce[0], {D}), from_vec(g.ce[1], {D}),
            from_vec(g.P, {k.n, D}), from_vec(g.w10, {D}),
            from_vec(g.W1b, {D, D + 1}), from_vec(g.b1b, {D}),
            from_vec(g.W2[0], {D, D}), from_vec(g.b2[0], {D}),
            from_vec(g.W2[1], {D, D}), from_vec(g.b2[1], {D}),
            from_vec(g.wf, {D}),
            torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }

 private:
  static rdk::Nets2 make(const std::vector<torch::Tensor>& in, int64_t seed, int64_t step, double p) {
    rdk::Nets2 k;
    k.b = in[0].size(0);
    k.n = in[0].size(1);
    k.D = static_cast<int>(in[1].size(1));
    k.xt = in[0].data_ptr<float>();
    k.te[0] = in[1].data_ptr<float>();
    k.te[1] = in[2].data_ptr<float>();
    k.ce[0] = in[3].data_ptr<float>();
    k.ce[1] = in[4].data_ptr<float>();
    k.P = in[5].data_ptr<float>();
    k.w10 = in[6].data_ptr<float>();
    k.W1b = in[7].data_ptr<float>();
    k.b1b = in[8].data_ptr<float>();
    k.W2[0] = in[9].data_ptr<float>();
    k.b2[0] = in[10].data_ptr<float>();
    k.W2[1] = in[11].data_ptr<float>();
    k.b2[1] = in[12].data_ptr<float>();
    k.wf = in[13].data_ptr<float>();
    for (int b = 0; b < 2; ++b)
      k.mask[b] = to_drop(drop_key(static_cast<std::uint64_t>(seed), step, static_cast<std::uint32_t>(b + 1), p));
    return k;
  }
};

}  // namespace

torch::Tensor features_fused(const Nets& nets, const torch::Tensor& xt, const torch::Tensor& t, int time_dim,
                             std::uint64_t seed, std::int64_t step, double p) {
  if (nets.blocks.size() != 2) throw InvalidArgument("features_fused: two blocks only");
  const int64_t D = nets.gene_emb.size(1);
  if (xt.size(0) * xt.size(1) * D >= (int64_t{1} << 32))
    throw InvalidArgument("features_fused: batch x genes x hidden must stay below 2^32");
  auto temb = torch::linear(time_embedding(t, time_dim), nets.time_w, nets.time_b).tanh();
  const auto& B0 = nets.blocks[0];
  const auto& B1 = nets.blocks[1];
  auto te0 = torch::linear(temb, B0.t_w, B0.t_b).tanh();
  auto te1 = torch::linear(temb, B1.t_w, B1.t_b).tanh();
  auto ce0 = torch::linear(nets.ct_emb, B0.c_w, B0.c_b).tanh();
  auto ce1 = torch::linear(nets.ct_emb, B1.c_w, B1.c_b).tanh();
  auto P = torch::linear(nets.gene_emb.tanh(), B0.l1_w.narrow(1, 1, D), B0.l1_b);
  auto w10 = B0.l1_w.select(1, 0);
  return Nets2Fn::apply(xt, te0, te1, ce0, ce1, P, w10, B1.l1_w, B1.l1_b, B0.l2_w, B0.l2_b, B1.l2_w, B1.l2_b,
                        nets.final_w.reshape({-1}), static_cast<int64_t>(seed), static_cast<int64_t>(step), p);
}

double build_c(const torch::Tensor& A, torch::Tensor& C, float tau, const DropKey& drop) {
  const int64_t n = A.size(0);
  if (!C.defined() || C.size(0) != n) C = torch::empty({n, n}, torch::kFloat32);
  if (n * n < (int64_t{1} << 32)) return rdk::build_c(A.data_ptr<float>(), C.data_ptr<float>(), n, tau, to_drop(drop));
  const float* a = A.data_ptr<float>();
  float* c = C.data_ptr<float>();
  std::vector<double> rows(static_cast<std::size_t>(n), 0.0);
  const float scale = drop.off ? 1.0f : drop.scale;
  at::parallel_for(0, n, 16, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const float* ar = a + i * n;
      float* cr = c + i * n;
      const std::uint64_t base = static_cast<std::uint64_t>(i) * static_cast<std::uint64_t>(n);
      float s = 0;
      for (int64_t j = 0; j < n; ++j) {
        const float v = soft_threshold(ar[j], tau);
        s += v;
        cr[j] = drop.keep(base + j) ? v * scale : 0.0f;
      }
      s -= soft_threshold(ar[i], tau);
      cr[i] = 0.0f;
      rows[static_cast<std::size_t>(i)] = s;
    }
  });
  double total = 0;
  for (double v : rows) total += v;
  return total;
}

namespace {

// d soft(a) / d a: 1 where |a| > tau, else 0 (as autograd gives for the reference's formula).
inline float soft_slope(float a, float tau) { return std::fabs(a) - tau > 0.0f ? 1.0f : 0.0f; }

}  // namespace

torch::Tensor grad_a(const torch::Tensor& A, const torch::Tensor& gC, float tau, const DropKey& drop,
                     float sparse_coef) {
  const int64_t n = A.size(0);
  auto out = torch::empty({n, n}, torch::kFloat32);
  const float *a = A.data_ptr<float>(), *g = gC.data_ptr<float>();
  float* o = out.data_ptr<float>();
  const float scale = drop.off ? 1.0f : drop.scale;
  at::parallel_for(0, n, 16, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const std::uint64_t base = static_cast<std::uint64_t>(i) * static_cast<std::uint64_t>(n);
      for (int64_t j = 0; j < n; ++j) {
        const int64_t k = i * n + j;
        const float d = soft_slope(a[k], tau);
        const float m = drop.keep(base + j) ? scale : 0.0f;
        o[k] = i == j ? 0.0f : d * (g[k] * m + sparse_coef);
      }
    }
  });
  return out;
}

}  // namespace rd

// ---------------------------------------------------------------- training

namespace {

[[noreturn]] void throw_nonfinite(int step, double loss) {
  std::ostringstream s;
  s << "RegDiffusion diverged: the loss became " << (std::isnan(loss) ? "NaN" : "infinite") << " at step " << step
    << ". Try smaller learning rates (`lr_nn`, `lr_adj`) or another `seed`; check that the expression is "
    << "log expression (not raw counts).";
  throw EngineError(s.str());
}

struct Run {
  const RegDiffusionOptions& opt;
  Monitor* monitor;
  int64_t cells, n, b;
  float tau;
  double lr_adj;
  at::Generator gen;
  const Normalized& X;                 // the expression, normalised as it is read
  torch::Tensor mean_sched, std_sched;  // sqrt(abar_t), sqrt(1 - abar_t)
  rd::Nets nets;
  torch::Tensor A, Am, Av, C, gC, gz;  // A and its Adam state; buffers
  std::unique_ptr<torch::optim::Adam> nn_opt;
  int adam_step = 0;
  // Adam on A fused with the product that gives its gradient and with the
  // next step's C (rdk::adam_a_fused; n^2 < 2^32, the dropout hash's index
  // range): no n x n gradient buffer.  c_ready: C and next_sparse already
  // hold this step's values (made by the previous step's fused pass).
  bool fused_a = false;
  bool c_ready = false;
  double next_sparse = 0;

  // `x` (and the expression it reads) must outlive the run.
  Run(const Normalized& x, int genes, int n_cells, const RegDiffusionOptions& o, Monitor* m)
      : opt(o), monitor(m), cells(n_cells), n(genes), b(o.batch_size),
        tau(static_cast<float>(0.5 / static_cast<double>(genes - 1))),
        lr_adj(o.lr_adj > 0 ? o.lr_adj : 1.0 / (50.0 * static_cast<double>(genes - 1))),
        gen(detail::seeded_generator(o.seed)), X(x) {
    const double scale = 1000.0 / o.T;
    auto betas = torch::linspace(scale * o.start_noise, scale * o.end_noise, o.T, torch::kFloat32);
    auto abar = torch::cumprod(1 - betas, 0);
    mean_sched = abar.sqrt();
    std_sched = (1 - abar).sqrt();
    A = torch::full({n, n}, static_cast<float>(o.init_coef / static_cast<double>(n - 1)), torch::kFloat32);
    Am = torch::zeros({n, n}, torch::kFloat32);
    Av = torch::zeros({n, n}, torch::kFloat32);
    fused_a = n * n < (int64_t{1} << 32);
    if (!fused_a) gC = torch::empty({n, n}, torch::kFloat32);
    nets.init(static_cast<int>(n), o, gen);
    nn_opt = std::make_unique<torch::optim::Adam>(
        nets.parameters(),
        torch::optim::AdamOptions(o.lr_nn).betas(std::make_tuple(0.9, 0.99)).eps(1e-8).weight_decay(o.weight_decay_nn));
  }


  // Adam (PyTorch's, L2 weight decay) on A with the gradient built in the same
  // pass from gC = -dL/dC = u^T gz; returns the sum of the change of soft(A) o offdiag.
  //
  // Fused (n^2 < 2^32): the gradient's product u^T gz is made tile by tile
  // from ud and gz (b x n), and C receives the next step's values (dropout
  // key `next`) when `build_next`; next_sparse gets their sum.
  double adam_a(const rd::DropKey& drop, float sparse_coef, const torch::Tensor& ud, const torch::Tensor& gzz,
                const rd::DropKey& next, bool build_next) {
    ++adam_step;
    const double b1 = 0.9, b2 = 0.99, eps = 1e-8;
    const double bc1 = 1 - std::pow(b1, adam_step), bc2 = 1 - std::pow(b2, adam_step);
    const float step_size = static_cast<float>(lr_adj / bc1), sbc2 = static_cast<float>(std::sqrt(bc2));
    const float wd = static_cast<float>(opt.weight_decay_adj), fb1 = 0.9f, fb2 = 0.99f, feps = static_cast<float>(eps);
    if (fused_a) {
      const auto r = rdk::adam_a_fused(A.data_ptr<float>(), Am.data_ptr<float>(), Av.data_ptr<float>(),
                                       C.data_ptr<float>(), ud.data_ptr<float>(), gzz.data_ptr<float>(), b, n,
                                       rd::to_drop(drop), rd::to_drop(next), build_next, tau, sparse_coef, wd,
                                       step_size, sbc2, feps);
      c_ready = build_next;
      next_sparse = r.next_sparse;
      return r.change;
    }
    torch::mm_out(gC, ud.t(), gzz);
    const float scale = drop.off ? 1.0f : drop.scale;
    const float t = tau;
    float *a = A.data_ptr<float>(), *m = Am.data_ptr<float>(), *v = Av.data_ptr<float>();
    const float* g = gC.data_ptr<float>();
    const int64_t nn = n;
    std::vector<double> rows(static_cast<std::size_t>(n), 0.0);
    at::parallel_for(0, n, 16, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) {
        const std::uint64_t base = static_cast<std::uint64_t>(i) * static_cast<std::uint64_t>(nn);
        float change = 0;
        for (int64_t j = 0; j < nn; ++j) {
          const int64_t k = i * nn + j;
          const float a0 = a[k];
          float gr = 0.0f;
          if (i != j) {
            const float d = std::fabs(a0) - t > 0.0f ? 1.0f : 0.0f;
            const float keep = drop.keep(base + j) ? scale : 0.0f;
            gr = d * (-g[k] * keep + sparse_coef);
          }
          gr += wd * a0;
          const float mk = fb1 * m[k] + (1 - fb1) * gr;
          const float vk = fb2 * v[k] + (1 - fb2) * gr * gr;
          m[k] = mk;
          v[k] = vk;
          const float a1 = a0 - step_size * (mk / (std::sqrt(vk) / sbc2 + feps));
          a[k] = a1;
          if (i != j) change += rd::soft_threshold(a1, t) - rd::soft_threshold(a0, t);
        }
        rows[static_cast<std::size_t>(i)] = change;
      }
    });
    double total = 0;
    for (double r : rows) total += r;
    return total;
  }

  void step(int64_t s, RegDiffusionTrace& trace) {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    check_interrupt(monitor);
    auto idx = torch::randint(0, cells, {b}, gen, torch::kLong);
    auto tt = torch::randint(0, opt.T, {b}, gen, torch::kLong);
    auto noise = torch::randn({b, n}, gen, torch::kFloat32);
    torch::Tensor xt;
    {
      torch::NoGradGuard ng;
      auto x0 = torch::empty({b, n}, torch::kFloat32);
      X.gather(idx.data_ptr<int64_t>(), b, x0.data_ptr<float>());
      xt = mean_sched.index_select(0, tt).unsqueeze(1) * x0 + std_sched.index_select(0, tt).unsqueeze(1) * noise;
    }
    torch::Tensor u;
    const bool fused = opt.blocks == 2 && b * n * (opt.hidden - 1) < (int64_t{1} << 32);
    if (fused) {
      u = rd::features_fused(nets, xt, tt.to(torch::kFloat32), opt.time_dim, opt.seed, s, opt.mlp_dropout);
    } else {
      std::vector<torch::Tensor> masks;
      for (int k = 0; k < opt.blocks; ++k)
        masks.push_back(rd::dropout_mask(b, n, opt.hidden - 1,
                                         rd::drop_key(opt.seed, s, static_cast<std::uint32_t>(k + 1), opt.mlp_dropout)));
      u = rd::features(nets, xt, tt.to(torch::kFloat32), masks, opt.time_dim);
    }

    const auto drop = rd::drop_key(opt.seed, s, 0u, opt.adj_dropout);
    const double sparse_sum = c_ready ? next_sparse : rd::build_c(A, C, tau, drop);
    const bool sparse_on = s > opt.sparse_after;
    const double nn2 = static_cast<double>(n) * static_cast<double>(n);
    const double sparse = sparse_on ? opt.sparse_loss_coef * sparse_sum / nn2 : 0.0;

    auto ud = u.detach().contiguous();
    auto P = torch::mm(ud, C);  // b x n
    if (!gz.defined() || gz.size(0) != b) gz = torch::empty({b, n}, torch::kFloat32);
    const float bias = nets.final_b.item<float>();
    const float* up = ud.data_ptr<float>();
    const float* pp = P.data_ptr<float>();
    const float* np = noise.data_ptr<float>();
    float* gp = gz.data_ptr<float>();
    const float gscale = static_cast<float>(2.0 / (static_cast<double>(b) * static_cast<double>(n)));
    std::vector<double> rss(static_cast<std::size_t>(b), 0.0), gsum(static_cast<std::size_t>(b), 0.0);
    at::parallel_for(0, b, 1, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        double e2 = 0, gs = 0;
        for (int64_t j = 0; j < n; ++j) {
          const int64_t k = r * n + j;
          const float res = (up[k] - pp[k] + bias) - np[k];
          e2 += static_cast<double>(res) * res;
          const float gk = gscale * res;
          gp[k] = gk;
          gs += gk;
        }
        rss[static_cast<std::size_t>(r)] = e2;
        gsum[static_cast<std::size_t>(r)] = gs;
      }
    });
    double e2 = 0, gb = 0;
    for (int64_t r = 0; r < b; ++r) {
      e2 += rss[static_cast<std::size_t>(r)];
      gb += gsum[static_cast<std::size_t>(r)];
    }
    const double mse = e2 / (static_cast<double>(b) * static_cast<double>(n));
    const double loss = mse + sparse;
    if (!std::isfinite(loss)) throw_nonfinite(static_cast<int>(s + 1), loss);

    // dL/du = gz (I - C)^T; dL/dC = -u^T gz (kept as +u^T gz in gC).
    auto gu = torch::addmm(gz, gz, C.t(), 1.0, -1.0);
    nn_opt->zero_grad();
    u.backward(gu);
    nets.final_b.mutable_grad() = torch::full({1}, static_cast<float>(gb), torch::kFloat32);
    nn_opt->step();
    const float sparse_coef = sparse_on ? static_cast<float>(opt.sparse_loss_coef / nn2) : 0.0f;
    const double change = adam_a(drop, sparse_coef, ud, gz, rd::drop_key(opt.seed, s + 1, 0u, opt.adj_dropout),
                                 s + 1 < opt.steps);

    trace.loss.push_back(loss);
    trace.mse.push_back(mse);
    trace.sparse.push_back(sparse);
    // The mean change of an off-diagonal entry, in the scale of the returned adjacency (times n - 1).
    trace.adj_change.push_back(change / (nn2 - static_cast<double>(n)) * static_cast<double>(n - 1));
    trace.seconds.push_back(std::chrono::duration<double>(clock::now() - t0).count());
    if (monitor != nullptr) monitor->progress(static_cast<int>(s + 1), opt.steps, loss);
  }

  // The rows `rows` of the returned adjacency (every gene when empty).
  Matrix adjacency(const std::vector<int>& rows) const {
    const float* a = A.data_ptr<float>();
    const int64_t r = rows.empty() ? n : static_cast<int64_t>(rows.size());
    Matrix m(static_cast<int>(r), static_cast<int>(n));
    const float f = static_cast<float>(n - 1);
    // Matrix is column-major: m(k, j) = data[k + r j]; row k is gene rows[k].
    at::parallel_for(0, n, 16, [&](int64_t j0, int64_t j1) {
      for (int64_t j = j0; j < j1; ++j)
        for (int64_t k = 0; k < r; ++k) {
          const int64_t i = rows.empty() ? k : rows[static_cast<std::size_t>(k)];
          m.data[static_cast<std::size_t>(k + r * j)] = i == j ? 0.0f : rd::soft_threshold(a[i * n + j], tau) * f;
        }
    });
    return m;
  }
};

// expr: genes x cells, column-major, as floats (f) or as doubles read at float precision (d).
RegDiffusionResult fit_impl(const float* f, const double* d, int genes, int n_cells, const RegDiffusionOptions& opt,
                            Monitor* monitor) {
  using clock = std::chrono::steady_clock;
  const auto t_start = clock::now();
  validate(opt, genes, n_cells);
  detail::SeedScope seeds(opt.seed);  // the engine's random-stream rule (random_streams.hpp)
  struct Release {
    ~Release() { rd::saved_cache() = torch::Tensor(); }  // also on an interrupt or error
  } release;
  const Normalized x(f, d, genes, n_cells);
  Run run(x, genes, n_cells, opt, monitor);
  RegDiffusionResult res;
  for (int64_t s = 0; s < opt.steps; ++s) run.step(s, res.trace);
  res.A = run.adjacency(opt.rows);
  res.seconds = std::chrono::duration<double>(clock::now() - t_start).count();
  return res;
}

}  // namespace

const detail::ExpressionNeeds kNeeds{"RegDiffusion", /*min_genes=*/2, /*min_cells=*/2, /*finite=*/true};

RegDiffusionResult regdiffusion_fit(const Matrix& expr, const RegDiffusionOptions& opt, Monitor* monitor) {
  return detail::guarded([&] {
    detail::check_expression(expr, kNeeds);
    return fit_impl(expr.data.data(), nullptr, expr.rows, expr.cols, opt, monitor);
  });
}

RegDiffusionResult regdiffusion_fit(const DoubleMatrixView& expr, const RegDiffusionOptions& opt, Monitor* monitor) {
  return detail::guarded([&] {
    detail::check_expression(expr.data, expr.rows, expr.cols, kNeeds);
    return fit_impl(nullptr, expr.data, expr.rows, expr.cols, opt, monitor);
  });
}

}  // namespace grntorch
