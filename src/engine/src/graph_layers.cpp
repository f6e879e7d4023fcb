#include "graph_layers.hpp"

#include "grntorch/common.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

namespace grntorch {
namespace graph {

namespace {

struct QuietWarnings : c10::WarningHandler {
  void process(const c10::SourceLocation&, const std::string&, const bool) override {}
};

torch::Tensor long_tensor(const std::vector<int64_t>& v) {
  return torch::tensor(v, torch::TensorOptions().dtype(torch::kLong));
}

// [E] or [E, H] index expanded to the shape of values for scatter_reduce.
torch::Tensor expand_index(const torch::Tensor& index, const torch::Tensor& values) {
  auto idx = index;
  for (int64_t d = 1; d < values.dim(); ++d) idx = idx.unsqueeze(-1);
  return idx.expand_as(values);
}

}  // namespace

Graph make_graph(const std::vector<int64_t>& src, const std::vector<int64_t>& dst, int64_t num_nodes,
                 bool symmetric, bool self_loops) {
  if (src.size() != dst.size()) throw InvalidArgument("graph: src and dst differ in length");
  if (num_nodes < 1) throw InvalidArgument("graph: num_nodes must be >= 1");
  std::vector<std::pair<int64_t, int64_t>> e;
  e.reserve(src.size() * (symmetric ? 2 : 1) + (self_loops ? num_nodes : 0));
  for (std::size_t i = 0; i < src.size(); ++i) {
    const int64_t s = src[i], t = dst[i];
    if (s < 0 || s >= num_nodes || t < 0 || t >= num_nodes) throw InvalidArgument("graph: node index out of range");
    if (self_loops && s == t) continue;
    e.emplace_back(s, t);
    if (symmetric && s != t) e.emplace_back(t, s);
  }
  if (self_loops)
    for (int64_t n = 0; n < num_nodes; ++n) e.emplace_back(n, n);
  // Sort by destination (then source) and deduplicate.
  std::sort(e.begin(), e.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second < b.second : a.first < b.first;
  });
  e.erase(std::unique(e.begin(), e.end()), e.end());
  std::vector<int64_t> s(e.size()), t(e.size());
  for (std::size_t i = 0; i < e.size(); ++i) {
    s[i] = e[i].first;
    t[i] = e[i].second;
  }
  Graph g;
  g.src = long_tensor(s);
  g.dst = long_tensor(t);
  g.num_nodes = num_nodes;
  // Permutation that orders the edges by (src, dst), for A^T products.
  std::vector<int64_t> perm(e.size());
  std::iota(perm.begin(), perm.end(), 0);
  std::sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) {
    return s[a] != s[b] ? s[a] < s[b] : t[a] < t[b];
  });
  g.t_perm = long_tensor(perm);
  return g;
}

Graph add_self_loops(const Graph& g) {
  auto s = g.src.contiguous();
  auto t = g.dst.contiguous();
  std::vector<int64_t> vs(s.data_ptr<int64_t>(), s.data_ptr<int64_t>() + s.numel());
  std::vector<int64_t> vt(t.data_ptr<int64_t>(), t.data_ptr<int64_t>() + t.numel());
  return make_graph(vs, vt, g.num_nodes, false, true);
}

torch::Tensor in_degree(const Graph& g) {
  return torch::zeros({g.num_nodes}, torch::kFloat32)
      .index_add_(0, g.dst, torch::ones({g.num_edges()}, torch::kFloat32));
}

torch::Tensor gather_rows(const torch::Tensor& x, const torch::Tensor& index) {
  return x.index_select(0, index);
}

torch::Tensor scatter_sum(const torch::Tensor& values, const torch::Tensor& index, int64_t num_nodes) {
  auto sizes = values.sizes().vec();
  sizes[0] = num_nodes;
  return torch::zeros(sizes, values.options()).index_add(0, index, values);
}

