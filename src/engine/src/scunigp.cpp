// scUniGP: global GNN branch + pairwise transformer + multi-scale fusion.
// See grntorch/scunigp.hpp for the model summary.
#include "grntorch/scunigp.hpp"
#include "grntorch/supervised.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <set>
#include <utility>

#include "graph_layers.hpp"

namespace grntorch {

namespace scunigp_gnn {

using torch::Tensor;
namespace nn = torch::nn;

struct GnnSpec {
  ScUniGPGnn kind = ScUniGPGnn::GAT;
  int64_t n_nodes = 0, in_dim = 0;
  std::vector<int> dims, tower_dims;
  int heads = 3;
  double dropout = 0.0;       // between layers and in the towers
  double attn_dropout = 0.0;  // GAT attention coefficients
  std::vector<int64_t> src, dst;  // undirected training positives (both directions), no self-loops
};

// Every level of the global branch for all genes: levels[0..L-2] the GNN
// layers' outputs (shared by both roles), tf / target the role towers' outputs
// (level L).
struct GnnOut {
  std::vector<Tensor> levels;
  Tensor tf, target;
};

nn::Sequential tower(int64_t in, const std::vector<int>& dims, double dropout) {
  nn::Sequential s;
  for (std::size_t k = 0; k < dims.size(); ++k) {
    nn::Linear lin(in, dims[k]);
    {
      // GENELink's towers (the reference's reset_parameters): Xavier-uniform, gain 1.414.
      torch::NoGradGuard ng;
      nn::init::xavier_uniform_(lin->weight, 1.414);
    }
    s->push_back(lin);
    s->push_back(nn::LeakyReLU());
    if (k + 1 < dims.size() && dropout > 0) s->push_back(nn::Dropout(dropout));
    in = dims[k];
  }
  return s;
}

// Multi-layer GAT (GENELink's attention layers: first layer concatenates its
// heads, later ones average them, no self-loops as in the paper's appendix C)
// or GCN (symmetric normalisation with self-loops, ReLU), plus TF and target
// towers.  Keeps every layer's output (multi-scale embeddings).
struct GlobalBranchImpl : nn::Module {
  explicit GlobalBranchImpl(const GnnSpec& s) : spec(s) {
    g = graph::make_graph(s.src, s.dst, s.n_nodes, /*symmetric=*/true, /*self_loops=*/false);
    if (s.kind == ScUniGPGnn::GCN) wg = graph::gcn_normalize(g);
    int64_t in = s.in_dim;
    const std::size_t L = s.dims.size();
    for (std::size_t l = 0; l < L; ++l) {
      if (s.kind == ScUniGPGnn::GAT) {
        graph::GATOptions go;
        go.in = in;
        go.out = s.dims[l];
        go.heads = s.heads;
        go.concat = (l + 1 < L);
        go.dropout = s.attn_dropout;
        go.genelink_output = true;
        go.isolated_global_mean = true;
        gat.push_back(register_module("gat" + std::to_string(l), graph::GATConv(go)));
        in = go.concat ? go.heads * go.out : go.out;
      } else {
        gcn.push_back(register_module("gcn" + std::to_string(l), graph::GCNConv(in, s.dims[l])));
        in = s.dims[l];
      }
      dims.push_back(in);
    }
    tf_tower = register_module("tf_tower", tower(in, s.tower_dims, s.dropout));
    target_tower = register_module("target_tower", tower(in, s.tower_dims, s.dropout));
    dims.push_back(s.tower_dims.back());
  }

  std::vector<int64_t> level_dims() const { return dims; }

  GnnOut forward(const Tensor& x) {
    GnnOut out;
    Tensor h = x;
    const std::size_t L = spec.dims.size();
    for (std::size_t l = 0; l < L; ++l) {
      if (l > 0 && spec.dropout > 0) h = torch::dropout(h, spec.dropout, is_training());
      // Activation between layers only, as GENELink (ELU) and GNNLink (ReLU).
      if (spec.kind == ScUniGPGnn::GAT) h = gat[l]->forward(h, g);
      else h = gcn[l]->forward(h, wg);
      if (l + 1 < L) h = spec.kind == ScUniGPGnn::GAT ? torch::elu(h) : torch::relu(h);
      out.levels.push_back(h);
    }
    out.tf = tf_tower->forward(h);
    out.target = target_tower->forward(h);
    return out;
  }

