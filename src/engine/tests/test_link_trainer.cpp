// The shared link-prediction loop (link_trainer.hpp) and the one pair check.
#include "../src/link_trainer.hpp"

#include <catch2/catch.hpp>

#include <ATen/CPUGeneratorImpl.h>

#include "grntorch/pairs.hpp"

#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <string>
#include <vector>

using namespace grntorch;

namespace {

// One weight and one buffer; logits = w * from (any values work for the loop).
struct Toy : torch::nn::Module {
  torch::Tensor w, counter;
  Toy() {
    w = register_parameter("w", torch::ones({1}));
    counter = register_buffer("counter", torch::zeros({1}));
  }
};

// Trains toy with `opt`; logits = w * from * factor.
link::LinkTask toy_task(Toy& toy, torch::optim::Optimizer& opt, float factor = 1.0f) {
  link::LinkTask task;
  task.module = &toy;
  task.optimizer = &opt;
  task.train_logits = [&toy, factor](const torch::Tensor& from, const torch::Tensor&) {
    return toy.w * from.to(torch::kFloat) * factor;
  };
  return task;
}

LabeledPairs toy_pairs(int n) {
  LabeledPairs p;
  for (int k = 0; k < n; ++k) {
    p.from.push_back(k % 5);
    p.to.push_back((k + 1) % 5);
    p.label.push_back(static_cast<float>(k % 2));
  }
  return p;
}

// Validation logits whose AUROC on labels (0, 1, 0, 1) is a / 4 for a in 0..4
// (pairs ordered so that `a` of the 4 positive-negative comparisons are won),
// with a constant offset that moves the BCE only.
torch::Tensor scripted_logits(int a, double shift) {
  // labels 0,1,0,1: scores for (neg0, pos1, neg2, pos3)
  static const float table[5][4] = {{3, 1, 4, 2}, {2, 1, 4, 3}, {1, 2, 4, 3}, {1, 3, 4, 5}, {1, 3, 1.5f, 4}};
  auto t = torch::tensor(std::vector<float>(table[a], table[a] + 4));
  return t + shift;
}

struct Script {
  std::vector<int> auc_quarters;  // per epoch
  std::vector<double> shift;      // per epoch (BCE changes with it)
};

struct Run {
  link::History h;
  std::vector<float> w_at_epoch;  // w after each epoch's training
  float w_final = 0, counter_final = 0;
};

Run run_script(const Script& s, const link::TrainerOptions& base, Monitor* monitor = nullptr) {
  torch::manual_seed(7);  // the batch order: two runs of one script train alike
  Toy toy;
  torch::optim::SGD sgd(toy.parameters(), torch::optim::SGDOptions(0.1));
  const link::PairTensors train = link::pair_tensors(toy_pairs(10));
  LabeledPairs vp;
  vp.from = {0, 1, 2, 3};
  vp.to = {1, 2, 3, 4};
  vp.label = {0, 1, 0, 1};
  const link::PairTensors val = link::pair_tensors(vp);
  Run r;
  int epoch = 0;
  link::LinkTask task = toy_task(toy, sgd);
  task.on_epoch_end = [&] {
    torch::NoGradGuard ng;
    toy.counter.add_(1);
  };
  task.validation_logits = [&] {
    r.w_at_epoch.push_back(toy.w.item<float>());
    const int e = epoch++;
    return scripted_logits(s.auc_quarters.at(e), s.shift.empty() ? 0.0 : s.shift.at(e));
  };
  link::TrainerOptions o = base;
  o.epochs = static_cast<int>(s.auc_quarters.size());
  o.batch_size = 4;
  r.h = link::train_link_predictor(task, train, val, o, monitor);
  r.w_final = toy.w.item<float>();
  r.counter_final = toy.counter.item<float>();
  return r;
}

}  // namespace

// Records every report; also polls interrupted() like the R monitor.
struct Recorder : Monitor {
  std::vector<BatchProgress> batches;
  std::vector<std::string> stages;
  std::vector<int> steps;
  int polls = 0;
  void batch(const BatchProgress& b) override {
    batches.push_back(b);
    stages.emplace_back(b.stage);
  }
  void progress(int step, int, double) override { steps.push_back(step); }
  bool interrupted() override { ++polls; return false; }
};

