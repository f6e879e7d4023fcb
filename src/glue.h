// Shared glue helpers: R <-> engine conversion, the R progress/interrupt
// monitor, and the single exception funnel.  Rcpp only: never include torch.
#pragma once

#include <Rcpp.h>
#include <R_ext/Utils.h>

#include <chrono>
#include <cmath>
#include <string>

#include "grntorch/common.hpp"

namespace grnglue {

// A monitor that prints progress to the console (when verbose) and polls R
// for a pending interrupt without long-jumping through C++ frames.
class RMonitor : public grntorch::Monitor {
 public:
  RMonitor(bool verbose, std::string label) : verbose_(verbose), label_(std::move(label)) {}
  ~RMonitor() override { finish(); }

  void progress(int step, int total, double loss) override {
    if (!verbose_) return;
    const int width = 30;
    int done = total > 0 ? static_cast<int>(static_cast<double>(step) / total * width) : width;
    std::string bar(done, '=');
    bar.resize(width, ' ');
    if (std::isnan(loss))
      REprintf("\r%s [%s] %d/%d", label_.c_str(), bar.c_str(), step, total);
    else
      REprintf("\r%s [%s] %d/%d  loss %.5g", label_.c_str(), bar.c_str(), step, total, loss);
    printed_ = true;
  }

  bool interrupted() override {
    if (interrupted_) return true;
    auto now = std::chrono::steady_clock::now();
    if (now - last_check_ < std::chrono::milliseconds(100)) return false;
    last_check_ = now;
    interrupted_ = (R_ToplevelExec(check_fn, nullptr) == FALSE);
    return interrupted_;
  }

  void message(const std::string& text) override {
    if (verbose_) REprintf("%s\n", text.c_str());
  }

  void finish() {
    if (printed_) {
      REprintf("\n");
      printed_ = false;
    }
  }

 private:
  static void check_fn(void*) { R_CheckUserInterrupt(); }
  bool verbose_;
  std::string label_;
  bool printed_ = false;
  bool interrupted_ = false;
  std::chrono::steady_clock::time_point last_check_{};
};

// Copy an R double matrix into an engine matrix (float), checking finiteness.
inline grntorch::Matrix to_engine(const Rcpp::NumericMatrix& x, const char* arg) {
  grntorch::Matrix m(x.nrow(), x.ncol());
  const double* src = x.begin();
  for (std::size_t i = 0; i < m.data.size(); ++i) {
    if (!std::isfinite(src[i])) Rcpp::stop("`%s` contains NA, NaN or infinite values", arg);
    m.data[i] = static_cast<float>(src[i]);
  }
  return m;
}

// Sets LibTorch's intra-op threads for the lifetime of a call, then restores them.
class ThreadScope {
 public:
  explicit ThreadScope(int n) : prev_(grntorch::set_threads(n)) {}
  ~ThreadScope() {
    try { grntorch::set_threads(prev_); } catch (...) {}
  }
 private:
  int prev_;
};

inline Rcpp::NumericMatrix to_r(const grntorch::Matrix& m) {
  Rcpp::NumericMatrix out(m.rows, m.cols);
  for (std::size_t i = 0; i < m.data.size(); ++i) out[i] = m.data[i];
  return out;
}

}  // namespace grnglue

// Every exported glue function wraps its body in these: engine exceptions
// become R errors (raised by Rcpp after the C++ stack has unwound).
#define GRN_TRY try {
#define GRN_CATCH                                                         \
  }                                                                       \
  catch (const grntorch::Interrupted&) {                                  \
    throw Rcpp::exception("grntorch: interrupted by the user", false);    \
  }                                                                       \
  catch (const Rcpp::exception&) {                                        \
    throw;                                                                \
  }                                                                       \
  catch (const std::exception& e) {                                       \
    throw Rcpp::exception((std::string("grntorch engine: ") + e.what()).c_str(), false); \
  }                                                                       \
  catch (...) {                                                           \
    throw Rcpp::exception("grntorch engine: unknown C++ error", false);   \
  }