  GnnSpec spec;
  graph::Graph g;
  graph::WeightedGraph wg;
  std::vector<graph::GATConv> gat;
  std::vector<graph::GCNConv> gcn;
  nn::Sequential tf_tower{nullptr}, target_tower{nullptr};
  std::vector<int64_t> dims;
};
TORCH_MODULE(GlobalBranch);

// s_ij = h_i^(L) . h_j^(L): TF-role embedding of i times target-role embedding of j.
Tensor expert_score(const GnnOut& g, const Tensor& i, const Tensor& j) {
  return (g.tf.index_select(0, i) * g.target.index_select(0, j)).sum(1);
}

}  // namespace scunigp_gnn



namespace {

using torch::Tensor;
namespace nn = torch::nn;

// ---------------------------------------------------------------- pairwise + fusion

// Linear -> BatchNorm -> PReLU -> Dropout.
nn::Sequential block(int64_t in, int64_t out, double dropout) {
  return nn::Sequential(nn::Linear(in, out), nn::BatchNorm1d(out), nn::PReLU(), nn::Dropout(dropout));
}

struct ScUniGPNetImpl : nn::Module {
  ScUniGPNetImpl(int64_t n_cells, const ScUniGPOptions& o, const scunigp_gnn::GnnSpec* gspec)
      : opt(o), fusion(gspec ? o.fusion : ScUniGPFusion::None) {
    const int64_t d = o.d_model, F = 2 * d;
    if (gspec) gnn = register_module("gnn", scunigp_gnn::GlobalBranch(*gspec));
    proj = register_module("proj", nn::Linear(n_cells, d));
    // Role embeddings p0 (TF) and p1 (target), initialised as 0 / 1 vectors.
    role = register_parameter("role", torch::stack({torch::zeros({d}), torch::ones({d})}, 0));
    auto layer = nn::TransformerEncoderLayer(
        nn::TransformerEncoderLayerOptions(d, o.n_heads).dim_feedforward(o.dim_feedforward).dropout(o.dropout));
    encoder = register_module("encoder", nn::TransformerEncoder(nn::TransformerEncoderOptions(layer, o.n_layers)));
    if (gspec) {
      const std::vector<int64_t> dims = gnn->level_dims();  // L levels, the last = role towers
      const int64_t L = static_cast<int64_t>(dims.size());
      if (fusion == ScUniGPFusion::MultiScale) {
        fuse_i = register_module("fuse_i", nn::ModuleList());
        fuse_j = register_module("fuse_j", nn::ModuleList());
        fuse_block = register_module("fuse_block", nn::ModuleList());
        for (int64_t l = 0; l < L; ++l) {
          fuse_i->push_back(nn::Linear(dims[l], d));
          fuse_j->push_back(nn::Linear(dims[l], d));
          fuse_block->push_back(block(F + 2 * d + (l == L - 1 ? 1 : 0), F, o.dropout));
        }
      } else if (fusion == ScUniGPFusion::Early) {
        // the GNN's output embedding h^L (the last graph layer, before the role towers)
        early = register_module("early", nn::Linear(dims[L - 2], d));
      }
      if (fusion == ScUniGPFusion::MultiScale || fusion == ScUniGPFusion::Late)
        expert_w = register_parameter("expert_w", torch::ones({1}));
    }
    cls_res = register_module("cls_res", block(F, F, o.dropout));
    cls_mid = register_module("cls_mid", block(F, d, o.dropout));
    cls_out = register_module("cls_out", nn::Linear(d, 1));
    if (expert_w.defined()) {
      // Joint training starts from the pre-trained GNN's prediction (logit = s).
      torch::NoGradGuard ng;
      cls_out->weight.zero_();
      cls_out->bias.zero_();
    }
  }

