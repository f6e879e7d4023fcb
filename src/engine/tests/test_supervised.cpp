// Supervised link predictors and TorchScript embeddings.
#include <catch2/catch.hpp>

#include "grntorch/metrics.hpp"
#include "grntorch/supervised.hpp"
#include "grntorch/torchscript.hpp"

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

using namespace grntorch;

namespace {

// 60 genes driven by 3 latent programmes; regulators 0..11; a pair is
// positive when regulator and target share a programme.
struct Synthetic {
  Matrix expr;
  std::vector<int> regs, group;
  LabeledPairs train, validation, test;
  Matrix emb;
};

Synthetic synthetic(unsigned seed = 7) {
  const int N = 60, C = 40, K = 3;
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd;
  Synthetic s;
  s.expr = Matrix(N, C);
  std::vector<std::vector<float>> f(K, std::vector<float>(C));
  for (auto& v : f)
    for (auto& x : v) x = nd(rng);
  s.group.resize(N);
  for (int gi = 0; gi < N; ++gi) {
    s.group[gi] = gi % K;
    for (int c = 0; c < C; ++c) s.expr(gi, c) = f[gi % K][c] + 0.8f * nd(rng);
  }
  for (int r = 0; r < 12; ++r) s.regs.push_back(r);
  std::uniform_real_distribution<float> u(0, 1);
  for (int r : s.regs)
    for (int gi = 0; gi < N; ++gi) {
      if (gi == r) continue;
      const float lab = s.group[r] == s.group[gi] ? 1.0f : 0.0f;
      const float p = u(rng);
      LabeledPairs& dst = p < 0.6f ? s.train : (p < 0.75f ? s.validation : s.test);
      dst.from.push_back(r);
      dst.to.push_back(gi);
      dst.label.push_back(lab);
    }
  s.emb = Matrix(N, 5);
  for (int gi = 0; gi < N; ++gi)
    for (int d = 0; d < 5; ++d) s.emb(gi, d) = nd(rng);
  return s;
}

double test_auroc(const Synthetic& s, const Matrix& scores) {
  std::vector<float> sc, lab;
  for (std::size_t i = 0; i < s.test.size(); ++i) {
    sc.push_back(scores(s.test.from[i], s.test.to[i]));  // regulators are rows 0..11
    lab.push_back(s.test.label[i]);
  }
  return auroc(sc, lab);
}

}  // namespace

TEST_CASE("auroc and average precision match hand-computed values", "[supervised]") {
  CHECK(auroc({0.1f, 0.4f, 0.35f, 0.8f}, {0, 0, 1, 1}) == Approx(0.75));
  CHECK(auroc({0.5f, 0.5f}, {0, 1}) == Approx(0.5));
  CHECK(std::isnan(auroc({0.1f, 0.2f}, {1, 1})));
  // sklearn: average_precision_score([0,0,1,1],[0.1,0.4,0.35,0.8]) = 0.8333
  CHECK(average_precision({0.1f, 0.4f, 0.35f, 0.8f}, {0, 0, 1, 1}) == Approx(0.833333).epsilon(1e-5));
}

TEST_CASE("each supervised model learns planted programmes and scores every pair", "[supervised]") {
  auto s = synthetic();
  for (auto m : {SupervisedModel::GENELink, SupervisedModel::GNNLink, SupervisedModel::ScRegNet,
                 SupervisedModel::ScTransNet}) {
    SupervisedOptions o;
    o.model = m;
    o.epochs = 15;
    o.batch_size = 64;
    o.lr_decay = 1.0;
    o.hidden = m == SupervisedModel::GNNLink ? std::vector<int>{16, 8}
                                               : std::vector<int>{32, 32, 32, 16};
    o.epochs = m == SupervisedModel::GNNLink ? 15 : 30;
    o.heads = 2;
    auto r = fit_supervised(s.expr, s.regs, s.train, s.validation, s.emb, o);
    CHECK(r.scores.rows == 12);
    CHECK(r.scores.cols == 60);
    for (float v : r.scores.data) REQUIRE(std::isfinite(v));
    INFO("model " << static_cast<int>(m)); WARN("model " << static_cast<int>(m) << " auc " << test_auroc(s, r.scores) << " best " << r.best_epoch << " loss " << r.train_loss.back());
    CHECK(test_auroc(s, r.scores) > 0.8);
    CHECK(r.val_auroc.size() == static_cast<std::size_t>(r.epochs_run));
  }
}

