// Fused CPU kernels for the per-gene MLPs of DeepSEM-like models (internal).
//
// A "per-gene MLP" maps one scalar per (cell, gene) row through
//   h1 = tanh(s * a + c)            (Linear(1 -> H) + tanh)
//   h2 = tanh(h1 W2^T + b2)         (Linear(H -> H) + tanh)
//   out = h2 Wo^T + bo              (Linear(H -> k), k = 1 or 2)
// over R = cells x genes rows.  The two H x H products go to BLAS; these
// kernels do everything else in as few passes over the R x H activations as
// possible (the activations, ~40 MB per tensor, do not fit in cache).  Each
// kernel works on rows [r0, r1) so the caller can split rows over threads;
// reductions go to caller-provided per-thread accumulators.  No torch here.
#include "gene_mlp_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#include <immintrin.h>
#endif

// Each kernel body is compiled twice on x86-64 with GCC/Clang: for the
// baseline ISA and for AVX2 + FMA; the CPU picks one at run time.
#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#define GRN_DISPATCH 1
#define GRN_AVX2 __attribute__((target("avx2,fma")))
#else
#define GRN_DISPATCH 0
#define GRN_AVX2
#endif
#if defined(__GNUC__) || defined(__clang__)
#define GRN_INLINE inline __attribute__((always_inline))
#define GRN_RESTRICT __restrict__
#else
#define GRN_INLINE inline
#define GRN_RESTRICT
#endif

