// The elementwise inner loops of the kernels below carry `#pragma omp simd`:
// at -O2 GCC leaves loops of unknown length scalar, and these are the
// per-batch cost of the graph models.  Each lane does the same operations in
// the same order as the scalar loop (no reduction is vectorised, no FMA on
// the baseline ISA), so the results are bit for bit those of scalar code.
// On a CPU with AVX2 the float kernels run the same loops compiled for AVX2
// (8 lanes instead of SSE's 4).  "avx2" alone does not let GCC contract a
// multiply and an add into an FMA, so the results stay bit for bit the same.
#include "graph_layers.hpp"

#include "gemm_backend.hpp"
#include "grntorch/common.hpp"
#include "tensor_io.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <numeric>
#include <type_traits>
#include <utility>

namespace grntorch {
namespace graph {

namespace {

struct QuietWarnings : c10::WarningHandler {
  void process(const c10::SourceLocation&, const std::string&, const bool) override {}
};

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
  g.src = tio::to_long(s);
  g.dst = tio::to_long(t);
  g.num_nodes = num_nodes;
  // Permutation that orders the edges by (src, dst), for A^T products.
  std::vector<int64_t> perm(e.size());
  std::iota(perm.begin(), perm.end(), 0);
  std::sort(perm.begin(), perm.end(), [&](int64_t a, int64_t b) {
    return s[a] != s[b] ? s[a] < s[b] : t[a] < t[b];
  });
  g.t_perm = tio::to_long(perm);
  // CSR row pointers by destination (edges are sorted by dst) and by source
  // (through t_perm).
  std::vector<int64_t> dp(num_nodes + 1, 0), sp(num_nodes + 1, 0);
  for (std::size_t i = 0; i < e.size(); ++i) {
    ++dp[t[i] + 1];
    ++sp[s[i] + 1];
  }
  for (int64_t n = 0; n < num_nodes; ++n) {
    dp[n + 1] += dp[n];
    sp[n + 1] += sp[n];
  }
  g.dst_ptr = tio::to_long(dp);
  g.src_ptr = tio::to_long(sp);
  return g;
}

Graph add_self_loops(const Graph& g) {
  return make_graph(tio::to_int64_vector(g.src), tio::to_int64_vector(g.dst), g.num_nodes, false, true);
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

// ---- fused CSR aggregation ------------------------------------------------------

#if defined(__GNUC__) && defined(__x86_64__)
#define GRN_GRAPH_AVX2 1
#define GRN_TARGET_AVX2 __attribute__((target("avx2")))
#define GRN_INLINE inline __attribute__((always_inline))
bool use_avx2() {
  static const bool v = __builtin_cpu_supports("avx2");
  return v;
}
#else
#define GRN_GRAPH_AVX2 0
#define GRN_INLINE inline
#endif

// out[n, k, :] = sum_{j in ptr[n] .. ptr[n+1]} w[e, k] * x[nbr[e], k, :] with
// e = order ? order[j] : j (rows n0 .. n1 - 1 are overwritten).
template <typename T>
GRN_INLINE void aggregate_rows(const T* w, const T* x, T* out, const int64_t* ptr, const int64_t* nbr,
                               const int64_t* order, int64_t n0, int64_t n1, int64_t H, int64_t F) {
  for (int64_t n = n0; n < n1; ++n) {
    T* __restrict__ o = out + n * H * F;
    std::fill(o, o + H * F, T(0));
    for (int64_t j = ptr[n]; j < ptr[n + 1]; ++j) {
      const int64_t e = order ? order[j] : j;
      const T* __restrict__ xs = x + nbr[e] * H * F;
      const T* we = w + e * H;
      for (int64_t k = 0; k < H; ++k) {
        const T a = we[k];
        T* __restrict__ ok = o + k * F;
        const T* __restrict__ xk = xs + k * F;
#pragma omp simd
        for (int64_t f = 0; f < F; ++f) ok[f] += a * xk[f];
      }
    }
  }
}

// sum_f a[f] * b[f] with 8 independent partial sums (vectorises without
// reassociating a single accumulator).
template <typename T>
GRN_INLINE T dot_lanes(const T* __restrict__ a, const T* __restrict__ b, int64_t F) {
  T part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t f = 0;
  for (; f + 8 <= F; f += 8) {
#pragma omp simd
    for (int l = 0; l < 8; ++l) part[l] += a[f + l] * b[f + l];
  }
  T acc = 0;
  for (; f < F; ++f) acc += a[f] * b[f];
  for (int l = 0; l < 8; ++l) acc += part[l];
  return acc;
}

// gw[e, k] = sum_f gout[dst[e], k, f] * x[src[e], k, f] for edges e0 .. e1 - 1.
template <typename T>
GRN_INLINE void edge_dot_range(const T* gout, const T* x, T* gw, const int64_t* src, const int64_t* dst, int64_t e0,
                               int64_t e1, int64_t H, int64_t F) {
  for (int64_t e = e0; e < e1; ++e) {
    const T* a = gout + dst[e] * H * F;
    const T* b = x + src[e] * H * F;
    for (int64_t k = 0; k < H; ++k) gw[e * H + k] = dot_lanes(a + k * F, b + k * F, F);
  }
}

// GENELink's head output over rows r0 .. r1 - 1 of F values (row r is head
// r % H): a = LeakyReLU(x), y = a / max(||a||, eps), out = y + bias[head].
template <typename T>
GRN_INLINE void head_output_rows(const T* xp, const T* bp, T* yp, T* op, T* np, T sl, T eps, int64_t r0, int64_t r1,
                                 int64_t H, int64_t F) {
  for (int64_t r = r0; r < r1; ++r) {
    const T* xr = xp + r * F;
    T* yr = yp + r * F;
    T ss = 0;
    for (int64_t f = 0; f < F; ++f) {
      const T v = xr[f] > 0 ? xr[f] : xr[f] * sl;
      yr[f] = v;
      ss += v * v;
    }
    const T n = std::max(std::sqrt(ss), eps);
    np[r] = n;
    const T inv = T(1) / n;
    const T* br = bp ? bp + (r % H) * F : nullptr;
    T* orow = op + r * F;
#pragma omp simd
    for (int64_t f = 0; f < F; ++f) {
      yr[f] *= inv;
      orow[f] = br ? yr[f] + br[f] : yr[f];
    }
  }
}

// Its gradient: gx = (g - y (y . g)) / n * LeakyReLU'(x); at the clamp
// (n <= eps) the map is a / eps, with no projection.
template <typename T>
GRN_INLINE void head_output_grad_rows(const T* xp, const T* yp, const T* gp, const T* np, T* op, T sl, T eps,
                                      int64_t r0, int64_t r1, int64_t F) {
  for (int64_t r = r0; r < r1; ++r) {
    const T* yr = yp + r * F;
    const T* gr = gp + r * F;
    const T* xr = xp + r * F;
    T* orow = op + r * F;
    const T dot = np[r] > eps ? dot_lanes(yr, gr, F) : T(0);
    const T inv = T(1) / np[r];
#pragma omp simd
    for (int64_t f = 0; f < F; ++f) orow[f] = (gr[f] - yr[f] * dot) * inv * (xr[f] > 0 ? T(1) : sl);
  }
}

#if GRN_GRAPH_AVX2
// The float kernels compiled for AVX2 (the templates above inlined into them).
GRN_TARGET_AVX2 void aggregate_rows_avx2(const float* w, const float* x, float* out, const int64_t* ptr,
                                         const int64_t* nbr, const int64_t* order, int64_t n0, int64_t n1, int64_t H,
                                         int64_t F) {
  aggregate_rows<float>(w, x, out, ptr, nbr, order, n0, n1, H, F);
}
GRN_TARGET_AVX2 void edge_dot_range_avx2(const float* gout, const float* x, float* gw, const int64_t* src,
                                         const int64_t* dst, int64_t e0, int64_t e1, int64_t H, int64_t F) {
  edge_dot_range<float>(gout, x, gw, src, dst, e0, e1, H, F);
}
GRN_TARGET_AVX2 void head_output_rows_avx2(const float* xp, const float* bp, float* yp, float* op, float* np, float sl,
                                           float eps, int64_t r0, int64_t r1, int64_t H, int64_t F) {
  head_output_rows<float>(xp, bp, yp, op, np, sl, eps, r0, r1, H, F);
}
GRN_TARGET_AVX2 void head_output_grad_rows_avx2(const float* xp, const float* yp, const float* gp, const float* np,
                                                float* op, float sl, float eps, int64_t r0, int64_t r1, int64_t F) {
  head_output_grad_rows<float>(xp, yp, gp, np, op, sl, eps, r0, r1, F);
}
#endif

// The dispatch: AVX2 for float where the CPU has it, else the templates.
template <typename T>
void aggregate_range(const T* w, const T* x, T* out, const int64_t* ptr, const int64_t* nbr, const int64_t* order,
                     int64_t n0, int64_t n1, int64_t H, int64_t F) {
#if GRN_GRAPH_AVX2
  if constexpr (std::is_same<T, float>::value) {
    if (use_avx2()) return aggregate_rows_avx2(w, x, out, ptr, nbr, order, n0, n1, H, F);
  }
#endif
  aggregate_rows<T>(w, x, out, ptr, nbr, order, n0, n1, H, F);
}
template <typename T>
void edge_dots_range(const T* gout, const T* x, T* gw, const int64_t* src, const int64_t* dst, int64_t e0, int64_t e1,
                     int64_t H, int64_t F) {
#if GRN_GRAPH_AVX2
  if constexpr (std::is_same<T, float>::value) {
    if (use_avx2()) return edge_dot_range_avx2(gout, x, gw, src, dst, e0, e1, H, F);
  }
#endif
  edge_dot_range<T>(gout, x, gw, src, dst, e0, e1, H, F);
}
template <typename T>
void head_output_range(const T* xp, const T* bp, T* yp, T* op, T* np, T sl, T eps, int64_t r0, int64_t r1, int64_t H,
                       int64_t F) {
#if GRN_GRAPH_AVX2
  if constexpr (std::is_same<T, float>::value) {
    if (use_avx2()) return head_output_rows_avx2(xp, bp, yp, op, np, sl, eps, r0, r1, H, F);
  }
#endif
  head_output_rows<T>(xp, bp, yp, op, np, sl, eps, r0, r1, H, F);
}
template <typename T>
void head_output_grad_range(const T* xp, const T* yp, const T* gp, const T* np, T* op, T sl, T eps, int64_t r0,
                            int64_t r1, int64_t F) {
#if GRN_GRAPH_AVX2
  if constexpr (std::is_same<T, float>::value) {
    if (use_avx2()) return head_output_grad_rows_avx2(xp, yp, gp, np, op, sl, eps, r0, r1, F);
  }
#endif
  head_output_grad_rows<T>(xp, yp, gp, np, op, sl, eps, r0, r1, F);
}

// Rows are independent, so they run in parallel.
template <typename T>
void csr_aggregate(const T* w, const T* x, T* out, const int64_t* ptr, const int64_t* nbr, const int64_t* order,
                   int64_t N, int64_t H, int64_t F) {
  const int64_t E = ptr[N];
  const int64_t work_per_row = std::max<int64_t>(1, (E / std::max<int64_t>(1, N) + 1) * H * F);
  const int64_t grain = std::max<int64_t>(1, 32768 / work_per_row);
  at::parallel_for(0, N, grain,
                   [&](int64_t n0, int64_t n1) { aggregate_range<T>(w, x, out, ptr, nbr, order, n0, n1, H, F); });
}

// gw[e, k] = sum_f gout[dst[e], k, f] * x[src[e], k, f].
template <typename T>
void edge_dots(const T* gout, const T* x, T* gw, const int64_t* src, const int64_t* dst, int64_t E, int64_t H,
               int64_t F) {
  const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(1, H * F));
  at::parallel_for(0, E, grain, [&](int64_t e0, int64_t e1) { edge_dots_range<T>(gout, x, gw, src, dst, e0, e1, H, F); });
}

// Nodes without incoming edges (dst_ptr row empty), or an empty tensor.
torch::Tensor empty_rows(const torch::Tensor& dst_ptr) {
  auto p = dst_ptr.contiguous();
  const int64_t N = p.numel() - 1;
  const int64_t* d = p.data_ptr<int64_t>();
  std::vector<int64_t> rows;
  for (int64_t n = 0; n < N; ++n)
    if (d[n] == d[n + 1]) rows.push_back(n);
  return tio::to_long(rows);
}

// values [E, H], x [N, H, F] (both contiguous, same floating type, CPU).
// isolated_mean: rows without incoming edges get the mean of x over all rows
// (GENELink's dense masked softmax gives them uniform attention).
struct AggregateFn : public torch::autograd::Function<AggregateFn> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor values, torch::Tensor x,
                               torch::Tensor src, torch::Tensor dst, torch::Tensor t_perm, torch::Tensor dst_ptr,
                               torch::Tensor src_ptr, bool isolated_mean) {
    const int64_t N = x.size(0), H = x.size(1), F = x.size(2);
    auto out = torch::empty_like(x);
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "grntorch_aggregate", [&] {
      csr_aggregate<scalar_t>(values.data_ptr<scalar_t>(), x.data_ptr<scalar_t>(), out.data_ptr<scalar_t>(),
                              dst_ptr.data_ptr<int64_t>(), src.data_ptr<int64_t>(), nullptr, N, H, F);
    });
    torch::Tensor iso = isolated_mean ? empty_rows(dst_ptr) : torch::empty({0}, torch::kLong);
    if (iso.numel() > 0) out.index_copy_(0, iso, x.mean(0, true).expand({iso.numel(), H, F}));
    ctx->save_for_backward({values, x, src, dst, t_perm, dst_ptr, src_ptr, iso});
    return out;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto saved = ctx->get_saved_variables();
    auto values = saved[0], x = saved[1], src = saved[2], dst = saved[3], perm = saved[4], dst_ptr = saved[5],
         src_ptr = saved[6], iso = saved[7];
    auto g = grads[0].contiguous();
    const int64_t N = x.size(0), H = x.size(1), F = x.size(2), E = values.size(0);
    torch::Tensor gv, gx;
    if (ctx->needs_input_grad(0)) {
      gv = torch::empty_like(values);
      AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "grntorch_aggregate_gv", [&] {
        edge_dots<scalar_t>(g.data_ptr<scalar_t>(), x.data_ptr<scalar_t>(), gv.data_ptr<scalar_t>(),
                            src.data_ptr<int64_t>(), dst.data_ptr<int64_t>(), E, H, F);
      });
    }
    if (ctx->needs_input_grad(1)) {
      // A^T g: rows by source, through the (src, dst) order.
      gx = torch::empty_like(x);
      AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "grntorch_aggregate_gx", [&] {
        csr_aggregate<scalar_t>(values.data_ptr<scalar_t>(), g.data_ptr<scalar_t>(), gx.data_ptr<scalar_t>(),
                                src_ptr.data_ptr<int64_t>(), dst.data_ptr<int64_t>(), perm.data_ptr<int64_t>(), N,
                                H, F);
      });
      if (iso.numel() > 0) gx.add_(g.index_select(0, iso).sum(0, true) / static_cast<double>(N));
    }
    return {gv, gx, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(),
            torch::Tensor()};
  }
};