TEST_CASE("model selection uses validation only; test pairs cannot matter", "[supervised]") {
  auto s = synthetic();
  SupervisedOptions o;
  o.model = SupervisedModel::GNNLink;
  o.epochs = 12;
  o.batch_size = 64;
  o.hidden = {16, 8};
  o.seed = 3;
  auto a = fit_supervised(s.expr, s.regs, s.train, s.validation, Matrix(), o);
  // Same inputs (the test pairs are not an input at all) -> identical model.
  auto s2 = synthetic();
  for (auto& l : s2.test.label) l = 1.0f - l;  // scramble the test set
  auto b = fit_supervised(s2.expr, s2.regs, s2.train, s2.validation, Matrix(), o);
  REQUIRE(a.scores.data == b.scores.data);
  // The kept epoch is the validation-AUROC argmax, ties to the lower validation loss.
  REQUIRE(a.val_loss.size() == a.val_auroc.size());
  auto best_of = [](const SupervisedResult& r) {
    int arg = 0;
    for (std::size_t i = 1; i < r.val_auroc.size(); ++i)
      if (r.val_auroc[i] > r.val_auroc[arg] ||
          (r.val_auroc[i] == r.val_auroc[arg] && r.val_loss[i] < r.val_loss[arg]))
        arg = static_cast<int>(i);
    return arg + 1;
  };
  CHECK(a.best_epoch == best_of(a));
  {
    // A tiny validation set (two well-separated pairs) saturates at AUROC 1:
    // the tie-break must move the kept epoch past the first one reaching it.
    LabeledPairs tiny;
    for (std::size_t i = 0; i < s.validation.size() && tiny.size() < 2; ++i) {
      const float want = tiny.size() == 0 ? 1.0f : 0.0f;
      if (s.validation.label[i] == want) {
        tiny.from.push_back(s.validation.from[i]);
        tiny.to.push_back(s.validation.to[i]);
        tiny.label.push_back(want);
      }
    }
    REQUIRE(tiny.size() == 2);
    auto t = fit_supervised(s.expr, s.regs, s.train, tiny, Matrix(), o);
    int first_max = 0;
    for (std::size_t i = 1; i < t.val_auroc.size(); ++i)
      if (t.val_auroc[i] > t.val_auroc[first_max]) first_max = static_cast<int>(i);
    INFO("val AUROC at the first maximum " << t.val_auroc[first_max] << ", kept epoch " << t.best_epoch
                                           << " of " << t.epochs_run);
    CHECK(t.best_epoch == best_of(t));
    CHECK(t.val_loss[t.best_epoch - 1] < t.val_loss[first_max]);
  }
  // Early stopping: patience 1 stops at most one epoch after the best.
  o.patience = 1;
  auto c = fit_supervised(s.expr, s.regs, s.train, s.validation, Matrix(), o);
  CHECK(c.epochs_run <= c.best_epoch + 1);
}

TEST_CASE("bad supervised input throws InvalidArgument", "[supervised]") {
  auto s = synthetic();
  SupervisedOptions o;
  o.epochs = 1;
  LabeledPairs neg = s.train;
  for (auto& l : neg.label) l = 0.0f;
  CHECK_THROWS_AS(fit_supervised(s.expr, s.regs, neg, s.validation, Matrix(), o), InvalidArgument);
  LabeledPairs bad = s.train;
  bad.to[0] = 99;
  CHECK_THROWS_AS(fit_supervised(s.expr, s.regs, bad, s.validation, Matrix(), o), InvalidArgument);
  o.model = SupervisedModel::ScRegNet;
  CHECK_THROWS_AS(fit_supervised(s.expr, s.regs, s.train, s.validation, Matrix(10, 3), o), InvalidArgument);
}

TEST_CASE("TorchScript module: fixture written with Module::define, run and pooled", "[supervised][torchscript]") {
  Matrix x(4, 6);  // 4 genes x 6 cells
  for (int gi = 0; gi < 4; ++gi)
    for (int c = 0; c < 6; ++c) x(gi, c) = 0.1f * static_cast<float>(gi + 1) * static_cast<float>(c % 3);
  const std::string path = std::string("grntorch-fixture-test.pt");
  write_torchscript_fixture(path, 3, true, 11);
  auto p = torchscript_embeddings(path, x, 4);  // two batches of cells
  REQUIRE(p.dim == 3);
  REQUIRE(p.has_attention);
  // h[c, g, :] = x[g, c] w + b, so the mean over cells is mean_c(x[g, c]) w + b.
  auto p1 = torchscript_embeddings(path, Matrix(4, 6, 0.0f), 6);  // h = b
  auto p2 = torchscript_embeddings(path, Matrix(4, 6, 1.0f), 6);  // h = w + b
  for (int gi = 0; gi < 4; ++gi) {
    double mx = 0;
    for (int c = 0; c < 6; ++c) mx += x(gi, c) / 6.0;
    for (int d = 0; d < 3; ++d) {
      const double b = p1.mean(gi, d), w = p2.mean(gi, d) - b;
      CHECK(p.mean(gi, d) == Approx(mx * w + b).margin(1e-5));
      // Attention a[c, g] = softmax over genes of x[., c]; weights normalised over cells.
      double num = 0, den = 0;
      for (int c = 0; c < 6; ++c) {
        double z = 0;
        for (int k = 0; k < 4; ++k) z += std::exp(x(k, c));
        const double a = std::exp(x(gi, c)) / z;
        num += a * (x(gi, c) * w + b);
        den += a;
      }
      CHECK(p.attentive(gi, d) == Approx(num / den).margin(1e-5));
    }
  }
  std::remove(path.c_str());
  CHECK_THROWS_AS(torchscript_embeddings("/nonexistent/model.pt", x), InvalidArgument);
}