TEST_CASE("the loop reports every batch with its stage and epoch, and reporting changes nothing", "[trainer][monitor]") {
  link::TrainerOptions o;
  o.what = "ToyNet";
  Script s{{2, 3, 2}, {}};
  Recorder rec;
  Run watched = run_script(s, o, &rec);
  // 10 pairs in batches of 4: 3 batches per epoch, 3 epochs; progress() once per epoch.
  REQUIRE(rec.batches.size() == 9u);
  CHECK(rec.steps == std::vector<int>{1, 2, 3});
  CHECK(rec.polls == 9);
  for (std::size_t k = 0; k < rec.batches.size(); ++k) {
    const BatchProgress& b = rec.batches[k];
    CHECK(rec.stages[k] == "ToyNet");
    CHECK(b.epoch == static_cast<int>(k / 3) + 1);
    CHECK(b.epochs == 3);
    CHECK(b.batch == static_cast<int>(k % 3) + 1);
    CHECK(b.batches == 3);
    CHECK(std::isfinite(b.loss));
  }
  // The epoch's mean loss is the running mean at its last batch.
  CHECK(rec.batches[2].loss == Approx(watched.h.train_loss[0]));
  // Same seed without a monitor: the same training, bit for bit.
  Run alone = run_script(s, o, nullptr);
  CHECK(alone.w_at_epoch == watched.w_at_epoch);
  CHECK(alone.h.train_loss == watched.h.train_loss);
  CHECK(alone.w_final == watched.w_final);

  SECTION("the stage name, when given, replaces `what` in the reports") {
    link::TrainerOptions named = o;
    named.stage = "ToyNet joint training";
    Recorder r2;
    run_script(s, named, &r2);
    REQUIRE_FALSE(r2.stages.empty());
    CHECK(r2.stages.front() == "ToyNet joint training");
  }
}

TEST_CASE("the better rule: higher validation AUROC, ties broken by lower BCE", "[trainer]") {
  using link::Validation;
  CHECK(link::better(Validation{0.8, 0.9}, Validation{0.7, 0.1}));   // higher AUROC wins whatever the BCE
  CHECK_FALSE(link::better(Validation{0.7, 0.1}, Validation{0.8, 0.9}));
  CHECK(link::better(Validation{0.8, 0.3}, Validation{0.8, 0.5}));   // tie: lower BCE
  CHECK_FALSE(link::better(Validation{0.8, 0.5}, Validation{0.8, 0.5}));
  CHECK_FALSE(link::better(Validation{0.8, 0.6}, Validation{0.8, 0.5}));
  const double nan = std::numeric_limits<double>::quiet_NaN();
  CHECK_FALSE(link::better(Validation{nan, 0.1}, Validation{0.1, 0.9}));
  CHECK(link::better(Validation{0.0, 5.0}, Validation{}) == false);  // default best is NaN: never beaten
  link::EarlyStopping es(0);
  CHECK(es.update(Validation{0.0, 5.0}, 1));  // the stopper starts below every AUROC
}

TEST_CASE("early stopping stops after `patience` non-improving epochs and restores the best state", "[trainer]") {
  link::TrainerOptions o;
  o.patience = 2;
  // AUROC 0.5, 0.75 (best), 0.5, 0.75 (tie, same BCE: not better), then 1.0 never reached.
  Script s{{2, 3, 2, 3, 4, 4}, {}};
  Run r = run_script(s, o);
  CHECK(r.h.epochs_run == 4);
  CHECK(r.h.best_epoch == 2);
  CHECK(r.h.val_auroc.size() == 4u);
  CHECK(r.h.val_auroc[1] == Approx(0.75));
  CHECK(r.h.best_val_auroc == Approx(0.75));
  REQUIRE(r.w_at_epoch.size() == 4u);
  CHECK(r.w_at_epoch[1] != r.w_at_epoch[3]);  // training moved w after the best epoch
  CHECK(r.w_final == r.w_at_epoch[1]);        // ... and the best epoch's w is back
  CHECK(r.counter_final == 2.0f);             // buffers are restored too

  SECTION("patience 0 never stops early") {
    link::TrainerOptions never;
    never.patience = 0;
    Run all = run_script(s, never);
    CHECK(all.h.epochs_run == 6);
    CHECK(all.h.best_epoch == 5);
    CHECK(all.w_final == all.w_at_epoch[4]);
  }
  SECTION("without select_best the last state is kept") {
    link::TrainerOptions last = o;
    last.select_best = false;
    Run l = run_script(s, last);
    CHECK(l.h.epochs_run == 4);
    CHECK(l.h.best_epoch == 4);
    CHECK(l.counter_final == 4.0f);
  }
}

