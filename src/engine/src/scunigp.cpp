// scUniGP: global GNN branch + pairwise transformer + multi-scale fusion.
// See grntorch/scunigp.hpp for the model summary.
#include "grntorch/scunigp.hpp"

#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <utility>

#include "checks.hpp"
#include "errors.hpp"
#include "graph_layers.hpp"
#include "link_trainer.hpp"
#include "random_streams.hpp"
#include "tensor_io.hpp"

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
      if (l > 0 && spec.dropout > 0) h = graph::inverted_dropout(h, spec.dropout, is_training());
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

// ---------------------------------------------------------------- scunigp_fit in steps

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void check_inputs(const Matrix& expr, const LabeledPairs& train, const LabeledPairs& validation,
                  const std::vector<int>& regulators, const ScUniGPOptions& o) {
  detail::check_expression(expr, {"scUniGP", /*min_genes=*/2, /*min_cells=*/3, /*finite=*/false, /*some_regulators=*/true},
                           regulators);
  check_pairs(train, expr.rows, "train", /*need_both_classes=*/true);
  check_pairs(validation, expr.rows, "validation", /*need_both_classes=*/true);
  if (o.d_model < 1 || o.n_heads < 1 || o.d_model % o.n_heads != 0)
    throw InvalidArgument("d_model must be a positive multiple of n_heads");
  if (o.n_layers < 1 || o.dim_feedforward < 1) throw InvalidArgument("n_layers and dim_feedforward must be >= 1");
  if (o.epochs < 1 || o.batch_size < 2 || o.patience < 0 || o.pretrain_patience < 0)
    throw InvalidArgument("epochs >= 1, batch_size >= 2, patience >= 0 and pretrain_patience >= 0 required");
  if (o.cell_features < 0) throw InvalidArgument("cell_features must be >= 0 (0 = every cell)");
  if (!(o.lr > 0) || !(o.dropout >= 0 && o.dropout < 1)) throw InvalidArgument("lr > 0 and dropout in [0, 1) required");
  const bool use_gnn = o.fusion != ScUniGPFusion::None;
  auto positive = [](const std::vector<int>& v) {
    return !v.empty() && std::all_of(v.begin(), v.end(), [](int d) { return d >= 1; });
  };
  if (use_gnn && (!positive(o.gnn_dims) || !positive(o.tower_dims) || o.gat_heads < 1 || o.pretrain_batch_size < 1))
    throw InvalidArgument("GNN sizes must be non-empty and positive");
}

// The global branch over the undirected training positives, no self-loops.
scunigp_gnn::GnnSpec gnn_spec(const LabeledPairs& train, int n_genes, int n_cells, const ScUniGPOptions& o) {
  std::set<std::pair<int, int>> edges;
  for (std::size_t k = 0; k < train.size(); ++k) {
    if (train.label[k] != 1.0f || train.from[k] == train.to[k]) continue;
    edges.insert({train.from[k], train.to[k]});
    edges.insert({train.to[k], train.from[k]});
  }
  scunigp_gnn::GnnSpec spec;
  spec.kind = o.gnn;
  spec.n_nodes = n_genes;
  spec.in_dim = n_cells;
  spec.dims = o.gnn_dims;
  spec.tower_dims = o.tower_dims;
  spec.heads = o.gat_heads;
  spec.dropout = o.gnn_dropout;
  spec.attn_dropout = o.gat_attn_dropout;
  for (const auto& e : edges) {
    spec.src.push_back(e.first);
    spec.dst.push_back(e.second);
  }
  return spec;
}

// What both stages share: the data and the model.
struct Fit {
  const ScUniGPOptions& o;
  Monitor* monitor;
  Tensor x;  // [genes, cells], z-scored
  link::PairTensors train, validation;
  bool use_gnn;
  ScUniGPNet net{nullptr};
  int total_steps = 0;
  scunigp_gnn::GnnOut no_gnn;

  scunigp_gnn::GnnOut gnn_out() { return use_gnn ? net->gnn->forward(x) : no_gnn; }