// GAT attention on the CSR rows by destination, per head k:
//   z_e = s_src[src_e, k] + s_dst[dst_e, k],  e_e = LeakyReLU(z_e),
//   alpha_e = softmax of e over the edges ending at dst_e.
// One pass per row; no [E] gathers or scatters through autograd.
template <typename T>
void edge_softmax_fwd(const T* ss, const T* sd, T* alpha, const int64_t* ptr, const int64_t* src, int64_t N,
                      int64_t H, T slope) {
  at::parallel_for(0, N, 64, [&](int64_t n0, int64_t n1) {
    for (int64_t n = n0; n < n1; ++n) {
      const int64_t j0 = ptr[n], j1 = ptr[n + 1];
      if (j0 == j1) continue;
      for (int64_t k = 0; k < H; ++k) {
        const T d = sd[n * H + k];
        T mx = -std::numeric_limits<T>::infinity();
        for (int64_t j = j0; j < j1; ++j) {
          T z = ss[src[j] * H + k] + d;
          z = z > 0 ? z : z * slope;
          alpha[j * H + k] = z;
          mx = std::max(mx, z);
        }
        T den = 0;
        for (int64_t j = j0; j < j1; ++j) {
          const T ex = std::exp(alpha[j * H + k] - mx);
          alpha[j * H + k] = ex;
          den += ex;
        }
        const T inv = T(1) / std::max(den, T(1e-16));
        for (int64_t j = j0; j < j1; ++j) alpha[j * H + k] *= inv;
      }
    }
  });
}