TEST_CASE("an equal validation AUROC with a lower BCE is the better epoch", "[trainer]") {
  link::TrainerOptions o;
  // Same AUROC every epoch; the logits move towards the labels' side (BCE falls) until epoch 3.
  Script s{{4, 4, 4, 4}, {0.0, -0.5, -1.0, 3.0}};
  Run r = run_script(s, o);
  REQUIRE(r.h.val_loss.size() == 4u);
  CHECK(r.h.val_loss[2] < r.h.val_loss[1]);
  CHECK(r.h.val_loss[3] > r.h.val_loss[2]);
  CHECK(r.h.best_epoch == 3);
}

namespace {

link::TrainerOptions windowed(int w, int patience, bool average) {
  link::TrainerOptions o;
  o.select_window = w;
  o.patience = patience;
  o.select_average = average;
  return o;
}

// The window rule recomputed from a trace: the centre of the first best
// complete window (mean AUROC, ties: lower mean BCE); 0 when none is complete.
int recomputed_centre(const link::History& h, int w) {
  int centre = 0;
  double best_auc = -1, best_bce = 0;
  for (std::size_t end = w; end <= h.val_auroc.size(); ++end) {
    double auc = 0, bce = 0;
    for (std::size_t e = end - w; e < end; ++e) {
      auc += h.val_auroc[e];
      bce += h.val_loss[e];
    }
    auc /= w;
    bce /= w;
    if (centre == 0 || auc > best_auc || (auc == best_auc && bce < best_bce)) {
      centre = static_cast<int>(end) - w / 2;
      best_auc = auc;
      best_bce = bce;
    }
  }
  return centre;
}

}  // namespace

TEST_CASE("select_window judges the mean of a window and keeps its centre epoch", "[trainer][window]") {
  // A lucky first epoch (AUROC 1), then a sustained 0.75 at epochs 4-6.
  const Script s{{4, 0, 0, 3, 3, 3, 0, 0}, {}};
  const Run per_epoch = run_script(s, link::TrainerOptions{});
  CHECK(per_epoch.h.best_epoch == 1);
  const Run r = run_script(s, windowed(3, 0, false));
  CHECK(r.h.epochs_run == 8);
  CHECK(r.h.val_auroc == per_epoch.h.val_auroc);    // the same training, judged differently
  CHECK(r.h.best_epoch == 5);                       // the centre of the window of epochs 4..6
  CHECK(r.h.best_val_auroc == Approx(0.75));        // that window's mean AUROC
  REQUIRE(r.w_at_epoch.size() == 8u);
  CHECK(r.w_final == r.w_at_epoch[4]);              // the centre epoch's parameters ...
  CHECK(r.counter_final == 5.0f);                   // ... and buffers

  SECTION("select_average keeps the mean of the window's states") {
    const Run a = run_script(s, windowed(3, 0, true));
    CHECK(a.h.best_epoch == 5);
    CHECK(a.w_at_epoch == r.w_at_epoch);
    const double sum = 0.0 + a.w_at_epoch[3] + a.w_at_epoch[4] + a.w_at_epoch[5];
    CHECK(a.w_final == static_cast<float>(sum / 3.0));   // summed in double, in epoch order
    CHECK(a.w_final != a.w_at_epoch[4]);
    CHECK(a.counter_final == 5.0f);                      // (4 + 5 + 6) / 3
  }
  SECTION("ties of the mean AUROC go to the lower mean BCE") {
    const Script t{{3, 3, 3, 3, 3, 3, 3}, {0.0, 0.8, -0.4, 1.5, -1.2, -0.3, 0.6}};
    const Run tr = run_script(t, windowed(3, 0, false));
    CHECK(tr.h.best_epoch == recomputed_centre(tr.h, 3));
    CHECK(tr.h.best_epoch != 2);   // not simply the first complete window
    CHECK(tr.w_final == tr.w_at_epoch[tr.h.best_epoch - 1]);
  }
}

