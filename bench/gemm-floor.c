// The float32 GEMM floor of the per-gene MLPs (issue 34): oneDNN's sgemm (the engine's gemm
// backend) at a DAZZLE / DeepSEM step's 128 x 128 layer over 64 x 1,120 gene-cell rows, one thread.
//   gcc -O2 -o /tmp/gemm-floor bench/gemm-floor.c -ldl && OMP_NUM_THREADS=1 /tmp/gemm-floor
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <time.h>
typedef int (*sgemm_fn)(char, char, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*, int64_t, float, float*, int64_t);
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
int main(void) {
  void* h = dlopen("libdnnl.so.2", RTLD_NOW);
  if (!h) { printf("no libdnnl\n"); return 1; }
  sgemm_fn f = (sgemm_fn)dlsym(h, "dnnl_sgemm");
  const int64_t M = 64 * 1120, K = 128, N = 128;
  float *a = malloc(M * K * 4), *b = malloc(K * N * 4), *c = malloc(M * N * 4), *d = malloc(K * N * 4);
  for (int64_t i = 0; i < M * K; ++i) a[i] = (float)((i * 7919) % 1000) / 1000.0f;
  for (int64_t i = 0; i < K * N; ++i) b[i] = (float)((i * 31) % 100) / 100.0f;
  const char* names[3] = {"forward  X W^T  (M x K) (N x K)^T", "input grad  G W  (M x N) (N x K)", "weight grad G^T X (N x M) (M x K)"};
  for (int kind = 0; kind < 3; ++kind) {
    double best = 1e9;
    for (int rep = 0; rep < 12; ++rep) {
      double t0 = now();
      if (kind == 0) f('N', 'T', M, N, K, 1.0f, a, K, b, K, 0.0f, c, N);
      else if (kind == 1) f('N', 'N', M, K, N, 1.0f, c, N, b, K, 0.0f, a, K);
      else f('T', 'N', N, K, M, 1.0f, c, N, a, K, 0.0f, d, K);
      double dt = now() - t0;
      if (dt < best) best = dt;
    }
    printf("oneDNN sgemm %s: %.1f ms, %.1f GFLOPS\n", names[kind], best * 1e3, 2.0 * M * N * K / best / 1e9);
  }
  return 0;
}
