// grntorch engine: plain types shared by every model. No torch, no R.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace grntorch {

// A dense float matrix in column-major order (R's layout): element (i, j) is
// data[i + rows * j].  A genes x cells matrix in this layout is, byte for byte,
// a row-major cells x genes matrix.
struct Matrix {
  int rows = 0;
  int cols = 0;
  std::vector<float> data;

  Matrix() = default;
  Matrix(int r, int c, float fill = 0.0f)
      : rows(r), cols(c), data(static_cast<std::size_t>(r) * static_cast<std::size_t>(c), fill) {}

  float& operator()(int i, int j) { return data[static_cast<std::size_t>(i) + static_cast<std::size_t>(rows) * j]; }
  float operator()(int i, int j) const { return data[static_cast<std::size_t>(i) + static_cast<std::size_t>(rows) * j]; }
  std::size_t size() const { return data.size(); }
};

// Where a loop that trains in epochs of mini-batches is, after a batch.
struct BatchProgress {
  std::string_view stage;   // what is trained, e.g. "GENELink", "scUniGP pre-training"
  int epoch = 0;            // 1-based, of at most `epochs` (early stopping may end sooner)
  int epochs = 0;
  int batch = 0;            // 1-based, of this epoch's `batches`
  int batches = 0;
  double loss = 0;          // mean training loss of the epoch's batches so far
};

// Where a training loop's wall time went (seconds, summed over the fit): the
// training batches' forward pass with the loss, their backward pass, the
// optimiser steps, and the validation passes.
struct PhaseSeconds {
  double forward = 0, backward = 0, step = 0, validation = 0;
  PhaseSeconds& operator+=(const PhaseSeconds& o) {
    forward += o.forward;
    backward += o.backward;
    step += o.step;
    validation += o.validation;
    return *this;
  }
};

// Progress / interrupt policy.  Training loops call progress() once per step
// (epoch) and poll interrupted() often (at least every batch); the supervised
// link predictors' loop also calls batch() after every mini-batch (before the
// epoch's progress()).  The R glue implements it with R's event loop, the
// command-line tools with nothing.  A monitor only reports: it must not touch
// a random-number generator or the model.
class Monitor {
 public:
  virtual ~Monitor() = default;
  // step is 1-based; loss may be NaN when the step has no loss.
  virtual void progress(int /*step*/, int /*total*/, double /*loss*/) {}
  virtual void batch(const BatchProgress& /*where*/) {}
  virtual bool interrupted() { return false; }
  virtual void message(const std::string& /*text*/) {}
};

// Thrown by engine loops when Monitor::interrupted() returned true.
class Interrupted : public std::runtime_error {
 public:
  Interrupted() : std::runtime_error("interrupted by the user") {}
};

// Throws Interrupted when the monitor says so; a null monitor never interrupts.
inline void check_interrupt(Monitor* m) {
  if (m != nullptr && m->interrupted()) throw Interrupted();
}

// Thrown for bad arguments reaching the engine (the glue validates first; this
// is the last line of defence and names the argument).
class InvalidArgument : public std::invalid_argument {
 public:
  explicit InvalidArgument(const std::string& what) : std::invalid_argument(what) {}
};

// Thrown when a computation fails for a reason other than a bad argument or
// an interrupt: a LibTorch error (its message without the C++ backtrace), a
// diverged fit.  Engine entry points translate every exception into
// InvalidArgument, Interrupted, OutOfMemory or EngineError.
class EngineError : public std::runtime_error {
 public:
  explicit EngineError(const std::string& what) : std::runtime_error(what) {}
};

// Thrown when memory could not be allocated (std::bad_alloc, a LibTorch
// allocator failure, CUDA out of memory).  `bytes` is the failed request
// when known, else 0.
class OutOfMemory : public EngineError {
 public:
  explicit OutOfMemory(const std::string& what, double bytes = 0) : EngineError(what), bytes_(bytes) {}
  double bytes() const { return bytes_; }
 private:
  double bytes_;
};

// What the engine runs on: LibTorch version, threads, the BLAS actually
// loaded into this process, whether CUDA is available.
struct RuntimeInfo {
  std::string torch_version;
  int intra_op_threads = 1;
  int inter_op_threads = 1;
  std::string blas;        // path of the BLAS shared library mapped into the process
  std::string blas_kind;   // "openblas", "mkl", "blis", "reference", or "unknown"
  bool cuda_available = false;
  std::string parallel_info;
  // oneDNN's gemm found in the process (the per-gene MLPs' products and the
  // bfloat16 option use it; without it they fall back to the BLAS above).
  bool onednn = false;
};

RuntimeInfo runtime_info();

// Set LibTorch's intra-op thread count (n >= 1).  Returns the previous value.
int set_threads(int n);

// LibTorch's intra-op thread count now in effect.
int get_threads();

}  // namespace grntorch