TEST_CASE("select_window: patience counts complete windows only", "[trainer][window]") {
  const Script s{{4, 4, 0, 0, 0, 0, 0, 0, 0, 0}, {}};
  link::TrainerOptions per = windowed(1, 2, false);
  CHECK(run_script(s, per).h.epochs_run == 3);   // best epoch 1, then 2 epochs without a better one
  const Run r = run_script(s, windowed(3, 2, false));
  CHECK(r.h.epochs_run == 5);                    // first verdict at epoch 3 (better), then 2 worse windows
  CHECK(r.h.best_epoch == 2);
  // With w = 5 and patience 1 nothing can stop training before epoch 5 + 1.
  const Script lucky{{4, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {}};
  CHECK(run_script(lucky, windowed(1, 1, false)).h.epochs_run == 2);
  const Run w5 = run_script(lucky, windowed(5, 1, false));
  CHECK(w5.h.epochs_run == 6);
  CHECK(w5.h.best_epoch == 3);
  SECTION("without select_best the window still drives early stopping, and the last state is kept") {
    link::TrainerOptions o = windowed(5, 1, true);
    o.select_best = false;
    const Run l = run_script(lucky, o);
    CHECK(l.h.epochs_run == 6);
    CHECK(l.h.best_epoch == 6);
    CHECK(l.counter_final == 6.0f);
  }
}

TEST_CASE("select_window: a run shorter than the window keeps its last epoch", "[trainer][window]") {
  const Run r = run_script(Script{{4, 1, 2}, {}}, windowed(5, 1, true));
  CHECK(r.h.epochs_run == 3);
  CHECK(r.h.best_epoch == 3);
  CHECK(std::isnan(r.h.best_val_auroc));
  REQUIRE(r.w_at_epoch.size() == 3u);
  CHECK(r.w_final == r.w_at_epoch[2]);
  CHECK(r.counter_final == 3.0f);
}

TEST_CASE("select_window = 1 is the per-epoch rule, whatever select_average", "[trainer][window]") {
  const Script s{{2, 3, 2, 3, 4, 4}, {0.0, 0.3, -0.2, 0.1, 0.5, -0.5}};
  link::TrainerOptions plain;
  plain.patience = 2;
  link::TrainerOptions w1 = windowed(1, 2, true);
  const Run a = run_script(s, plain), b = run_script(s, w1);
  CHECK(a.h.epochs_run == b.h.epochs_run);
  CHECK(a.h.best_epoch == b.h.best_epoch);
  CHECK(a.h.best_epoch == recomputed_centre(a.h, 1));
  CHECK(a.h.val_loss == b.h.val_loss);
  CHECK(a.w_final == b.w_final);
  CHECK(b.w_final == b.w_at_epoch[b.h.best_epoch - 1]);
  CHECK(a.counter_final == b.counter_final);
}

TEST_CASE("select_window must be odd and >= 1; without validation pairs it is unused", "[trainer][window]") {
  Toy toy;
  torch::optim::SGD sgd(toy.parameters(), torch::optim::SGDOptions(0.1));
  const link::LinkTask task = toy_task(toy, sgd);
  const auto train = link::pair_tensors(toy_pairs(8));
  link::TrainerOptions o = windowed(4, 0, false);
  o.epochs = 3;
  CHECK_THROWS_AS(link::train_link_predictor(task, train, link::PairTensors{}, o, nullptr), InvalidArgument);
  o.select_window = 0;
  CHECK_THROWS_AS(link::train_link_predictor(task, train, link::PairTensors{}, o, nullptr), InvalidArgument);
  o.select_window = 5;
  o.patience = 1;
  const link::History h = link::train_link_predictor(task, train, link::PairTensors{}, o, nullptr);
  CHECK(h.epochs_run == 3);
  CHECK(h.best_epoch == 3);
}

TEST_CASE("a non-finite training loss throws EngineError naming the fit and the epoch", "[trainer]") {
  Toy toy;
  torch::optim::SGD sgd(toy.parameters(), torch::optim::SGDOptions(0.1));
  const link::LinkTask task = toy_task(toy, sgd, std::numeric_limits<float>::quiet_NaN());
  link::TrainerOptions o;
  o.epochs = 3;
  o.what = "ToyNet";
  o.advice = "try a smaller lr";
  const auto train = link::pair_tensors(toy_pairs(8));
  try {
    link::train_link_predictor(task, train, link::PairTensors{}, o, nullptr);
    FAIL("no exception");
  } catch (const EngineError& e) {
    const std::string m = e.what();
    CHECK(m.find("ToyNet diverged") != std::string::npos);
    CHECK(m.find("NaN at epoch 1 (batch 1)") != std::string::npos);
    CHECK(m.find("smaller lr") != std::string::npos);
  }
  CHECK_THROWS_AS(link::check_finite_loss(std::numeric_limits<double>::infinity(), 2, 3, o), EngineError);
  CHECK_NOTHROW(link::check_finite_loss(0.7, 2, 3, o));
}

TEST_CASE("the batch iterator covers every pair once and drops a too-small last batch", "[trainer]") {
  torch::manual_seed(3);
  link::BatchIterator it(10, 4);
  std::multiset<int64_t> seen;
  std::vector<int64_t> sizes;
  torch::Tensor idx;
  while (it.next(idx)) {
    sizes.push_back(idx.size(0));
    for (int64_t k = 0; k < idx.size(0); ++k) seen.insert(idx[k].item<int64_t>());
  }
  CHECK(sizes == std::vector<int64_t>{4, 4, 2});
  CHECK(seen.size() == 10u);
  CHECK(std::set<int64_t>(seen.begin(), seen.end()).size() == 10u);
  link::BatchIterator bn(9, 4, 2);  // 4, 4, then a single pair: dropped
  sizes.clear();
  while (bn.next(idx)) sizes.push_back(idx.size(0));
  CHECK(sizes == std::vector<int64_t>{4, 4});
  CHECK(link::BatchIterator(10, 4).count() == 3);
  CHECK(link::BatchIterator(9, 4, 2).count() == 2);
  CHECK(link::BatchIterator(8, 4, 2).count() == 2);
  CHECK(link::BatchIterator(3, 10).count() == 1);
  // The same seed gives the same order (torch::randperm on the global generator).
  torch::manual_seed(3);
  link::BatchIterator again(10, 10);
  REQUIRE(again.next(idx));
  torch::manual_seed(3);
  CHECK(torch::equal(idx, torch::randperm(10, torch::kLong)));
}

TEST_CASE("optimiser_step decays every group's learning rate per step", "[trainer]") {
  auto a = torch::ones({1}, torch::requires_grad()), b = torch::ones({1}, torch::requires_grad());
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(std::vector<torch::Tensor>{a}, std::make_unique<torch::optim::AdamOptions>(0.1));
  groups.emplace_back(std::vector<torch::Tensor>{b}, std::make_unique<torch::optim::AdamOptions>(0.01));
  torch::optim::Adam opt(std::move(groups), torch::optim::AdamOptions(0.1));
  for (int k = 0; k < 3; ++k) link::optimiser_step(opt, (a * b).sum(), 0.5);
  CHECK(opt.param_groups()[0].options().get_lr() == Approx(0.1 * 0.125));
  CHECK(opt.param_groups()[1].options().get_lr() == Approx(0.01 * 0.125));
  CHECK(a.item<float>() < 1.0f);
}

TEST_CASE("check_pairs: the one check of labelled pairs", "[pairs]") {
  LabeledPairs p;
  p.from = {0, 1, 2};
  p.to = {1, 2, 0};
  p.label = {1, 0, 1};
  CHECK_NOTHROW(check_pairs(p, 3, "train", true));
  CHECK_THROWS_WITH(check_pairs(p, 2, "train", true), Catch::Contains("train: gene index out of range"));
  LabeledPairs len = p;
  len.label.pop_back();
  CHECK_THROWS_WITH(check_pairs(len, 3, "validation", false), Catch::Contains("validation: from, to and label differ"));
  LabeledPairs half = p;
  half.label[1] = 0.5f;
  CHECK_THROWS_WITH(check_pairs(half, 3, "x", false), Catch::Contains("labels must be 0 or 1"));
  LabeledPairs pos = p;
  pos.label = {1, 1, 1};
  CHECK_THROWS_WITH(check_pairs(pos, 3, "train", true), Catch::Contains("no negative pairs"));
  CHECK_NOTHROW(check_pairs(pos, 3, "prior_edges", false));
  LabeledPairs neg = p;
  neg.label = {0, 0, 0};
  CHECK_THROWS_WITH(check_pairs(neg, 3, "train", true), Catch::Contains("no positive pairs"));
  CHECK_NOTHROW(check_pairs(LabeledPairs{}, 3, "validation", false));
  CHECK_THROWS_AS(check_pairs(LabeledPairs{}, 3, "train", true), InvalidArgument);
  LabeledPairs negidx = p;
  negidx.from[0] = -1;
  CHECK_THROWS_AS(check_pairs(negidx, 3, "train", false), InvalidArgument);
}

namespace {

// Genes x cells: a rank-`rank` signal plus noise, each row z-scored (population sd).
torch::Tensor zscored_low_rank(int64_t genes, int64_t cells, int64_t rank, uint64_t seed) {
  auto gen = at::detail::createCPUGenerator(seed);
  auto x = torch::mm(torch::randn({genes, rank}, gen, torch::kFloat64), torch::randn({rank, cells}, gen, torch::kFloat64)) +
           0.5 * torch::randn({genes, cells}, gen, torch::kFloat64);
  x = x - x.mean(1, true);
  x = x / x.pow(2).mean(1, true).sqrt();
  return x.to(torch::kFloat32);
}

double mean_square(const torch::Tensor& t) { return t.to(torch::kFloat64).pow(2).mean().item<double>(); }

// Share of sum(z^2) in the top k squared singular values, from an independent SVD.
double top_share(const torch::Tensor& z, int64_t k) {
  auto s2 = torch::linalg_svdvals(z.to(torch::kFloat64)).pow(2);
  return s2.slice(0, 0, k).sum().item<double>() / s2.sum().item<double>();
}

}  // namespace

TEST_CASE("cell_axis_features: at most k cells is z itself; more is the top-k SVD scores at z's scale", "[trainer][cells]") {
  auto z = zscored_low_rank(120, 400, 8, 3);
  auto same = link::cell_axis_features(z, 400, 1);
  CHECK_FALSE(same.reduced);
  CHECK(same.features == 400);
  CHECK(same.x.data_ptr() == z.data_ptr());
  CHECK_FALSE(link::cell_axis_features(z, 0, 1).reduced);  // 0 = every cell

  // Fewer genes than cells (the Gram matrix of the genes) and the other way round.
  for (bool genes_fewer : {true, false}) {
    auto zz = genes_fewer ? z : zscored_low_rank(400, 150, 8, 4);
    const int64_t k = 20;
    auto cf = link::cell_axis_features(zz, static_cast<int>(k), 1);
    REQUIRE(cf.reduced);
    CHECK(cf.features == k);
    CHECK(cf.x.size(0) == zz.size(0));
    CHECK(cf.x.size(1) == k);
    CHECK(cf.variance_kept == Approx(top_share(zz, k)).epsilon(1e-5));
    CHECK(mean_square(cf.x) == Approx(mean_square(zz)).epsilon(1e-5));
    // Same singular values as z's top k, up to the one scale factor.
    auto sf = torch::linalg_svdvals(cf.x.to(torch::kFloat64));
    auto sz = torch::linalg_svdvals(zz.to(torch::kFloat64)).slice(0, 0, k);
    auto ratio = sf / sz;
    CHECK((ratio / ratio[0] - 1).abs().max().item<double>() < 1e-4);
  }
}

TEST_CASE("cell_axis_features: k >= genes keeps everything; the randomized SVD matches the exact one", "[trainer][cells]") {
  auto z = zscored_low_rank(50, 300, 5, 5);
  auto all = link::cell_axis_features(z, 100, 1);  // 50 genes < k = 100 < 300 cells
  CHECK(all.reduced);
  CHECK(all.features == 50);
  CHECK(all.variance_kept == Approx(1.0).epsilon(1e-6));
  // The Gram matrix of the genes is kept up to the scale: nothing is lost.
  auto gz = torch::mm(z, z.t()).to(torch::kFloat64), gf = torch::mm(all.x, all.x.t()).to(torch::kFloat64);
  const double s = gz.trace().item<double>() / gf.trace().item<double>();
  CHECK((gf * s - gz).abs().max().item<double>() < 1e-3 * gz.abs().max().item<double>());

  auto big = zscored_low_rank(300, 500, 10, 6);
  auto exact = link::cell_axis_features(big, 30, 1);
  auto rnd = link::cell_axis_features(big, 30, 1, /*exact_limit=*/10);
  CHECK(rnd.features == 30);
  CHECK(rnd.variance_kept <= exact.variance_kept + 1e-9);
  CHECK(rnd.variance_kept > 0.995 * exact.variance_kept);
  CHECK(mean_square(rnd.x) == Approx(mean_square(big)).epsilon(1e-5));
  // Seeded: the same seed gives the same features.
  auto again = link::cell_axis_features(big, 30, 1, 10);
  CHECK(torch::equal(rnd.x, again.x));
}

TEST_CASE("standardized: rows or columns to mean 0 and population sd 1, constant ones to 0, bit for bit as before", "[trainer][cells]") {
  // The formulas the models used before the in-place version, on [rows, cols] doubles.
  auto centred_mean = [](torch::Tensor x, int axis) {
    auto mu = x.mean(axis, true);
    auto sd = (x - mu).pow(2).mean(axis, true).sqrt();
    auto zero = sd.eq(0);
    x = (x - mu) / sd.masked_fill(zero, 1.0);
    x.masked_fill_(zero.expand_as(x), 0.0);
    return x.to(torch::kFloat32);
  };
  auto torch_std = [](torch::Tensor x) {
    auto mu = x.mean(1, true), sd = x.std(1, false, true);
    auto zero = sd.eq(0);
    return ((x - mu) / sd.masked_fill(zero, 1.0)).masked_fill(zero.expand_as(x), 0.0).to(torch::kFloat32);
  };
  // 700 x 1,300 (several blocks of 256 rows) column-major, row 3 and column 4 constant (1.5).
  const int R = 700, C = 1300;
  Matrix m(R, C);
  auto gen = at::detail::createCPUGenerator(11);
  auto v = torch::randn({C, R}, gen, torch::kFloat32) * 3 + 2;  // [cols, rows] = column-major
  std::memcpy(m.data.data(), v.data_ptr<float>(), sizeof(float) * R * C);
  for (int j = 0; j < C; ++j) m.data[j * R + 3] = 1.5f;
  for (int i = 0; i < R; ++i) m.data[4 * R + i] = 1.5f;
  const std::vector<float> before = m.data;
  auto rows_d = torch::from_blob(const_cast<float*>(before.data()), {C, R}, torch::kFloat32).t().to(torch::kFloat64);

  auto rows = link::standardized(m, 1);
  REQUIRE(rows.sizes() == torch::IntArrayRef({R, C}));
  CHECK(rows.scalar_type() == torch::kFloat32);
  CHECK(rows.is_contiguous());
  CHECK(torch::equal(rows, centred_mean(rows_d.clone(), 1)));
  CHECK(rows[3].abs().max().item<float>() == 0.0f);  // the constant row
  CHECK(rows.to(torch::kFloat64).mean(1).abs().max().item<double>() < 1e-6);
  CHECK(rows[10].to(torch::kFloat64).pow(2).mean().item<double>() == Approx(1.0).epsilon(1e-5));
  CHECK(torch::equal(link::standardized(m, 1, link::SdFormula::Std), torch_std(rows_d.clone())));
  auto cols = link::standardized(m, 0);
  CHECK(torch::equal(cols, centred_mean(rows_d.clone(), 0)));
  CHECK(cols.select(1, 4).abs().max().item<float>() == 0.0f);  // the constant column
  CHECK(m.data == before);  // the input is read, not written
}