  // x: genes x cells (z-scored).  i, j: pair rows (long).  g: the global
  // branch's output for all genes (unused when there is no GNN).
  Tensor forward(const Tensor& x, const Tensor& i, const Tensor& j, const scunigp_gnn::GnnOut& g) {
    const int64_t B = i.size(0);
    // Project each gene of the batch once, then gather for the pairs.
    auto uniq = at::_unique(torch::cat({i, j}), /*sorted=*/false, /*return_inverse=*/true);
    Tensor genes = std::get<0>(uniq), inv = std::get<1>(uniq);
    Tensor tok = proj->forward(x.index_select(0, genes));
    Tensor ti = tok.index_select(0, inv.slice(0, 0, B)) + role[0];
    Tensor tj = tok.index_select(0, inv.slice(0, B, 2 * B)) + role[1];
    if (fusion == ScUniGPFusion::Early) {
      // Concatenating h^L to the expression before the (linear) projection is
      // the same as adding its own projection to the token.
      ti = ti + early->forward(g.levels.back().index_select(0, i));
      tj = tj + early->forward(g.levels.back().index_select(0, j));
    }
    Tensor out = encoder->forward(torch::stack({ti, tj}, 0));  // 2 x B x d
    Tensor z = torch::cat({out[0], out[1]}, 1);                // z^(0): B x 2d
    Tensor s;
    if (fusion == ScUniGPFusion::MultiScale || fusion == ScUniGPFusion::Late)
      s = scunigp_gnn::expert_score(g, i, j);
    if (fusion == ScUniGPFusion::MultiScale) {
      const std::size_t L = fuse_block->size();
      for (std::size_t l = 0; l < L; ++l) {
        Tensor hi = (l + 1 < L) ? g.levels[l].index_select(0, i) : g.tf.index_select(0, i);
        Tensor hj = (l + 1 < L) ? g.levels[l].index_select(0, j) : g.target.index_select(0, j);
        std::vector<Tensor> parts{z, fuse_i[l]->as<nn::Linear>()->forward(hi),
                                  fuse_j[l]->as<nn::Linear>()->forward(hj)};
        if (l + 1 == L) parts.push_back(s.unsqueeze(1));  // expert score only at the last step
        z = z + fuse_block[l]->as<nn::Sequential>()->forward(torch::cat(parts, 1));
      }
    }
    z = z + cls_res->forward(z);
    Tensor logit = cls_out->forward(cls_mid->forward(z)).squeeze(1);
    // The expert score at the final decision: multi-scale (appendix C) and the
    // late-fusion ablation (a decision-level ensemble).
    if (expert_w.defined()) logit = logit + expert_w * s;
    return logit;
  }

