// Fused CPU kernels for per-gene MLPs (see gene_mlp_kernels.cpp).  Internal;
// plain pointers, row-major (R x H) activations, rows [r0, r1).
#pragma once

#include <cstdint>

namespace grntorch {
namespace kernels {

// The tanh approximation the kernels use (for tests).
float tanh_scalar(float x);

// h1[r, :] = tanh(s[r] * a + c)
void first_layer_forward(const float* s, const float* a, const float* c, float* h1, long r0, long r1, int H);

// h2[r, :] = tanh(h2[r, :] + b2) in place, then out[r, j] = h2[r, :] . Wo[j, :] + bo[j]  (out: R x k)
void hidden_tanh_head(float* h2, const float* b2, const float* Wo, const float* bo, int k, float* out, long r0,
                      long r1, int H);

// g2[r, :] = (g[r, :] Wo) * (1 - h2[r, :]^2); accumulates gWo[j, :] += g[r, j] h2[r, :]
// and gb2 += g2[r, :] (either may be null).  g: R x k, Wo: k x H.
void head_backward(const float* g, int k, const float* Wo, const float* h2, float* g2, float* gWo, float* gb2,
                   long r0, long r1, int H);

// t = g1[r, :] * (1 - h1[r, :]^2): gs[r] = t . a, ga += t * s[r], gc += t (any may be null).
void first_layer_backward(const float* g1, const float* h1, const float* s, const float* a, float* gs, float* ga,
                          float* gc, long r0, long r1, int H);

// y[i] = x[i] rounded to bfloat16 (nearest even), as the top 16 bits of a float32.
void to_bf16(const float* x, std::uint16_t* y, long n);
// y[i] = the float32 value of the bfloat16 x[i] (exact).
void from_bf16(const std::uint16_t* x, float* y, long n);

}  // namespace kernels
}  // namespace grntorch
