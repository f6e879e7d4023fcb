// Graph toolkit: each sparse layer against a dense reference written out here.
// torch (glog) defines its own CHECK macro: include it first, then let
// Catch's CHECK win.
#include "../src/graph_layers.hpp"
#undef CHECK
#undef CHECK_EQ
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using namespace grntorch::graph;

namespace {

// A small directed graph with an isolated node (5) and a duplicated edge.
Graph toy_graph(bool symmetric, bool loops) {
  std::vector<int64_t> s = {0, 0, 1, 2, 3, 3, 1};
  std::vector<int64_t> t = {1, 2, 2, 3, 4, 0, 2};
  return make_graph(s, t, 6, symmetric, loops);
}

// Dense adjacency A[dst, src] = 1.
torch::Tensor dense_adj(const Graph& g) {
  auto A = torch::zeros({g.num_nodes, g.num_nodes});
  auto s = g.src.accessor<int64_t, 1>();
  auto t = g.dst.accessor<int64_t, 1>();
  for (int64_t e = 0; e < g.num_edges(); ++e) A[t[e]][s[e]] = 1.0;
  return A;
}

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

}  // namespace

TEST_CASE("make_graph symmetrises, deduplicates, adds self-loops and checks ids", "[graph]") {
  auto g = toy_graph(true, false);
  auto A = dense_adj(g);
  CHECK(max_abs_diff(A, A.t()) == 0.0);
  CHECK(g.num_edges() == 12);  // 6 distinct undirected edges, both directions
  auto gl = toy_graph(false, true);
  CHECK(gl.num_edges() == 6 + 6);
  CHECK(dense_adj(gl).diagonal().sum().item<double>() == 6.0);
  CHECK_THROWS_AS(make_graph({0}, {7}, 6, false, false), grntorch::InvalidArgument);
}

TEST_CASE("segment_softmax equals a dense masked softmax per destination", "[graph]") {
  torch::manual_seed(1);
  auto g = toy_graph(true, true);
  auto scores = torch::randn({g.num_edges(), 2});
  auto a = segment_softmax(scores, g.dst, g.num_nodes);
  // Each destination's weights sum to 1 per head.
  auto sums = scatter_sum(a, g.dst, g.num_nodes);
  CHECK(max_abs_diff(sums, torch::ones({6, 2})) < 1e-6);
  // Against a dense masked softmax.
  auto A = dense_adj(g);
  for (int64_t h = 0; h < 2; ++h) {
    auto S = torch::full({6, 6}, -1e30);
    auto s = g.src.accessor<int64_t, 1>();
    auto t = g.dst.accessor<int64_t, 1>();
    for (int64_t e = 0; e < g.num_edges(); ++e) S[t[e]][s[e]] = scores[e][h];
    auto P = torch::softmax(S, 1);
    for (int64_t e = 0; e < g.num_edges(); ++e)
      CHECK(std::abs(P[t[e]][s[e]].item<double>() - a[e][h].item<double>()) < 1e-6);
  }
  // Large scores do not overflow.
  auto big = segment_softmax(scores * 1e4, g.dst, g.num_nodes);
  CHECK(torch::isfinite(big).all().item<bool>());
}