// Backward: gz_e = alpha_e (ga_e - sum_row alpha ga) * LeakyReLU'(z_e);
// g_sdst[n] = sum over the row of gz; g_ssrc[s] = sum over edges from s of gz.
template <typename T>
void edge_softmax_bwd(const T* ss, const T* sd, const T* alpha, const T* ga, T* gz, T* gss, T* gsd,
                      const int64_t* dptr, const int64_t* src, const int64_t* sptr, const int64_t* perm, int64_t N,
                      int64_t H, T slope) {
  at::parallel_for(0, N, 64, [&](int64_t n0, int64_t n1) {
    for (int64_t n = n0; n < n1; ++n) {
      const int64_t j0 = dptr[n], j1 = dptr[n + 1];
      for (int64_t k = 0; k < H; ++k) {
        T dot = 0;
        for (int64_t j = j0; j < j1; ++j) dot += alpha[j * H + k] * ga[j * H + k];
        const T d = sd[n * H + k];
        T acc = 0;
        for (int64_t j = j0; j < j1; ++j) {
          const T z = ss[src[j] * H + k] + d;
          const T g = alpha[j * H + k] * (ga[j * H + k] - dot) * (z > 0 ? T(1) : slope);
          gz[j * H + k] = g;
          acc += g;
        }
        gsd[n * H + k] = acc;
      }
    }
  });
  at::parallel_for(0, N, 64, [&](int64_t n0, int64_t n1) {
    for (int64_t n = n0; n < n1; ++n)
      for (int64_t k = 0; k < H; ++k) {
        T acc = 0;
        for (int64_t j = sptr[n]; j < sptr[n + 1]; ++j) acc += gz[perm[j] * H + k];
        gss[n * H + k] = acc;
      }
  });
}

