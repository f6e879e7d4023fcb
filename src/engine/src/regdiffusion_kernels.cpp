// Fused CPU kernels of RegDiffusion's per-gene nets (see regdiffusion_kernels.hpp).
//
// The batch x genes rows are processed in tiles of kR genes of one cell, in
// structure-of-arrays layout (unit j of the tile's rows at [j * kR + r]), so
// that every inner loop runs over the tile's rows and vectorises.  Threads
// take tiles of genes (all cells of a tile on one thread, so the gradient of
// the genes' own inputs has one writer); the weights' gradients are summed
// per thread in float64 and added up in thread order.  The backward pass
// recomputes the forward of its tile (nothing is stored between the passes).
// Each body is compiled for the baseline ISA and for AVX2 + FMA; the CPU picks
// one at run time.
#include "regdiffusion_kernels.hpp"

#include "gemm_backend.hpp"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
#define RDK_DISPATCH 1
#define RDK_AVX2 __attribute__((target("avx2,fma"), optimize("O3", "no-math-errno")))
#define RDK_BASE __attribute__((optimize("O3", "no-math-errno")))
#else
#define RDK_DISPATCH 0
#define RDK_AVX2
#define RDK_BASE
#endif
#if defined(__GNUC__) || defined(__clang__)
#define RDK_INLINE inline __attribute__((always_inline))
#else
#define RDK_INLINE inline
#endif