  ScUniGPOptions opt;
  ScUniGPFusion fusion;
  scunigp_gnn::GlobalBranch gnn{nullptr};
  nn::Linear proj{nullptr}, early{nullptr}, cls_out{nullptr};
  Tensor role, expert_w;
  nn::TransformerEncoder encoder{nullptr};
  nn::ModuleList fuse_i{nullptr}, fuse_j{nullptr}, fuse_block{nullptr};
  nn::Sequential cls_res{nullptr}, cls_mid{nullptr};
};
TORCH_MODULE(ScUniGPNet);

// ---------------------------------------------------------------- helpers

std::vector<Tensor> snapshot(nn::Module& m) {
  std::vector<Tensor> s;
  for (auto& p : m.parameters()) s.push_back(p.detach().clone());
  for (auto& b : m.buffers()) s.push_back(b.detach().clone());
  return s;
}

void restore(nn::Module& m, const std::vector<Tensor>& s) {
  torch::NoGradGuard ng;
  std::size_t k = 0;
  for (auto& p : m.parameters()) p.copy_(s[k++]);
  for (auto& b : m.buffers()) b.copy_(s[k++]);
}

Tensor long_tensor(const std::vector<int>& v) {
  return torch::tensor(std::vector<int64_t>(v.begin(), v.end()), torch::kLong);
}

void check_pairs(const ScUniGPPairs& p, int n_genes, const char* what) {
  if (p.from.size() != p.to.size() || p.from.size() != p.label.size())
    throw InvalidArgument(std::string(what) + ": from, to and label lengths differ");
  bool pos = false, neg = false;
  for (std::size_t k = 0; k < p.size(); ++k) {
    if (p.from[k] < 0 || p.from[k] >= n_genes || p.to[k] < 0 || p.to[k] >= n_genes)
      throw InvalidArgument(std::string(what) + ": gene index out of range");
    if (p.label[k] == 1.0f) pos = true;
    else if (p.label[k] == 0.0f) neg = true;
    else throw InvalidArgument(std::string(what) + ": labels must be 0 or 1");
  }
  if (!pos || !neg) throw InvalidArgument(std::string(what) + ": needs both positive and negative pairs");
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

ScUniGPResult scunigp_fit(const Matrix& expr, const ScUniGPPairs& train, const ScUniGPPairs& validation,
                          const std::vector<int>& regulators, const ScUniGPOptions& o, Monitor* monitor) {
  const int n_genes = expr.rows, n_cells = expr.cols;
  if (n_genes < 2) throw InvalidArgument("expression needs at least 2 genes");
  if (n_cells < 3) throw InvalidArgument("expression needs at least 3 cells");
  if (static_cast<std::size_t>(n_genes) * n_cells != expr.data.size())
    throw InvalidArgument("expression buffer does not match its dimensions");
  check_pairs(train, n_genes, "train");
  check_pairs(validation, n_genes, "validation");
  if (regulators.empty()) throw InvalidArgument("regulators: none given");
  for (int r : regulators)
    if (r < 0 || r >= n_genes) throw InvalidArgument("regulators: index out of range");
  if (o.d_model < 1 || o.n_heads < 1 || o.d_model % o.n_heads != 0)
    throw InvalidArgument("d_model must be a positive multiple of n_heads");
  if (o.n_layers < 1 || o.dim_feedforward < 1) throw InvalidArgument("n_layers and dim_feedforward must be >= 1");
  if (o.epochs < 1 || o.batch_size < 2 || o.patience < 1) throw InvalidArgument("epochs >= 1, batch_size >= 2, patience >= 1 required");
  if (!(o.lr > 0) || !(o.dropout >= 0 && o.dropout < 1)) throw InvalidArgument("lr > 0 and dropout in [0, 1) required");
  const bool use_gnn = o.fusion != ScUniGPFusion::None;
  if (use_gnn && (o.gnn_dims.empty() || o.tower_dims.empty() || o.gat_heads < 1 || o.pretrain_batch_size < 2))
    throw InvalidArgument("GNN sizes must be non-empty and positive");

  torch::manual_seed(o.seed);
  std::mt19937_64 rng(o.seed);
  ScUniGPResult res;

  // Per-gene z-scored expression: row-major genes x cells.
  Tensor x = torch::from_blob(const_cast<float*>(expr.data.data()), {n_cells, n_genes}, torch::kFloat32)
                 .t().contiguous().to(torch::kFloat64);
  {
    Tensor mu = x.mean(1, true), sd = x.std(1, /*unbiased=*/false, true);
    Tensor zero = sd.eq(0);
    x = ((x - mu) / sd.masked_fill(zero, 1.0)).masked_fill(zero.expand_as(x), 0.0).to(torch::kFloat32);
  }

  // Training graph: undirected training positives, no self-loops.
  scunigp_gnn::GnnSpec spec;
  if (use_gnn) {
    std::set<std::pair<int, int>> edges;
    for (std::size_t k = 0; k < train.size(); ++k) {
      if (train.label[k] != 1.0f || train.from[k] == train.to[k]) continue;
      edges.insert({train.from[k], train.to[k]});
      edges.insert({train.to[k], train.from[k]});
    }
    spec.kind = o.gnn;
    spec.n_nodes = n_genes;
    spec.in_dim = n_cells;
    spec.dims = o.gnn_dims;
    spec.tower_dims = o.tower_dims;
    spec.heads = o.gat_heads;
    spec.dropout = o.gnn_dropout;
    spec.attn_dropout = o.gat_attn_dropout;
    for (const auto& e : edges) { spec.src.push_back(e.first); spec.dst.push_back(e.second); }
  }

  ScUniGPNet net(n_cells, o, use_gnn ? &spec : nullptr);
  for (const auto& p : net->parameters()) res.n_parameters += p.numel();

  const Tensor tr_i = long_tensor(train.from), tr_j = long_tensor(train.to);
  const Tensor tr_y = torch::tensor(train.label, torch::kFloat32);
  const Tensor va_i = long_tensor(validation.from), va_j = long_tensor(validation.to);
  const int64_t n_train = static_cast<int64_t>(train.size());
  const int total_steps = (use_gnn ? o.pretrain_epochs : 0) + o.epochs;
  const scunigp_gnn::GnnOut no_gnn;

  auto batches = [&](int bs) {
    std::vector<int64_t> perm(n_train);
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), rng);
    std::vector<Tensor> out;
    for (int64_t s = 0; s < n_train; s += bs) {
      int64_t e = std::min<int64_t>(n_train, s + bs);
      if (e - s < 2) break;  // batch norm needs two samples
      out.push_back(torch::tensor(std::vector<int64_t>(perm.begin() + s, perm.begin() + e), torch::kLong));
    }
    return out;
  };
  const Tensor va_y = torch::tensor(validation.label, torch::kFloat32);
  // Model selection: higher validation AUROC, ties (e.g. a tiny validation set
  // at AUROC 1) broken by lower validation BCE.
  auto better = [](double auc, double loss, double best_auc, double best_loss) {
    return auc > best_auc || (auc == best_auc && loss < best_loss);
  };
  auto to_vec = [](const Tensor& t) {
    Tensor c = t.contiguous().to(torch::kFloat32);
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  };