namespace {

// Sparse [rows x cols] COO matrix whose (row, col) indices are already sorted
// row-major and unique (so it is marked coalesced without sorting).
torch::Tensor sorted_coo(const torch::Tensor& row, const torch::Tensor& col, const torch::Tensor& values, int64_t rows,
                         int64_t cols) {
  return at::_sparse_coo_tensor_unsafe(torch::stack({row, col}), values, {rows, cols})._coalesced_(true);
}

// out = A x with A[dst, src] = values: a sparse-dense product (LibTorch's
// CPU kernel is ~7x faster than index_select + index_add), with gradients
// for both the edge values (per-edge dot products) and x (A^T grad).
struct SpMMFn : public torch::autograd::Function<SpMMFn> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor values, torch::Tensor x,
                               torch::Tensor src, torch::Tensor dst, torch::Tensor t_perm) {
    ctx->save_for_backward({values, x, src, dst, t_perm});
    return torch::mm(sorted_coo(dst, src, values, x.size(0), x.size(0)), x);
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto saved = ctx->get_saved_variables();
    auto values = saved[0], x = saved[1], src = saved[2], dst = saved[3], perm = saved[4];
    auto g = grads[0].contiguous();
    torch::Tensor gv, gx;
    if (ctx->needs_input_grad(0)) gv = (g.index_select(0, dst) * x.index_select(0, src)).sum(1);
    if (ctx->needs_input_grad(1)) {
      gx = torch::mm(sorted_coo(src.index_select(0, perm), dst.index_select(0, perm), values.index_select(0, perm),
                                x.size(0), x.size(0)),
                     g);
    }
    return {gv, gx, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor spmm(const Graph& g, const torch::Tensor& values, const torch::Tensor& x) {
  if (x.size(0) != g.num_nodes) throw InvalidArgument("spmm: features and graph differ in node count");
  return SpMMFn::apply(values.contiguous(), x.contiguous(), g.src, g.dst, g.t_perm);
}

torch::Tensor segment_softmax(const torch::Tensor& scores, const torch::Tensor& index, int64_t num_nodes) {
  auto sizes = scores.sizes().vec();
  sizes[0] = num_nodes;
  torch::Tensor mx;
  {
    torch::NoGradGuard ng;  // the max only stabilises; the softmax does not depend on it
    // scatter_reduce is marked beta in LibTorch 1.13 and says so once on
    // stderr; keep that notice away from users.
    QuietWarnings quiet;
    c10::Warning::WarningHandlerGuard guard(&quiet);
    mx = torch::full(sizes, -std::numeric_limits<float>::infinity(), scores.options())
             .scatter_reduce(0, expand_index(index, scores), scores.detach(), "amax", true);
    mx = torch::where(torch::isfinite(mx), mx, torch::zeros_like(mx));
  }
  auto ex = (scores - gather_rows(mx, index)).exp();
  auto den = scatter_sum(ex, index, num_nodes);
  return ex / gather_rows(den, index).clamp_min(1e-16);
}

WeightedGraph gcn_normalize(const Graph& g) {
  WeightedGraph w;
  w.graph = add_self_loops(g);
  auto deg = in_degree(w.graph);  // >= 1 thanks to the self-loops
  auto dinv = deg.pow(-0.5);
  w.weight = gather_rows(dinv, w.graph.src) * gather_rows(dinv, w.graph.dst);
  return w;
}

torch::Tensor propagate(const torch::Tensor& x, const Graph& g, const torch::Tensor& weight) {
  auto w = weight.defined() ? weight : torch::ones({g.num_edges()}, x.options());
  if (x.dim() == 2) return spmm(g, w, x);
  auto flat = x.reshape({x.size(0), -1});
  auto sizes = x.sizes().vec();
  return spmm(g, w, flat).view(sizes);
}

// ---- GCN ---------------------------------------------------------------------

GCNConvImpl::GCNConvImpl(int64_t in, int64_t out, bool use_bias) {
  lin = register_module("lin", torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(false)));
  torch::nn::init::xavier_uniform_(lin->weight);
  if (use_bias) bias = register_parameter("bias", torch::zeros({out}));
}

torch::Tensor GCNConvImpl::forward(const torch::Tensor& x, const WeightedGraph& g) {
  auto h = lin->forward(x);
  auto out = propagate(h, g.graph, g.weight);
  if (bias.defined()) out = out + bias;
  return out;
}

// ---- GAT ---------------------------------------------------------------------

GATConvImpl::GATConvImpl(const GATOptions& o) : opt(o) {
  if (o.in < 1 || o.out < 1 || o.heads < 1) throw InvalidArgument("GAT: in, out and heads must be >= 1");
  weight = register_parameter("weight", torch::empty({o.in, o.heads * o.out}));
  att_src = register_parameter("att_src", torch::empty({o.heads, o.out}));
  att_dst = register_parameter("att_dst", torch::empty({o.heads, o.out}));
  {
    torch::NoGradGuard ng;
    // Xavier-uniform with gain 1.414 (GENELink / pyGAT), per head.
    const double gain = 1.414;
    const double bw = gain * std::sqrt(6.0 / static_cast<double>(o.in + o.out));
    weight.uniform_(-bw, bw);
    const double ba = gain * std::sqrt(6.0 / static_cast<double>(2 * o.out + 1));
    att_src.uniform_(-ba, ba);
    att_dst.uniform_(-ba, ba);
  }
  if (o.bias) {
    const int64_t nb = (o.concat || o.genelink_output) ? o.heads * o.out : o.out;
    bias = register_parameter("bias", torch::zeros({nb}));
  }
}

torch::Tensor GATConvImpl::forward(const torch::Tensor& x, const Graph& g) {
  const int64_t N = x.size(0), H = opt.heads, F = opt.out;
  if (N != g.num_nodes) throw InvalidArgument("GAT: features and graph differ in node count");
  auto h = torch::mm(x, weight).view({N, H, F});
  // a . (W x) = (W a) . x: fold the attention vectors into the weight first
  // (C x 2H instead of elementwise work on [N, H, F]).
  auto w3 = weight.view({opt.in, H, F});
  auto wa = torch::cat({(w3 * att_src.unsqueeze(0)).sum(-1), (w3 * att_dst.unsqueeze(0)).sum(-1)}, 1);  // [C, 2H]
  auto s_both = torch::mm(x, wa);
  auto s_src = s_both.slice(1, 0, H);  // [N, H]
  auto s_dst = s_both.slice(1, H, 2 * H);
  auto e = torch::leaky_relu(gather_rows(s_src, g.src) + gather_rows(s_dst, g.dst), opt.negative_slope);
  auto alpha = segment_softmax(e, g.dst, N);  // [E, H]
  last_attention = alpha.detach();
  if (opt.dropout > 0 && is_training()) alpha = torch::dropout(alpha, opt.dropout, true);
  std::vector<torch::Tensor> per_head;
  for (int64_t k = 0; k < H; ++k) per_head.push_back(spmm(g, alpha.select(1, k), h.select(1, k)));
  auto out = torch::stack(per_head, 1);  // [N, H, F]
  if (opt.isolated_global_mean) {
    auto iso = in_degree(g).eq(0);
    if (iso.any().item<bool>()) {
      auto mean = h.mean(0, true).expand({N, H, F});
      out = torch::where(iso.view({N, 1, 1}), mean, out);
    }
  }
  if (opt.genelink_output) {
    out = torch::leaky_relu(out, opt.negative_slope);
    out = out / out.norm(2, -1, true).clamp_min(1e-12);
    if (bias.defined()) out = out + bias.view({1, H, F});
    return opt.concat ? out.reshape({N, H * F}) : out.mean(1);
  }
  if (opt.concat) {
    out = out.reshape({N, H * F});
  } else {
    out = out.mean(1);
  }
  if (bias.defined()) out = out + bias;
  return out;
}

// ---- GraphSAGE (mean) ------------------------------------------------------------

SAGEConvImpl::SAGEConvImpl(int64_t in, int64_t out, bool use_bias) {
  lin_self = register_module("lin_self", torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(use_bias)));
  lin_neigh = register_module("lin_neigh", torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(false)));
}