struct EdgeSoftmaxFn : public torch::autograd::Function<EdgeSoftmaxFn> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor s_src, torch::Tensor s_dst,
                               double slope, torch::Tensor src, torch::Tensor dst_ptr, torch::Tensor t_perm,
                               torch::Tensor src_ptr) {
    const int64_t N = s_src.size(0), H = s_src.size(1), E = src.size(0);
    auto alpha = torch::zeros({E, H}, s_src.options());
    AT_DISPATCH_FLOATING_TYPES(s_src.scalar_type(), "grntorch_edge_softmax", [&] {
      edge_softmax_fwd<scalar_t>(s_src.data_ptr<scalar_t>(), s_dst.data_ptr<scalar_t>(), alpha.data_ptr<scalar_t>(),
                                 dst_ptr.data_ptr<int64_t>(), src.data_ptr<int64_t>(), N, H,
                                 static_cast<scalar_t>(slope));
    });
    ctx->save_for_backward({s_src, s_dst, alpha, src, dst_ptr, t_perm, src_ptr});
    ctx->saved_data["slope"] = slope;
    return alpha;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto sv = ctx->get_saved_variables();
    auto s_src = sv[0], s_dst = sv[1], alpha = sv[2], src = sv[3], dst_ptr = sv[4], perm = sv[5], src_ptr = sv[6];
    const double slope = ctx->saved_data["slope"].toDouble();
    auto ga = grads[0].contiguous();
    const int64_t N = s_src.size(0), H = s_src.size(1);
    auto gz = torch::empty_like(alpha);
    auto gss = torch::empty_like(s_src), gsd = torch::empty_like(s_dst);
    AT_DISPATCH_FLOATING_TYPES(s_src.scalar_type(), "grntorch_edge_softmax_bwd", [&] {
      edge_softmax_bwd<scalar_t>(s_src.data_ptr<scalar_t>(), s_dst.data_ptr<scalar_t>(), alpha.data_ptr<scalar_t>(),
                                 ga.data_ptr<scalar_t>(), gz.data_ptr<scalar_t>(), gss.data_ptr<scalar_t>(),
                                 gsd.data_ptr<scalar_t>(), dst_ptr.data_ptr<int64_t>(), src.data_ptr<int64_t>(),
                                 src_ptr.data_ptr<int64_t>(), perm.data_ptr<int64_t>(), N, H,
                                 static_cast<scalar_t>(slope));
    });
    return {gss, gsd, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

// GENELink's head output, fused: over the last dimension (F) of x [N, H, F],
//   a = LeakyReLU(x, slope),  y = a / max(||a||_2, eps),  out = y + bias[k, :].
struct HeadOutputFn : public torch::autograd::Function<HeadOutputFn> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor x, torch::Tensor bias,
                               double slope, double eps) {
    const int64_t H = x.size(1), F = x.size(2), R = x.size(0) * H;
    auto out = torch::empty_like(x);
    auto y = torch::empty_like(x);
    auto nrm = torch::empty({R}, x.options());
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "grntorch_head_output", [&] {
      const scalar_t* xp = x.data_ptr<scalar_t>();
      const scalar_t* bp = bias.defined() ? bias.data_ptr<scalar_t>() : nullptr;
      scalar_t* yp = y.data_ptr<scalar_t>();
      scalar_t* op = out.data_ptr<scalar_t>();
      scalar_t* np = nrm.data_ptr<scalar_t>();
      const auto sl = static_cast<scalar_t>(slope);
      const auto ep = static_cast<scalar_t>(eps);
      at::parallel_for(0, R, std::max<int64_t>(1, 32768 / std::max<int64_t>(1, F)), [&](int64_t r0, int64_t r1) {
        head_output_range<scalar_t>(xp, bp, yp, op, np, sl, ep, r0, r1, H, F);
      });
    });
    ctx->save_for_backward({x, y, nrm});
    ctx->saved_data["slope"] = slope;
    ctx->saved_data["eps"] = eps;
    ctx->saved_data["has_bias"] = bias.defined();
    return out;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto sv = ctx->get_saved_variables();
    auto x = sv[0], y = sv[1], nrm = sv[2];
    const double slope = ctx->saved_data["slope"].toDouble(), eps = ctx->saved_data["eps"].toDouble();
    auto g = grads[0].contiguous();
    auto gx = torch::empty_like(x);
    const int64_t H = x.size(1), F = x.size(2), R = x.size(0) * H;
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "grntorch_head_output_bwd", [&] {
      const scalar_t* xp = x.data_ptr<scalar_t>();
      const scalar_t* yp = y.data_ptr<scalar_t>();
      const scalar_t* gp = g.data_ptr<scalar_t>();
      const scalar_t* np = nrm.data_ptr<scalar_t>();
      scalar_t* op = gx.data_ptr<scalar_t>();
      const auto sl = static_cast<scalar_t>(slope);
      const auto ep = static_cast<scalar_t>(eps);
      at::parallel_for(0, R, std::max<int64_t>(1, 32768 / std::max<int64_t>(1, F)), [&](int64_t r0, int64_t r1) {
        head_output_grad_range<scalar_t>(xp, yp, gp, np, op, sl, ep, r0, r1, F);
      });
    });
    torch::Tensor gb;
    if (ctx->saved_data["has_bias"].toBool()) gb = g.sum(0).reshape({H * F});
    return {gx, gb, torch::Tensor(), torch::Tensor()};
  }
};

