// GENELink, GNNLink, scRegNet and scTransNet on the shared graph toolkit,
// trained by the shared link-prediction loop (link_trainer.hpp).
#include "grntorch/supervised.hpp"

#include "checks.hpp"
#include "errors.hpp"
#include "graph_layers.hpp"
#include "link_trainer.hpp"
#include "random_streams.hpp"
#include "tensor_io.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <unordered_set>

namespace grntorch {

namespace g = graph;

namespace {

// The opt-in pair-correlation term is kPairScale * (a r~ + b |r|~), r~ and
// |r|~ standardised over the candidate pairs: Adam moves a parameter by about
// lr per step, and GENELink's per-batch lr decay bounds the whole fit to about
// lr / (1 - decay) = 0.3, so a and b alone could not outweigh the decoder; the
// factor is the same as a 10x learning rate for them.
constexpr double kPairScale = 10.0;

// A link predictor: encode() gives per-node representations, logits() turns
// the representations of (from, to) pairs into one logit per pair.
struct LinkModel : torch::nn::Module {
  // Opt-in (SupervisedOptions::pair_correlation): the logit of a pair (i, j)
  // gains kPairScale * (a (r_ij - m1) / s1 + b (|r_ij| - m2) / s2), r_ij the
  // Pearson correlation of the two genes' expression over the cells, m and s
  // the mean and sd of r and |r| over every regulator x gene pair (centred, so
  // that |r|, which is always positive, cannot stand in for an intercept);
  // a = b = 0 at the start, so the model begins as the faithful one and learns
  // how much the pair's co-expression adds to what the decoder says about each
  // gene.
  torch::Tensor xr, corr_w;
  double m1 = 0, s1 = 1, m2 = 0, s2 = 1;
  // z: genes x cells, each row z-scored (population sd): r_ij = z_i . z_j / cells.
  void use_pair_correlation(const torch::Tensor& z, const torch::Tensor& regs) {
    torch::NoGradGuard ng;
    xr = z / std::sqrt(static_cast<double>(z.size(1)));
    double n = 0, s_r = 0, ss_r = 0, s_a = 0;  // sum of |r|^2 = sum of r^2
    const int64_t chunk = std::max<int64_t>(1, 4194304 / std::max<int64_t>(1, xr.size(0)));
    for (int64_t r0 = 0; r0 < regs.size(0); r0 += chunk) {
      auto r = torch::mm(g::gather_rows(xr, regs.slice(0, r0, std::min(regs.size(0), r0 + chunk))), xr.t())
                   .to(torch::kFloat64);
      n += static_cast<double>(r.numel());
      s_r += r.sum().item<double>();
      ss_r += r.pow(2).sum().item<double>();
      s_a += r.abs().sum().item<double>();
    }
    m1 = s_r / n;
    m2 = s_a / n;
    s1 = std::sqrt(std::max(ss_r / n - m1 * m1, 0.0));
    s2 = std::sqrt(std::max(ss_r / n - m2 * m2, 0.0));
    if (!(s1 > 1e-12)) s1 = 1;
    if (!(s2 > 1e-12)) s2 = 1;
    corr_w = register_parameter("pair_correlation", torch::zeros({2}));
  }
  std::vector<double> pair_weights() const {
    if (!corr_w.defined()) return {};
    auto w = (corr_w.detach() * kPairScale).to(torch::kFloat64).contiguous();
    return {w[0].item<double>(), w[1].item<double>()};
  }
  torch::Tensor pair_term(const torch::Tensor& r) const {
    auto w = corr_w * kPairScale;
    return w[0] * ((r - m1) / s1) + w[1] * ((r.abs() - m2) / s2);
  }
  // What the training loop and the scorer call: the model's logits plus the
  // pair term when it is on.
  torch::Tensor pair_logits(const torch::Tensor& enc, const torch::Tensor& from, const torch::Tensor& to) {
    auto l = logits(enc, from, to);
    if (!xr.defined()) return l;
    return l + pair_term((g::gather_rows(xr, from) * g::gather_rows(xr, to)).sum(1));
  }
  torch::Tensor full_logits(const torch::Tensor& enc, const torch::Tensor& regs) {
    auto l = all_logits(enc, regs);
    if (!xr.defined()) return l;
    return l + pair_term(torch::mm(g::gather_rows(xr, regs), xr.t()));
  }
  virtual torch::Tensor encode() = 0;
  virtual torch::Tensor logits(const torch::Tensor& enc, const torch::Tensor& from, const torch::Tensor& to) = 0;
  // Full regulators x genes matrix of logits (default: pairs in chunks).
  virtual torch::Tensor all_logits(const torch::Tensor& enc, const torch::Tensor& regs) {
    const int64_t R = regs.size(0), N = enc.size(0);
    const int64_t chunk = std::max<int64_t>(1, 262144 / N);
    std::vector<torch::Tensor> rows;
    auto genes = torch::arange(N, torch::kLong);
    for (int64_t r0 = 0; r0 < R; r0 += chunk) {
      auto rr = regs.slice(0, r0, std::min(R, r0 + chunk));
      auto from = rr.repeat_interleave(N);
      auto to = genes.repeat({rr.size(0)});
      rows.push_back(logits(enc, from, to).view({rr.size(0), N}));
    }
    return torch::cat(rows, 0);
  }
};

// GENELink (zpliulab/GENELink): GAT 3 x 128 (concat) -> ELU -> GAT 3 x 64 (mean);
// TF and target towers 64 -> 32 -> 16 (LeakyReLU); dot-product decoder.
// Two stacked GAT layers: `heads` heads of width h1, concatenated, then
// `heads` heads of width h2, averaged.
std::pair<g::GATOptions, g::GATOptions> gat_stack(int64_t in, int64_t h1, int64_t h2, int heads, double dropout,
                                                  bool genelink) {
  g::GATOptions o1;
  o1.in = in;
  o1.out = h1;
  o1.heads = heads;
  o1.concat = true;
  o1.dropout = dropout;
  o1.genelink_output = genelink;
  o1.isolated_global_mean = genelink;
  g::GATOptions o2 = o1;
  o2.in = h1 * heads;
  o2.out = h2;
  o2.concat = false;
  return {o1, o2};
}

struct GENELinkNet : LinkModel {
  torch::Tensor x;
  g::Graph graph;
  g::GATConv l1{nullptr}, l2{nullptr};
  torch::nn::Linear tf1{nullptr}, tf2{nullptr}, tg1{nullptr}, tg2{nullptr};
  double tower_dropout = 0.01;

