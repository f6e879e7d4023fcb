// The shared link-prediction training loop (see link_trainer.hpp).
#include "link_trainer.hpp"

#include "cpu_block_cache.hpp"
#include "grntorch/metrics.hpp"
#include "random_streams.hpp"
#include "tensor_io.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

namespace grntorch {
namespace link {

PairTensors pair_tensors(const LabeledPairs& p) {
  PairTensors t;
  t.from = tio::to_long(p.from);
  t.to = tio::to_long(p.to);
  t.y = tio::to_float(p.label);
  t.label = p.label;
  return t;
}

torch::Tensor standardized(const Matrix& m, int axis, SdFormula formula) {
  torch::NoGradGuard ng;
  // The column-major buffer read as [cols, rows], transposed, widened to
  // double in one contiguous copy.
  auto x = torch::from_blob(const_cast<float*>(m.data.data()), {m.cols, m.rows}, torch::kFloat32)
               .t()
               .to(torch::kFloat64, /*non_blocking=*/false, /*copy=*/true, torch::MemoryFormat::Contiguous);
  auto mu = x.mean(axis, true);
  torch::Tensor sd;
  if (formula == SdFormula::Std) {
    sd = x.std(axis, /*unbiased=*/false, true);
    x.sub_(mu);
  } else {
    x.sub_(mu);
    if (axis == 1) {
      // sqrt(mean(x^2)) of each row, a block of rows at a time (no second
      // rows x cols temporary; each row's reduction is the same).
      sd = torch::empty({x.size(0), 1}, x.options());
      for (int64_t r = 0; r < x.size(0); r += 256) {
        const int64_t e = std::min<int64_t>(x.size(0), r + 256);
        sd.slice(0, r, e).copy_(x.slice(0, r, e).pow(2).mean(1, true).sqrt());
      }
    } else {
      sd = x.pow(2).mean(axis, true).sqrt();
    }
  }
  auto zero = sd.eq(0);
  x.div_(sd.masked_fill(zero, 1.0));
  x.masked_fill_(zero.expand_as(x), 0.0);
  return x.to(torch::kFloat32);
}

CellFeatures cell_axis_features(const torch::Tensor& z, int max_features, uint64_t seed, int64_t exact_limit) {
  torch::NoGradGuard ng;
  CellFeatures out;
  const int64_t N = z.size(0), C = z.size(1);
  if (max_features <= 0 || C <= max_features) {
    out.x = z;
    out.features = C;
    return out;
  }
  const int64_t k = std::min<int64_t>(max_features, N);
  auto zd = z.to(torch::kFloat64);
  const auto zf = zd.view(-1);
  const double total = torch::dot(zf, zf).item<double>();  // sum(z^2) without an N x C temporary
  torch::Tensor f;  // N x k scores U_k S_k
  double kept = 0;
  if (std::min(N, C) <= exact_limit) {
    if (N <= C) {
      // z z^T = U S^2 U^T; the scores are U_k S_k.
      auto eig = torch::linalg_eigh(torch::mm(zd, zd.t()));
      auto lam = std::get<0>(eig).slice(0, N - k, N).clamp_min(0.0);
      f = std::get<1>(eig).slice(1, N - k, N) * lam.sqrt().unsqueeze(0);
      kept = lam.sum().item<double>();
    } else {
      // z^T z = V S^2 V^T; the scores are z V_k.
      auto eig = torch::linalg_eigh(torch::mm(zd.t(), zd));
      auto lam = std::get<0>(eig).slice(0, C - k, C).clamp_min(0.0);
      f = torch::mm(zd, std::get<1>(eig).slice(1, C - k, C));
      kept = lam.sum().item<double>();
    }
  } else {
    // Randomized range finder with power iterations, then the exact SVD of the
    // small projection B = Q^T z through B B^T.
    const int64_t l = std::min<int64_t>(k + 10, std::min(N, C));
    auto gen = detail::seeded_generator(seed);
    auto omega = torch::randn({C, l}, gen, torch::dtype(torch::kFloat64));
    auto q = std::get<0>(torch::linalg_qr(torch::mm(zd, omega)));
    for (int it = 0; it < 3; ++it) {
      auto w = std::get<0>(torch::linalg_qr(torch::mm(zd.t(), q)));
      q = std::get<0>(torch::linalg_qr(torch::mm(zd, w)));
    }
    auto b = torch::mm(q.t(), zd);  // l x C
    auto eig = torch::linalg_eigh(torch::mm(b, b.t()));
    auto lam = std::get<0>(eig).slice(0, l - k, l).clamp_min(0.0);
    f = torch::mm(q, std::get<1>(eig).slice(1, l - k, l)) * lam.sqrt().unsqueeze(0);
    kept = lam.sum().item<double>();
  }
  const double ms_z = total / static_cast<double>(N * C);
  const double ms_f = kept / static_cast<double>(N * k);
  if (ms_f > 0) f = f * std::sqrt(ms_z / ms_f);
  out.x = f.to(torch::kFloat32).contiguous();
  out.features = k;
  out.variance_kept = total > 0 ? std::min(1.0, kept / total) : 1.0;
  out.reduced = true;
  return out;
}

BatchIterator::BatchIterator(int64_t n, int batch_size, int min_batch)
    : perm_(torch::randperm(n, torch::kLong)), n_(n), batch_size_(std::max(1, batch_size)),
      min_batch_(std::max(1, min_batch)) {}

bool BatchIterator::next(torch::Tensor& idx) {
  if (pos_ >= n_) return false;
  const int64_t end = std::min(n_, pos_ + batch_size_);
  if (end - pos_ < min_batch_) return false;
  idx = perm_.slice(0, pos_, end);
  pos_ = end;
  return true;
}

int BatchIterator::count() const {
  const int64_t full = n_ / batch_size_, rest = n_ % batch_size_;
  return static_cast<int>(full + (rest > 0 && rest >= min_batch_ ? 1 : 0));
}

namespace {
using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
}  // namespace

void optimiser_step(torch::optim::Optimizer& opt, const torch::Tensor& loss, double lr_decay, PhaseSeconds* seconds) {
  const auto t0 = Clock::now();
  opt.zero_grad();
  loss.backward();
  const auto t1 = Clock::now();
  opt.step();
  if (lr_decay != 1.0)
    for (auto& group : opt.param_groups()) group.options().set_lr(group.options().get_lr() * lr_decay);
  if (seconds) {
    seconds->backward += std::chrono::duration<double>(t1 - t0).count();
    seconds->step += since(t1);
  }
}

void check_finite_loss(double loss, int epoch, int batch, const TrainerOptions& opt) {
  if (std::isfinite(loss)) return;
  std::ostringstream s;
  s << opt.what << " diverged: the training loss became " << (std::isnan(loss) ? "NaN" : "infinite") << " at epoch "
    << epoch << " (batch " << batch << "); " << opt.advice;
  throw EngineError(s.str());
}

Validation validate(const torch::Tensor& logits, const PairTensors& pairs) {
  Validation v;
  v.auroc = auroc(tio::to_vector(logits), pairs.label);
  v.bce = torch::binary_cross_entropy_with_logits(logits, pairs.y).item<double>();
  return v;
}

bool better(const Validation& v, const Validation& best) {
  return std::isfinite(v.auroc) && (v.auroc > best.auroc || (v.auroc == best.auroc && v.bce < best.bce));
}

void BestState::save(torch::nn::Module& m) {
  values_.clear();
  for (auto& p : m.parameters()) values_.push_back(p.detach().clone());
  for (auto& b : m.buffers()) values_.push_back(b.detach().clone());
}

void BestState::restore(torch::nn::Module& m) const {
  if (values_.empty()) return;
  torch::NoGradGuard ng;
  std::size_t k = 0;
  for (auto& p : m.parameters()) p.copy_(values_.at(k++));
  for (auto& b : m.buffers()) b.copy_(values_.at(k++));
}

BestState BestState::mean(const std::deque<BestState>& states) {
  BestState out;
  if (states.empty()) return out;
  const std::vector<torch::Tensor>& middle = states[states.size() / 2].values_;
  torch::NoGradGuard ng;
  for (std::size_t i = 0; i < middle.size(); ++i) {
    if (!middle[i].is_floating_point()) {
      out.values_.push_back(middle[i]);
      continue;
    }
    auto sum = torch::zeros_like(middle[i], torch::kFloat64);
    for (const BestState& s : states) sum += s.values_.at(i).to(torch::kFloat64);
    out.values_.push_back((sum / static_cast<double>(states.size())).to(middle[i].scalar_type()));
  }
  return out;
}

void StateWindow::push(torch::nn::Module& m) {
  states_.emplace_back();
  states_.back().save(m);
  if (static_cast<int>(states_.size()) > size_) states_.pop_front();
}

bool EarlyStopping::update(const Validation& v, int epoch) {
  if (window_ == 1) return judge(v, epoch);
  recent_.push_back(v);
  if (static_cast<int>(recent_.size()) > window_) recent_.pop_front();
  if (static_cast<int>(recent_.size()) < window_) return false;  // not a complete window: no verdict, no patience
  Validation mean{0.0, 0.0};
  for (const Validation& r : recent_) {
    mean.auroc += r.auroc;
    mean.bce += r.bce;
  }
  mean.auroc /= window_;
  mean.bce /= window_;
  return judge(mean, epoch - window_ / 2);
}

bool EarlyStopping::judge(const Validation& v, int epoch) {
  if (!better(v, best_)) {
    ++since_best_;
    return false;
  }
  best_ = v;
  accept(epoch);
  return true;
}

void EarlyStopping::accept(int epoch) {
  best_epoch_ = epoch;
  since_best_ = 0;
}

namespace {

// One epoch of batches; returns the mean batch loss.
double train_epoch(const LinkTask& task, const PairTensors& train, const TrainerOptions& opt, int epoch,
                   Monitor* monitor, PhaseSeconds& seconds) {
  task.module->train();
  BatchIterator batches(train.size(), opt.batch_size, opt.min_batch);
  BatchProgress where;
  where.stage = opt.stage.empty() ? opt.what : opt.stage;
  where.epoch = epoch;
  where.epochs = opt.epochs;
  where.batches = batches.count();
  double loss_sum = 0;
  int n_batches = 0;
  torch::Tensor idx;
  while (batches.next(idx)) {
    check_interrupt(monitor);
    const auto t0 = Clock::now();
    auto logits = task.train_logits(train.from.index_select(0, idx), train.to.index_select(0, idx));
    auto loss = torch::binary_cross_entropy_with_logits(logits, train.y.index_select(0, idx));
    const double value = loss.item<double>();
    seconds.forward += since(t0);
    check_finite_loss(value, epoch, n_batches + 1, opt);
    optimiser_step(*task.optimizer, loss, opt.lr_decay, &seconds);
    loss_sum += value;
    ++n_batches;
    if (monitor) {
      where.batch = n_batches;
      where.loss = loss_sum / n_batches;
      monitor->batch(where);
    }
  }
  if (task.on_epoch_end) task.on_epoch_end();
  return n_batches > 0 ? loss_sum / n_batches : std::numeric_limits<double>::quiet_NaN();
}

Validation validation_epoch(const LinkTask& task, const PairTensors& validation) {
  task.module->eval();
  torch::NoGradGuard ng;
  return validate(task.validation_logits(), validation);
}

// The state of a better epoch (window 1) or window: the module's now, or the
// window's centre epoch's or mean.
void keep_state(BestState& best, const StateWindow& recent, torch::nn::Module& m, int window, bool average) {
  if (window == 1) {
    best.save(m);
  } else {
    best = average ? recent.mean() : recent.centre();
  }
}

}  // namespace

History train_link_predictor(const LinkTask& task, const PairTensors& train, const PairTensors& validation,
                             const TrainerOptions& opt, Monitor* monitor) {
  if (opt.epochs < 1 || opt.batch_size < 1 || opt.patience < 0)
    throw InvalidArgument("epochs and batch_size must be >= 1, patience >= 0");
  if (opt.select_window < 1 || opt.select_window % 2 == 0)
    throw InvalidArgument("select_window must be an odd number >= 1");
  if (train.size() == 0) throw InvalidArgument("no training pairs");
  const bool has_validation = validation.size() > 0;
  const bool keep_best = has_validation && opt.select_best;
  const int window = has_validation ? opt.select_window : 1;
  const int total = opt.progress_total > 0 ? opt.progress_total : opt.epochs;
  // Every batch allocates the same activations again (the full-graph pass
  // and its gradients): keep the freed blocks for the next batch instead of
  // returning them to the system and faulting fresh pages in (about a tenth
  // of GENELink's CPU time went to page faults).  Scheduling only: the
  // numbers are bit for bit those without the cache.
  CpuBlockCacheScope block_cache;
  History h;
  EarlyStopping stopper(opt.patience, window);
  BestState best;
  StateWindow recent(window);
  for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
    h.train_loss.push_back(train_epoch(task, train, opt, epoch, monitor, h.seconds));
    h.epochs_run = epoch;
    bool improved = true;
    if (has_validation) {
      const auto t0 = Clock::now();
      const Validation v = validation_epoch(task, validation);
      h.seconds.validation += since(t0);
      h.val_auroc.push_back(v.auroc);
      h.val_loss.push_back(v.bce);
      if (keep_best && window > 1) recent.push(*task.module);
      improved = stopper.update(v, epoch);
    } else {
      stopper.accept(epoch);
    }
    if (improved && keep_best) keep_state(best, recent, *task.module, window, opt.select_average);
    if (monitor) monitor->progress(std::min(total, opt.progress_offset + epoch), total, h.train_loss.back());
    if (stopper.should_stop()) break;
  }
  best.restore(*task.module);
  // No selected epoch (a run shorter than the window, or no finite validation
  // AUROC): the last one is kept, and reported.
  h.best_epoch = (keep_best && stopper.best_epoch() > 0) ? stopper.best_epoch() : h.epochs_run;
  if (has_validation && stopper.best_epoch() > 0) h.best_val_auroc = stopper.best().auroc;
  return h;
}

}  // namespace link
}  // namespace grntorch