torch::Tensor SAGEConvImpl::forward(const torch::Tensor& x, const Graph& g) {
  auto deg = in_degree(g).clamp_min(1.0).unsqueeze(-1);
  auto mean = propagate(x, g) / deg;
  return lin_self->forward(x) + lin_neigh->forward(mean);
}

// ---- scTransNet attention messaging ----------------------------------------------------

AttnMessageConvImpl::AttnMessageConvImpl(const AttnMessageOptions& o) : opt(o) {
  if (o.dim < 1 || o.heads < 1 || o.dim % o.heads != 0)
    throw InvalidArgument("attention messaging: dim must be a positive multiple of heads");
  const int64_t D = o.dim, T = o.type_dim;
  node_emb = register_module("node_emb", torch::nn::Embedding(o.node_types, T));
  rel_emb = register_module("rel_emb", torch::nn::Embedding(o.relation_types, T));
  f_r = register_module("f_r", torch::nn::Sequential(torch::nn::Linear(3 * T, D), torch::nn::ReLU(),
                                                     torch::nn::Linear(D, D)));
  f_m = register_module("f_m", torch::nn::Linear(D + T + D, D));
  f_q = register_module("f_q", torch::nn::Linear(D + T, D));
  f_k = register_module("f_k", torch::nn::Linear(D + T + D, D));
  f_n = register_module("f_n", torch::nn::Sequential(torch::nn::Linear(D, D), torch::nn::ReLU(),
                                                     torch::nn::Linear(D, D)));
}

