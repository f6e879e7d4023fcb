// A per-gene MLP as one autograd function with fused CPU kernels (internal, torch).
//
//   out = (tanh(tanh(s * a + c) W2^T + b2)) Wo^T + bo      s: R scalars, out: R x k
//
// Forward: one pass to build h1, one BLAS product, one pass for bias + tanh +
// the k output dot products.  Backward: one pass for the head and the hidden
// tanh derivative, one or two BLAS products, one pass for the first layer.
// The plain-ATen composition of the same layers makes ~3x more passes over
// the R x H activations and spends a large share of its time in tanh.
// On CUDA (or any non-CPU tensor) it falls back to the ATen composition.
#pragma once

#include "gemm_backend.hpp"
#include "gene_mlp_kernels.hpp"
#include "tensor_io.hpp"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace grntorch {

namespace detail {

// Runs fn(r0, r1, acc) over row chunks split across LibTorch's threads; each
// thread gets its own zeroed accumulator of `acc_len` floats; returns the sum
// of the accumulators in thread order (deterministic for a fixed thread count).
template <class Fn>
std::vector<float> rows_parallel(int64_t R, int64_t acc_len, Fn&& fn) {
  const int nt = at::get_num_threads();
  std::vector<std::vector<float>> accs(nt, std::vector<float>(acc_len, 0.0f));
  // One contiguous chunk per thread: at::parallel_for with grain R / nt.
  const int64_t grain = std::max<int64_t>(1, (R + nt - 1) / nt);
  at::parallel_for(0, R, grain, [&](int64_t r0, int64_t r1) {
    int t = at::get_thread_num();
    if (t < 0 || t >= nt) t = 0;
    fn(r0, r1, acc_len ? accs[t].data() : nullptr);
  });
  std::vector<float> out(acc_len, 0.0f);
  for (int t = 0; t < nt; ++t)
    for (int64_t i = 0; i < acc_len; ++i) out[i] += accs[t][i];
  return out;
}

// Row-major products for one thread's rows: oneDNN when present, else
// LibTorch's BLAS (single-threaded inside a parallel region).  Shapes as in
// gemm_backend.hpp; `tmp` is scratch for the bfloat16 fallback.
inline void mm_rows(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const float* A, const float* B, float beta,
                    float* C) {
  if (gemm::sgemm(ta, tb, M, N, K, A, B, beta, C)) return;
  torch::NoGradGuard ng;
  auto fo = torch::TensorOptions().dtype(torch::kFloat32);
  auto At = ta ? torch::from_blob(const_cast<float*>(A), {K, M}, fo).t() : torch::from_blob(const_cast<float*>(A), {M, K}, fo);
  auto Bt = tb ? torch::from_blob(const_cast<float*>(B), {N, K}, fo).t() : torch::from_blob(const_cast<float*>(B), {K, N}, fo);
  auto Ct = torch::from_blob(C, {M, N}, fo);
  if (beta == 0.0f)
    torch::mm_out(Ct, At, Bt);
  else
    Ct.addmm_(At, Bt, beta, 1.0f);
}

inline void mm_rows_bf16(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const uint16_t* A, const uint16_t* B,
                         float beta, float* C, std::vector<float>& tmp) {
  if (gemm::bf16gemm(ta, tb, M, N, K, A, B, beta, C)) return;
  // Same numbers without oneDNN: the bfloat16 operands widened, a float32 product.
  tmp.resize(static_cast<size_t>(M * K + K * N));
  kernels::from_bf16(A, tmp.data(), static_cast<long>(M * K));
  kernels::from_bf16(B, tmp.data() + M * K, static_cast<long>(K * N));
  mm_rows(ta, tb, M, N, K, tmp.data(), tmp.data() + M * K, beta, C);
}

// Rows per block inside a thread's share (activations of one block stay in cache).
constexpr int64_t kMlpBlock = 1024;

}  // namespace detail

