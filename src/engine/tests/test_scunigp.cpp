#include <catch2/catch.hpp>

#include "grntorch/scunigp.hpp"
#include "grntorch/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

using grntorch::Matrix;
using grntorch::ScUniGPFusion;
using grntorch::ScUniGPGnn;
using grntorch::ScUniGPOptions;
using grntorch::LabeledPairs;

namespace {

// 60 genes x 40 cells; regulators 0..9.  A gene is a target of every
// regulator iff it belongs to a co-expressed module (g % 3 == 0), so both the
// expression (pairwise branch) and the graph (global branch) carry the signal.
struct Toy {
  Matrix expr{60, 40};
  LabeledPairs train, val;
  std::vector<int> regs;
};

Toy make_toy(unsigned seed = 7) {
  Toy t;
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd;
  std::vector<float> module(40);
  for (auto& v : module) v = nd(rng);
  for (int g = 0; g < 60; ++g)
    for (int c = 0; c < 40; ++c) t.expr(g, c) = (g % 3 == 0 ? 1.5f * module[c] : 0.0f) + nd(rng);
  for (int r = 0; r < 10; ++r) t.regs.push_back(r);
  std::bernoulli_distribution to_val(0.25);
  for (int r = 0; r < 10; ++r)
    for (int g = 10; g < 60; ++g) {
      LabeledPairs& p = to_val(rng) ? t.val : t.train;
      p.from.push_back(r);
      p.to.push_back(g);
      p.label.push_back(g % 3 == 0 ? 1.0f : 0.0f);
    }
  return t;
}

ScUniGPOptions small_options() {
  ScUniGPOptions o;
  o.gnn_dims = {16, 8};
  o.tower_dims = {8, 4};
  o.gat_heads = 2;
  o.pretrain_epochs = 5;
  o.d_model = 16;
  o.n_heads = 2;
  o.n_layers = 1;
  o.dim_feedforward = 32;
  o.epochs = 12;
  o.patience = 12;
  o.batch_size = 32;
  o.lr = 3e-3;
  o.dropout = 0.1;
  return o;
}

double test_auroc(const Toy& t, const Matrix& logits) {
  // Score the held-out regulator x gene pairs g < 10 are never labelled; use
  // all pairs of regulators 0..9 with targets 10..59 (train + val labels).
  std::vector<float> s, y;
  for (int r = 0; r < 10; ++r)
    for (int g = 10; g < 60; ++g) {
      s.push_back(logits(r, g));
      y.push_back(g % 3 == 0 ? 1.0f : 0.0f);
    }
  return grntorch::auroc(s, y);
}

}  // namespace

TEST_CASE("auroc is the Mann-Whitney statistic with ties counted half", "[scunigp]") {
  using grntorch::auroc;
  CHECK(auroc({0.1f, 0.2f, 0.8f, 0.9f}, {0, 0, 1, 1}) == Approx(1.0));
  CHECK(auroc({0.9f, 0.8f, 0.2f, 0.1f}, {0, 0, 1, 1}) == Approx(0.0));
  CHECK(auroc({0.5f, 0.5f}, {0, 1}) == Approx(0.5));
  // 3 positives, 2 negatives: pairs (pos > neg) = 2 + 2 + 0.5 (tie) + 1 = 5.5 of 6.
  CHECK(auroc({0.9f, 0.7f, 0.3f, 0.3f, 0.1f}, {1, 1, 1, 0, 0}) == Approx(5.5 / 6.0));
  CHECK(std::isnan(auroc({0.1f, 0.2f}, {1, 1})));
}

TEST_CASE("scUniGP (pairwise branch only) learns a co-expression module and is deterministic", "[scunigp]") {
  Toy t = make_toy();
  ScUniGPOptions o = small_options();
  o.fusion = ScUniGPFusion::None;
  auto a = grntorch::scunigp_fit(t.expr, t.train, t.val, t.regs, o);
  REQUIRE(a.logits.rows == 10);
  REQUIRE(a.logits.cols == 60);
  CHECK(a.pretrain_val_auroc.empty());
  CHECK(a.val_auroc.size() >= 1);
  CHECK(a.best_val_auroc > 0.9);
  CHECK(test_auroc(t, a.logits) > 0.9);
  for (float v : a.logits.data) REQUIRE(std::isfinite(v));
  auto b = grntorch::scunigp_fit(t.expr, t.train, t.val, t.regs, o);
  CHECK(a.logits.data == b.logits.data);
  o.seed = 2;
  auto c = grntorch::scunigp_fit(t.expr, t.train, t.val, t.regs, o);
  CHECK(a.logits.data != c.logits.data);
}

TEST_CASE("scUniGP multi-scale fusion with GAT and GCN pre-trains the GNN then fine-tunes", "[scunigp]") {
  Toy t = make_toy();
  for (ScUniGPGnn kind : {ScUniGPGnn::GAT, ScUniGPGnn::GCN}) {
    ScUniGPOptions o = small_options();
    o.gnn = kind;
    auto r = grntorch::scunigp_fit(t.expr, t.train, t.val, t.regs, o);
    CHECK(r.pretrain_val_auroc.size() >= 1);
    CHECK(r.pretrain_best_epoch >= 1);
    CHECK(r.best_val_auroc > 0.9);
    CHECK(test_auroc(t, r.logits) > 0.9);
    // The selected model is the one with the best validation AUROC.
    double mx = 0;
    for (double v : r.val_auroc) mx = std::max(mx, v);
    CHECK(r.best_val_auroc == Approx(mx));
    CHECK(r.val_auroc[r.best_epoch - 1] == Approx(mx));
  }
}

