// Internal graph toolkit (torch-level): sparse message passing on edge lists.
// NOT a public header: it includes torch.  Models in src/engine/src/*.cpp
// (GENELink, GNNLink, scRegNet, scTransNet, scUniGP) share these layers.
//
// A graph is a directed edge list src -> dst (messages flow from src to dst).
// Every layer works with gather (index_select) + scatter (index_add) over the
// edges, so memory grows with the number of edges, never with genes^2.
#pragma once

#include <torch/torch.h>

#include "grntorch/common.hpp"

#include <cstdint>
#include <vector>

namespace grntorch {
namespace graph {

struct Graph {
  torch::Tensor src;  // int64 [E]
  torch::Tensor dst;  // int64 [E]
  int64_t num_nodes = 0;
  torch::Tensor t_perm;  // int64 [E]: edge order sorted by (src, dst), for transposed products
  torch::Tensor dst_ptr;  // int64 [N + 1]: edges dst_ptr[n] .. dst_ptr[n+1]-1 end at node n (CSR by dst)
  torch::Tensor src_ptr;  // int64 [N + 1]: t_perm[src_ptr[n] .. src_ptr[n+1]-1] start at node n (CSR by src)
  int64_t num_edges() const { return src.defined() ? src.size(0) : 0; }
};

// Builds a graph from 0-based edge endpoints (stored sorted by (dst, src)).  symmetric: add the reverse of
// every edge; self_loops: remove any given self-loop, then add one per node.
// Duplicated edges are removed.  Throws InvalidArgument on out-of-range ids.
Graph make_graph(const std::vector<int64_t>& src, const std::vector<int64_t>& dst, int64_t num_nodes,
                 bool symmetric, bool self_loops);

// Removes existing self-loops and adds one per node.
Graph add_self_loops(const Graph& g);

// Number of edges ending at each node (float [N]).
torch::Tensor in_degree(const Graph& g);

// x[index] along dim 0 (rows), with a fast backward (scatter_add).
torch::Tensor gather_rows(const torch::Tensor& x, const torch::Tensor& index);

// out[n] = sum over e with index[e] == n of values[e]  (values: [E, ...]).
torch::Tensor scatter_sum(const torch::Tensor& values, const torch::Tensor& index, int64_t num_nodes);

// Softmax of scores [E] or [E, H] within the groups given by index (the edges
// ending at each node).  Numerically stable (per-group max subtracted).
torch::Tensor segment_softmax(const torch::Tensor& scores, const torch::Tensor& index, int64_t num_nodes);

// GCN normalisation D^-1/2 (A + I) D^-1/2: the graph with self-loops added and
// one weight per edge, 1 / sqrt(deg(src) deg(dst)).
struct WeightedGraph {
  Graph graph;
  torch::Tensor weight;  // float [E]
};
WeightedGraph gcn_normalize(const Graph& g);

// out = A x with A[dst, src] = values[e] ([E], may require grad): a sparse
// matrix product; the fast path for wide features.
torch::Tensor spmm(const Graph& g, const torch::Tensor& values, const torch::Tensor& x);

// Multi-head weighted aggregation over the edges, fused over heads:
//   out[t, k, :] = sum over edges s -> t of values[e, k] * x[s, k, :]
// values [E, H], x [N, H, F] -> [N, H, F] (gradients for both).  On CPU it is
// one pass over the CSR rows (no [E, F] temporaries); memory O(E H + N H F).
// isolated_mean: nodes without incoming edges get the mean of x over all nodes.
torch::Tensor aggregate(const Graph& g, const torch::Tensor& values, const torch::Tensor& x,
                        bool isolated_mean = false);

// out[dst] += weight[e] * x[src]  (weight may be undefined: plain sum).
torch::Tensor propagate(const torch::Tensor& x, const Graph& g, const torch::Tensor& weight = {});

// torch::dropout(x, p, training) on CPU, bit for bit: the same mask from the
// same draws of LibTorch's default generator (the one the fit's SeedScope
// seeds; one 64-bit draw per element, its low 53 bits as a uniform u, kept
// when u < 1 - p, as bernoulli_ does), kept elements scaled by 1 / (1 - p),
// in one loop instead of bernoulli_'s per-element dispatch.  The identity
// when not training or p <= 0.  Other devices: torch::dropout.
torch::Tensor inverted_dropout(const torch::Tensor& x, double p, bool training);

// ---- layers -----------------------------------------------------------------

// GCN (Kipf & Welling): H' = D^-1/2 (A + I) D^-1/2 H W + b.
struct GCNConvImpl : torch::nn::Module {
  GCNConvImpl(int64_t in, int64_t out, bool bias = true);
  torch::Tensor forward(const torch::Tensor& x, const WeightedGraph& g);
  torch::nn::Linear lin{nullptr};
  torch::Tensor bias;
};
TORCH_MODULE(GCNConv);

struct GATOptions {
  int64_t in = 0;
  int64_t out = 0;            // per head
  int64_t heads = 1;
  bool concat = true;         // true: [N, heads*out]; false: mean over heads [N, out]
  double negative_slope = 0.2;
  double dropout = 0.0;       // dropout on the attention coefficients (training only)
  bool bias = true;
  // GENELink's AttentionLayer behaviour: each head's output goes through
  // LeakyReLU(negative_slope), row-wise L2 normalisation and then + bias.
  bool genelink_output = false;
  // GENELink's dense masked softmax gives a node without neighbours uniform
  // attention over all nodes (every score is -9e15); true reproduces that
  // (the global mean of the head's features), false leaves such nodes at 0.
  bool isolated_global_mean = false;
};

// GAT (Velickovic et al.): per head k, e_ts = LeakyReLU(a_dst . W h_t + a_src . W h_s),
// alpha = softmax over the edges s -> t (masked softmax over neighbours),
// h'_t = sum_s alpha_ts W h_s.  Self-loops only if the graph has them.
struct GATConvImpl : torch::nn::Module {
  explicit GATConvImpl(const GATOptions& opt);
  torch::Tensor forward(const torch::Tensor& x, const Graph& g);
  // Attention coefficients of the last forward call ([E, heads]), for tests.
  torch::Tensor last_attention;
  GATOptions opt;
  torch::Tensor weight;     // [in, heads*out]
  torch::Tensor att_src;    // [heads, out]
  torch::Tensor att_dst;    // [heads, out]
  torch::Tensor bias;       // [heads*out] (concat or genelink_output) or [out]
};
TORCH_MODULE(GATConv);

// GraphSAGE with the mean aggregator: h'_t = W_self h_t + W_neigh mean_{s->t} h_s + b.
struct SAGEConvImpl : torch::nn::Module {
  SAGEConvImpl(int64_t in, int64_t out, bool bias = true);
  torch::Tensor forward(const torch::Tensor& x, const Graph& g);
  torch::nn::Linear lin_self{nullptr};
  torch::nn::Linear lin_neigh{nullptr};
};
TORCH_MODULE(SAGEConv);

// scTransNet section 3.3 attention messaging (eqs 8-13), dimension-preserving:
//   r_st = f_r(r~_st, u_s, u_t)              (2-layer MLP; r~ relation embedding, u node-type embedding)
//   m_st = f_m(v_s, u_s, r_st)               (linear)
//   q_s  = f_q(v_s, u_s),  k_t = f_k(v_t, u_t, r_st)   (linear)
//   alpha_st = softmax over s in N(t) (incl. t when the graph has self-loops) of q_s.k_t / sqrt(D)
//   v'_t = f_n(sum_s alpha_st m_st) + v_t    (f_n a 2-layer MLP; residual)
// With heads > 1 the dot products and softmax are per head (D / heads each).
struct AttnMessageOptions {
  int64_t dim = 0;
  int64_t node_types = 2;
  int64_t relation_types = 3;
  int64_t type_dim = 16;
  int64_t heads = 1;
};
struct AttnMessageConvImpl : torch::nn::Module {
  explicit AttnMessageConvImpl(const AttnMessageOptions& opt);
  // node_type: int64 [N] in [0, node_types); edge_type: int64 [E] in [0, relation_types).
  torch::Tensor forward(const torch::Tensor& x, const Graph& g, const torch::Tensor& node_type,
                        const torch::Tensor& edge_type);
  torch::Tensor last_attention;  // [E, heads]
  AttnMessageOptions opt;
  torch::nn::Embedding node_emb{nullptr}, rel_emb{nullptr};
  torch::nn::Sequential f_r{nullptr}, f_n{nullptr};
  torch::nn::Linear f_m{nullptr}, f_q{nullptr}, f_k{nullptr};
};
TORCH_MODULE(AttnMessageConv);

}  // namespace graph
}  // namespace grntorch