// GAT attention scores from the projected features, per node and head:
//   s_src[n, k] = h[n, k, :] . a_src[k, :],  s_dst[n, k] = h[n, k, :] . a_dst[k, :]
// (h [N, H, F] contiguous; a_* [H, F]).  One pass over h forward; backward
// gh = gs_src a_src + gs_dst a_dst (outer products per head) and
// ga_* = sum over nodes of gs_* h.  Replaces x (W a) with its [C, H, F]
// elementwise work and two thin products per direction.
struct AttnScoresFn : public torch::autograd::Function<AttnScoresFn> {
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx, torch::Tensor h,
                                                torch::Tensor a_src, torch::Tensor a_dst) {
    const int64_t N = h.size(0), H = h.size(1), F = h.size(2);
    auto ss = torch::empty({N, H}, h.options()), sd = torch::empty({N, H}, h.options());
    AT_DISPATCH_FLOATING_TYPES(h.scalar_type(), "grntorch_attn_scores", [&] {
      const scalar_t* hp = h.data_ptr<scalar_t>();
      const scalar_t* as = a_src.data_ptr<scalar_t>();
      const scalar_t* ad = a_dst.data_ptr<scalar_t>();
      scalar_t* sp = ss.data_ptr<scalar_t>();
      scalar_t* dp = sd.data_ptr<scalar_t>();
      at::parallel_for(0, N, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, H * F)), [&](int64_t n0, int64_t n1) {
        for (int64_t n = n0; n < n1; ++n)
          for (int64_t k = 0; k < H; ++k) {
            const scalar_t* hr = hp + (n * H + k) * F;
            sp[n * H + k] = dot_lanes(hr, as + k * F, F);
            dp[n * H + k] = dot_lanes(hr, ad + k * F, F);
          }
      });
    });
    ctx->save_for_backward({h, a_src, a_dst});
    return {ss, sd};
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto sv = ctx->get_saved_variables();
    auto h = sv[0], a_src = sv[1], a_dst = sv[2];
    const int64_t N = h.size(0), H = h.size(1), F = h.size(2);
    auto gs = grads[0].defined() ? grads[0].contiguous() : torch::zeros({N, H}, h.options());
    auto gd = grads[1].defined() ? grads[1].contiguous() : torch::zeros({N, H}, h.options());
    torch::Tensor gh;
    if (ctx->needs_input_grad(0)) {
      gh = torch::empty_like(h);
      AT_DISPATCH_FLOATING_TYPES(h.scalar_type(), "grntorch_attn_scores_bwd", [&] {
        const scalar_t* as = a_src.data_ptr<scalar_t>();
        const scalar_t* ad = a_dst.data_ptr<scalar_t>();
        const scalar_t* gsp = gs.data_ptr<scalar_t>();
        const scalar_t* gdp = gd.data_ptr<scalar_t>();
        scalar_t* out = gh.data_ptr<scalar_t>();
        at::parallel_for(0, N, std::max<int64_t>(1, 16384 / std::max<int64_t>(1, H * F)), [&](int64_t n0, int64_t n1) {
          for (int64_t n = n0; n < n1; ++n)
            for (int64_t k = 0; k < H; ++k) {
              const scalar_t u = gsp[n * H + k], v = gdp[n * H + k];
              const scalar_t* ask = as + k * F;
              const scalar_t* adk = ad + k * F;
              scalar_t* o = out + (n * H + k) * F;
              _Pragma("omp simd") for (int64_t f = 0; f < F; ++f) o[f] = u * ask[f] + v * adk[f];
            }
        });
      });
    }
    // ga_*[k, :] = gs_*[:, k]^T h[:, k, :]: one [H, 1, N] x [H, N, F] batched product.
    auto hk = h.permute({1, 0, 2});
    torch::Tensor g_as, g_ad;
    if (ctx->needs_input_grad(1)) g_as = torch::bmm(gs.t().unsqueeze(1), hk).squeeze(1);
    if (ctx->needs_input_grad(2)) g_ad = torch::bmm(gd.t().unsqueeze(1), hk).squeeze(1);
    return {gh, g_as, g_ad};
  }
};