namespace {
// The stage of every batch report, in order.
struct Stages : grntorch::Monitor {
  std::vector<std::string> seen;
  int batches = 0;
  void batch(const grntorch::BatchProgress& b) override {
    ++batches;
    if (seen.empty() || seen.back() != b.stage) seen.emplace_back(b.stage);
  }
};
}  // namespace

TEST_CASE("scUniGP reports its two stages by name, batch by batch; the monitor changes nothing", "[scunigp][monitor]") {
  Toy t = make_toy();
  ScUniGPOptions o = small_options();
  o.pretrain_epochs = 2;
  o.epochs = 2;
  Stages mon;
  auto watched = grntorch::scunigp_fit(t.expr, t.train, t.val, t.regs, o, &mon);
  CHECK(mon.seen == std::vector<std::string>{"scUniGP pre-training", "scUniGP joint training"});
  CHECK(mon.batches > 4);  // more than one report per epoch (~12 batches of 32 per epoch)
  auto alone = grntorch::scunigp_fit(t.expr, t.train, t.val, t.regs, o);
  CHECK(alone.logits.data == watched.logits.data);
}

TEST_CASE("scUniGP early and late fusion run and differ from multi-scale", "[scunigp]") {
  Toy t = make_toy();
  ScUniGPOptions o = small_options();
  o.epochs = 4;
  o.pretrain_epochs = 2;
  auto ms = grntorch::scunigp_fit(t.expr, t.train, t.val, t.regs, o);
  o.fusion = ScUniGPFusion::Early;
  auto early = grntorch::scunigp_fit(t.expr, t.train, t.val, t.regs, o);
  o.fusion = ScUniGPFusion::Late;
  auto late = grntorch::scunigp_fit(t.expr, t.train, t.val, t.regs, o);
  o.fusion = ScUniGPFusion::None;
  auto none = grntorch::scunigp_fit(t.expr, t.train, t.val, t.regs, o);
  // Parameter counts: none < late (2 extra scalars + GNN) and multi-scale has the fusion blocks.
  CHECK(none.n_parameters < late.n_parameters);
  CHECK(late.n_parameters < ms.n_parameters);
  CHECK(none.n_parameters < early.n_parameters);
  for (auto* r : {&ms, &early, &late})
    for (float v : r->logits.data) REQUIRE(std::isfinite(v));
  CHECK(ms.logits.data != early.logits.data);
  CHECK(ms.logits.data != late.logits.data);
}

TEST_CASE("scUniGP joint training starts from the pre-trained GNN's expert score", "[scunigp]") {
  Toy t = make_toy();
  ScUniGPOptions o = small_options();
  o.epochs = 1;
  o.pretrain_epochs = 3;
  o.lr = 1e-12;  // the joint epoch barely moves the weights
  for (ScUniGPFusion f : {ScUniGPFusion::MultiScale, ScUniGPFusion::Late}) {
    o.fusion = f;
    auto r = grntorch::scunigp_fit(t.expr, t.train, t.val, t.regs, o);
    REQUIRE(r.expert_logits.rows == 10);
    REQUIRE(r.expert_logits.cols == 60);
    // logit = classifier (last layer starts at 0) + 1 * s_ij.
    double worst = 0;
    for (std::size_t k = 0; k < r.logits.data.size(); ++k)
      worst = std::max(worst, static_cast<double>(std::fabs(r.logits.data[k] - r.expert_logits.data[k])));
    CHECK(worst < 1e-3);
    CHECK(r.pretrain_val_auroc.size() <= 3u);
  }
  o.fusion = ScUniGPFusion::None;
  auto none = grntorch::scunigp_fit(t.expr, t.train, t.val, t.regs, o);
  CHECK(none.expert_logits.data.empty());
}

TEST_CASE("scUniGP rejects bad input with InvalidArgument", "[scunigp]") {
  Toy t = make_toy();
  ScUniGPOptions o = small_options();
  o.fusion = ScUniGPFusion::None;
  o.epochs = 1;
  LabeledPairs bad = t.train;
  bad.to[0] = 60;
  CHECK_THROWS_AS(grntorch::scunigp_fit(t.expr, bad, t.val, t.regs, o), grntorch::InvalidArgument);
  LabeledPairs onlyneg = t.val;
  for (auto& l : onlyneg.label) l = 0.0f;
  CHECK_THROWS_AS(grntorch::scunigp_fit(t.expr, t.train, onlyneg, t.regs, o), grntorch::InvalidArgument);
  CHECK_THROWS_AS(grntorch::scunigp_fit(t.expr, t.train, t.val, {70}, o), grntorch::InvalidArgument);
  ScUniGPOptions o2 = o;
  o2.d_model = 15;  // not a multiple of n_heads
  CHECK_THROWS_AS(grntorch::scunigp_fit(t.expr, t.train, t.val, t.regs, o2), grntorch::InvalidArgument);
}