  // ---------------------------------------------------------------- stage 1: GNN pre-training
  auto t0 = std::chrono::steady_clock::now();
  if (use_gnn && o.pretrain_epochs > 0) {
    auto& g = net->gnn;
    torch::optim::Adam opt(g->parameters(), torch::optim::AdamOptions(o.pretrain_lr));
    double lr = o.pretrain_lr;
    double best = -1, best_loss = std::numeric_limits<double>::infinity();
    int bad = 0;
    std::vector<Tensor> best_state = snapshot(*g);
    for (int ep = 1; ep <= o.pretrain_epochs; ++ep) {
      g->train();
      double loss_sum = 0;
      int nb = 0;
      for (const Tensor& b : batches(o.pretrain_batch_size)) {
        check_interrupt(monitor);
        scunigp_gnn::GnnOut out = g->forward(x);
        Tensor s = scunigp_gnn::expert_score(out, tr_i.index_select(0, b), tr_j.index_select(0, b));
        Tensor loss = torch::binary_cross_entropy_with_logits(s, tr_y.index_select(0, b));
        opt.zero_grad();
        loss.backward();
        opt.step();
        lr *= o.pretrain_lr_decay;
        for (auto& group : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
        loss_sum += loss.item<double>();
        ++nb;
      }
      double auc, vloss;
      {
        torch::NoGradGuard ng;
        g->eval();
        scunigp_gnn::GnnOut out = g->forward(x);
        Tensor vs = scunigp_gnn::expert_score(out, va_i, va_j);
        auc = auroc(to_vec(vs), validation.label);
        vloss = torch::binary_cross_entropy_with_logits(vs, va_y).item<double>();
      }
      res.pretrain_val_auroc.push_back(auc);
      if (monitor) monitor->progress(ep, total_steps, nb ? loss_sum / nb : std::nan(""));
      if (better(auc, vloss, best, best_loss)) {
        best = auc;
        best_loss = vloss;
        bad = 0;
        res.pretrain_best_epoch = ep;
        best_state = snapshot(*g);
      } else if (++bad >= o.pretrain_patience) {
        break;
      }
    }
    restore(*g, best_state);
  }
  res.seconds_pretrain = seconds_since(t0);

  // ---------------------------------------------------------------- stage 2: joint fine-tuning
  t0 = std::chrono::steady_clock::now();
  std::vector<Tensor> gnn_params, other_params;
  {
    std::set<const void*> in_gnn;
    if (use_gnn)
      for (auto& p : net->gnn->parameters()) { gnn_params.push_back(p); in_gnn.insert(p.unsafeGetTensorImpl()); }
    for (auto& p : net->parameters())
      if (!in_gnn.count(p.unsafeGetTensorImpl())) other_params.push_back(p);
  }
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(other_params, std::make_unique<torch::optim::AdamOptions>(
                                        torch::optim::AdamOptions(o.lr).weight_decay(o.weight_decay)));
  if (!gnn_params.empty())
    groups.emplace_back(gnn_params, std::make_unique<torch::optim::AdamOptions>(
                                        torch::optim::AdamOptions(o.lr * o.gnn_lr_scale).weight_decay(o.weight_decay)));
  torch::optim::Adam opt(std::move(groups), torch::optim::AdamOptions(o.lr).weight_decay(o.weight_decay));
  torch::optim::StepLR sched(opt, std::max(1, o.lr_step), o.lr_gamma);

  auto score_pairs = [&](const Tensor& pi, const Tensor& pj) {
    torch::NoGradGuard ng;
    net->eval();
    scunigp_gnn::GnnOut g = use_gnn ? net->gnn->forward(x) : no_gnn;
    std::vector<Tensor> outs;
    const int64_t n = pi.size(0), bs = std::max(2, o.predict_batch_size);
    for (int64_t s = 0; s < n; s += bs) {
      check_interrupt(monitor);
      int64_t e = std::min(n, s + bs);
      outs.push_back(net->forward(x, pi.slice(0, s, e), pj.slice(0, s, e), g));
    }
    return torch::cat(outs);
  };

  double best = -1, best_loss = std::numeric_limits<double>::infinity();
  int bad = 0;
  std::vector<Tensor> best_state = snapshot(*net);
  const int offset = use_gnn ? static_cast<int>(res.pretrain_val_auroc.size()) : 0;
  for (int ep = 1; ep <= o.epochs; ++ep) {
    net->train();
    double loss_sum = 0;
    int nb = 0;
    for (const Tensor& b : batches(o.batch_size)) {
      check_interrupt(monitor);
      scunigp_gnn::GnnOut g = use_gnn ? net->gnn->forward(x) : no_gnn;
      Tensor logit = net->forward(x, tr_i.index_select(0, b), tr_j.index_select(0, b), g);
      Tensor loss = torch::binary_cross_entropy_with_logits(logit, tr_y.index_select(0, b));
      opt.zero_grad();
      loss.backward();
      opt.step();
      loss_sum += loss.item<double>();
      ++nb;
    }
    sched.step();
    const Tensor vlogit = score_pairs(va_i, va_j);
    const double auc = auroc(to_vec(vlogit), validation.label);
    const double vloss = torch::binary_cross_entropy_with_logits(vlogit, va_y).item<double>();
    res.val_auroc.push_back(auc);
    res.train_loss.push_back(nb ? loss_sum / nb : std::nan(""));
    if (monitor) monitor->progress(std::min(total_steps, offset + ep), total_steps, res.train_loss.back());
    if (!std::isfinite(res.train_loss.back())) throw std::runtime_error("scUniGP training diverged (non-finite loss); try a smaller lr");
    if (better(auc, vloss, best, best_loss)) {
      best = auc;
      best_loss = vloss;
      bad = 0;
      res.best_epoch = ep;
      best_state = snapshot(*net);
    } else if (++bad >= o.patience) {
      break;
    }
  }
  restore(*net, best_state);
  res.best_val_auroc = best;
  res.seconds_train = seconds_since(t0);

  // ---------------------------------------------------------------- prediction
  t0 = std::chrono::steady_clock::now();
  const int64_t R = static_cast<int64_t>(regulators.size());
  // Column-major R x genes: element (r, g) at r + R * g, i.e. row-major genes x R.
  Tensor pj = torch::arange(n_genes, torch::kLong).repeat_interleave(R);
  Tensor pi = long_tensor(regulators).repeat({n_genes});
  Tensor logits = score_pairs(pi, pj).contiguous().to(torch::kFloat32);
  res.logits = Matrix(static_cast<int>(R), n_genes);
  std::memcpy(res.logits.data.data(), logits.data_ptr<float>(), res.logits.data.size() * sizeof(float));
  if (use_gnn) {
    torch::NoGradGuard ng;
    net->eval();
    scunigp_gnn::GnnOut g = net->gnn->forward(x);
    Tensor ex = scunigp_gnn::expert_score(g, pi, pj).contiguous().to(torch::kFloat32);
    res.expert_logits = Matrix(static_cast<int>(R), n_genes);
    std::memcpy(res.expert_logits.data.data(), ex.data_ptr<float>(), res.expert_logits.data.size() * sizeof(float));
  }
  res.seconds_predict = seconds_since(t0);
  return res;
}

}  // namespace grntorch