namespace {
struct BatchCounter : Monitor {
  int batches = 0, epochs = 0, polls = 0;
  std::vector<std::string> stages;
  void batch(const BatchProgress& b) override {
    ++batches;
    stages.emplace_back(b.stage);
  }
  void progress(int, int, double) override { ++epochs; }
  bool interrupted() override { ++polls; return false; }
};
}  // namespace

TEST_CASE("a supervised fit reports every mini-batch, named by the model; the monitor changes nothing",
          "[supervised][monitor]") {
  auto s = synthetic();
  SupervisedOptions o;
  o.model = SupervisedModel::GENELink;
  o.epochs = 2;
  o.batch_size = 64;  // ~430 training pairs: 7 batches per epoch
  o.hidden = {16, 8, 8, 4};
  o.heads = 2;
  BatchCounter mon;
  auto watched = fit_supervised(s.expr, s.regs, s.train, s.validation, s.emb, o, &mon);
  const int per_epoch = static_cast<int>((s.train.size() + 63) / 64);
  CHECK(mon.epochs == 2);
  CHECK(mon.batches == 2 * per_epoch);
  CHECK(mon.batches > mon.epochs);
  CHECK(mon.polls >= mon.batches);  // an interrupt check every batch
  CHECK(mon.stages.front() == "GENELink");
  auto alone = fit_supervised(s.expr, s.regs, s.train, s.validation, s.emb, o);
  CHECK(alone.scores.data == watched.scores.data);
  CHECK(alone.train_loss == watched.train_loss);
}

TEST_CASE("pair_correlation lets GENELink score pairs of genes without training edges", "[supervised]") {
  // Targets 40..59 have no training pair: the faithful GENELink gives them one
  // shared (global-mean) embedding, so it cannot tell their pairs apart; the
  // opt-in pair term sees that regulator and target share a programme.
  auto s = synthetic(11);
  LabeledPairs train, val, test;
  for (auto* src : {&s.train, &s.validation, &s.test})
    for (std::size_t i = 0; i < src->size(); ++i) {
      const bool unseen = src->to[i] >= 40;
      LabeledPairs& dst = unseen ? test : (src == &s.validation ? val : train);
      dst.from.push_back(src->from[i]);
      dst.to.push_back(src->to[i]);
      dst.label.push_back(src->label[i]);
    }
  SupervisedOptions o;
  o.epochs = 30;
  o.batch_size = 64;
  o.seed = 3;
  auto auroc_on = [&](const SupervisedResult& r) {
    std::vector<float> sc, lab;
    for (std::size_t i = 0; i < test.size(); ++i) {
      sc.push_back(r.scores(test.from[i], test.to[i]));
      lab.push_back(test.label[i]);
    }
    return auroc(sc, lab);
  };
  auto plain = fit_supervised(s.expr, s.regs, train, val, Matrix(), o);
  CHECK(plain.pair_weights.empty());
  o.pair_correlation = true;
  auto corr = fit_supervised(s.expr, s.regs, train, val, Matrix(), o);
  REQUIRE(corr.pair_weights.size() == 2);
  const double a_plain = auroc_on(plain), a_corr = auroc_on(corr);
  INFO("unseen-target AUROC: plain " << a_plain << ", with pair correlation " << a_corr << "; weights "
       << corr.pair_weights[0] << ", " << corr.pair_weights[1]);
  CHECK(a_plain < 0.75);
  CHECK(a_corr > 0.9);
  CHECK(corr.pair_weights[0] + corr.pair_weights[1] > 0.5);  // positive co-expression raises the logit
  // Every model takes the option.
  for (auto m : {SupervisedModel::GNNLink, SupervisedModel::ScRegNet}) {
    o.model = m;
    o.epochs = 5;
    auto r = fit_supervised(s.expr, s.regs, train, val, s.emb, o);
    CHECK(r.pair_weights.size() == 2);
    CHECK(std::isfinite(r.scores(0, 1)));
  }
}