torch::Tensor AttnMessageConvImpl::forward(const torch::Tensor& x, const Graph& g, const torch::Tensor& node_type,
                                           const torch::Tensor& edge_type) {
  const int64_t N = x.size(0), D = opt.dim, H = opt.heads, E = g.num_edges(), T = opt.type_dim;
  const int64_t NT = opt.node_types, NR = opt.relation_types, dh = D / H;
  if (N != g.num_nodes || x.size(1) != D) throw InvalidArgument("attention messaging: features do not match");
  // The linear maps act on concatenations [v, u, r]; split each into its
  // blocks.  v and u are per node; r_st = f_r(r~, u_s, u_t) depends only on
  // (relation, type of s, type of t), so it is computed once per combination
  // (NR * NT * NT rows) and gathered: per-edge work is O(E D), not O(E D^2).
  auto u = node_emb->forward(node_type);  // [N, T]
  auto combos = torch::arange(NR * NT * NT, torch::kLong);
  auto c_rel = combos.div(NT * NT, "floor"), c_s = combos.div(NT, "floor").remainder(NT), c_t = combos.remainder(NT);
  auto R = f_r->forward(torch::cat({rel_emb->forward(c_rel), node_emb->forward(c_s), node_emb->forward(c_t)}, 1));
  auto combo = (edge_type * NT + node_type.index_select(0, g.src)) * NT + node_type.index_select(0, g.dst);  // [E]
  auto Wm = f_m->weight, Wk = f_k->weight;
  auto m_node = torch::mm(x, Wm.slice(1, 0, D).t()) + torch::mm(u, Wm.slice(1, D, D + T).t());     // [N, D]
  auto m_comb = torch::mm(R, Wm.slice(1, D + T, D + T + D).t()) + f_m->bias;                        // [C, D]
  auto k_node = torch::mm(x, Wk.slice(1, 0, D).t()) + torch::mm(u, Wk.slice(1, D, D + T).t());
  auto k_comb = torch::mm(R, Wk.slice(1, D + T, D + T + D).t()) + f_k->bias;
  auto q = f_q->forward(torch::cat({x, u}, 1));                                                    // [N, D]
  // gamma_st = q_s . (k_node_t + k_comb_c) per head.
  auto qh = q.view({N, H, dh});
  auto g1 = (gather_rows(qh, g.src) * gather_rows(k_node.view({N, H, dh}), g.dst)).sum(-1);           // [E, H]
  auto qc = torch::einsum("nhd,chd->nhc", {qh, k_comb.view({-1, H, dh})});                          // [N, H, C]
  auto g2 = gather_rows(qc, g.src).gather(2, combo.view({E, 1, 1}).expand({E, H, 1})).squeeze(2);   // [E, H]
  auto gamma = (g1 + g2) / std::sqrt(static_cast<double>(dh));
  auto alpha = segment_softmax(gamma, g.dst, N);
  last_attention = alpha.detach();
  // sum_s alpha_st m_st = sum_s alpha_st m_node_s + sum_c (sum_{s: combo c} alpha_st) m_comb_c.
  std::vector<torch::Tensor> heads;
  auto B = scatter_sum(torch::zeros({E, H, NR * NT * NT}, x.options())
                           .scatter(2, combo.view({E, 1, 1}).expand({E, H, 1}), alpha.unsqueeze(2)),
                       g.dst, N);  // [N, H, C]
  auto mn = m_node.view({N, H, dh}), mc = m_comb.view({-1, H, dh});
  for (int64_t k = 0; k < H; ++k) {
    auto part = spmm(g, alpha.select(1, k), mn.select(1, k).contiguous()) +
                torch::mm(B.select(1, k), mc.select(1, k));
    heads.push_back(part);
  }
  auto agg = torch::stack(heads, 1).view({N, D});
  return f_n->forward(agg) + x;
}

}  // namespace graph
}  // namespace grntorch
