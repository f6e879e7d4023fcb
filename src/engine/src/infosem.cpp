// InfoSEM-B and InfoSEM-BC: DeepSEM's training loop (deepsem_train) with the
// informative priors of Cui et al. (2025) plugged in through DeepSEMExtension.
#include "infosem_internal.hpp"

#include "checks.hpp"
#include "errors.hpp"
#include "random_streams.hpp"
#include "tensor_io.hpp"

#include <cmath>
#include <sstream>

namespace grntorch {

namespace {

double logit(double p) { return std::log(p / (1.0 - p)); }

}  // namespace

void validate(const InfoSEMOptions& opt, int n_genes, int n_cells, int n_dims) {
  validate(opt.deepsem, n_genes, n_cells);
  if (!std::isfinite(opt.sigma_w) || opt.sigma_w < 0) throw InvalidArgument("sigma_w: must be a finite number >= 0");
  if (!std::isfinite(opt.sigma_l) || opt.sigma_l <= 0) throw InvalidArgument("sigma_l: must be a finite number > 0");
  if (opt.rank < 1) throw InvalidArgument("rank: must be >= 1");
  if (!(opt.p_pos > 0 && opt.p_pos < 1)) throw InvalidArgument("p_pos: must be in (0, 1)");
  if (!(opt.p_neg > 0 && opt.p_neg < 1)) throw InvalidArgument("p_neg: must be in (0, 1)");
  if (!std::isfinite(opt.lr_logit) || opt.lr_logit <= 0) throw InvalidArgument("lr_logit: must be > 0");
  if (!std::isfinite(opt.logit_init_sd) || opt.logit_init_sd <= 0) throw InvalidArgument("logit_init_sd: must be > 0");
  if (n_dims < 0) throw InvalidArgument("embeddings: negative dimension");
}

torch::Tensor infosem_prior_mean(const torch::Tensor& H, const torch::Tensor& w_reg, const torch::Tensor& w_tgt,
                                 const torch::Tensor& offdiag) {
  const int64_t n = H.size(0);
  auto tgt = H.mv(w_tgt).unsqueeze(1);  // n x 1: target effect, varies over rows (targets)
  auto reg = H.mv(w_reg).unsqueeze(0);  // 1 x n: regulator effect, varies over columns (regulators)
  if (offdiag.defined()) return (tgt + reg) * offdiag;
  return (tgt + reg) * (torch::ones({n, n}, H.options()) - torch::eye(n, H.options()));
}

torch::Tensor InfoSEMPrior::effect_prior(const torch::Tensor& Ae) const {
  if (!H.defined()) return sparsity_term(Ae, opt.deepsem.alpha);
  auto t = sparsity_term(Ae, opt.deepsem.alpha, prior_mean());
  return learn_w ? t + w_penalty() : t;
}

torch::Tensor InfoSEMPrior::w_penalty() const {
  // The Gaussian prior on w is a log density like the Laplace term, so it gets
  // the same 1/n^2 normalisation (DeepSEM's mean over the n^2 entries of A).
  const double nn = static_cast<double>(n) * static_cast<double>(n);
  return (w_reg.pow(2).sum() + w_tgt.pow(2).sum()) / (2.0 * opt.sigma_w * opt.sigma_w * nn);
}

torch::Tensor InfoSEMPrior::logits() const { return La.mm(Lb); }

torch::Tensor InfoSEMPrior::logit_prior(const torch::Tensor& L) const {
  auto l = L.reshape({-1}).index_select(0, lab_index);
  const double nn = static_cast<double>(n) * static_cast<double>(n);
  return (l - lab_mu).pow(2).sum() / (2.0 * opt.sigma_l * opt.sigma_l * nn);
}

DeepSEMExtension InfoSEMPrior::extension() {
  DeepSEMExtension ext;
  if (learn_w) {
    ext.a_params.push_back(w_reg);
    ext.a_params.push_back(w_tgt);
    ext.a_params_lr.push_back(opt.deepsem.lr_adj);
    ext.a_params_lr.push_back(opt.deepsem.lr_adj);
  }
  if (bc) {
    ext.a_params.push_back(La);
    ext.a_params.push_back(Lb);
    ext.a_params_lr.push_back(opt.lr_logit);
    ext.a_params_lr.push_back(opt.lr_logit);
  }
  const bool offset = learn_w && opt.offset_parametrization;
  if (!bc && !offset) {
    ext.a_penalty = [this](const torch::Tensor& Aeff) { return effect_prior(Aeff); };
    return ext;
  }
  // The trainer calls adjacency() and then a_penalty() on its result within
  // the same step, so the raw parameter, A^e and the logits seen here are the
  // ones to penalise.
  ext.adjacency = [this, offset](const torch::Tensor& A_raw) {
    last_raw = A_raw;
    last_effect = offset ? A_raw + prior_mean() : A_raw;
    if (!bc) return last_effect;
    last_logits = logits();
    return last_effect * torch::sigmoid(last_logits);
  };
  ext.a_penalty = [this, offset](const torch::Tensor& /*Aeff*/) {
    // offset: alpha * mean|D| with D = A^e - M (the same Laplace density) + |w|^2 term
    torch::Tensor t = offset ? effect_prior_offset(last_raw * offdiag) : effect_prior(last_effect * offdiag);
    if (bc) t = t + logit_prior(last_logits);
    return t;
  };
  return ext;
}

torch::Tensor InfoSEMPrior::prior_mean() const { return infosem_prior_mean(H, w_reg, w_tgt, offdiag); }

torch::Tensor InfoSEMPrior::effect_prior_offset(const torch::Tensor& D) const {
  return sparsity_term(D, opt.deepsem.alpha) + w_penalty();
}

namespace {

// The embeddings H (n x d, on the device) and w = 0.
void set_embeddings(InfoSEMPrior& p, const Matrix& embeddings, const InfoSEMOptions& opt, int64_t n,
                    const torch::Device& dev) {
  if (embeddings.rows != n) {
    std::ostringstream s;
    s << "embeddings: has " << embeddings.rows << " rows but the expression has " << n << " genes";
    throw InvalidArgument(s.str());
  }
  for (float v : embeddings.data)
    if (!std::isfinite(v)) throw InvalidArgument("embeddings: contains NA, NaN or infinite values");
  const auto fopt = torch::TensorOptions().dtype(torch::kFloat32).device(dev);
  const int64_t d = embeddings.cols;
  p.H = tio::rows_tensor(embeddings).to(dev);  // column-major genes x d -> row-major n x d
  p.w_reg = torch::zeros({d}, fopt);
  p.w_tgt = torch::zeros({d}, fopt);
  p.learn_w = opt.sigma_w > 0;
}

// InfoSEM-BC: the labelled entries t * n + r with their prior logits, and L_a, L_b.
void set_labels(InfoSEMPrior& p, const LabeledPairs& labels, const InfoSEMOptions& opt, int64_t n,
                const torch::Device& dev) {
  check_pairs(labels, static_cast<int>(n), "prior_edges", /*need_both_classes=*/false);
  const std::size_t m = labels.size();
  std::vector<int64_t> idx(m);
  std::vector<float> mu(m);
  const float mpos = static_cast<float>(logit(opt.p_pos)), mneg = static_cast<float>(logit(opt.p_neg));
  for (std::size_t k = 0; k < m; ++k) {
    const int r = labels.from[k], t = labels.to[k];
    if (r == t) throw InvalidArgument("prior_edges: self-pairs (regulator == target) cannot be labelled");
    idx[k] = static_cast<int64_t>(t) * n + r;
    mu[k] = labels.label[k] == 1.0f ? mpos : mneg;
  }
  p.lab_index = tio::to_long(idx).to(dev);
  p.lab_mu = tio::to_float(mu).to(dev);
  const int64_t h = std::min<int64_t>(opt.rank, n);
  // A separate stream: DeepSEM's own random stream is left untouched.
  at::Generator gen = detail::seeded_generator(opt.deepsem.seed ^ 0x9E3779B97F4A7C15ULL);
  p.La = (torch::randn({n, h}, gen, torch::TensorOptions().dtype(torch::kFloat32)) * opt.logit_init_sd).to(dev);
  p.Lb = (torch::randn({h, n}, gen, torch::TensorOptions().dtype(torch::kFloat32)) * opt.logit_init_sd).to(dev);
  p.bc = true;
}

}  // namespace

std::unique_ptr<InfoSEMPrior> infosem_make_prior(const Matrix& embeddings, const LabeledPairs* labels,
                                                 const InfoSEMOptions& opt, int64_t n, const torch::Device& dev) {
  auto p = std::make_unique<InfoSEMPrior>();
  p->opt = opt;
  p->n = n;
  const auto fopt = torch::TensorOptions().dtype(torch::kFloat32).device(dev);
  p->offdiag = torch::ones({n, n}, fopt) - torch::eye(n, fopt);
  if (embeddings.cols > 0) set_embeddings(*p, embeddings, opt, n, dev);
  if (labels != nullptr && (!labels->empty() || !labels->label.empty())) set_labels(*p, *labels, opt, n, dev);
  return p;
}

namespace {

InfoSEMResult fit_impl(const Matrix& expr, const Matrix& embeddings, const LabeledPairs* labels,
                       const InfoSEMOptions& opt, Monitor* monitor) {
  detail::check_expression(expr, {"InfoSEM", /*min_genes=*/2, /*min_cells=*/2, /*finite=*/true});
  validate(opt, expr.rows, expr.cols, embeddings.cols);
  detail::SeedScope seeds(opt.deepsem.seed);  // the engine's random-stream rule (random_streams.hpp)
  auto dev = deepsem_device(opt.deepsem.device);
  const int64_t n = expr.rows;
  auto prior = infosem_make_prior(embeddings, labels, opt, n, dev);
  auto data = deepsem_prepare(expr, opt.deepsem.mode, dev);

  DeepSEMResult res;
  if (!prior->learn_w && !prior->bc) {
    // w fixed at 0 and no labels: the prior is DeepSEM's, run DeepSEM itself.
    res = deepsem_train(data, opt.deepsem, monitor, nullptr);
  } else {
    auto ext = prior->extension();
    res = deepsem_train(data, opt.deepsem, monitor, &ext);
  }

  InfoSEMResult out;
  out.A = res.A;
  out.trace = res.trace;
  out.seconds = res.seconds;
  torch::NoGradGuard ng;
  if (prior->bc) {
    auto Ae = prior->learn_w && opt.offset_parametrization
                  ? res.model.state->A + prior->prior_mean()
                  : res.model.state->A;
    out.A_effect = tio::to_matrix(Ae * prior->offdiag);
    out.prob = tio::to_matrix(torch::sigmoid(prior->logits()));
  } else {
    out.A_effect = res.A;
  }
  if (prior->H.defined()) {
    out.prior_mean = tio::to_matrix(prior->prior_mean());
    out.w_regulator = tio::to_vector(prior->w_reg);
    out.w_target = tio::to_vector(prior->w_tgt);
  }
  return out;
}

}  // namespace

InfoSEMResult infosem_fit(const Matrix& expr, const Matrix& embeddings, const LabeledPairs* labels,
                          const InfoSEMOptions& opt, Monitor* monitor) {
  return detail::guarded([&] { return fit_impl(expr, embeddings, labels, opt, monitor); });
}

}  // namespace grntorch