TEST_CASE("aggregate and spmm: values and gradients equal the dense product", "[graph]") {
  auto g = toy_graph(true, false);  // node 5 has no edges
  const int64_t N = g.num_nodes, E = g.num_edges(), H = 3, F = 5;
  auto A = dense_adj(g);
  for (auto dtype : {torch::kFloat32, torch::kFloat64}) {
    torch::manual_seed(3);
    auto w = torch::rand({E, H}, dtype).requires_grad_(true);
    auto x = torch::randn({N, H, F}, dtype).requires_grad_(true);
    auto gout = torch::randn({N, H, F}, dtype);
    auto out = aggregate(g, w, x);
    // Dense reference: per head, W_k[dst, src] = w[e, k].
    auto s = g.src.accessor<int64_t, 1>();
    auto t = g.dst.accessor<int64_t, 1>();
    auto w2 = w.detach().clone().requires_grad_(true);
    auto x2 = x.detach().clone().requires_grad_(true);
    std::vector<torch::Tensor> heads;
    for (int64_t k = 0; k < H; ++k) {
      std::vector<torch::Tensor> rows(N, torch::zeros({F}, dtype));
      for (int64_t e = 0; e < E; ++e) rows[t[e]] = rows[t[e]] + w2[e][k] * x2[s[e]][k];
      heads.push_back(torch::stack(rows));
    }
    auto ref = torch::stack(heads, 1);
    CHECK(max_abs_diff(out, ref) < 1e-5);
    CHECK(out[5].abs().sum().item<double>() == 0.0);
    // isolated_mean: the node without edges gets the mean over all nodes.
    auto out_iso = aggregate(g, w, x, true);
    CHECK(max_abs_diff(out_iso[5], x.mean(0)) < 1e-6);
    CHECK(max_abs_diff(out_iso.slice(0, 0, 5), out.slice(0, 0, 5)) < 1e-7);
    (out * gout).sum().backward();
    (ref * gout).sum().backward();
    CHECK(max_abs_diff(w.grad(), w2.grad()) < 1e-4);
    CHECK(max_abs_diff(x.grad(), x2.grad()) < 1e-4);
    // spmm (one head) is the same product: A x.
    auto xs = torch::randn({N, F}, dtype);
    auto ones = torch::ones({E}, dtype);
    CHECK(max_abs_diff(spmm(g, ones, xs), torch::mm(A.to(dtype), xs)) < 1e-5);
  }
  CHECK_THROWS_AS(aggregate(g, torch::rand({E, 2}), torch::randn({N, 3, 4})), grntorch::InvalidArgument);
}

TEST_CASE("GCNConv equals D^-1/2 (A + I) D^-1/2 X W + b", "[graph]") {
  torch::manual_seed(2);
  auto g = toy_graph(true, false);
  auto wg = gcn_normalize(g);
  GCNConv conv(5, 3);
  {
    torch::NoGradGuard ng;
    conv->bias.uniform_(-1, 1);
  }
  auto x = torch::randn({6, 5});
  auto out = conv->forward(x, wg);
  auto A = dense_adj(g) + torch::eye(6);
  auto dinv = A.sum(1).pow(-0.5);
  auto ref = torch::mm(dinv.unsqueeze(1) * A * dinv.unsqueeze(0), torch::mm(x, conv->lin->weight.t())) + conv->bias;
  CHECK(max_abs_diff(out, ref) < 1e-5);
  // Gradients reach the weights.
  out.sum().backward();
  CHECK(conv->lin->weight.grad().abs().sum().item<double>() > 0);
}

TEST_CASE("GATConv equals dense masked-softmax attention (concat and mean heads)", "[graph]") {
  torch::manual_seed(3);
  auto g = toy_graph(true, false);  // node 5 isolated
  auto A = dense_adj(g);
  auto x = torch::randn({6, 4});
  for (bool concat : {true, false}) {
    GATOptions o;
    o.in = 4;
    o.out = 3;
    o.heads = 2;
    o.concat = concat;
    GATConv conv(o);
    {
      torch::NoGradGuard ng;
      conv->bias.uniform_(-1, 1);
    }
    conv->eval();
    auto out = conv->forward(x, g);
    auto h = torch::mm(x, conv->weight).view({6, 2, 3});
    std::vector<torch::Tensor> heads;
    for (int64_t k = 0; k < 2; ++k) {
      auto hk = h.select(1, k);
      auto e1 = torch::mv(hk, conv->att_dst[k]);  // receiver term
      auto e2 = torch::mv(hk, conv->att_src[k]);  // sender term
      auto E = torch::leaky_relu(e1.unsqueeze(1) + e2.unsqueeze(0), 0.2);
      auto P = torch::softmax(torch::where(A > 0, E, torch::full_like(E, -9e15)), 1);
      P = P * (A.sum(1, true) > 0);  // isolated node: zero (no global mean)
      heads.push_back(torch::mm(P, hk));
    }
    auto ref = concat ? torch::cat(heads, 1) : (heads[0] + heads[1]) / 2;
    ref = ref + conv->bias;
    CHECK(out.size(1) == (concat ? 6 : 3));
    CHECK(max_abs_diff(out, ref) < 1e-5);
  }
}

