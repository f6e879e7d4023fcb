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

#include "gene_mlp_kernels.hpp"
#include "tensor_io.hpp"

#include <ATen/Parallel.h>
#include <torch/torch.h>

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

}  // namespace detail

class GeneMLPFunction : public torch::autograd::Function<GeneMLPFunction> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& s_in,
                               const torch::Tensor& a_in, const torch::Tensor& c_in, const torch::Tensor& W2_in,
                               const torch::Tensor& b2_in, const torch::Tensor& Wo_in, const torch::Tensor& bo_in) {
    auto s = s_in.contiguous().view({-1});
    auto a = a_in.contiguous(), c = c_in.contiguous(), W2 = W2_in.contiguous(), b2 = b2_in.contiguous();
    auto Wo = Wo_in.contiguous(), bo = bo_in.contiguous();
    const int64_t R = s.numel(), H = a.numel(), k = Wo.size(0);
    auto h1 = torch::empty({R, H}, s.options());
    {
      const float *sp = s.data_ptr<float>(), *ap = a.data_ptr<float>(), *cp = c.data_ptr<float>();
      float* hp = h1.data_ptr<float>();
      detail::rows_parallel(R, 0, [&](int64_t r0, int64_t r1, float*) {
        kernels::first_layer_forward(sp, ap, cp, hp, r0, r1, static_cast<int>(H));
      });
    }
    auto h2 = torch::mm(h1, W2.t());
    auto out = torch::empty({R, k}, s.options());
    {
      float* hp = h2.data_ptr<float>();
      const float *bp = b2.data_ptr<float>(), *wp = Wo.data_ptr<float>(), *bop = bo.data_ptr<float>();
      float* op = out.data_ptr<float>();
      detail::rows_parallel(R, 0, [&](int64_t r0, int64_t r1, float*) {
        kernels::hidden_tanh_head(hp, bp, wp, bop, static_cast<int>(k), op, r0, r1, static_cast<int>(H));
      });
    }
    ctx->save_for_backward({s, a, W2, Wo, h1, h2});
    ctx->saved_data["s_sizes"] = s_in.sizes().vec();
    return out;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    auto saved = ctx->get_saved_variables();
    auto s = saved[0], a = saved[1], W2 = saved[2], Wo = saved[3], h1 = saved[4], h2 = saved[5];
    auto g = grads[0].contiguous();
    const int64_t R = s.numel(), H = a.numel(), k = Wo.size(0);
    const bool need_s = ctx->needs_input_grad(0), need_a = ctx->needs_input_grad(1),
               need_c = ctx->needs_input_grad(2), need_W2 = ctx->needs_input_grad(3),
               need_b2 = ctx->needs_input_grad(4), need_Wo = ctx->needs_input_grad(5),
               need_bo = ctx->needs_input_grad(6);
    auto opts = s.options();
    auto g2 = torch::empty({R, H}, opts);
    torch::Tensor gWo, gb2, gbo;
    {
      const float *gp = g.data_ptr<float>(), *wp = Wo.data_ptr<float>(), *yp = h2.data_ptr<float>();
      float* dp = g2.data_ptr<float>();
      const int64_t len_wo = need_Wo ? k * H : 0, len_b2 = need_b2 ? H : 0;
      auto acc = detail::rows_parallel(R, len_wo + len_b2, [&](int64_t r0, int64_t r1, float* acc) {
        kernels::head_backward(gp, static_cast<int>(k), wp, yp, dp, len_wo ? acc : nullptr,
                               len_b2 ? acc + len_wo : nullptr, r0, r1, static_cast<int>(H));
      });
      if (need_Wo) gWo = tio::copy_floats(acc.data(), {k, H});
      if (need_b2) gb2 = tio::copy_floats(acc.data() + len_wo, {H});
    }
    if (need_bo) gbo = g.sum(0);
    torch::Tensor gW2, gs, ga, gc;
    if (need_W2) gW2 = torch::mm(g2.t(), h1);
    if (need_s || need_a || need_c) {
      auto g1 = torch::mm(g2, W2);
      g2 = torch::Tensor();  // free early
      if (need_s) gs = torch::empty({R}, opts);
      const float *d = g1.data_ptr<float>(), *y = h1.data_ptr<float>(), *sp = s.data_ptr<float>(),
                  *ap = a.data_ptr<float>();
      float* gsp = need_s ? gs.data_ptr<float>() : nullptr;
      const int64_t len_a = need_a ? H : 0, len_c = need_c ? H : 0;
      auto acc = detail::rows_parallel(R, len_a + len_c, [&](int64_t r0, int64_t r1, float* acc) {
        kernels::first_layer_backward(d, y, sp, ap, gsp, len_a ? acc : nullptr, len_c ? acc + len_a : nullptr, r0,
                                      r1, static_cast<int>(H));
      });
      if (need_a) ga = tio::copy_floats(acc.data(), {H});
      if (need_c) gc = tio::copy_floats(acc.data() + len_a, {H});
    }
    if (gs.defined()) gs = gs.view(ctx->saved_data["s_sizes"].toIntVector());
    return {gs, ga, gc, gW2, gb2, gWo, gbo};
  }
};

// out (R x k) of the per-gene MLP on scalars s (any shape with R elements).
inline torch::Tensor gene_mlp(const torch::Tensor& s, const torch::Tensor& a, const torch::Tensor& c,
                              const torch::Tensor& W2, const torch::Tensor& b2, const torch::Tensor& Wo,
                              const torch::Tensor& bo, bool fused) {
  if (fused && s.device().is_cpu() && s.scalar_type() == torch::kFloat32)
    return GeneMLPFunction::apply(s, a, c, W2, b2, Wo, bo);
  const int64_t H = a.numel();
  auto h = torch::addcmul(c, s.reshape({-1, 1}), a).tanh_();
  auto h2 = torch::addmm(b2, h.view({-1, H}), W2.t()).tanh_();
  return torch::addmm(bo, h2, Wo.t());
}

}  // namespace grntorch
