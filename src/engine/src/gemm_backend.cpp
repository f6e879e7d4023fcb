// oneDNN's gemm, looked up at run time (see gemm_backend.hpp).  No header or
// link dependency: the two entry points have been stable C functions since
// oneDNN 1.0 (row-major, dnnl_dim_t = int64_t, dnnl_success = 0).
#include "gemm_backend.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>

#if defined(__unix__) || defined(__APPLE__)
#include <dlfcn.h>
#define GRN_HAVE_DLOPEN 1
#else
#define GRN_HAVE_DLOPEN 0
#endif

namespace grntorch {
namespace gemm {
namespace {

using sgemm_fn = int (*)(char, char, std::int64_t, std::int64_t, std::int64_t, float, const float*, std::int64_t,
                         const float*, std::int64_t, float, float*, std::int64_t);
using bf16gemm_fn = int (*)(char, char, std::int64_t, std::int64_t, std::int64_t, float, const std::uint16_t*,
                            std::int64_t, const std::uint16_t*, std::int64_t, float, float*, std::int64_t);

struct OneDNN {
  sgemm_fn sgemm = nullptr;
  bf16gemm_fn bf16gemm = nullptr;
  OneDNN() {
    const char* env = std::getenv("GRNTORCH_ONEDNN");
    if (env != nullptr && std::strcmp(env, "0") == 0) return;
#if GRN_HAVE_DLOPEN
    // Already loaded when LibTorch links it dynamically (Debian); else loaded if installed.
    const char* names[] = {"libdnnl.so.2", "libdnnl.so.3", "libdnnl.so", "libdnnl.2.dylib", "libdnnl.dylib"};
    for (const char* nm : names) {
      void* h = dlopen(nm, RTLD_NOW | RTLD_LOCAL);
      if (h == nullptr) continue;
      auto s = reinterpret_cast<sgemm_fn>(dlsym(h, "dnnl_sgemm"));
      auto b = reinterpret_cast<bf16gemm_fn>(dlsym(h, "dnnl_gemm_bf16bf16f32"));
      if (s != nullptr) {
        sgemm = s;
        bf16gemm = b;
        return;
      }
    }
#endif
  }
};

const OneDNN& onednn() {
  static const OneDNN lib;  // thread-safe one-time initialisation
  return lib;
}

std::atomic<bool> g_enabled{true};

// Leading dimensions of contiguous row-major operands.
inline std::int64_t ld_a(bool ta, std::int64_t M, std::int64_t K) { return ta ? M : K; }
inline std::int64_t ld_b(bool tb, std::int64_t N, std::int64_t K) { return tb ? K : N; }

}  // namespace

bool onednn_available() { return g_enabled.load() && onednn().sgemm != nullptr; }
void set_onednn(bool on) { g_enabled.store(on); }

bool sgemm(bool ta, bool tb, std::int64_t M, std::int64_t N, std::int64_t K, const float* A, const float* B,
           float beta, float* C) {
  const auto& d = onednn();
  if (!g_enabled.load(std::memory_order_relaxed) || d.sgemm == nullptr || M <= 0 || N <= 0 || K <= 0) return false;
  return d.sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', M, N, K, 1.0f, A, ld_a(ta, M, K), B, ld_b(tb, N, K), beta, C, N) ==
         0;
}

bool sgemm_ld(bool ta, bool tb, std::int64_t M, std::int64_t N, std::int64_t K, const float* A, std::int64_t lda,
              const float* B, std::int64_t ldb, float beta, float* C, std::int64_t ldc) {
  const auto& d = onednn();
  if (!g_enabled.load(std::memory_order_relaxed) || d.sgemm == nullptr || M <= 0 || N <= 0 || K <= 0) return false;
  return d.sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', M, N, K, 1.0f, A, lda, B, ldb, beta, C, ldc) == 0;
}

bool bf16gemm(bool ta, bool tb, std::int64_t M, std::int64_t N, std::int64_t K, const std::uint16_t* A,
              const std::uint16_t* B, float beta, float* C) {
  const auto& d = onednn();
  if (!g_enabled.load(std::memory_order_relaxed) || d.bf16gemm == nullptr || M <= 0 || N <= 0 || K <= 0) return false;
  return d.bf16gemm(ta ? 'T' : 'N', tb ? 'T' : 'N', M, N, K, 1.0f, A, ld_a(ta, M, K), B, ld_b(tb, N, K), beta, C,
                    N) == 0;
}

}  // namespace gemm
}  // namespace grntorch