namespace grntorch {
namespace rdk {

namespace {

constexpr int kR = 16;  // rows per tile
constexpr int kV = 2;   // 8-float vectors per tile
typedef float V __attribute__((vector_size(32)));
typedef std::uint32_t U __attribute__((vector_size(32)));
typedef std::int32_t I __attribute__((vector_size(32)));

RDK_INLINE V splat(float x) { return V{x, x, x, x, x, x, x, x}; }
RDK_INLINE U splatu(std::uint32_t x) { return U{x, x, x, x, x, x, x, x}; }

// tanh as an odd/even rational function (degree 13 / 6) on [-c, c]
// (absolute error < 1e-6); saturates beyond c.
RDK_INLINE V tanh_v(V x) {
  const V c = splat(7.90531110763549805f), mc = splat(-7.90531110763549805f);
  V xc = x < c ? x : c;
  xc = xc > mc ? xc : mc;
  const V x2 = xc * xc;
  V p = splat(-2.76076847742355e-16f);
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  p = p * xc;
  V q = splat(1.19825839466702e-06f);
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  return p / q;
}

RDK_INLINE U h32v(U x) {
  x ^= x >> 16;
  x *= 0x7feb352dU;
  x ^= x >> 15;
  x *= 0x846ca68bU;
  x ^= x >> 16;
  return x;
}

// Multipliers of 8 consecutive rows (indices idx, idx + D, ...).
RDK_INLINE V keep_v(const Drop& d, U idx) {
  const U h = h32v(h32v(idx ^ d.k1) + d.k2);
  // h >= threshold as unsigned, by a signed compare with the sign bits flipped
  // (AVX2 has no unsigned compare).
  const I keep = reinterpret_cast<I>(h ^ 0x80000000U) >= static_cast<std::int32_t>(d.threshold ^ 0x80000000U);
  return keep ? splat(d.scale) : splat(0.0f);
}

// Lane-wise square root, correctly rounded (as std::sqrt), in two SSE
// instructions on x86-64 (VEX-encoded in the AVX2 bodies; no trip through
// memory, which stalls store forwarding): a loop over the lanes compiles to
// eight scalar square roots with errno checks.
RDK_INLINE V sqrt_v(V x) {
#if RDK_DISPATCH && (defined(__clang__) || __GNUC__ >= 12)
  typedef float V4 __attribute__((vector_size(16)));
  const V4 lo = __builtin_ia32_sqrtps(__builtin_shufflevector(x, x, 0, 1, 2, 3));
  const V4 hi = __builtin_ia32_sqrtps(__builtin_shufflevector(x, x, 4, 5, 6, 7));
  return __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7);
#else
  V r;
  for (int l = 0; l < 8; ++l) r[l] = std::sqrt(x[l]);
  return r;
#endif
}

RDK_INLINE float hsum(V v) {
  float t = 0;
  for (int l = 0; l < 8; ++l) t += v[l];
  return t;
}

// One thread's tile buffers, as vectors: unit j of the tile at [j * kV .. j * kV + kV).
struct Work {
  std::vector<float> buf;  // 32-byte aligned by hand (std::vector<V> need not be)
  V *x, *tx, *gu, *Pt, *gPt, *gh, *gp, *gs;
  V *a[2], *m[2], *s[2], *h[2];
  // Weight gradients of the current gene tile, summed over its cells as vectors.
  V *vW2[2], *vb2[2], *vW1b, *vb1b, *vw10, *vwf;
  std::size_t nacc = 0;
  V* acc0 = nullptr;
  explicit Work(int D) {
    const std::size_t R = kV, DR = static_cast<std::size_t>(D) * kV;
    const std::size_t DD = static_cast<std::size_t>(D) * D, D1 = static_cast<std::size_t>(D) * (D + 1);
    nacc = 2 * DD + 2 * static_cast<std::size_t>(D) + D1 + 3 * static_cast<std::size_t>(D);
    buf.assign((3 * R + 13 * DR + nacc) * 8 + 8, 0.0f);
    const std::uintptr_t addr = reinterpret_cast<std::uintptr_t>(buf.data());
    V* p = reinterpret_cast<V*>((addr + 31) & ~static_cast<std::uintptr_t>(31));
    x = p; p += R;
    tx = p; p += R;
    gu = p; p += R;
    Pt = p; p += DR;
    gPt = p; p += DR;
    gh = p; p += DR;
    gp = p; p += DR;
    gs = p; p += DR;
    for (int k = 0; k < 2; ++k) {
      a[k] = p; p += DR;
      m[k] = p; p += DR;
      s[k] = p; p += DR;
      h[k] = p; p += DR;
    }
    acc0 = p;
    for (int k = 0; k < 2; ++k) {
      vW2[k] = p; p += DD;
      vb2[k] = p; p += D;
    }
    vW1b = p; p += D1;
    vb1b = p; p += D;
    vw10 = p; p += D;
    vwf = p; p += D;
  }
  void clear_acc() {
    for (std::size_t i = 0; i < nacc; ++i) acc0[i] = splat(0.0f);
  }
};

// The forward activations of one (gene tile, cell), kept for the backward pass:
// x, tanh(x), then a, m, s, h of each block.
RDK_INLINE std::size_t saved_per(int D) { return static_cast<std::size_t>(2 + 8 * D) * kV; }
RDK_INLINE void point(Work& w, V* p, int D) {
  const std::size_t DR = static_cast<std::size_t>(D) * kV;
  w.x = p; p += kV;
  w.tx = p; p += kV;
  for (int k = 0; k < 2; ++k) {
    w.a[k] = p; p += DR;
    w.m[k] = p; p += DR;
    w.s[k] = p; p += DR;
    w.h[k] = p; p += DR;
  }
}

// One thread's gradient sums (float64).
struct Acc {
  std::vector<double> te[2], W2[2], b2[2], W1b, b1b, w10, wf;
  Acc(std::int64_t b, int D) {
    for (int k = 0; k < 2; ++k) {
      te[k].assign(static_cast<std::size_t>(b * D), 0.0);
      W2[k].assign(static_cast<std::size_t>(D * D), 0.0);
      b2[k].assign(static_cast<std::size_t>(D), 0.0);
    }
    W1b.assign(static_cast<std::size_t>(D * (D + 1)), 0.0);
    b1b.assign(static_cast<std::size_t>(D), 0.0);
    w10.assign(static_cast<std::size_t>(D), 0.0);
    wf.assign(static_cast<std::size_t>(D), 0.0);
  }
};

// h[j] = tanh(b[j] + sum_i W[j, i] s[i]) over the tile.
RDK_INLINE void dense_tanh(const float* W, const float* bias, const V* s, V* h, int D) {
  for (int j = 0; j < D; ++j) {
    V acc0 = splat(bias[j]), acc1 = acc0;
    const float* wj = W + static_cast<std::size_t>(j) * D;
    for (int i = 0; i < D; ++i) {
      const V w = splat(wj[i]);
      acc0 += w * s[i * kV];
      acc1 += w * s[i * kV + 1];
    }
    h[j * kV] = tanh_v(acc0);
    h[j * kV + 1] = tanh_v(acc1);
  }
}

// s = a * mask + te + ce, with a and the mask stored.
RDK_INLINE void act_mask(const V* pre, const Drop& d, std::uint32_t base, int D, int j, float tej, V* a, V* m, V* s) {
  for (int q = 0; q < kV; ++q) {
    a[q] = tanh_v(pre[q]);
    if (d.off) {
      m[q] = splat(1.0f);
    } else {
      const std::uint32_t i0 = base + static_cast<std::uint32_t>((q * 8) * D + j), st = static_cast<std::uint32_t>(D);
      const U idx = U{i0, i0 + st, i0 + 2 * st, i0 + 3 * st, i0 + 4 * st, i0 + 5 * st, i0 + 6 * st, i0 + 7 * st};
      m[q] = keep_v(d, idx);
    }
    s[q] = a[q] * m[q] + tej;
  }
}

RDK_INLINE void load_row(const float* src, int rn, V* dst) {
  float tmp[kR];
  for (int r = 0; r < kR; ++r) tmp[r] = r < rn ? src[r] : 0.0f;
  std::memcpy(dst, tmp, sizeof tmp);
}

// The forward of the tile (cell o, genes g0 .. g0 + rn); w.Pt holds P of these genes.
RDK_INLINE void tile_forward(const Nets2& k, Work& w, std::int64_t o, std::int64_t g0, int rn) {
  const int D = k.D;
  load_row(k.xt + o * k.n + g0, rn, w.x);
  for (int q = 0; q < kV; ++q) w.tx[q] = tanh_v(w.x[q]);
  const std::uint32_t base = static_cast<std::uint32_t>((o * k.n + g0) * D);
  for (int j = 0; j < D; ++j) {
    V pre[kV];
    const float wj = k.w10[j];
    for (int q = 0; q < kV; ++q) pre[q] = wj * w.tx[q] + w.Pt[j * kV + q];
    act_mask(pre, k.mask[0], base, D, j, k.te[0][o * D + j] + k.ce[0][j], w.a[0] + j * kV, w.m[0] + j * kV,
             w.s[0] + j * kV);
  }
  dense_tanh(k.W2[0], k.b2[0], w.s[0], w.h[0], D);
  const int D1 = D + 1;
  for (int j = 0; j < D; ++j) {
    const float* wj = k.W1b + static_cast<std::size_t>(j) * D1;
    V pre[kV];
    for (int q = 0; q < kV; ++q) pre[q] = k.b1b[j] + wj[D] * w.x[q];
    for (int i = 0; i < D; ++i) {
      const V wi = splat(wj[i]);
      pre[0] += wi * w.h[0][i * kV];
      pre[1] += wi * w.h[0][i * kV + 1];
    }
    act_mask(pre, k.mask[1], base, D, j, k.te[1][o * D + j] + k.ce[1][j], w.a[1] + j * kV, w.m[1] + j * kV,
             w.s[1] + j * kV);
  }
  dense_tanh(k.W2[1], k.b2[1], w.s[1], w.h[1], D);
}

RDK_INLINE float rsum(const V* v) { return hsum(v[0] + v[1]); }
RDK_INLINE float rdot(const V* a, const V* b) { return hsum(a[0] * b[0] + a[1] * b[1]); }

// Back through "h = tanh(W2 s + b2), s = a * m + te + ce, a = tanh(pre)":
// from w.gh (dL/dh) to w.gp (dL/dpre); accumulates W2, b2 and te.
RDK_INLINE void block_back(const Nets2& k, Work& w, Acc& acc, int blk, std::int64_t o) {
  const int D = k.D;
  const V* h = w.h[blk];
  for (int j = 0; j < D * kV; ++j) w.gp[j] = w.gh[j] * (1.0f - h[j] * h[j]);
  const V* s = w.s[blk];
  V* gW2 = w.vW2[blk];
  V* gb2 = w.vb2[blk];
  for (int j = 0; j < D; ++j) {
    const V g0 = w.gp[j * kV], g1 = w.gp[j * kV + 1];
    gb2[j] += g0 + g1;
    V* gWj = gW2 + static_cast<std::size_t>(j) * D;
    for (int i = 0; i < D; ++i) gWj[i] += g0 * s[i * kV] + g1 * s[i * kV + 1];
  }
  for (int i = 0; i < D * kV; ++i) w.gs[i] = splat(0.0f);
  const float* W2 = k.W2[blk];
  for (int j = 0; j < D; ++j) {
    const V g0 = w.gp[j * kV], g1 = w.gp[j * kV + 1];
    for (int i = 0; i < D; ++i) {
      const V wji = splat(W2[static_cast<std::size_t>(j) * D + i]);
      w.gs[i * kV] += wji * g0;
      w.gs[i * kV + 1] += wji * g1;
    }
  }
  double* gte = acc.te[blk].data() + o * D;
  for (int i = 0; i < D; ++i) gte[i] += rsum(w.gs + i * kV);
  const V *a = w.a[blk], *m = w.m[blk];
  for (int j = 0; j < D * kV; ++j) w.gp[j] = w.gs[j] * m[j] * (1.0f - a[j] * a[j]);
}

RDK_INLINE void tile_backward(const Nets2& k, Work& w, Acc& acc, const float* gu, std::int64_t o, std::int64_t g0,
                              int rn) {
  const int D = k.D, D1 = D + 1;
  load_row(gu + o * k.n + g0, rn, w.gu);
  for (int j = 0; j < D; ++j) {
    const float wf = k.wf[j];
    for (int q = 0; q < kV; ++q) w.gh[j * kV + q] = w.gu[q] * wf;
    w.vwf[j] += w.gu[0] * w.h[1][j * kV] + w.gu[1] * w.h[1][j * kV + 1];
  }
  block_back(k, w, acc, 1, o);
  // Block 1's first layer: input [h0, x].
  for (int i = 0; i < D * kV; ++i) w.gh[i] = splat(0.0f);
  for (int j = 0; j < D; ++j) {
    const V* gpj = w.gp + j * kV;
    const V g0 = gpj[0], g1 = gpj[1];
    w.vb1b[j] += g0 + g1;
    V* gWj = w.vW1b + static_cast<std::size_t>(j) * D1;
    const float* Wj = k.W1b + static_cast<std::size_t>(j) * D1;
    for (int i = 0; i < D; ++i) {
      gWj[i] += g0 * w.h[0][i * kV] + g1 * w.h[0][i * kV + 1];
      const V wji = splat(Wj[i]);
      w.gh[i * kV] += wji * g0;
      w.gh[i * kV + 1] += wji * g1;
    }
    gWj[D] += g0 * w.x[0] + g1 * w.x[1];
  }
  block_back(k, w, acc, 0, o);
  // Block 0's first layer: w10 tanh(x) + P[g].
  for (int j = 0; j < D; ++j) {
    const V* gpj = w.gp + j * kV;
    w.vw10[j] += gpj[0] * w.tx[0] + gpj[1] * w.tx[1];
    for (int q = 0; q < kV; ++q) w.gPt[j * kV + q] += gpj[q];
  }
}

RDK_INLINE void load_p(const Nets2& k, Work& w, std::int64_t g0, int rn) {
  const int D = k.D;
  float tmp[kR];
  for (int j = 0; j < D; ++j) {
    for (int r = 0; r < kR; ++r) tmp[r] = r < rn ? k.P[(g0 + r) * D + j] : 0.0f;
    std::memcpy(w.Pt + j * kV, tmp, sizeof tmp);
  }
}

RDK_INLINE void forward_range(const Nets2& k, float* u, V* saved, std::int64_t t0, std::int64_t t1) {
  Work w(k.D);
  const int D = k.D;
  const std::size_t per = saved_per(D);
  for (std::int64_t t = t0; t < t1; ++t) {
    const std::int64_t g0 = t * kR;
    const int rn = static_cast<int>(std::min<std::int64_t>(kR, k.n - g0));
    load_p(k, w, g0, rn);
    for (std::int64_t o = 0; o < k.b; ++o) {
      if (saved != nullptr) point(w, saved + (static_cast<std::size_t>(t) * k.b + o) * per, D);
      tile_forward(k, w, o, g0, rn);
      V ur[kV] = {splat(0.0f), splat(0.0f)};
      for (int j = 0; j < D; ++j) {
        const float wf = k.wf[j];
        for (int q = 0; q < kV; ++q) ur[q] += wf * w.h[1][j * kV + q];
      }
      float tmp[kR];
      std::memcpy(tmp, ur, sizeof tmp);
      float* uo = u + o * k.n + g0;
      for (int r = 0; r < rn; ++r) uo[r] = tmp[r];
    }
  }
}

RDK_INLINE void backward_range(const Nets2& k, const float* gu, Acc& acc, float* gP, V* saved, std::int64_t t0,
                               std::int64_t t1) {
  Work w(k.D);
  const int D = k.D;
  const std::size_t per = saved_per(D);
  for (std::int64_t t = t0; t < t1; ++t) {
    const std::int64_t g0 = t * kR;
    const int rn = static_cast<int>(std::min<std::int64_t>(kR, k.n - g0));
    load_p(k, w, g0, rn);
    for (int i = 0; i < D * kV; ++i) w.gPt[i] = splat(0.0f);
    w.clear_acc();
    for (std::int64_t o = 0; o < k.b; ++o) {
      if (saved != nullptr) {
        point(w, saved + (static_cast<std::size_t>(t) * k.b + o) * per, D);
      } else {
        tile_forward(k, w, o, g0, rn);
      }
      tile_backward(k, w, acc, gu, o, g0, rn);
    }
    // Flush the tile's vector sums into the thread's float64 sums.
    const std::size_t DD = static_cast<std::size_t>(D) * D, D1 = static_cast<std::size_t>(D) * (D + 1);
    for (int blk = 0; blk < 2; ++blk) {
      for (std::size_t i = 0; i < DD; ++i) acc.W2[blk][i] += hsum(w.vW2[blk][i]);
      for (int i = 0; i < D; ++i) acc.b2[blk][static_cast<std::size_t>(i)] += hsum(w.vb2[blk][i]);
    }
    for (std::size_t i = 0; i < D1; ++i) acc.W1b[i] += hsum(w.vW1b[i]);
    for (int i = 0; i < D; ++i) {
      acc.b1b[static_cast<std::size_t>(i)] += hsum(w.vb1b[i]);
      acc.w10[static_cast<std::size_t>(i)] += hsum(w.vw10[i]);
      acc.wf[static_cast<std::size_t>(i)] += hsum(w.vwf[i]);
    }
    float tmp[kR];
    for (int j = 0; j < D; ++j) {
      std::memcpy(tmp, w.gPt + j * kV, sizeof tmp);
      for (int r = 0; r < rn; ++r) gP[(g0 + r) * D + j] = tmp[r];
    }
  }
}

// ---- passes over A (rows i0 .. i1 of the n x n matrices)

RDK_INLINE V soft_v(V a, float tau) {
  const V zero = splat(0.0f);
  const V ab = a < zero ? -a : a;
  V t = ab - tau;
  t = t > zero ? t : zero;
  return a < zero ? -t : t;
}
RDK_INLINE float soft_s(float a, float tau) {
  const float t = std::fabs(a) - tau;
  if (!(t > 0.0f)) return 0.0f;
  return a < 0.0f ? -t : t;
}
RDK_INLINE U iota_u(std::uint32_t i0) { return splatu(i0) + U{0, 1, 2, 3, 4, 5, 6, 7}; }

// One element's multiplier: the same hash as keep_v.
RDK_INLINE float keep1(const Drop& d, std::uint32_t k) {
  if (d.off) return 1.0f;
  std::uint32_t x = k ^ d.k1;
  for (int r = 0; r < 2; ++r) {
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    if (r == 0) x += d.k2;
  }
  return x >= d.threshold ? d.scale : 0.0f;
}

RDK_INLINE void build_c_range(const float* A, float* C, std::int64_t n, float tau, const Drop& d, double* rows,
                              std::int64_t i0, std::int64_t i1) {
  for (std::int64_t i = i0; i < i1; ++i) {
    const float* a = A + i * n;
    float* c = C + i * n;
    const std::uint32_t base = static_cast<std::uint32_t>(i * n);
    V acc = splat(0.0f);
    std::int64_t j = 0;
    for (; j + 8 <= n; j += 8) {
      V av;
      std::memcpy(&av, a + j, sizeof av);
      const V sv = soft_v(av, tau);
      acc += sv;
      const V cv = d.off ? sv : sv * keep_v(d, iota_u(base + static_cast<std::uint32_t>(j)));
      std::memcpy(c + j, &cv, sizeof cv);
    }
    double tail = 0;
    for (; j < n; ++j) {
      const float sv = soft_s(a[j], tau);
      tail += sv;
      c[j] = sv * keep1(d, base + static_cast<std::uint32_t>(j));
    }
    rows[i] = static_cast<double>(hsum(acc)) + tail - soft_s(a[i], tau);
    c[i] = 0.0f;
  }
}

struct AdamA {
  float tau, sparse_coef, wd, step_size, sbc2, eps, b1 = 0.9f, b2 = 0.99f;
};

// ---- Adam on A fused with its gradient's product and the next step's C

constexpr std::int64_t kFR = 64;   // rows of A per tile
constexpr std::int64_t kFW = 512;  // columns of A per tile (a multiple of 8)

struct FusedArgs {
  float *A, *M, *Vv, *C;
  const float *U, *Z;  // b x n, row-major
  std::int64_t b, n;
  Drop d, dnext;
  AdamA h;
  bool next;
};

// tile (rows x w, row-major) = U[:, i0 : i0 + rows]^T Z[:, j0 : j0 + w].
RDK_INLINE void product_tile(const FusedArgs& f, std::int64_t i0, std::int64_t rows, std::int64_t j0,
                             std::int64_t w, float* tile) {
  if (gemm::sgemm_ld(true, false, rows, w, f.b, f.U + i0, f.n, f.Z + j0, f.n, 0.0f, tile, w)) return;
  std::fill(tile, tile + rows * w, 0.0f);
  for (std::int64_t r = 0; r < rows; ++r) {
    float* t = tile + r * w;
    for (std::int64_t k = 0; k < f.b; ++k) {
      const float u = f.U[k * f.n + i0 + r];
      const float* z = f.Z + k * f.n + j0;
      for (std::int64_t j = 0; j < w; ++j) t[j] += u * z[j];
    }
  }
}

// Columns j0 .. j0 + w of row i, the gradient's product in g (= (U^T Z)[i, j0 ..]).
// Adds the row's change of soft(A) and its new soft(A) (both off the diagonal).
RDK_INLINE void fused_row(const FusedArgs& f, std::int64_t i, std::int64_t j0, std::int64_t w, const float* g,
                          double& change_out, double& sparse_out) {
  const AdamA& h = f.h;
  const std::int64_t n = f.n;
  float* a = f.A + i * n;
  float* m = f.M + i * n;
  float* v = f.Vv + i * n;
  float* c = f.C + i * n;
  const V zero = splat(0.0f), one = splat(1.0f);
  const std::uint32_t base = static_cast<std::uint32_t>(i * n);
  const I ii = I{0, 0, 0, 0, 0, 0, 0, 0} + static_cast<std::int32_t>(i);
  V change = zero, sparse = zero;
  std::int64_t j = j0;
  const std::int64_t j1 = j0 + w;
  for (; j + 8 <= j1; j += 8) {
    V a0, m0, v0, gc;
    std::memcpy(&a0, a + j, sizeof a0);
    std::memcpy(&m0, m + j, sizeof m0);
    std::memcpy(&v0, v + j, sizeof v0);
    std::memcpy(&gc, g + (j - j0), sizeof gc);
    const U idx = iota_u(base + static_cast<std::uint32_t>(j));
    const V ab = a0 < zero ? -a0 : a0;
    const V slope = (ab - h.tau) > zero ? one : zero;
    const V keep = f.d.off ? one : keep_v(f.d, idx);
    const I jj = I{0, 1, 2, 3, 4, 5, 6, 7} + static_cast<std::int32_t>(j);
    const V offd = jj != ii ? one : zero;
    const V gr = offd * slope * (-gc * keep + h.sparse_coef) + h.wd * a0;
    const V m1 = h.b1 * m0 + (1.0f - h.b1) * gr;
    const V v1 = h.b2 * v0 + (1.0f - h.b2) * gr * gr;
    const V sq = sqrt_v(v1);
    const V a1 = a0 - h.step_size * (m1 / (sq / h.sbc2 + h.eps));
    const V s1 = offd * soft_v(a1, h.tau);
    change += s1 - offd * soft_v(a0, h.tau);
    sparse += s1;
    std::memcpy(a + j, &a1, sizeof a1);
    std::memcpy(m + j, &m1, sizeof m1);
    std::memcpy(v + j, &v1, sizeof v1);
    if (f.next) {
      const V cv = f.dnext.off ? s1 : s1 * keep_v(f.dnext, idx);
      std::memcpy(c + j, &cv, sizeof cv);
    }
  }
  double tail_change = 0, tail_sparse = 0;
  for (; j < j1; ++j) {
    const float a0 = a[j];
    float gr = 0.0f;
    if (j != i) {
      const float slope = std::fabs(a0) - h.tau > 0.0f ? 1.0f : 0.0f;
      gr = slope * (-g[j - j0] * keep1(f.d, base + static_cast<std::uint32_t>(j)) + h.sparse_coef);
    }
    gr += h.wd * a0;
    const float m1 = h.b1 * m[j] + (1.0f - h.b1) * gr;
    const float v1 = h.b2 * v[j] + (1.0f - h.b2) * gr * gr;
    const float a1 = a0 - h.step_size * (m1 / (std::sqrt(v1) / h.sbc2 + h.eps));
    m[j] = m1;
    v[j] = v1;
    a[j] = a1;
    const float s1 = j != i ? soft_s(a1, h.tau) : 0.0f;
    if (j != i) tail_change += s1 - soft_s(a0, h.tau);
    tail_sparse += s1;
    if (f.next) c[j] = s1 * keep1(f.dnext, base + static_cast<std::uint32_t>(j));
  }
  change_out += static_cast<double>(hsum(change)) + tail_change;
  sparse_out += static_cast<double>(hsum(sparse)) + tail_sparse;
}

RDK_INLINE void fused_range(const FusedArgs& f, double* change_rows, double* sparse_rows, std::int64_t i0,
                            std::int64_t i1) {
  std::vector<float> tile(static_cast<std::size_t>(kFR * kFW));
  for (std::int64_t ib = i0; ib < i1; ib += kFR) {
    const std::int64_t rows = std::min(kFR, i1 - ib);
    for (std::int64_t jb = 0; jb < f.n; jb += kFW) {
      const std::int64_t w = std::min(kFW, f.n - jb);
      product_tile(f, ib, rows, jb, w, tile.data());
      for (std::int64_t r = 0; r < rows; ++r)
        fused_row(f, ib + r, jb, w, tile.data() + r * w, change_rows[ib + r], sparse_rows[ib + r]);
    }
  }
}

#if RDK_DISPATCH
RDK_AVX2 void forward_avx2(const Nets2& k, float* u, V* saved, std::int64_t t0, std::int64_t t1) {
  forward_range(k, u, saved, t0, t1);
}
RDK_AVX2 void backward_avx2(const Nets2& k, const float* gu, Acc& acc, float* gP, V* saved, std::int64_t t0,
                            std::int64_t t1) {
  backward_range(k, gu, acc, gP, saved, t0, t1);
}
bool use_avx2() {
  static const bool v = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return v;
}
RDK_AVX2 void build_c_avx2(const float* A, float* C, std::int64_t n, float tau, const Drop& d, double* rows,
                           std::int64_t i0, std::int64_t i1) {
  build_c_range(A, C, n, tau, d, rows, i0, i1);
}
RDK_AVX2 void fused_avx2(const FusedArgs& f, double* change_rows, double* sparse_rows, std::int64_t i0,
                         std::int64_t i1) {
  fused_range(f, change_rows, sparse_rows, i0, i1);
}
#endif
RDK_BASE void fused_base(const FusedArgs& f, double* change_rows, double* sparse_rows, std::int64_t i0,
                         std::int64_t i1) {
  fused_range(f, change_rows, sparse_rows, i0, i1);
}
RDK_BASE void build_c_base(const float* A, float* C, std::int64_t n, float tau, const Drop& d, double* rows,
                           std::int64_t i0, std::int64_t i1) {
  build_c_range(A, C, n, tau, d, rows, i0, i1);
}
RDK_BASE void forward_base(const Nets2& k, float* u, V* saved, std::int64_t t0, std::int64_t t1) {
  forward_range(k, u, saved, t0, t1);
}
RDK_BASE void backward_base(const Nets2& k, const float* gu, Acc& acc, float* gP, V* saved, std::int64_t t0,
                            std::int64_t t1) {
  backward_range(k, gu, acc, gP, saved, t0, t1);
}

}  // namespace

double build_c(const float* A, float* C, std::int64_t n, float tau, const Drop& d) {
  std::vector<double> rows(static_cast<std::size_t>(n), 0.0);
  at::parallel_for(0, n, 16, [&](std::int64_t i0, std::int64_t i1) {
#if RDK_DISPATCH
    if (use_avx2()) return build_c_avx2(A, C, n, tau, d, rows.data(), i0, i1);
#endif
    build_c_base(A, C, n, tau, d, rows.data(), i0, i1);
  });
  double t = 0;
  for (double r : rows) t += r;
  return t;
}

AdamFusedSums adam_a_fused(float* A, float* M, float* V, float* C, const float* U, const float* Z, std::int64_t b,
                           std::int64_t n, const Drop& d, const Drop& dnext, bool next, float tau, float sparse_coef,
                           float wd, float step_size, float sbc2, float eps) {
  FusedArgs f;
  f.A = A;
  f.M = M;
  f.Vv = V;
  f.C = C;
  f.U = U;
  f.Z = Z;
  f.b = b;
  f.n = n;
  f.d = d;
  f.dnext = dnext;
  f.next = next;
  f.h.tau = tau;
  f.h.sparse_coef = sparse_coef;
  f.h.wd = wd;
  f.h.step_size = step_size;
  f.h.sbc2 = sbc2;
  f.h.eps = eps;
  std::vector<double> change(static_cast<std::size_t>(n), 0.0), sparse(static_cast<std::size_t>(n), 0.0);
  at::parallel_for(0, n, kFR, [&](std::int64_t i0, std::int64_t i1) {
#if RDK_DISPATCH
    if (use_avx2()) return fused_avx2(f, change.data(), sparse.data(), i0, i1);
#endif
    fused_base(f, change.data(), sparse.data(), i0, i1);
  });
  AdamFusedSums out;
  for (std::int64_t i = 0; i < n; ++i) {
    out.change += change[static_cast<std::size_t>(i)];
    out.next_sparse += sparse[static_cast<std::size_t>(i)];
  }
  return out;
}

float tanh_approx(float x) { return tanh_v(splat(x))[0]; }

std::size_t nets2_saved_floats(std::int64_t b, std::int64_t n, int D) {
  const std::int64_t tiles = (n + kR - 1) / kR;
  return static_cast<std::size_t>(tiles * b) * saved_per(D) * 8;
}

namespace {
V* as_saved(float* p) {
  if (p != nullptr && reinterpret_cast<std::uintptr_t>(p) % 32 != 0) return nullptr;  // not aligned: recompute
  return reinterpret_cast<V*>(p);
}
}  // namespace

void nets2_forward(const Nets2& k, float* u, float* saved_f) {
  const std::int64_t tiles = (k.n + kR - 1) / kR;
  V* saved = as_saved(saved_f);
  at::parallel_for(0, tiles, 1, [&](std::int64_t t0, std::int64_t t1) {
#if RDK_DISPATCH
    if (use_avx2()) return forward_avx2(k, u, saved, t0, t1);
#endif
    forward_base(k, u, saved, t0, t1);
  });
}

void nets2_backward(const Nets2& k, const float* gu, Nets2Grads& g, float* saved_f) {
  V* saved = as_saved(saved_f);
  const int D = k.D;
  const std::int64_t tiles = (k.n + kR - 1) / kR;
  const int nthreads = std::max(1, at::get_num_threads());
  std::vector<Acc> accs;
  accs.reserve(static_cast<std::size_t>(nthreads));
  for (int t = 0; t < nthreads; ++t) accs.emplace_back(k.b, D);
  g.P.assign(static_cast<std::size_t>(k.n * D), 0.0f);
  float* gP = g.P.data();
  at::parallel_for(0, tiles, 1, [&](std::int64_t t0, std::int64_t t1) {
    const int tid = std::min(nthreads - 1, std::max(0, at::get_thread_num()));
    Acc& acc = accs[static_cast<std::size_t>(tid)];
#if RDK_DISPATCH
    if (use_avx2()) return backward_avx2(k, gu, acc, gP, saved, t0, t1);
#endif
    backward_base(k, gu, acc, gP, saved, t0, t1);
  });
  auto total = [&](std::vector<double> Acc::*f, std::vector<float>& out) {
    out.assign((accs[0].*f).size(), 0.0f);
    std::vector<double> s((accs[0].*f).size(), 0.0);
    for (const auto& a : accs)
      for (std::size_t i = 0; i < s.size(); ++i) s[i] += (a.*f)[i];
    for (std::size_t i = 0; i < s.size(); ++i) out[i] = static_cast<float>(s[i]);
  };
  for (int blk = 0; blk < 2; ++blk) {
    std::vector<double> te(static_cast<std::size_t>(k.b * D), 0.0), W2(static_cast<std::size_t>(D * D), 0.0),
        b2(static_cast<std::size_t>(D), 0.0);
    for (const auto& a : accs) {
      for (std::size_t i = 0; i < te.size(); ++i) te[i] += a.te[blk][i];
      for (std::size_t i = 0; i < W2.size(); ++i) W2[i] += a.W2[blk][i];
      for (std::size_t i = 0; i < b2.size(); ++i) b2[i] += a.b2[blk][i];
    }
    g.te[blk].assign(te.begin(), te.end());
    g.W2[blk].assign(W2.begin(), W2.end());
    g.b2[blk].assign(b2.begin(), b2.end());
    // ce enters every row like te: its gradient is te's summed over cells.
    g.ce[blk].assign(static_cast<std::size_t>(D), 0.0f);
    for (int j = 0; j < D; ++j) {
      double s = 0;
      for (std::int64_t o = 0; o < k.b; ++o) s += te[static_cast<std::size_t>(o * D + j)];
      g.ce[blk][static_cast<std::size_t>(j)] = static_cast<float>(s);
    }
  }
  total(&Acc::W1b, g.W1b);
  total(&Acc::b1b, g.b1b);
  total(&Acc::w10, g.w10);
  total(&Acc::wf, g.wf);
}

}  // namespace rdk
}  // namespace grntorch