TEST_CASE("GATConv in GENELink mode reproduces its dense AttentionLayer", "[graph]") {
  torch::manual_seed(4);
  auto g = toy_graph(true, false);
  auto A = dense_adj(g);
  auto x = torch::randn({6, 4});
  GATOptions o;
  o.in = 4;
  o.out = 3;
  o.heads = 1;
  o.genelink_output = true;
  o.isolated_global_mean = true;
  GATConv conv(o);
  {
    torch::NoGradGuard ng;
    conv->bias.uniform_(-1, 1);
  }
  conv->eval();
  auto out = conv->forward(x, g);
  // GENELink: e = leaky(Wh a1 + (Wh a2)^T); attention = where(adj > 0, e, -9e15);
  // softmax(dim = 1); h' = attention Wh; leaky_relu; L2-normalise rows; + bias.
  auto h = torch::mm(x, conv->weight);
  auto E = torch::leaky_relu(torch::mv(h, conv->att_dst[0]).unsqueeze(1) + torch::mv(h, conv->att_src[0]).unsqueeze(0), 0.2);
  auto P = torch::softmax(torch::where(A > 0, E, torch::full_like(E, -9e15)), 1);
  auto ref = torch::leaky_relu(torch::mm(P, h), 0.2);
  ref = ref / ref.norm(2, 1, true) + conv->bias;
  CHECK(max_abs_diff(out, ref) < 1e-5);
}

TEST_CASE("GATConv (GENELink mode, 2 heads) gradients equal the dense layer's", "[graph]") {
  torch::manual_seed(6);
  auto g = toy_graph(true, false);
  auto A = dense_adj(g);
  GATOptions o;
  o.in = 4;
  o.out = 3;
  o.heads = 2;
  o.genelink_output = true;
  o.isolated_global_mean = true;
  GATConv conv(o);
  conv->eval();
  auto x = torch::randn({6, 4}).requires_grad_(true);
  auto w_out = torch::randn({6, 6});
  auto params = conv->parameters();
  auto grads_of = [&](const torch::Tensor& out) {
    for (auto& p : params) p.mutable_grad() = torch::Tensor();
    x.mutable_grad() = torch::Tensor();
    (out * w_out).sum().backward();
    std::vector<torch::Tensor> gs;
    for (auto& p : params) gs.push_back(p.grad().clone());
    gs.push_back(x.grad().clone());
    return gs;
  };
  auto sparse = grads_of(conv->forward(x, g));
  auto h = torch::mm(x, conv->weight).view({6, 2, 3});
  std::vector<torch::Tensor> heads;
  for (int64_t k = 0; k < 2; ++k) {
    auto hk = h.select(1, k);
    auto E = torch::leaky_relu(torch::mv(hk, conv->att_dst[k]).unsqueeze(1) + torch::mv(hk, conv->att_src[k]).unsqueeze(0), 0.2);
    auto P = torch::softmax(torch::where(A > 0, E, torch::full_like(E, -9e15)), 1);
    auto r = torch::leaky_relu(torch::mm(P, hk), 0.2);
    heads.push_back(r / r.norm(2, 1, true) + conv->bias.view({2, 3})[k]);
  }
  auto dense = grads_of(torch::cat(heads, 1));
  REQUIRE(sparse.size() == dense.size());
  for (std::size_t i = 0; i < sparse.size(); ++i) {
    CHECK(sparse[i].abs().sum().item<double>() > 0);
    CHECK(max_abs_diff(sparse[i], dense[i]) < 1e-4);
  }
}

TEST_CASE("SAGEConv equals W_self x + W_neigh mean of neighbours", "[graph]") {
  torch::manual_seed(5);
  auto g = toy_graph(false, false);
  auto A = dense_adj(g);
  SAGEConv conv(4, 2);
  auto x = torch::randn({6, 4});
  auto out = conv->forward(x, g);
  auto mean = torch::mm(A, x) / A.sum(1, true).clamp_min(1);
  auto ref = conv->lin_self->forward(x) + torch::mm(mean, conv->lin_neigh->weight.t());
  CHECK(max_abs_diff(out, ref) < 1e-5);
}

