#include "graph_layers.hpp"

#include "grntorch/common.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace grntorch {
namespace graph {

namespace {

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

torch::Tensor scatter_sum(const torch::Tensor& values, const torch::Tensor& index, int64_t num_nodes) {
  auto sizes = values.sizes().vec();
  sizes[0] = num_nodes;
  return torch::zeros(sizes, values.options()).index_add(0, index, values);
}

torch::Tensor segment_softmax(const torch::Tensor& scores, const torch::Tensor& index, int64_t num_nodes) {
  auto sizes = scores.sizes().vec();
  sizes[0] = num_nodes;
  torch::Tensor mx;
  {
    torch::NoGradGuard ng;  // the max only stabilises; the softmax does not depend on it
    mx = torch::full(sizes, -std::numeric_limits<float>::infinity(), scores.options())
             .scatter_reduce(0, expand_index(index, scores), scores.detach(), "amax", true);
    mx = torch::where(torch::isfinite(mx), mx, torch::zeros_like(mx));
  }
  auto ex = (scores - mx.index_select(0, index)).exp();
  auto den = scatter_sum(ex, index, num_nodes);
  return ex / den.index_select(0, index).clamp_min(1e-16);
}

WeightedGraph gcn_normalize(const Graph& g) {
  WeightedGraph w;
  w.graph = add_self_loops(g);
  auto deg = in_degree(w.graph);  // >= 1 thanks to the self-loops
  auto dinv = deg.pow(-0.5);
  w.weight = dinv.index_select(0, w.graph.src) * dinv.index_select(0, w.graph.dst);
  return w;
}

torch::Tensor propagate(const torch::Tensor& x, const Graph& g, const torch::Tensor& weight) {
  auto msg = x.index_select(0, g.src);
  if (weight.defined()) {
    auto w = weight;
    for (int64_t d = 1; d < msg.dim(); ++d) w = w.unsqueeze(-1);
    msg = msg * w;
  }
  return scatter_sum(msg, g.dst, g.num_nodes);
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
  auto s_src = (h * att_src.unsqueeze(0)).sum(-1);  // [N, H]
  auto s_dst = (h * att_dst.unsqueeze(0)).sum(-1);
  auto e = torch::leaky_relu(s_src.index_select(0, g.src) + s_dst.index_select(0, g.dst), opt.negative_slope);
  auto alpha = segment_softmax(e, g.dst, N);  // [E, H]
  last_attention = alpha.detach();
  if (opt.dropout > 0 && is_training()) alpha = torch::dropout(alpha, opt.dropout, true);
  auto out = scatter_sum(h.index_select(0, g.src) * alpha.unsqueeze(-1), g.dst, N);  // [N, H, F]
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
  const int64_t N = x.size(0), D = opt.dim, H = opt.heads, E = g.num_edges();
  if (N != g.num_nodes || x.size(1) != D) throw InvalidArgument("attention messaging: features do not match");
  auto u = node_emb->forward(node_type);  // [N, T]
  auto u_s = u.index_select(0, g.src), u_t = u.index_select(0, g.dst);
  auto v_s = x.index_select(0, g.src), v_t = x.index_select(0, g.dst);
  auto r = f_r->forward(torch::cat({rel_emb->forward(edge_type), u_s, u_t}, 1));  // [E, D]
  auto m = f_m->forward(torch::cat({v_s, u_s, r}, 1));
  auto q = f_q->forward(torch::cat({v_s, u_s}, 1));
  auto k = f_k->forward(torch::cat({v_t, u_t, r}, 1));
  auto gamma = (q * k).view({E, H, D / H}).sum(-1) / std::sqrt(static_cast<double>(D / H));  // [E, H]
  auto alpha = segment_softmax(gamma, g.dst, N);
  last_attention = alpha.detach();
  auto agg = scatter_sum((m.view({E, H, D / H}) * alpha.unsqueeze(-1)).view({E, D}), g.dst, N);
  return f_n->forward(agg) + x;
}

}  // namespace graph
}  // namespace grntorch
