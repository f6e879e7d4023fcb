// GENELink, GNNLink, scRegNet and scTransNet on the shared graph toolkit.
#include "grntorch/supervised.hpp"

#include "graph_layers.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <numeric>
#include <unordered_set>

namespace grntorch {

namespace g = graph;

// ---- metrics -------------------------------------------------------------------

double auroc(const std::vector<float>& score, const std::vector<float>& label) {
  const std::size_t n = score.size();
  std::vector<std::size_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return score[a] < score[b]; });
  double pos = 0, rank_sum = 0;
  std::size_t i = 0;
  while (i < n) {
    std::size_t j = i;
    while (j + 1 < n && score[idx[j + 1]] == score[idx[i]]) ++j;
    const double avg = 0.5 * static_cast<double>(i + j) + 1.0;
    for (std::size_t k = i; k <= j; ++k)
      if (label[idx[k]] > 0.5f) {
        rank_sum += avg;
        pos += 1;
      }
    i = j + 1;
  }
  const double neg = static_cast<double>(n) - pos;
  if (pos == 0 || neg == 0) return std::numeric_limits<double>::quiet_NaN();
  return (rank_sum - pos * (pos + 1) / 2) / (pos * neg);
}

double average_precision(const std::vector<float>& score, const std::vector<float>& label) {
  const std::size_t n = score.size();
  std::vector<std::size_t> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
  double P = 0;
  for (float l : label) P += l > 0.5f;
  if (P == 0) return std::numeric_limits<double>::quiet_NaN();
  double tp = 0, fp = 0, ap = 0, prev_recall = 0;
  std::size_t i = 0;
  while (i < n) {
    std::size_t j = i;
    while (j + 1 < n && score[idx[j + 1]] == score[idx[i]]) ++j;
    for (std::size_t k = i; k <= j; ++k) (label[idx[k]] > 0.5f ? tp : fp) += 1;
    const double recall = tp / P;
    ap += (recall - prev_recall) * tp / (tp + fp);
    prev_recall = recall;
    i = j + 1;
  }
  return ap;
}

namespace {

torch::Tensor to_long(const std::vector<int>& v) {
  std::vector<int64_t> w(v.begin(), v.end());
  return torch::tensor(w, torch::kLong);
}

// Rows of a genes x k column-major matrix as a [genes, k] tensor, each column
// (axis = 0) or each row (axis = 1) standardised to mean 0, sd 1 (sd 0 -> 0).
torch::Tensor standardized(const Matrix& m, int axis) {
  auto t = torch::from_blob(const_cast<float*>(m.data.data()), {m.cols, m.rows}, torch::kFloat32).t().contiguous();
  auto x = t.to(torch::kFloat64);
  auto mu = x.mean(axis, true);
  auto sd = (x - mu).pow(2).mean(axis, true).sqrt();
  auto zero = sd.eq(0);
  x = (x - mu) / sd.masked_fill(zero, 1.0);
  x.masked_fill_(zero.expand_as(x), 0.0);
  return x.to(torch::kFloat32);
}

// A link predictor: encode() gives per-node representations, logits() turns
// the representations of (from, to) pairs into one logit per pair.
struct LinkModel : torch::nn::Module {
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
    t = torch::dropout(t, tower_dropout, is_training());
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
    h = torch::dropout(h, dropout, is_training());
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
      h = torch::dropout(h, dropout, is_training());
      return gcn2->forward(h, wgraph);
    }
    if (kind == GNNKind::GAT) {
      h = torch::elu(gat1->forward(x, graph));
      h = torch::dropout(h, dropout, is_training());
      return gat2->forward(h, graph);
    }
    h = torch::relu(sage1->forward(x, graph));
    h = torch::dropout(h, dropout, is_training());
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
    h = torch::dropout(torch::relu(h), dropout, is_training());
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

void check_pairs(const LabeledPairs& p, int n_genes, const char* what) {
  if (p.from.size() != p.to.size() || p.from.size() != p.label.size())
    throw InvalidArgument(std::string(what) + ": from, to and label differ in length");
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p.from[i] < 0 || p.from[i] >= n_genes || p.to[i] < 0 || p.to[i] >= n_genes)
      throw InvalidArgument(std::string(what) + ": gene index out of range");
    if (!(p.label[i] == 0.0f || p.label[i] == 1.0f)) throw InvalidArgument(std::string(what) + ": labels must be 0 or 1");
  }
}

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

}  // namespace