TEST_CASE("attention messaging follows scTransNet eqs 8-13", "[graph]") {
  torch::manual_seed(6);
  auto g = toy_graph(true, true);
  const int64_t D = 4;
  AttnMessageOptions o;
  o.dim = D;
  o.type_dim = 3;
  AttnMessageConv conv(o);
  auto x = torch::randn({6, D});
  auto nt = torch::tensor(std::vector<int64_t>{0, 0, 1, 1, 1, 1});
  std::vector<int64_t> et_v(g.num_edges());
  auto s = g.src.accessor<int64_t, 1>();
  auto t = g.dst.accessor<int64_t, 1>();
  for (int64_t e = 0; e < g.num_edges(); ++e) et_v[e] = s[e] == t[e] ? 2 : (s[e] < t[e] ? 0 : 1);
  auto et = torch::tensor(et_v);
  auto out = conv->forward(x, g, nt, et);
  // Edge-by-edge reference.
  auto u = conv->node_emb->weight.index_select(0, nt);
  auto ref = x.clone();
  for (int64_t node = 0; node < 6; ++node) {
    std::vector<torch::Tensor> gam, msg;
    for (int64_t e = 0; e < g.num_edges(); ++e) {
      if (t[e] != node) continue;
      auto r = conv->f_r->forward(torch::cat({conv->rel_emb->weight[et_v[e]], u[s[e]], u[t[e]]}).unsqueeze(0))[0];
      auto m = conv->f_m->forward(torch::cat({x[s[e]], u[s[e]], r}).unsqueeze(0))[0];
      auto q = conv->f_q->forward(torch::cat({x[s[e]], u[s[e]]}).unsqueeze(0))[0];
      auto k = conv->f_k->forward(torch::cat({x[t[e]], u[t[e]], r}).unsqueeze(0))[0];
      gam.push_back((q * k).sum() / std::sqrt(static_cast<double>(D)));
      msg.push_back(m);
    }
    auto a = torch::softmax(torch::stack(gam), 0);
    auto agg = (a.unsqueeze(1) * torch::stack(msg)).sum(0);
    ref[node] = conv->f_n->forward(agg.unsqueeze(0))[0] + x[node];
  }
  CHECK(max_abs_diff(out, ref) < 1e-5);
  out.pow(2).sum().backward();
  CHECK(conv->f_q->weight.grad().abs().sum().item<double>() > 0);
  CHECK(conv->rel_emb->weight.grad().abs().sum().item<double>() > 0);
}

TEST_CASE("layers scale with edges: 50,000 nodes and a sparse graph", "[graph]") {
  // A dense 50k x 50k attention matrix would need 10 GB; edge lists need kilobytes.
  const int64_t N = 50000;
  std::vector<int64_t> s, t;
  for (int64_t i = 0; i + 1 < N; i += 7) {
    s.push_back(i);
    t.push_back(i + 1);
  }
  auto g = make_graph(s, t, N, true, true);
  auto x = torch::randn({N, 8});
  GATOptions o;
  o.in = 8;
  o.out = 4;
  o.heads = 2;
  GATConv gat(o);
  auto y = gat->forward(x, g);
  CHECK(y.size(0) == N);
  CHECK(torch::isfinite(y).all().item<bool>());
  GCNConv gcn(8, 4);
  CHECK(gcn->forward(x, gcn_normalize(g)).size(0) == N);
}

TEST_CASE("inverted_dropout is torch::dropout: 1 - p kept, scaled, the same draws, gradients", "[graph]") {
  const int64_t n = 200000;
  auto x = torch::ones({n / 4, 4}).requires_grad_(true);
  for (double p : {0.5, 0.1, 0.01}) {
    torch::manual_seed(3);
    auto y = inverted_dropout(x, p, true);
    auto kept = y.detach().ne(0);
    const double frac = kept.to(torch::kFloat64).mean().item<double>();
    // Binomial: 5 standard deviations of the kept share.
    CHECK(std::abs(frac - (1 - p)) < 5 * std::sqrt(p * (1 - p) / n));
    CHECK(max_abs_diff(y.detach().masked_select(kept), torch::full({1}, 1.0 / (1 - p))) < 1e-6);
    torch::manual_seed(3);
    CHECK(torch::equal(torch::dropout(x, p, true), y));  // torch::dropout's mask from the same draws
    torch::manual_seed(3);
    CHECK(torch::equal(inverted_dropout(x, p, true), y));  // the same seed, the same mask
    CHECK_FALSE(torch::equal(inverted_dropout(x, p, true), y));  // the stream moved on
    x.mutable_grad() = torch::Tensor();
    y.sum().backward();
    CHECK(torch::equal(x.grad(), y.detach()));  // d(sum y)/dx = the scaled mask
  }
  CHECK(torch::equal(inverted_dropout(x, 0.5, false), x));
  CHECK(torch::equal(inverted_dropout(x, 0.0, true), x));
  CHECK(inverted_dropout(x, 1.0, true).abs().sum().item<double>() == 0);
}