// C = A B for contiguous float32 CPU matrices through oneDNN's sgemm
// (gemm_backend.hpp), threaded by oneDNN over the OpenMP threads the fit set;
// false when oneDNN is not there or declines.  op(X) = X^T when t.
bool onednn_mm(const torch::Tensor& a, bool ta, const torch::Tensor& b, bool tb, torch::Tensor& c) {
  const int64_t M = ta ? a.size(1) : a.size(0), K = ta ? a.size(0) : a.size(1), N = tb ? b.size(0) : b.size(1);
  c = torch::empty({M, N}, a.options());
  return gemm::sgemm_ld(ta, tb, M, N, K, a.data_ptr<float>(), a.size(1), b.data_ptr<float>(), b.size(1), 0.0f,
                        c.data_ptr<float>(), N);
}

// The GAT layers' products x W and their gradients (G W^T, x^T G) through
// oneDNN: at GENELink's shapes (948 genes x 425 cells x 384, and 384 x 192)
// it runs 1.1-1.2x OpenBLAS's speed on one core and up to 2x on two
// (OpenBLAS barely gains from a second thread at these sizes).  The
// products differ from OpenBLAS's in the last bits (another summation order).
struct MatMulFn : public torch::autograd::Function<MatMulFn> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor a, torch::Tensor b) {
    ctx->save_for_backward({a, b});
    torch::Tensor c;
    if (!onednn_mm(a, false, b, false, c)) c = torch::mm(a, b);
    return c;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads) {
    auto sv = ctx->get_saved_variables();
    auto a = sv[0], b = sv[1];
    auto g = grads[0].contiguous();
    torch::Tensor ga, gb;
    if (ctx->needs_input_grad(0) && !onednn_mm(g, false, b, true, ga)) ga = torch::mm(g, b.t());
    if (ctx->needs_input_grad(1) && !onednn_mm(a, true, g, false, gb)) gb = torch::mm(a.t(), g);
    return {ga, gb};
  }
};