namespace grntorch {
namespace kernels {

namespace {

// tanh as an odd/even rational function (degree 13 / 6) on [-c, c], the
// classic float approximation (absolute error < 5e-7); saturates beyond c.
GRN_INLINE float fast_tanh(float x) {
  const float c = 7.90531110763549805f;
  float xc = std::min(c, std::max(-c, x));
  float x2 = xc * xc;
  float p = -2.76076847742355e-16f;
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  p = p * xc;
  float q = 1.19825839466702e-06f;
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  return p / q;
}

constexpr int kLanes = 8;

GRN_INLINE void first_layer_forward_impl(const float* GRN_RESTRICT s, const float* GRN_RESTRICT a,
                                         const float* GRN_RESTRICT c, float* GRN_RESTRICT h1, long r0, long r1,
                                         int H) {
  for (long r = r0; r < r1; ++r) {
    const float sr = s[r];
    float* GRN_RESTRICT out = h1 + r * H;
    for (int h = 0; h < H; ++h) out[h] = fast_tanh(sr * a[h] + c[h]);
  }
}

GRN_INLINE void hidden_tanh_head_impl(float* GRN_RESTRICT h2, const float* GRN_RESTRICT b2,
                                      const float* GRN_RESTRICT Wo, const float* GRN_RESTRICT bo, int k,
                                      float* GRN_RESTRICT out, long r0, long r1, int H) {
  for (long r = r0; r < r1; ++r) {
    float* GRN_RESTRICT row = h2 + r * H;
    for (int h = 0; h < H; ++h) row[h] = fast_tanh(row[h] + b2[h]);
    for (int j = 0; j < k; ++j) {
      const float* GRN_RESTRICT w = Wo + static_cast<long>(j) * H;
      float acc[kLanes] = {0, 0, 0, 0, 0, 0, 0, 0};
      int h = 0;
      for (; h + kLanes <= H; h += kLanes)
        for (int l = 0; l < kLanes; ++l) acc[l] += row[h + l] * w[h + l];
      float sum = 0;
      for (; h < H; ++h) sum += row[h] * w[h];
      for (int l = 0; l < kLanes; ++l) sum += acc[l];
      out[r * k + j] = sum + bo[j];
    }
  }
}

GRN_INLINE void head_backward_impl(const float* GRN_RESTRICT g, int k, const float* GRN_RESTRICT Wo,
                                   const float* GRN_RESTRICT h2, float* GRN_RESTRICT g2, float* GRN_RESTRICT gWo,
                                   float* GRN_RESTRICT gb2, long r0, long r1, int H) {
  for (long r = r0; r < r1; ++r) {
    const float* GRN_RESTRICT y = h2 + r * H;
    float* GRN_RESTRICT d = g2 + r * H;
    const float* GRN_RESTRICT gr = g + r * k;
    if (k == 1) {
      const float g0 = gr[0];
      for (int h = 0; h < H; ++h) d[h] = g0 * Wo[h] * (1.0f - y[h] * y[h]);
    } else {
      for (int h = 0; h < H; ++h) {
        float v = 0;
        for (int j = 0; j < k; ++j) v += gr[j] * Wo[static_cast<long>(j) * H + h];
        d[h] = v * (1.0f - y[h] * y[h]);
      }
    }
    if (gWo != nullptr)
      for (int j = 0; j < k; ++j) {
        const float gj = gr[j];
        float* GRN_RESTRICT acc = gWo + static_cast<long>(j) * H;
        for (int h = 0; h < H; ++h) acc[h] += gj * y[h];
      }
    if (gb2 != nullptr)
      for (int h = 0; h < H; ++h) gb2[h] += d[h];
  }
}

GRN_INLINE void first_layer_backward_impl(const float* GRN_RESTRICT g1, const float* GRN_RESTRICT h1,
                                          const float* GRN_RESTRICT s, const float* GRN_RESTRICT a,
                                          float* GRN_RESTRICT gs, float* GRN_RESTRICT ga, float* GRN_RESTRICT gc,
                                          long r0, long r1, int H) {
  for (long r = r0; r < r1; ++r) {
    const float* GRN_RESTRICT d = g1 + r * H;
    const float* GRN_RESTRICT y = h1 + r * H;
    const float sr = s[r];
    float acc[kLanes] = {0, 0, 0, 0, 0, 0, 0, 0};
    int h = 0;
    if (ga != nullptr && gc != nullptr) {
      for (; h + kLanes <= H; h += kLanes)
        for (int l = 0; l < kLanes; ++l) {
          const float t = d[h + l] * (1.0f - y[h + l] * y[h + l]);
          acc[l] += t * a[h + l];
          ga[h + l] += t * sr;
          gc[h + l] += t;
        }
    } else {
      for (; h + kLanes <= H; h += kLanes)
        for (int l = 0; l < kLanes; ++l) acc[l] += d[h + l] * (1.0f - y[h + l] * y[h + l]) * a[h + l];
    }
    float sum = 0;
    for (; h < H; ++h) {
      const float t = d[h] * (1.0f - y[h] * y[h]);
      sum += t * a[h];
      if (ga != nullptr) ga[h] += t * sr;
      if (gc != nullptr) gc[h] += t;
    }
    for (int l = 0; l < kLanes; ++l) sum += acc[l];
    if (gs != nullptr) gs[r] = sum;
  }
}

// float32 -> bfloat16, round to nearest even (NaN stays NaN: quiet NaNs keep
// their top bits); bfloat16 -> float32 is exact.
inline std::uint16_t bf16_round(float x) {
  std::uint32_t u;
  std::memcpy(&u, &x, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((u >> 16) | 0x40u);  // NaN
  u += 0x7fffu + ((u >> 16) & 1u);
  return static_cast<std::uint16_t>(u >> 16);
}

void to_bf16_impl(const float* x, std::uint16_t* y, long n) {
  for (long i = 0; i < n; ++i) y[i] = bf16_round(x[i]);
}

#if GRN_DISPATCH
bool use_avx2() {
  static const bool v = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return v;
}

// AVX2 + FMA versions with intrinsics (auto-vectorisation of the clamp and
// division depends on compiler flags we do not control in an R build).  They
// handle H % 8 != 0 by falling back to the scalar code.
GRN_AVX2 inline __m256 tanh8(__m256 x) {
  const __m256 c = _mm256_set1_ps(7.90531110763549805f);
  __m256 xc = _mm256_min_ps(c, _mm256_max_ps(_mm256_sub_ps(_mm256_setzero_ps(), c), x));
  __m256 x2 = _mm256_mul_ps(xc, xc);
  __m256 p = _mm256_set1_ps(-2.76076847742355e-16f);
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(2.00018790482477e-13f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-8.60467152213735e-11f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(5.12229709037114e-08f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(1.48572235717979e-05f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(6.37261928875436e-04f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(4.89352455891786e-03f));
  p = _mm256_mul_ps(p, xc);
  __m256 q = _mm256_set1_ps(1.19825839466702e-06f);
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(1.18534705686654e-04f));
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(2.26843463243900e-03f));
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(4.89352518554385e-03f));
  return _mm256_div_ps(p, q);
}

GRN_AVX2 inline float hsum8(__m256 v) {
  alignas(32) float t[8];
  _mm256_store_ps(t, v);
  return ((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7]));
}

GRN_AVX2 inline __m256 one_minus_sq(__m256 y) { return _mm256_fnmadd_ps(y, y, _mm256_set1_ps(1.0f)); }

GRN_AVX2 void first_layer_forward_avx2(const float* s, const float* a, const float* c, float* h1, long r0, long r1,
                                       int H) {
  for (long r = r0; r < r1; ++r) {
    const __m256 sr = _mm256_set1_ps(s[r]);
    float* out = h1 + r * H;
    for (int h = 0; h < H; h += 8)
      _mm256_storeu_ps(out + h, tanh8(_mm256_fmadd_ps(sr, _mm256_loadu_ps(a + h), _mm256_loadu_ps(c + h))));
  }
}

GRN_AVX2 void hidden_tanh_head_avx2(float* h2, const float* b2, const float* Wo, const float* bo, int k, float* out,
                                    long r0, long r1, int H) {
  for (long r = r0; r < r1; ++r) {
    float* row = h2 + r * H;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    for (int h = 0; h < H; h += 8) {
      __m256 y = tanh8(_mm256_add_ps(_mm256_loadu_ps(row + h), _mm256_loadu_ps(b2 + h)));
      _mm256_storeu_ps(row + h, y);
      acc0 = _mm256_fmadd_ps(y, _mm256_loadu_ps(Wo + h), acc0);
      if (k == 2) acc1 = _mm256_fmadd_ps(y, _mm256_loadu_ps(Wo + H + h), acc1);
    }
    out[r * k] = hsum8(acc0) + bo[0];
    if (k == 2) out[r * k + 1] = hsum8(acc1) + bo[1];
  }
}

GRN_AVX2 void head_backward_avx2(const float* g, int k, const float* Wo, const float* h2, float* g2, float* gWo,
                                 float* gb2, long r0, long r1, int H) {
  for (long r = r0; r < r1; ++r) {
    const float* y = h2 + r * H;
    float* d = g2 + r * H;
    const __m256 g0 = _mm256_set1_ps(g[r * k]);
    const __m256 g1 = _mm256_set1_ps(k == 2 ? g[r * k + 1] : 0.0f);
    for (int h = 0; h < H; h += 8) {
      __m256 yv = _mm256_loadu_ps(y + h);
      __m256 v = _mm256_mul_ps(g0, _mm256_loadu_ps(Wo + h));
      if (k == 2) v = _mm256_fmadd_ps(g1, _mm256_loadu_ps(Wo + H + h), v);
      __m256 dv = _mm256_mul_ps(v, one_minus_sq(yv));
      _mm256_storeu_ps(d + h, dv);
      if (gWo != nullptr) {
        _mm256_storeu_ps(gWo + h, _mm256_fmadd_ps(g0, yv, _mm256_loadu_ps(gWo + h)));
        if (k == 2) _mm256_storeu_ps(gWo + H + h, _mm256_fmadd_ps(g1, yv, _mm256_loadu_ps(gWo + H + h)));
      }
      if (gb2 != nullptr) _mm256_storeu_ps(gb2 + h, _mm256_add_ps(_mm256_loadu_ps(gb2 + h), dv));
    }
  }
}

GRN_AVX2 void first_layer_backward_avx2(const float* g1, const float* h1, const float* s, const float* a, float* gs,
                                        float* ga, float* gc, long r0, long r1, int H) {
  for (long r = r0; r < r1; ++r) {
    const float* d = g1 + r * H;
    const float* y = h1 + r * H;
    const __m256 sr = _mm256_set1_ps(s[r]);
    __m256 acc = _mm256_setzero_ps();
    for (int h = 0; h < H; h += 8) {
      __m256 t = _mm256_mul_ps(_mm256_loadu_ps(d + h), one_minus_sq(_mm256_loadu_ps(y + h)));
      acc = _mm256_fmadd_ps(t, _mm256_loadu_ps(a + h), acc);
      if (ga != nullptr) _mm256_storeu_ps(ga + h, _mm256_fmadd_ps(t, sr, _mm256_loadu_ps(ga + h)));
      if (gc != nullptr) _mm256_storeu_ps(gc + h, _mm256_add_ps(_mm256_loadu_ps(gc + h), t));
    }
    if (gs != nullptr) gs[r] = hsum8(acc);
  }
}

GRN_AVX2 void to_bf16_avx2(const float* x, std::uint16_t* y, long n) {
  const __m256i bias = _mm256_set1_epi32(0x7fff), one = _mm256_set1_epi32(1);
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_loadu_ps(x + i);
    __m256i u = _mm256_castps_si256(v);
    __m256i r = _mm256_add_epi32(u, _mm256_add_epi32(bias, _mm256_and_si256(_mm256_srli_epi32(u, 16), one)));
    // NaN lanes keep their own top half (quieted) instead of the rounded value.
    __m256i nan = _mm256_castps_si256(_mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    r = _mm256_blendv_epi8(r, _mm256_or_si256(u, _mm256_set1_epi32(0x400000)), nan);
    r = _mm256_srli_epi32(r, 16);
    __m128i packed = _mm_packus_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(y + i), packed);
  }
  for (; i < n; ++i) y[i] = bf16_round(x[i]);
}

GRN_AVX2 float tanh_avx2(float x) {
  alignas(32) float t[8];
  _mm256_store_ps(t, tanh8(_mm256_set1_ps(x)));
  return t[0];
}
#endif

}  // namespace

float tanh_scalar(float x) {
#if GRN_DISPATCH
  if (use_avx2()) return tanh_avx2(x);
#endif
  return fast_tanh(x);
}

void first_layer_forward(const float* s, const float* a, const float* c, float* h1, long r0, long r1, int H) {
#if GRN_DISPATCH
  if (use_avx2() && H % 8 == 0) return first_layer_forward_avx2(s, a, c, h1, r0, r1, H);
#endif
  first_layer_forward_impl(s, a, c, h1, r0, r1, H);
}

void hidden_tanh_head(float* h2, const float* b2, const float* Wo, const float* bo, int k, float* out, long r0,
                      long r1, int H) {
#if GRN_DISPATCH
  if (use_avx2() && H % 8 == 0 && (k == 1 || k == 2)) return hidden_tanh_head_avx2(h2, b2, Wo, bo, k, out, r0, r1, H);
#endif
  hidden_tanh_head_impl(h2, b2, Wo, bo, k, out, r0, r1, H);
}

void head_backward(const float* g, int k, const float* Wo, const float* h2, float* g2, float* gWo, float* gb2,
                   long r0, long r1, int H) {
#if GRN_DISPATCH
  if (use_avx2() && H % 8 == 0 && (k == 1 || k == 2)) return head_backward_avx2(g, k, Wo, h2, g2, gWo, gb2, r0, r1, H);
#endif
  head_backward_impl(g, k, Wo, h2, g2, gWo, gb2, r0, r1, H);
}

void first_layer_backward(const float* g1, const float* h1, const float* s, const float* a, float* gs, float* ga,
                          float* gc, long r0, long r1, int H) {
#if GRN_DISPATCH
  if (use_avx2() && H % 8 == 0) return first_layer_backward_avx2(g1, h1, s, a, gs, ga, gc, r0, r1, H);
#endif
  first_layer_backward_impl(g1, h1, s, a, gs, ga, gc, r0, r1, H);
}

void to_bf16(const float* x, std::uint16_t* y, long n) {
#if GRN_DISPATCH
  if (use_avx2()) return to_bf16_avx2(x, y, n);
#endif
  to_bf16_impl(x, y, n);
}

void from_bf16(const std::uint16_t* x, float* y, long n) {
  for (long i = 0; i < n; ++i) {
    std::uint32_t u = static_cast<std::uint32_t>(x[i]) << 16;
    std::memcpy(y + i, &u, 4);
  }
}

}  // namespace kernels
}  // namespace grntorch
