// What the engine runs on, and its thread count.
#include "grntorch/common.hpp"

#include "errors.hpp"
#include "gemm_backend.hpp"

#include <torch/torch.h>
#include <torch/version.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace grntorch {

namespace {

std::string mapped_blas() {
  // LibTorch calls sgemm through libblas.so.3 (Debian's alternatives symlink);
  // report the library that symlink resolves to, else a named optimised BLAS.
  std::ifstream maps("/proc/self/maps");
  std::string line, generic, named;
  while (std::getline(maps, line)) {
    auto pos = line.find('/');
    if (pos == std::string::npos) continue;
    std::string path = line.substr(pos);
    if (path.find("libblas.so") != std::string::npos) {
      if (generic.empty()) generic = path;
    } else if (named.empty() && (path.find("libopenblas") != std::string::npos ||
                                 path.find("libmkl") != std::string::npos ||
                                 path.find("libblis") != std::string::npos)) {
      named = path;
    }
  }
  return generic.empty() ? named : generic;
}

RuntimeInfo runtime_info_impl() {
  RuntimeInfo info;
  std::ostringstream v;
  v << TORCH_VERSION_MAJOR << "." << TORCH_VERSION_MINOR << "." << TORCH_VERSION_PATCH;
  info.torch_version = v.str();
  info.intra_op_threads = at::get_num_threads();
  info.inter_op_threads = at::get_num_interop_threads();
  info.cuda_available = torch::cuda::is_available();
  info.parallel_info = at::get_parallel_info();
  // Touch BLAS so that a lazily loaded library is mapped.
  {
    torch::NoGradGuard g;
    auto a = torch::ones({8, 8});
    (void)torch::mm(a, a).sum().item<float>();
  }
  info.blas = mapped_blas();
  std::string real = info.blas;
  {
    // Resolve Debian's alternatives symlink to the library really loaded.
    char buf[4096];
    if (!real.empty() && realpath(real.c_str(), buf) != nullptr) real = buf;
    info.blas = real;
  }
  if (real.find("openblas") != std::string::npos) info.blas_kind = "openblas";
  else if (real.find("mkl") != std::string::npos) info.blas_kind = "mkl";
  else if (real.find("blis") != std::string::npos) info.blas_kind = "blis";
  else if (real.find("/blas/") != std::string::npos || real.find("libblas.so") != std::string::npos) info.blas_kind = "reference";
  else info.blas_kind = "unknown";
  info.onednn = gemm::onednn_available();
  return info;
}

}  // namespace

RuntimeInfo runtime_info() { return detail::guarded(runtime_info_impl); }

int set_threads(int n) {
  return detail::guarded([n] {
    if (n < 1) throw InvalidArgument("threads must be >= 1");
    int prev = at::get_num_threads();
    if (prev != n) at::set_num_threads(n);
    return prev;
  });
}

int get_threads() {
  return detail::guarded([] { return at::get_num_threads(); });
}

}  // namespace grntorch