torch::Tensor dense_mm(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.dim() == 2 && b.dim() == 2 && a.device().is_cpu() && b.device().is_cpu() &&
      a.scalar_type() == torch::kFloat32 && b.scalar_type() == torch::kFloat32 && gemm::onednn_available())
    return MatMulFn::apply(a.contiguous(), b.contiguous());
  return torch::mm(a, b);
}

bool fused_ok(const torch::Tensor& values, const torch::Tensor& x) {
  return values.device().is_cpu() && x.device().is_cpu() && values.scalar_type() == x.scalar_type() &&
         (x.scalar_type() == torch::kFloat32 || x.scalar_type() == torch::kFloat64);
}

}  // namespace

torch::Tensor aggregate(const Graph& g, const torch::Tensor& values, const torch::Tensor& x, bool isolated_mean) {
  if (x.dim() != 3 || x.size(0) != g.num_nodes) throw InvalidArgument("aggregate: x must be [nodes, heads, features]");
  if (values.dim() != 2 || values.size(0) != g.num_edges() || values.size(1) != x.size(1))
    throw InvalidArgument("aggregate: values must be [edges, heads]");
  if (fused_ok(values, x))
    return AggregateFn::apply(values.contiguous(), x.contiguous(), g.src, g.dst, g.t_perm, g.dst_ptr, g.src_ptr,
                              isolated_mean);
  std::vector<torch::Tensor> per_head;
  for (int64_t k = 0; k < x.size(1); ++k)
    per_head.push_back(SpMMFn::apply(values.select(1, k).contiguous(), x.select(1, k).contiguous(), g.src, g.dst,
                                     g.t_perm));
  auto out = torch::stack(per_head, 1);
  if (isolated_mean) {
    auto iso = in_degree(g).eq(0).to(x.device()).view({x.size(0), 1, 1});
    out = torch::where(iso, x.mean(0, true).expand_as(out), out);
  }
  return out;
}