  GENELinkNet(torch::Tensor feats, g::Graph gr, const std::vector<int>& hidden, int heads, double attn_dropout)
      : x(std::move(feats)), graph(std::move(gr)) {
    const int64_t h1 = hidden[0], h2 = hidden[1], h3 = hidden[2], out = hidden[3];
    const auto o = gat_stack(x.size(1), h1, h2, heads, attn_dropout, true);
    l1 = register_module("l1", g::GATConv(o.first));
    l2 = register_module("l2", g::GATConv(o.second));
    tf1 = register_module("tf1", torch::nn::Linear(h2, h3));
    tf2 = register_module("tf2", torch::nn::Linear(h3, out));
    tg1 = register_module("tg1", torch::nn::Linear(h2, h3));
    tg2 = register_module("tg2", torch::nn::Linear(h3, out));
    // The reference initialises the towers' weights Xavier-uniform with gain
    // 1.414 (about 2.8x LibTorch's default scale for 64 -> 32).  Training is
    // short (the lr decays x0.99 per batch), so the start matters: with the
    // default init, mESC-tfs500 reached test AUROC 0.85 instead of 0.89.
    {
      torch::NoGradGuard ng;
      for (auto* l : {&tf1, &tf2, &tg1, &tg2}) torch::nn::init::xavier_uniform_((*l)->weight, 1.414);
    }
  }
  torch::Tensor tower(torch::nn::Linear& a, torch::nn::Linear& b, const torch::Tensor& h) {
    auto t = torch::leaky_relu(a->forward(h));
    t = g::inverted_dropout(t, tower_dropout, is_training());
    return torch::leaky_relu(b->forward(t));
  }
  torch::Tensor encode() override {
    auto h = torch::elu(l1->forward(x, graph));
    h = l2->forward(h, graph);
    return torch::cat({tower(tf1, tf2, h), tower(tg1, tg2, h)}, 1);
  }
  torch::Tensor logits(const torch::Tensor& enc, const torch::Tensor& from, const torch::Tensor& to) override {
    const int64_t d = enc.size(1) / 2;
    auto tf = g::gather_rows(enc.slice(1, 0, d), from);
    auto tg = g::gather_rows(enc.slice(1, d, 2 * d), to);
    return (tf * tg).sum(1);
  }
  torch::Tensor all_logits(const torch::Tensor& enc, const torch::Tensor& regs) override {
    const int64_t d = enc.size(1) / 2;
    return torch::mm(g::gather_rows(enc.slice(1, 0, d), regs), enc.slice(1, d, 2 * d).t());
  }
};

// GNNLink: GCN #cells -> 128 -> 64 over D^-1/2 (A + I) D^-1/2; the decoder
// weighs the element-wise product of the two genes' embeddings.
struct GNNLinkNet : LinkModel {
  torch::Tensor x;
  g::WeightedGraph graph;
  g::GCNConv c1{nullptr}, c2{nullptr};
  torch::nn::Linear dec{nullptr};
  double dropout;
  GNNLinkNet(torch::Tensor feats, const g::Graph& gr, const std::vector<int>& hidden, double drop)
      : x(std::move(feats)), graph(g::gcn_normalize(gr)), dropout(drop) {
    c1 = register_module("c1", g::GCNConv(x.size(1), hidden[0]));
    c2 = register_module("c2", g::GCNConv(hidden[0], hidden[1]));
    dec = register_module("dec", torch::nn::Linear(hidden[1], 1));
    {
      torch::NoGradGuard ng;  // start as a plain dot product
      dec->weight.fill_(1.0);
      dec->bias.zero_();
    }
  }
  torch::Tensor encode() override {
    auto h = torch::relu(c1->forward(x, graph));
    h = g::inverted_dropout(h, dropout, is_training());
    return c2->forward(h, graph);
  }
  torch::Tensor logits(const torch::Tensor& enc, const torch::Tensor& from, const torch::Tensor& to) override {
    return dec->forward(g::gather_rows(enc, from) * g::gather_rows(enc, to)).squeeze(1);
  }
};

torch::nn::Sequential mlp_tower(int64_t in, int64_t hid, int64_t out, double drop) {
  return torch::nn::Sequential(torch::nn::Linear(in, hid), torch::nn::ReLU(), torch::nn::Dropout(drop),
                               torch::nn::Linear(hid, out), torch::nn::ReLU());
}

// MLP on the concatenated regulator and target representations -> 2 classes.
torch::nn::Sequential pair_classifier(int64_t t2, double drop) {
  return torch::nn::Sequential(torch::nn::Linear(2 * t2, t2), torch::nn::ReLU(), torch::nn::Dropout(drop),
                               torch::nn::Linear(t2, 2));
}

// scRegNet: [GNN(expression, graph) | FM embedding] -> shared MLP tower ->
// concatenate regulator and target -> linear 2-class output (softmax).
struct ScRegNetNet : LinkModel {
  torch::Tensor x, emb;
  g::Graph graph;         // with self-loops (GAT, SAGE)
  g::WeightedGraph wgraph;  // GCN
  GNNKind kind;
  double dropout;
  g::GCNConv gcn1{nullptr}, gcn2{nullptr};
  g::GATConv gat1{nullptr}, gat2{nullptr};
  g::SAGEConv sage1{nullptr}, sage2{nullptr};
  torch::nn::Sequential tower{nullptr};
  torch::nn::Sequential cls{nullptr};
  ScRegNetNet(torch::Tensor feats, torch::Tensor e, const g::Graph& gr, GNNKind k, const std::vector<int>& hidden,
              int heads, double drop)
      : x(std::move(feats)), emb(std::move(e)), kind(k), dropout(drop) {
    const int64_t C = x.size(1), h1 = hidden[0], h2 = hidden[1], t1 = hidden[2], t2 = hidden[3];
    if (kind == GNNKind::GCN) {
      wgraph = g::gcn_normalize(gr);
      gcn1 = register_module("gcn1", g::GCNConv(C, h1));
      gcn2 = register_module("gcn2", g::GCNConv(h1, h2));
    } else if (kind == GNNKind::GAT) {
      graph = g::add_self_loops(gr);
      const auto o = gat_stack(C, h1, h2, heads, drop, false);
      gat1 = register_module("gat1", g::GATConv(o.first));
      gat2 = register_module("gat2", g::GATConv(o.second));
    } else {
      graph = gr;
      sage1 = register_module("sage1", g::SAGEConv(C, h1));
      sage2 = register_module("sage2", g::SAGEConv(h1, h2));
    }
    tower = register_module("tower", mlp_tower(h2 + emb.size(1), t1, t2, drop));
    cls = register_module("cls", pair_classifier(t2, drop));
  }
  torch::Tensor gnn() {
    torch::Tensor h;
    if (kind == GNNKind::GCN) {
      h = torch::relu(gcn1->forward(x, wgraph));
      h = g::inverted_dropout(h, dropout, is_training());
      return gcn2->forward(h, wgraph);
    }
    if (kind == GNNKind::GAT) {
      h = torch::elu(gat1->forward(x, graph));
      h = g::inverted_dropout(h, dropout, is_training());
      return gat2->forward(h, graph);
    }
    h = torch::relu(sage1->forward(x, graph));
    h = g::inverted_dropout(h, dropout, is_training());
    return sage2->forward(h, graph);
  }
  torch::Tensor encode() override { return tower->forward(torch::cat({gnn(), emb}, 1)); }
  torch::Tensor logits(const torch::Tensor& enc, const torch::Tensor& from, const torch::Tensor& to) override {
    auto two = cls->forward(torch::cat({g::gather_rows(enc, from), g::gather_rows(enc, to)}, 1));
    return two.select(1, 1) - two.select(1, 0);  // log-odds of the 2-class softmax
  }
};

// scTransNet: attention-messaging GNN (section 3.3, hidden 256 and 128) over
// the expression; [GNN | attentively pooled FM embedding] -> two channels of
// the same structure (regulator, target) -> MLP -> 2-class softmax.
struct ScTransNetNet : LinkModel {
  torch::Tensor x, emb, node_type, edge_type;
  g::Graph graph;
  double dropout;
  torch::nn::Linear proj{nullptr}, mid{nullptr};
  g::AttnMessageConv a1{nullptr}, a2{nullptr};
  torch::nn::Sequential tf_tower{nullptr}, tg_tower{nullptr};
  torch::nn::Sequential cls{nullptr};
  ScTransNetNet(torch::Tensor feats, torch::Tensor e, g::Graph gr, torch::Tensor ntype, torch::Tensor etype,
                const std::vector<int>& hidden, int heads, double drop)
      : x(std::move(feats)), emb(std::move(e)), node_type(std::move(ntype)), edge_type(std::move(etype)),
        graph(std::move(gr)), dropout(drop) {
    const int64_t h1 = hidden[0], h2 = hidden[1], t1 = hidden[2], t2 = hidden[3];
    proj = register_module("proj", torch::nn::Linear(x.size(1), h1));
    g::AttnMessageOptions o1;
    o1.dim = h1;
    o1.heads = heads;
    g::AttnMessageOptions o2 = o1;
    o2.dim = h2;
    a1 = register_module("a1", g::AttnMessageConv(o1));
    mid = register_module("mid", torch::nn::Linear(h1, h2));
    a2 = register_module("a2", g::AttnMessageConv(o2));
    tf_tower = register_module("tf_tower", mlp_tower(h2 + emb.size(1), t1, t2, drop));
    tg_tower = register_module("tg_tower", mlp_tower(h2 + emb.size(1), t1, t2, drop));
    cls = register_module("cls", pair_classifier(t2, drop));
  }
  torch::Tensor encode() override {
    auto h = a1->forward(proj->forward(x), graph, node_type, edge_type);
    h = g::inverted_dropout(torch::relu(h), dropout, is_training());
    h = a2->forward(mid->forward(h), graph, node_type, edge_type);
    auto z = torch::cat({h, emb}, 1);
    return torch::cat({tf_tower->forward(z), tg_tower->forward(z)}, 1);
  }
  torch::Tensor logits(const torch::Tensor& enc, const torch::Tensor& from, const torch::Tensor& to) override {
    const int64_t d = enc.size(1) / 2;
    auto two = cls->forward(torch::cat({g::gather_rows(enc.slice(1, 0, d), from),
                                        g::gather_rows(enc.slice(1, d, 2 * d), to)}, 1));
    return two.select(1, 1) - two.select(1, 0);
  }
};

std::vector<int> default_hidden(SupervisedModel m) {
  switch (m) {
    case SupervisedModel::GENELink: return {128, 64, 32, 16};
    case SupervisedModel::GNNLink: return {128, 64};
    case SupervisedModel::ScRegNet: return {256, 128, 128, 64};
    case SupervisedModel::ScTransNet: return {256, 128, 128, 64};
  }
  return {};
}

double default_dropout(SupervisedModel m) {
  switch (m) {
    case SupervisedModel::GENELink: return 0.5;  // GENELink's attention dropout (F.dropout default)
    case SupervisedModel::GNNLink: return 0.1;
    default: return 0.2;
  }
}

const char* model_name(SupervisedModel m) {
  switch (m) {
    case SupervisedModel::GENELink: return "GENELink";
    case SupervisedModel::GNNLink: return "GNNLink";
    case SupervisedModel::ScRegNet: return "scRegNet";
    case SupervisedModel::ScTransNet: return "scTransNet";
  }
  return "the model";
}

// ---- fit_supervised in steps ----------------------------------------------------

void check_inputs(const Matrix& expr, const std::vector<int>& regulators, const LabeledPairs& train,
                  const LabeledPairs& validation, const Matrix& embeddings, const SupervisedOptions& opt) {
  detail::check_expression(expr, {model_name(opt.model), /*min_genes=*/2, /*min_cells=*/2, /*finite=*/false,
                                  /*some_regulators=*/true},
                           regulators);
  const int N = expr.rows;
  check_pairs(train, N, "train", /*need_both_classes=*/true);
  check_pairs(validation, N, "validation", /*need_both_classes=*/false);
  if (opt.epochs < 1 || opt.batch_size < 1 || !(opt.lr > 0)) throw InvalidArgument("epochs, batch_size and lr must be positive");
  if (opt.patience < 0) throw InvalidArgument("patience must be >= 0 (0 = never stop early)");
  if (opt.cell_features < 0) throw InvalidArgument("cell_features must be >= 0 (0 = every cell)");
  const bool needs_emb = opt.model == SupervisedModel::ScRegNet || opt.model == SupervisedModel::ScTransNet;
  if (needs_emb && (embeddings.rows != N || embeddings.cols < 1))
    throw InvalidArgument("embeddings must have one row per gene");
  const std::vector<int> hidden = opt.hidden.empty() ? default_hidden(opt.model) : opt.hidden;
  if (hidden.size() != default_hidden(opt.model).size()) throw InvalidArgument("hidden has the wrong number of sizes");
  for (int h : hidden)
    if (h < 1) throw InvalidArgument("hidden sizes must be >= 1");
}

// The training positives as directed (src, dst) edges, self-pairs left out.
void positive_edges(const LabeledPairs& train, std::vector<int64_t>& src, std::vector<int64_t>& dst) {
  for (std::size_t i = 0; i < train.size(); ++i)
    if (train.label[i] == 1.0f && train.from[i] != train.to[i]) {
      src.push_back(train.from[i]);
      dst.push_back(train.to[i]);
    }
}

// scTransNet's typed graph: node types regulator (0) or not (1); relation
// types regulator -> target as in the training positives (0), the reverse
// direction (1), self (2).
std::shared_ptr<LinkModel> make_sctransnet(const torch::Tensor& x, const Matrix& embeddings, const g::Graph& graph,
                                           const std::vector<int64_t>& src, const std::vector<int64_t>& dst,
                                           const std::vector<int>& regulators, const LabeledPairs& train,
                                           const std::vector<int>& hidden, const SupervisedOptions& opt,
                                           double dropout) {
  const int64_t N = x.size(0);
  std::vector<int64_t> nt(N, 1);
  for (int r : regulators) nt[r] = 0;
  for (std::size_t i = 0; i < train.size(); ++i) nt[train.from[i]] = 0;
  std::unordered_set<int64_t> pos;
  for (std::size_t i = 0; i < src.size(); ++i) pos.insert(src[i] * N + dst[i]);
  auto gl = g::add_self_loops(graph);
  auto s = gl.src.accessor<int64_t, 1>();
  auto t = gl.dst.accessor<int64_t, 1>();
  std::vector<int64_t> et(gl.num_edges());
  for (int64_t e = 0; e < gl.num_edges(); ++e) et[e] = s[e] == t[e] ? 2 : (pos.count(s[e] * N + t[e]) ? 0 : 1);
  return std::make_shared<ScTransNetNet>(x, link::standardized(embeddings, 0), gl, tio::to_long(nt), tio::to_long(et), hidden,
                                         std::max(1, std::min(opt.heads, 1)), dropout);
}

// Node features (each gene z-scored across cells), the graph of undirected
// training positives, and the model on them.
// With more cells than opt.cell_features the node features are the genes'
// scores on the top principal components of the cell axis (see
// link::cell_axis_features; `cf` reports them); the pair-correlation term
// always uses every cell.
std::shared_ptr<LinkModel> make_model(const Matrix& expr, const std::vector<int>& regulators, const LabeledPairs& train,
                                      const Matrix& embeddings, const SupervisedOptions& opt,
                                      link::CellFeatures& cf) {
  const std::vector<int> hidden = opt.hidden.empty() ? default_hidden(opt.model) : opt.hidden;
  const double dropout = opt.dropout < 0 ? default_dropout(opt.model) : opt.dropout;
  auto z = link::standardized(expr, 1);  // [genes, cells]
  cf = link::cell_axis_features(z, opt.cell_features, opt.seed);
  const torch::Tensor& x = cf.x;
  std::vector<int64_t> src, dst;
  positive_edges(train, src, dst);
  g::Graph graph = g::make_graph(src, dst, expr.rows, true, false);
  std::shared_ptr<LinkModel> m;
  switch (opt.model) {
    case SupervisedModel::GENELink:
      m = std::make_shared<GENELinkNet>(x, graph, hidden, opt.heads, dropout);
      break;
    case SupervisedModel::GNNLink:
      m = std::make_shared<GNNLinkNet>(x, graph, hidden, dropout);
      break;
    case SupervisedModel::ScRegNet:
      m = std::make_shared<ScRegNetNet>(x, link::standardized(embeddings, 0), graph, opt.gnn, hidden, opt.heads, dropout);
      break;
    case SupervisedModel::ScTransNet:
      m = make_sctransnet(x, embeddings, graph, src, dst, regulators, train, hidden, opt, dropout);
      break;
  }
  if (!m) throw InvalidArgument("unknown supervised model");
  if (opt.pair_correlation) m->use_pair_correlation(z, tio::to_long(regulators));
  return m;
}

// Adam with per-batch lr decay through the shared loop.
link::History train_model(LinkModel& model, const LabeledPairs& train, const LabeledPairs& validation,
                          const SupervisedOptions& opt, Monitor* monitor) {
  torch::optim::Adam optim(model.parameters(), torch::optim::AdamOptions(opt.lr).weight_decay(opt.weight_decay));
  const link::PairTensors tr = link::pair_tensors(train), va = link::pair_tensors(validation);
  link::LinkTask task;
  task.module = &model;
  task.optimizer = &optim;
  task.train_logits = [&](const torch::Tensor& from, const torch::Tensor& to) {
    return model.pair_logits(model.encode(), from, to);
  };
  task.validation_logits = [&] { return model.pair_logits(model.encode(), va.from, va.to); };
  link::TrainerOptions to = link::stage_options(opt.epochs, opt.batch_size, opt.lr_decay, opt.patience,
                                                model_name(opt.model));
  to.select_best = opt.select_best;
  to.select_window = opt.select_window;
  to.select_average = opt.select_average;
  return link::train_link_predictor(task, tr, va, to, monitor);
}

SupervisedResult fit_impl(const Matrix& expr, const std::vector<int>& regulators, const LabeledPairs& train,
                          const LabeledPairs& validation, const Matrix& embeddings, const SupervisedOptions& opt,
                          Monitor* monitor) {
  check_inputs(expr, regulators, train, validation, embeddings, opt);
  detail::SeedScope seeds(opt.seed);  // the engine's random-stream rule (random_streams.hpp)
  link::CellFeatures cf;
  auto model = make_model(expr, regulators, train, embeddings, opt, cf);
  const link::History h = train_model(*model, train, validation, opt, monitor);
  SupervisedResult res;
  res.input_features = static_cast<int>(cf.features);
  res.cell_variance_kept = cf.variance_kept;
  res.train_loss = h.train_loss;
  res.val_auroc = h.val_auroc;
  res.val_loss = h.val_loss;
  res.best_epoch = h.best_epoch;
  res.epochs_run = h.epochs_run;
  res.seconds = h.seconds;
  // Every regulator -> gene pair.
  model->eval();
  torch::NoGradGuard ng;
  res.scores = tio::to_matrix(model->full_logits(model->encode(), tio::to_long(regulators)));  // [R, N]
  res.pair_weights = model->pair_weights();
  return res;
}

}  // namespace

SupervisedResult fit_supervised(const Matrix& expr, const std::vector<int>& regulators, const LabeledPairs& train,
                                const LabeledPairs& validation, const Matrix& embeddings, const SupervisedOptions& opt,
                                Monitor* monitor) {
  return detail::guarded([&] { return fit_impl(expr, regulators, train, validation, embeddings, opt, monitor); });
}

}  // namespace grntorch