  // Logits of pairs (i, j) in eval mode, in chunks of predict_batch_size.
  Tensor score_pairs(const Tensor& pi, const Tensor& pj) {
    torch::NoGradGuard ng;
    net->eval();
    scunigp_gnn::GnnOut g = gnn_out();
    std::vector<Tensor> outs;
    const int64_t n = pi.size(0), bs = std::max(2, o.predict_batch_size);
    for (int64_t s = 0; s < n; s += bs) {
      check_interrupt(monitor);
      int64_t e = std::min(n, s + bs);
      outs.push_back(net->forward(x, pi.slice(0, s, e), pj.slice(0, s, e), g));
    }
    return torch::cat(outs);
  }
};

// Stage 1: the global branch alone on the expert score (GENELink's recipe:
// Adam decayed per step, best validation AUROC kept).
void pretrain(Fit& f, ScUniGPResult& res) {
  const ScUniGPOptions& o = f.o;
  auto& g = f.net->gnn;
  torch::optim::Adam opt(g->parameters(), torch::optim::AdamOptions(o.pretrain_lr));
  link::LinkTask task;
  task.module = g.ptr().get();
  task.optimizer = &opt;
  task.train_logits = [&](const Tensor& i, const Tensor& j) { return scunigp_gnn::expert_score(g->forward(f.x), i, j); };
  task.validation_logits = [&] {
    return scunigp_gnn::expert_score(g->forward(f.x), f.validation.from, f.validation.to);
  };
  link::TrainerOptions to = link::stage_options(o.pretrain_epochs, o.pretrain_batch_size, o.pretrain_lr_decay,
                                                o.pretrain_patience, "scUniGP pre-training");
  to.progress_total = f.total_steps;
  to.advice = "try a smaller pretrain_lr";
  const link::History h = link::train_link_predictor(task, f.train, f.validation, to, f.monitor);
  res.pretrain_val_auroc = h.val_auroc;
  res.pretrain_best_epoch = h.best_epoch;
  res.phase_seconds += h.seconds;
}

// Adam over two groups: the new parts at lr, the pre-trained GNN at lr * gnn_lr_scale.
std::unique_ptr<torch::optim::Adam> joint_optimizer(Fit& f) {
  const ScUniGPOptions& o = f.o;
  std::vector<Tensor> gnn_params, other_params;
  std::set<const void*> in_gnn;
  if (f.use_gnn)
    for (auto& p : f.net->gnn->parameters()) {
      gnn_params.push_back(p);
      in_gnn.insert(p.unsafeGetTensorImpl());
    }
  for (auto& p : f.net->parameters())
    if (!in_gnn.count(p.unsafeGetTensorImpl())) other_params.push_back(p);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  groups.emplace_back(other_params, std::make_unique<torch::optim::AdamOptions>(
                                        torch::optim::AdamOptions(o.lr).weight_decay(o.weight_decay)));
  if (!gnn_params.empty())
    groups.emplace_back(gnn_params, std::make_unique<torch::optim::AdamOptions>(
                                        torch::optim::AdamOptions(o.lr * o.gnn_lr_scale).weight_decay(o.weight_decay)));
  return std::make_unique<torch::optim::Adam>(std::move(groups),
                                              torch::optim::AdamOptions(o.lr).weight_decay(o.weight_decay));
}