torch::Tensor spmm(const Graph& g, const torch::Tensor& values, const torch::Tensor& x) {
  if (x.size(0) != g.num_nodes) throw InvalidArgument("spmm: features and graph differ in node count");
  if (x.dim() == 2 && fused_ok(values, x))
    return aggregate(g, values.reshape({-1, 1}), x.unsqueeze(1)).squeeze(1);
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

torch::Tensor inverted_dropout(const torch::Tensor& x, double p, bool training) {
  if (!training || p <= 0) return x;
  if (!x.device().is_cpu() || !x.is_floating_point()) return torch::dropout(x, p, true);
  if (p >= 1) return x * 0.0;
  auto mask = torch::empty(x.sizes(), x.options().requires_grad(false));
  {
    auto gen = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(gen.mutex());
    auto* g = at::check_generator<at::CPUGeneratorImpl>(gen);
    const double keep = 1.0 - p;
    AT_DISPATCH_FLOATING_TYPES(mask.scalar_type(), "grntorch_dropout", [&] {
      const auto scale = static_cast<scalar_t>(keep);
      scalar_t* m = mask.data_ptr<scalar_t>();
      const int64_t n = mask.numel();
      for (int64_t i = 0; i < n; ++i) {
        const double u = static_cast<double>(g->random64() & ((uint64_t(1) << 53) - 1)) * 0x1.0p-53;
        m[i] = u < keep ? scalar_t(1) : scalar_t(0);
      }
      mask.div_(scale);
    });
  }
  return x * mask;
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
  auto h = dense_mm(x, weight).view({N, H, F});
  // The attention scores a . (W x) from h = W x: one pass over h, where
  // folding a into W first, x (W a), costs C x H x F elementwise work and
  // two thin products over x per direction, more than the pass (GENELink's
  // first layer: C = 425 cells against F = 128).
  torch::Tensor s_src, s_dst;  // [N, H]
  if (fused_ok(h, att_src) && att_src.scalar_type() == att_dst.scalar_type()) {
    auto s = AttnScoresFn::apply(h, att_src.contiguous(), att_dst.contiguous());
    s_src = s[0];
    s_dst = s[1];
  } else {
    s_src = (h * att_src.unsqueeze(0)).sum(-1);
    s_dst = (h * att_dst.unsqueeze(0)).sum(-1);
  }
  torch::Tensor alpha;  // [E, H]
  if (fused_ok(s_src, s_dst)) {
    alpha = EdgeSoftmaxFn::apply(s_src.contiguous(), s_dst.contiguous(), opt.negative_slope, g.src, g.dst_ptr,
                                 g.t_perm, g.src_ptr);
  } else {
    auto e = torch::leaky_relu(gather_rows(s_src, g.src) + gather_rows(s_dst, g.dst), opt.negative_slope);
    alpha = segment_softmax(e, g.dst, N);
  }
  last_attention = alpha.detach();
  alpha = inverted_dropout(alpha, opt.dropout, is_training());
  auto out = aggregate(g, alpha, h, opt.isolated_global_mean);  // [N, H, F], all heads in one pass
  if (opt.genelink_output) {
    if (fused_ok(out, out) && (!bias.defined() || bias.scalar_type() == out.scalar_type())) {
      out = HeadOutputFn::apply(out.contiguous(), bias.defined() ? bias.contiguous() : bias, opt.negative_slope, 1e-12);
    } else {
      out = torch::leaky_relu(out, opt.negative_slope);
      out = out / out.norm(2, -1, true).clamp_min(1e-12);
      if (bias.defined()) out = out + bias.view({1, H, F});
    }
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