SupervisedResult fit_supervised(const Matrix& expr, const std::vector<int>& regulators, const LabeledPairs& train,
                                const LabeledPairs& validation, const Matrix& embeddings, const SupervisedOptions& opt,
                                Monitor* monitor) {
  const int N = expr.rows, C = expr.cols;
  if (N < 2 || C < 2) throw InvalidArgument("expression needs at least 2 genes and 2 cells");
  if (static_cast<std::size_t>(N) * C != expr.data.size()) throw InvalidArgument("expression buffer does not match its dimensions");
  if (regulators.empty()) throw InvalidArgument("no regulators given");
  for (int r : regulators)
    if (r < 0 || r >= N) throw InvalidArgument("regulator index out of range");
  check_pairs(train, N, "train");
  check_pairs(validation, N, "validation");
  double npos = 0;
  for (float l : train.label) npos += l;
  if (npos == 0) throw InvalidArgument("train: no positive pairs");
  if (npos == static_cast<double>(train.size())) throw InvalidArgument("train: no negative pairs");
  if (opt.epochs < 1 || opt.batch_size < 1 || !(opt.lr > 0)) throw InvalidArgument("epochs, batch_size and lr must be positive");
  const bool needs_emb = opt.model == SupervisedModel::ScRegNet || opt.model == SupervisedModel::ScTransNet;
  if (needs_emb && (embeddings.rows != N || embeddings.cols < 1))
    throw InvalidArgument("embeddings must have one row per gene");
  std::vector<int> hidden = opt.hidden.empty() ? default_hidden(opt.model) : opt.hidden;
  if (hidden.size() != default_hidden(opt.model).size()) throw InvalidArgument("hidden has the wrong number of sizes");
  for (int h : hidden)
    if (h < 1) throw InvalidArgument("hidden sizes must be >= 1");
  const double dropout = opt.dropout < 0 ? default_dropout(opt.model) : opt.dropout;

  torch::manual_seed(opt.seed);
  auto x = standardized(expr, 1);  // [genes, cells], each gene z-scored across cells

  // Graph: undirected training positives, no self-loops.
  std::vector<int64_t> src, dst;
  for (std::size_t i = 0; i < train.size(); ++i)
    if (train.label[i] == 1.0f && train.from[i] != train.to[i]) {
      src.push_back(train.from[i]);
      dst.push_back(train.to[i]);
    }
  g::Graph graph = g::make_graph(src, dst, N, true, false);

  std::shared_ptr<LinkModel> model;
  switch (opt.model) {
    case SupervisedModel::GENELink:
      model = std::make_shared<GENELinkNet>(x, graph, hidden, opt.heads, dropout);
      break;
    case SupervisedModel::GNNLink:
      model = std::make_shared<GNNLinkNet>(x, graph, hidden, dropout);
      break;
    case SupervisedModel::ScRegNet:
      model = std::make_shared<ScRegNetNet>(x, standardized(embeddings, 0), graph, opt.gnn, hidden, opt.heads, dropout);
      break;
    case SupervisedModel::ScTransNet: {
      // Node types: regulator (0) or not (1); relation types: regulator -> target
      // as in the training positives (0), the reverse direction (1), self (2).
      std::vector<int64_t> nt(N, 1);
      for (int r : regulators) nt[r] = 0;
      for (std::size_t i = 0; i < train.size(); ++i) nt[train.from[i]] = 0;
      std::unordered_set<int64_t> pos;
      for (std::size_t i = 0; i < src.size(); ++i) pos.insert(src[i] * N + dst[i]);
      auto gl = g::add_self_loops(graph);
      auto s = gl.src.accessor<int64_t, 1>();
      auto t = gl.dst.accessor<int64_t, 1>();
      std::vector<int64_t> et(gl.num_edges());
      for (int64_t e = 0; e < gl.num_edges(); ++e)
        et[e] = s[e] == t[e] ? 2 : (pos.count(s[e] * N + t[e]) ? 0 : 1);
      model = std::make_shared<ScTransNetNet>(x, standardized(embeddings, 0), gl, torch::tensor(nt), torch::tensor(et),
                                              hidden, std::max(1, std::min(opt.heads, 1)), dropout);
      break;
    }
  }

  torch::optim::Adam optim(model->parameters(), torch::optim::AdamOptions(opt.lr).weight_decay(opt.weight_decay));
  auto tr_from = to_long(train.from), tr_to = to_long(train.to);
  auto tr_y = torch::tensor(train.label, torch::kFloat32);
  auto va_from = to_long(validation.from), va_to = to_long(validation.to);
  const int64_t n_train = static_cast<int64_t>(train.size());

  SupervisedResult res;
  double best = -1, best_loss = std::numeric_limits<double>::infinity();
  int since_best = 0;
  std::vector<torch::Tensor> best_params;
  auto va_y = torch::tensor(validation.label, torch::kFloat32);
  auto params = model->parameters();
  double lr = opt.lr;
  for (int epoch = 1; epoch <= opt.epochs; ++epoch) {
    model->train();
    auto perm = torch::randperm(n_train, torch::kLong);
    double loss_sum = 0;
    int n_batches = 0;
    for (int64_t b0 = 0; b0 < n_train; b0 += opt.batch_size) {
      check_interrupt(monitor);
      auto idx = perm.slice(0, b0, std::min(n_train, b0 + opt.batch_size));
      auto enc = model->encode();
      auto lg = model->logits(enc, g::gather_rows(tr_from, idx), g::gather_rows(tr_to, idx));
      auto loss = torch::binary_cross_entropy_with_logits(lg, g::gather_rows(tr_y, idx));
      optim.zero_grad();
      loss.backward();
      optim.step();
      lr *= opt.lr_decay;
      for (auto& group : optim.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
      loss_sum += loss.item<double>();
      ++n_batches;
    }
    const double mean_loss = loss_sum / std::max(1, n_batches);
    if (!std::isfinite(mean_loss)) throw std::runtime_error("training diverged (non-finite loss); try a smaller lr");
    res.train_loss.push_back(mean_loss);
    res.epochs_run = epoch;
    bool improved = true;
    if (validation.size() > 0) {
      model->eval();
      torch::NoGradGuard ng;
      auto lg = model->logits(model->encode(), va_from, va_to).contiguous();
      std::vector<float> sc(lg.data_ptr<float>(), lg.data_ptr<float>() + lg.numel());
      const double auc = auroc(sc, validation.label);
      const double vloss = torch::binary_cross_entropy_with_logits(lg, va_y).item<double>();
      res.val_auroc.push_back(auc);
      res.val_loss.push_back(vloss);
      // Ties (small validation sets reach AUROC 1 early) go to the lower validation loss.
      improved = std::isfinite(auc) && (auc > best || (auc == best && vloss < best_loss));
      if (improved) {
        best = auc;
        best_loss = vloss;
      }
    }
    if (improved) {
      res.best_epoch = epoch;
      since_best = 0;
      if (opt.select_best && validation.size() > 0) {
        best_params.clear();
        for (auto& p : params) best_params.push_back(p.detach().clone());
      }
    } else {
      ++since_best;
    }
    if (monitor) monitor->progress(epoch, opt.epochs, mean_loss);
    if (opt.patience > 0 && since_best >= opt.patience) break;
  }
  if (!best_params.empty()) {
    torch::NoGradGuard ng;
    for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(best_params[i]);
  }
  if (validation.size() == 0 || !opt.select_best) res.best_epoch = res.epochs_run;

  // Every regulator -> gene pair.
  model->eval();
  torch::NoGradGuard ng;
  auto regs = to_long(regulators);
  auto logit = model->all_logits(model->encode(), regs);  // [R, N]
  auto out_t = logit.t().contiguous();  // row-major [N, R] == column-major R x N
  res.scores = Matrix(static_cast<int>(regulators.size()), N);
  std::memcpy(res.scores.data.data(), out_t.data_ptr<float>(), res.scores.data.size() * sizeof(float));
  return res;
}

}  // namespace grntorch