// The fused per-gene MLP.  Each thread takes a contiguous share of the rows
// and runs every layer on blocks of kMlpBlock rows, with its own products (so
// the activations of a block are reused while in cache).  bf16 = the
// lower-precision option: the two H x H products take bfloat16 inputs
// (h1 and W2 forward; the hidden gradient, W2 and h1 backward) and accumulate
// in float32; everything else stays float32 (the first layer's gradient uses
// h1's bfloat16 values).
class GeneMLPFunction : public torch::autograd::Function<GeneMLPFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& s_in,
                               const torch::Tensor& a_in, const torch::Tensor& c_in, const torch::Tensor& W2_in,
                               const torch::Tensor& b2_in, const torch::Tensor& Wo_in, const torch::Tensor& bo_in,
                               bool bf16) {
    auto s = s_in.contiguous().view({-1});
    auto a = a_in.contiguous(), c = c_in.contiguous(), W2 = W2_in.contiguous(), b2 = b2_in.contiguous();
    auto Wo = Wo_in.contiguous(), bo = bo_in.contiguous();
    const int64_t R = s.numel(), H = a.numel(), k = Wo.size(0);
    auto h1 = torch::empty({R, H}, s.options().dtype(bf16 ? torch::kBFloat16 : torch::kFloat32));
    auto h2 = torch::empty({R, H}, s.options());
    auto out = torch::empty({R, k}, s.options());
    torch::Tensor W2b;
    if (bf16) {
      W2b = torch::empty({H, H}, s.options().dtype(torch::kBFloat16));
      kernels::to_bf16(W2.data_ptr<float>(), reinterpret_cast<uint16_t*>(W2b.data_ptr()), static_cast<long>(H * H));
    }
    {
      const float *sp = s.data_ptr<float>(), *ap = a.data_ptr<float>(), *cp = c.data_ptr<float>();
      const float *w2p = W2.data_ptr<float>(), *bp = b2.data_ptr<float>(), *wop = Wo.data_ptr<float>();
      const float* bop = bo.data_ptr<float>();
      float *h2p = h2.data_ptr<float>(), *op = out.data_ptr<float>();
      float* h1f = bf16 ? nullptr : h1.data_ptr<float>();
      uint16_t* h1b = bf16 ? reinterpret_cast<uint16_t*>(h1.data_ptr()) : nullptr;
      const uint16_t* w2b = bf16 ? reinterpret_cast<const uint16_t*>(W2b.data_ptr()) : nullptr;
      const int Hi = static_cast<int>(H), ki = static_cast<int>(k);
      detail::rows_parallel(R, 0, [&](int64_t r0, int64_t r1, float*) {
        std::vector<float> scratch, tmp;
        if (bf16) scratch.resize(static_cast<size_t>(std::min(detail::kMlpBlock, r1 - r0) * H));
        for (int64_t q = r0; q < r1; q += detail::kMlpBlock) {
          const int64_t m = std::min(detail::kMlpBlock, r1 - q);
          if (bf16) {
            kernels::first_layer_forward(sp + q, ap, cp, scratch.data(), 0, static_cast<long>(m), Hi);
            kernels::to_bf16(scratch.data(), h1b + q * H, static_cast<long>(m * H));
            detail::mm_rows_bf16(false, true, m, H, H, h1b + q * H, w2b, 0.0f, h2p + q * H, tmp);
          } else {
            kernels::first_layer_forward(sp + q, ap, cp, h1f + q * H, 0, static_cast<long>(m), Hi);
            detail::mm_rows(false, true, m, H, H, h1f + q * H, w2p, 0.0f, h2p + q * H);
          }
          kernels::hidden_tanh_head(h2p + q * H, bp, wop, bop, ki, op + q * k, 0, static_cast<long>(m), Hi);
        }
      });
    }
    ctx->save_for_backward({s, a, c, W2, Wo, h1, h2, bf16 ? W2b : W2});
    ctx->saved_data["s_sizes"] = s_in.sizes().vec();
    ctx->saved_data["bf16"] = bf16;
    return out;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    auto s = saved[0], a = saved[1], W2 = saved[3], Wo = saved[4], h1 = saved[5], h2 = saved[6];
    auto W2b = saved[7];
    const bool bf16 = ctx->saved_data["bf16"].toBool();
    auto g = grads[0].contiguous();
    const int64_t R = s.numel(), H = a.numel(), k = Wo.size(0);
    const bool need_s = ctx->needs_input_grad(0), need_a = ctx->needs_input_grad(1),
               need_c = ctx->needs_input_grad(2), need_W2 = ctx->needs_input_grad(3),
               need_b2 = ctx->needs_input_grad(4), need_Wo = ctx->needs_input_grad(5),
               need_bo = ctx->needs_input_grad(6);
    const bool need_first = need_s || need_a || need_c;
    auto opts = s.options();
    torch::Tensor gs;
    if (need_s) gs = torch::empty({R}, opts);
    // Per-thread accumulators: gWo (k x H), gb2 (H), gW2 (H x H), ga (H), gc (H).
    const int64_t len_wo = need_Wo ? k * H : 0, len_b2 = need_b2 ? H : 0, len_w2 = need_W2 ? H * H : 0;
    const int64_t len_a = need_a ? H : 0, len_c = need_c ? H : 0;
    const int64_t off_b2 = len_wo, off_w2 = off_b2 + len_b2, off_a = off_w2 + len_w2, off_c = off_a + len_a;
    const float *gp = g.data_ptr<float>(), *wop = Wo.data_ptr<float>(), *h2p = h2.data_ptr<float>();
    const float *sp = s.data_ptr<float>(), *ap = a.data_ptr<float>();
    const float* w2p = W2.data_ptr<float>();
    const float* h1f = bf16 ? nullptr : h1.data_ptr<float>();
    const uint16_t* h1b = bf16 ? reinterpret_cast<const uint16_t*>(h1.data_ptr()) : nullptr;
    const uint16_t* w2b = bf16 ? reinterpret_cast<const uint16_t*>(W2b.data_ptr()) : nullptr;
    float* gsp = need_s ? gs.data_ptr<float>() : nullptr;
    const int Hi = static_cast<int>(H), ki = static_cast<int>(k);
    auto acc = detail::rows_parallel(R, off_c + len_c, [&](int64_t r0, int64_t r1, float* acc) {
      const int64_t blk = std::min(detail::kMlpBlock, r1 - r0);
      std::vector<float> g2(static_cast<size_t>(blk * H)), g1, h1r, tmp;
      std::vector<uint16_t> g2b;
      if (need_first) g1.resize(g2.size());
      if (bf16) {
        g2b.resize(g2.size());
        if (need_first) h1r.resize(g2.size());
      }
      for (int64_t q = r0; q < r1; q += detail::kMlpBlock) {
        const int64_t m = std::min(detail::kMlpBlock, r1 - q);
        const long ml = static_cast<long>(m);
        kernels::head_backward(gp + q * k, ki, wop, h2p + q * H, g2.data(), len_wo ? acc : nullptr,
                               len_b2 ? acc + off_b2 : nullptr, 0, ml, Hi);
        if (bf16) kernels::to_bf16(g2.data(), g2b.data(), static_cast<long>(m * H));
        // gW2 += g2^T h1
        if (need_W2) {
          if (bf16)
            detail::mm_rows_bf16(true, false, H, H, m, g2b.data(), h1b + q * H, 1.0f, acc + off_w2, tmp);
          else
            detail::mm_rows(true, false, H, H, m, g2.data(), h1f + q * H, 1.0f, acc + off_w2);
        }
        if (!need_first) continue;
        // g1 = g2 W2, then the first layer (under bf16 with h1's bfloat16 values widened).
        const float* h1q;
        if (bf16) {
          detail::mm_rows_bf16(false, false, m, H, H, g2b.data(), w2b, 0.0f, g1.data(), tmp);
          kernels::from_bf16(h1b + q * H, h1r.data(), static_cast<long>(m * H));
          h1q = h1r.data();
        } else {
          detail::mm_rows(false, false, m, H, H, g2.data(), w2p, 0.0f, g1.data());
          h1q = h1f + q * H;
        }
        kernels::first_layer_backward(g1.data(), h1q, sp + q, ap, gsp ? gsp + q : nullptr, len_a ? acc + off_a : nullptr,
                                      len_c ? acc + off_c : nullptr, 0, ml, Hi);
      }
    });
    torch::Tensor gWo, gb2, gbo, gW2, ga, gc;
    if (need_Wo) gWo = tio::copy_floats(acc.data(), {k, H});
    if (need_b2) gb2 = tio::copy_floats(acc.data() + off_b2, {H});
    if (need_W2) gW2 = tio::copy_floats(acc.data() + off_w2, {H, H});
    if (need_a) ga = tio::copy_floats(acc.data() + off_a, {H});
    if (need_c) gc = tio::copy_floats(acc.data() + off_c, {H});
    if (need_bo) gbo = g.sum(0);
    if (gs.defined()) gs = gs.view(ctx->saved_data["s_sizes"].toIntVector());
    return {gs, ga, gc, gW2, gb2, gWo, gbo, torch::Tensor()};
  }
};

// out (R x k) of the per-gene MLP on scalars s (any shape with R elements).
inline torch::Tensor gene_mlp(const torch::Tensor& s, const torch::Tensor& a, const torch::Tensor& c,
                              const torch::Tensor& W2, const torch::Tensor& b2, const torch::Tensor& Wo,
                              const torch::Tensor& bo, bool fused, bool bf16 = false) {
  if (fused && s.device().is_cpu() && s.scalar_type() == torch::kFloat32)
    return GeneMLPFunction::apply(s, a, c, W2, b2, Wo, bo, bf16);
  const int64_t H = a.numel();
  auto h = torch::addcmul(c, s.reshape({-1, 1}), a).tanh_();
  auto h2 = torch::addmm(b2, h.view({-1, H}), W2.t()).tanh_();
  return torch::addmm(bo, h2, Wo.t());
}

}  // namespace grntorch