// Stage 2: the whole model, step lr schedule per epoch, early stopping.
void joint_train(Fit& f, ScUniGPResult& res) {
  const ScUniGPOptions& o = f.o;
  auto opt = joint_optimizer(f);
  torch::optim::StepLR sched(*opt, std::max(1, o.lr_step), o.lr_gamma);
  link::LinkTask task;
  task.module = f.net.ptr().get();
  task.optimizer = opt.get();
  task.train_logits = [&](const Tensor& i, const Tensor& j) { return f.net->forward(f.x, i, j, f.gnn_out()); };
  task.validation_logits = [&] { return f.score_pairs(f.validation.from, f.validation.to); };
  task.on_epoch_end = [&] { sched.step(); };
  link::TrainerOptions to = link::stage_options(o.epochs, o.batch_size, 1.0, o.patience, "scUniGP");
  to.min_batch = 2;  // BatchNorm
  to.stage = f.use_gnn ? "scUniGP joint training" : "scUniGP training";
  to.progress_offset = static_cast<int>(res.pretrain_val_auroc.size());
  to.progress_total = f.total_steps;
  const link::History h = link::train_link_predictor(task, f.train, f.validation, to, f.monitor);
  res.val_auroc = h.val_auroc;
  res.train_loss = h.train_loss;
  res.best_epoch = h.best_epoch;
  res.best_val_auroc = h.best_val_auroc;
  res.phase_seconds += h.seconds;
}

// Every regulator x gene pair, column-major R x genes: element (r, g) at r + R * g.
void predict(Fit& f, const std::vector<int>& regulators, int n_genes, ScUniGPResult& res) {
  const int64_t R = static_cast<int64_t>(regulators.size());
  Tensor pj = torch::arange(n_genes, torch::kLong).repeat_interleave(R);
  Tensor pi = tio::to_long(regulators).repeat({n_genes});
  res.logits = tio::colmajor_to_matrix(f.score_pairs(pi, pj), static_cast<int>(R), n_genes);
  if (!f.use_gnn) return;
  torch::NoGradGuard ng;
  f.net->eval();
  scunigp_gnn::GnnOut g = f.net->gnn->forward(f.x);
  res.expert_logits = tio::colmajor_to_matrix(scunigp_gnn::expert_score(g, pi, pj), static_cast<int>(R), n_genes);
}

ScUniGPResult fit_impl(const Matrix& expr, const LabeledPairs& train, const LabeledPairs& validation,
                       const std::vector<int>& regulators, const ScUniGPOptions& o, Monitor* monitor) {
  check_inputs(expr, train, validation, regulators, o);
  const int n_genes = expr.rows;
  detail::SeedScope seeds(o.seed);  // the engine's random-stream rule (random_streams.hpp)
  // With more cells than o.cell_features: the top principal components of the
  // cell axis instead (link::cell_axis_features).
  link::CellFeatures cf = link::cell_axis_features(link::standardized(expr, 1, link::SdFormula::Std), o.cell_features, o.seed);
  const int n_cells = static_cast<int>(cf.features);  // input width of the projection and the GNN
  Fit f{o, monitor, cf.x, link::pair_tensors(train), link::pair_tensors(validation),
        o.fusion != ScUniGPFusion::None};
  scunigp_gnn::GnnSpec spec;
  if (f.use_gnn) spec = gnn_spec(train, n_genes, n_cells, o);
  f.net = ScUniGPNet(n_cells, o, f.use_gnn ? &spec : nullptr);
  f.total_steps = (f.use_gnn ? o.pretrain_epochs : 0) + o.epochs;
  ScUniGPResult res;
  res.input_features = n_cells;
  res.cell_variance_kept = cf.variance_kept;
  for (const auto& p : f.net->parameters()) res.n_parameters += p.numel();

  auto t0 = std::chrono::steady_clock::now();
  if (f.use_gnn && o.pretrain_epochs > 0) pretrain(f, res);
  res.seconds_pretrain = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  joint_train(f, res);
  res.seconds_train = seconds_since(t0);
  t0 = std::chrono::steady_clock::now();
  predict(f, regulators, n_genes, res);
  res.seconds_predict = seconds_since(t0);
  return res;
}

}  // namespace

ScUniGPResult scunigp_fit(const Matrix& expr, const LabeledPairs& train, const LabeledPairs& validation,
                          const std::vector<int>& regulators, const ScUniGPOptions& o, Monitor* monitor) {
  return detail::guarded([&] { return fit_impl(expr, train, validation, regulators, o, monitor); });
}

}  // namespace grntorch
