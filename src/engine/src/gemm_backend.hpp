// Row-major matrix products through oneDNN (internal; no torch): the fused
// per-gene MLP kernels call them inside their own parallel loops (one thread
// each), the graph layers' dense products (graph_layers.cpp) from the fit's
// thread, where oneDNN threads them over the OpenMP threads the fit set.
// When the process has oneDNN (Debian's LibTorch links libdnnl.so.2) its gemm
// is used: measured at the MLP's shape (~70,000 x 128 x 128, one call per
// thread on its own rows) 1.2x faster than OpenBLAS in float32, and it has
// bfloat16 x bfloat16 -> float32 products (2x faster again).  Each call returns false when oneDNN is not there or declines, and
// the caller falls back to LibTorch's BLAS.
//
//   C (M x N) = op(A) op(B) + beta C,  op(X) = X or X^T;  A is M x K (K x M when
//   ta), B is K x N (N x K when tb), all contiguous row-major.
#pragma once

#include <cstdint>

namespace grntorch {
namespace gemm {

// Whether oneDNN's products are in use (false when GRNTORCH_ONEDNN=0 is set
// or after set_onednn(false)).
bool onednn_available();
// Turns oneDNN off (the LibTorch fallback) or back on; for tests and benchmarks.
void set_onednn(bool on);

bool sgemm(bool ta, bool tb, std::int64_t M, std::int64_t N, std::int64_t K, const float* A, const float* B,
           float beta, float* C);

// The same with leading dimensions (row-major: element (r, c) of X at X[r * ldx + c]).
bool sgemm_ld(bool ta, bool tb, std::int64_t M, std::int64_t N, std::int64_t K, const float* A, std::int64_t lda,
              const float* B, std::int64_t ldb, float beta, float* C, std::int64_t ldc);

// A and B hold bfloat16 values (the top 16 bits of float32), C is float32.
bool bf16gemm(bool ta, bool tb, std::int64_t M, std::int64_t N, std::int64_t K, const std::uint16_t* A,
              const std::uint16_t* B, float beta, float* C);

}  // namespace gemm
}  // namespace grntorch
