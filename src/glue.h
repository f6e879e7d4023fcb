// Shared glue helpers: R <-> engine conversion, the R progress/interrupt
// monitor, and the single exception funnel.  Rcpp only: never include torch.
#pragma once

#include <Rcpp.h>
#include <R_ext/Utils.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <map>
#include <new>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "grntorch/common.hpp"
#include "grntorch/pairs.hpp"
#include "signals.h"

// ---------------------------------------------------------------------------
// Exception types of the glue.  They live in the global namespace because Rcpp
// turns a std::exception of dynamic type K into an R condition of class
// c("<demangled K>", "C++Error", "error", "condition"): the class names below
// ARE the R classes that R/engine.R (.engine_call) maps, by class only, onto
// the package's conditions.  GRN_CATCH translates every engine exception into
// one of them.
namespace grnglue {
// The argument named by the last grntorch_argument_error ("" when none): R
// reads it through .grn_error_arg() to fill the condition's `arg` field, so
// that no message text is ever parsed.
inline std::string last_error_arg;
}  // namespace grnglue

class grntorch_argument_error : public std::invalid_argument {
 public:
  // what() is "`arg`: message"; the argument is also kept in grnglue::last_error_arg.
  grntorch_argument_error(const std::string& arg, const std::string& message)
      : std::invalid_argument(arg.empty() ? message : "`" + arg + "`: " + message) {
    grnglue::last_error_arg = arg;
  }
  explicit grntorch_argument_error(const std::string& message) : std::invalid_argument(message) {
    grnglue::last_error_arg.clear();
  }
};

class grntorch_engine_error : public std::runtime_error {
 public:
  explicit grntorch_engine_error(const std::string& message) : std::runtime_error(message) {}
};

class grntorch_memory_error : public grntorch_engine_error {
 public:
  explicit grntorch_memory_error(const std::string& message) : grntorch_engine_error(message) {}
};

class grntorch_interrupt : public std::runtime_error {
 public:
  grntorch_interrupt() : std::runtime_error("interrupted by the user") {}
};

// An R error raised while the monitor polled R (e.g. setTimeLimit()'s time
// limit): R/engine.R re-raises it as an ordinary R error with R's message.
class grntorch_r_error : public std::runtime_error {
 public:
  explicit grntorch_r_error(const std::string& message) : std::runtime_error(message) {}
};

namespace grnglue {
// The message of the R error that stopped the current fit ("" when none).
inline std::string pending_r_error;

// What an engine stop (grntorch::Interrupted) becomes: the R error that
// caused it, if any, else the user's interrupt.
[[noreturn]] inline void throw_stopped() {
  if (!pending_r_error.empty()) {
    std::string m;
    m.swap(pending_r_error);
    throw grntorch_r_error(m);
  }
  throw grntorch_interrupt();
}
}  // namespace grnglue

namespace grnglue {

// A monitor that prints progress to the console (when verbose) and polls R
// for a pending interrupt without long-jumping through C++ frames.  Loops that
// report mini-batches (Monitor::batch) get one bar per stage, named by the
// engine and showing the epoch; the others one bar over progress() steps.
class RMonitor : public grntorch::Monitor {
 public:
  RMonitor(bool verbose, std::string label) : verbose_(verbose), label_(std::move(label)) {}
  ~RMonitor() override { end_line(false); }

  void progress(int step, int total, double loss) override {
    // A stage's bar is drawn by batch(); its epoch's last batch showed this epoch.
    if (!verbose_ || !stage_.empty()) return;
    const double f = total > 0 ? static_cast<double>(step) / total : 1.0;
    std::string text = label_ + " " + bar(f) + " " + std::to_string(step) + "/" + std::to_string(total);
    if (!std::isnan(loss)) text += "  loss " + number(loss);
    draw(text + time_text(f, step > 0 && step < total));
  }

  // One bar per stage: "GENELink epoch 3/20 [====      ] batch 12/40  loss 0.61  0:25, ~1:10 left".
  // Drawn at the first and last batch of every epoch and otherwise at most
  // every 0.1 s (printing every batch of a small fit would cost more than it).
  void batch(const grntorch::BatchProgress& b) override {
    if (!verbose_) return;
    const auto now = std::chrono::steady_clock::now();
    if (b.stage != stage_) {
      end_line(true);
      stage_ = std::string(b.stage);
      start_ = now;
    } else if (b.batch != 1 && b.batch != b.batches && now - last_draw_ < std::chrono::milliseconds(100)) {
      return;
    }
    const double f = b.epochs > 0 && b.batches > 0 ? ((b.epoch - 1) + static_cast<double>(b.batch) / b.batches) / b.epochs : 1.0;
    stopped_early_ = b.batch == b.batches && b.epoch < b.epochs;  // true at the end if no later epoch came
    char loss[32];
    std::snprintf(loss, sizeof loss, "%.4f", b.loss);
    stage_text_ = stage_ + " epoch " + std::to_string(b.epoch) + "/" + std::to_string(b.epochs) + " " + bar(f) +
                  " batch " + std::to_string(b.batch) + "/" + std::to_string(b.batches) + "  loss " + loss;
    draw(stage_text_ + time_text(f, f < 1));
  }

  bool interrupted() override {
    if (interrupted_) return true;
    auto now = std::chrono::steady_clock::now();
    if (now - last_check_ < std::chrono::milliseconds(100)) return false;
    last_check_ = now;
    // A Ctrl-C is held pending by the SignalGuard (signals.h); front ends
    // that raise R's interrupt flag directly are seen by R_CheckUserInterrupt.
    // An R error raised there (setTimeLimit()'s "reached elapsed time limit")
    // also stops the fit, and is reported as that error, not as an interrupt.
    interrupted_ = stop_signal_pending() || check_r();
    return interrupted_;
  }

  void message(const std::string& text) override {
    if (verbose_) REprintf("%s\n", text.c_str());
  }

  // Ends the bar (called when the fit returned).
  void finish() { end_line(true); }

 private:
  static SEXP check_fn(void*) {
    R_CheckUserInterrupt();
    return R_NilValue;
  }
  // Runs R_CheckUserInterrupt() catching R's interrupt and any R error (no
  // long jump through C++ frames, nothing printed); true when either came.
  static bool check_r() {
    int caught = 0;  // 1: interrupt, 2: an R error (its message kept in pending_r_error)
    SEXP classes = PROTECT(Rf_allocVector(STRSXP, 2));
    SET_STRING_ELT(classes, 0, Rf_mkChar("interrupt"));
    SET_STRING_ELT(classes, 1, Rf_mkChar("error"));
    R_tryCatch(check_fn, nullptr, classes, on_condition, &caught, nullptr, nullptr);
    UNPROTECT(1);
    return caught != 0;
  }
  static SEXP on_condition(SEXP cond, void* data) {
    int* caught = static_cast<int*>(data);
    if (Rf_inherits(cond, "interrupt")) {
      *caught = 1;
      return R_NilValue;
    }
    *caught = 2;
    pending_r_error = "an R error stopped the fit";
    SEXP names = Rf_getAttrib(cond, R_NamesSymbol);
    if (TYPEOF(cond) == VECSXP && TYPEOF(names) == STRSXP) {
      for (R_xlen_t i = 0; i < Rf_xlength(cond); ++i) {
        SEXP v = VECTOR_ELT(cond, i);
        if (std::string(CHAR(STRING_ELT(names, i))) == "message" && TYPEOF(v) == STRSXP && Rf_xlength(v) >= 1)
          pending_r_error = CHAR(STRING_ELT(v, 0));
      }
    }
    return R_NilValue;
  }

  // Ends the current bar's line; a stage that completed before its last epoch
  // says that it stopped early.
  void end_line(bool completed) {
    if (!printed_) return;
    if (completed && stopped_early_) draw(stage_text_ + time_text(1, false) + "  (stopped early)");
    REprintf("\n");
    printed_ = false;
    stopped_early_ = false;
    width_ = 0;
  }

  // Rewrites the current line with `text` (padded over a longer previous one).
  void draw(std::string text) {
    const std::size_t n = text.size();
    if (n < width_) text.append(width_ - n, ' ');
    width_ = n;
    REprintf("\r%s", text.c_str());
    printed_ = true;
    last_draw_ = std::chrono::steady_clock::now();
  }

  // "[=====     ]" for a fraction done.
  static std::string bar(double fraction) {
    const int width = 30;
    int done = static_cast<int>(std::min(1.0, std::max(0.0, fraction)) * width);
    std::string b(done, '=');
    b.resize(width, ' ');
    return "[" + b + "]";
  }

  // Time so far and, from the mean rate so far, the time left.
  std::string time_text(double fraction, bool with_eta) const {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::string t = "  " + clock_text(elapsed);
    if (with_eta && fraction > 0) t += ", ~" + clock_text(elapsed / fraction * (1 - fraction)) + " left";
    return t;
  }

  static std::string number(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.5g", x);
    return buf;
  }
  // 75 -> "1:15", 4000 -> "1:06:40".
  static std::string clock_text(double seconds) {
    long s = static_cast<long>(seconds + 0.5);
    char buf[32];
    if (s >= 3600)
      std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
    else
      std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
  }
  bool verbose_;
  std::string label_;
  std::string stage_;          // the stage batch() draws ("" before the first batch report)
  std::string stage_text_;     // its last line, up to the times
  bool stopped_early_ = false;
  std::size_t width_ = 0;      // length of the line drawn last
  std::chrono::steady_clock::time_point last_draw_{};
  bool printed_ = false;
  bool interrupted_ = false;
  std::chrono::steady_clock::time_point last_check_{};
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Copy an R double matrix into an engine matrix (float), checking finiteness.
// 1-based R row indices -> the engine's 0-based rows.
inline std::vector<int> to_rows(const Rcpp::IntegerVector& rows) {
  std::vector<int> out(rows.size());
  for (R_xlen_t i = 0; i < rows.size(); ++i) out[i] = rows[i] - 1;
  return out;
}

// 1-based R pair columns (from, to, 0/1 label) -> the engine's 0-based pairs.
inline grntorch::LabeledPairs to_pairs(const Rcpp::IntegerVector& from, const Rcpp::IntegerVector& to,
                                       const Rcpp::NumericVector& label) {
  if (to.size() != from.size() || label.size() != from.size())
    throw grntorch_argument_error("pairs", "from, to and label differ in length");
  grntorch::LabeledPairs p;
  p.from.reserve(from.size());
  p.to.reserve(from.size());
  p.label.reserve(from.size());
  for (R_xlen_t k = 0; k < from.size(); ++k) {
    p.from.push_back(from[k] - 1);
    p.to.push_back(to[k] - 1);
    p.label.push_back(static_cast<float>(label[k]));
  }
  return p;
}

inline grntorch::Matrix to_engine(const Rcpp::NumericMatrix& x, const char* arg) {
  grntorch::Matrix m(x.nrow(), x.ncol());
  const double* src = x.begin();
  for (std::size_t i = 0; i < m.data.size(); ++i) {
    if (!std::isfinite(src[i])) throw grntorch_argument_error(arg, "contains NA, NaN or infinite values");
    m.data[i] = static_cast<float>(src[i]);
  }
  return m;
}

// ---------------------------------------------------------------------------
// Checked access to the one named list of options each entry point takes.
//   grnglue::Options o(opts, "deepsem()");
//   int e = o.integer("epochs");
//   ...
//   o.finish();   // a name that was never read is an error (a misspelt option)
// A missing name or a value of the wrong type throws grntorch_argument_error
// naming the option.  The glue reads TYPES only: the bounds a user sees
// (epochs >= 1, dropout in [0, 0.95], ...) are written once, in R, by the
// method's constructor (R/validate.R's .check_*() helpers, a classed error
// naming the argument); the engine keeps the invariants it needs to be
// well-defined for callers other than R.

class Options {
 public:
  Options(SEXP list, std::string where) : list_(list), where_(std::move(where)) {
    if (TYPEOF(list) != VECSXP) throw grntorch_argument_error("options", "must be a named list (" + where_ + ")");
    const R_xlen_t n = Rf_xlength(list);
    SEXP nm = Rf_getAttrib(list, R_NamesSymbol);
    if (n > 0 && TYPEOF(nm) != STRSXP) throw grntorch_argument_error("options", "must be a named list (" + where_ + ")");
    for (R_xlen_t i = 0; i < n; ++i) {
      SEXP s = STRING_ELT(nm, i);
      if (s == NA_STRING || CHAR(s)[0] == '\0')
        throw grntorch_argument_error("options", "has an unnamed element (" + where_ + ")");
      std::string k = CHAR(s);
      if (index_.count(k)) throw grntorch_argument_error(k, "is given twice (" + where_ + " option)");
      index_[k] = i;
    }
  }

  const std::string& where() const { return where_; }
  bool has(const std::string& name) const { return index_.count(name) > 0; }

  // A single whole number in R's integer range (integer or double storage).
  int integer(const std::string& name) const {
    SEXP x = get(name);
    const std::string want = "a single whole number in [-2147483647, 2147483647]";
    const double v = scalar_number(name, x, want);
    if (!whole_int(v)) fail(name, want, x);
    return static_cast<int>(v);
  }

  // A single finite number.
  double number(const std::string& name) const {
    SEXP x = get(name);
    const std::string want = "a single finite number";
    const double v = scalar_number(name, x, want);
    if (!std::isfinite(v)) fail(name, want, x);
    return v;
  }

  // A seed: a whole number in [0, 2^53].
  std::uint64_t seed(const std::string& name) const {
    SEXP x = get(name);
    const std::string want = "a single whole number in [0, 2^53]";
    double v = scalar_number(name, x, want);
    if (!std::isfinite(v) || v != std::floor(v) || v < 0 || v > 9007199254740992.0) fail(name, want, x);
    return static_cast<std::uint64_t>(v);
  }

  bool flag(const std::string& name) const {
    SEXP x = get(name);
    if (TYPEOF(x) != LGLSXP || Rf_xlength(x) != 1 || LOGICAL(x)[0] == NA_LOGICAL) fail(name, "TRUE or FALSE", x);
    return LOGICAL(x)[0] != 0;
  }

  // A single string; one of `choices` when given.
  std::string string(const std::string& name, std::initializer_list<const char*> choices = {}) const {
    std::vector<std::pair<const char*, std::string>> pairs;
    for (const char* c : choices) pairs.emplace_back(c, c);
    if (!pairs.empty()) return pick(name, pairs);
    SEXP x = get(name);
    if (TYPEOF(x) != STRSXP || Rf_xlength(x) != 1 || STRING_ELT(x, 0) == NA_STRING) fail(name, "a single string", x);
    return CHAR(STRING_ELT(x, 0));
  }

  // A single string mapped onto an enum value: choices are {"name", value} pairs.
  template <class E>
  E choice(const std::string& name, std::initializer_list<std::pair<const char*, E>> choices) const {
    return pick(name, std::vector<std::pair<const char*, E>>(choices));
  }

  // At least min_len whole numbers in R's integer range.
  std::vector<int> int_vector(const std::string& name, std::size_t min_len = 1) const {
    SEXP x = get(name);
    const std::string want = "at least " + std::to_string(min_len) + " whole number(s) in [-2147483647, 2147483647]";
    if ((TYPEOF(x) != INTSXP && TYPEOF(x) != REALSXP) || static_cast<std::size_t>(Rf_xlength(x)) < min_len)
      fail(name, want, x);
    std::vector<int> out;
    for (R_xlen_t i = 0; i < Rf_xlength(x); ++i) {
      const double v = TYPEOF(x) == INTSXP ? (INTEGER(x)[i] == NA_INTEGER ? NAN : INTEGER(x)[i]) : REAL(x)[i];
      if (!whole_int(v)) fail(name, want, x);
      out.push_back(static_cast<int>(v));
    }
    return out;
  }

  // Every option given must have been read: an unknown (e.g. misspelt) name
  // is an error rather than silently ignored.
  void finish() const {
    std::string unknown;
    for (const auto& kv : index_)
      if (!used_.count(kv.first)) unknown += std::string(unknown.empty() ? "" : ", ") + kv.first;
    if (!unknown.empty()) throw grntorch_argument_error("options", "unknown " + where_ + " option(s): " + unknown);
  }

 private:
  template <class E>
  E pick(const std::string& name, const std::vector<std::pair<const char*, E>>& choices) const {
    SEXP x = get(name);
    if (TYPEOF(x) != STRSXP || Rf_xlength(x) != 1 || STRING_ELT(x, 0) == NA_STRING) fail(name, "a single string", x);
    const std::string v = CHAR(STRING_ELT(x, 0));
    std::string list;
    for (const auto& c : choices) {
      if (v == c.first) return c.second;
      list += std::string(list.empty() ? "" : ", ") + "\"" + c.first + "\"";
    }
    throw grntorch_argument_error(name, "must be one of " + list + ", not \"" + v + "\" (" + where_ + " option)");
  }

  SEXP get(const std::string& name) const {
    auto it = index_.find(name);
    if (it == index_.end()) throw grntorch_argument_error(name, "is missing (" + where_ + " option)");
    used_.insert(name);
    return VECTOR_ELT(list_, it->second);
  }

  // A whole number that an int holds (R's integer range: NA_integer_ excluded).
  static bool whole_int(double v) { return std::isfinite(v) && v == std::floor(v) && std::fabs(v) <= 2147483647.0; }

  double scalar_number(const std::string& name, SEXP x, const std::string& want) const {
    if (Rf_xlength(x) != 1) fail(name, want, x);
    if (TYPEOF(x) == INTSXP) return INTEGER(x)[0] == NA_INTEGER ? NAN : INTEGER(x)[0];
    if (TYPEOF(x) == REALSXP) return REAL(x)[0];
    fail(name, want, x);
    return NAN;
  }

  [[noreturn]] void fail(const std::string& name, const std::string& want, SEXP x) const {
    throw grntorch_argument_error(name, "must be " + want + " (" + where_ + " option), not " + describe(x));
  }

  static std::string fmt(double v) {
    if (std::isinf(v)) return v > 0 ? "Inf" : "-Inf";
    char buf[64];
    if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
    else std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
  }

  static std::string describe(SEXP x) {
    const R_xlen_t n = Rf_xlength(x);
    if (n == 1) {
      switch (TYPEOF(x)) {
        case INTSXP: return INTEGER(x)[0] == NA_INTEGER ? "NA" : std::to_string(INTEGER(x)[0]);
        case REALSXP: return fmt(REAL(x)[0]);
        case LGLSXP: return LOGICAL(x)[0] == NA_LOGICAL ? "NA" : (LOGICAL(x)[0] ? "TRUE" : "FALSE");
        case STRSXP: return STRING_ELT(x, 0) == NA_STRING ? "NA" : "\"" + std::string(CHAR(STRING_ELT(x, 0))) + "\"";
        default: break;
      }
    }
    return std::string("a ") + Rf_type2char(TYPEOF(x)) + " of length " + std::to_string(n);
  }

  SEXP list_;
  std::string where_;
  std::map<std::string, R_xlen_t> index_;
  mutable std::set<std::string> used_;
};

// Run controls every fitting entry point reads from its options.
struct RunControls {
  int threads;   // LibTorch's intra-op threads for the call (ThreadScope)
  bool verbose;  // progress on the console (RMonitor)
};
inline RunControls run_controls(const Options& o) { return {o.integer("threads"), o.flag("verbose")}; }


// Sets LibTorch's intra-op threads for the lifetime of a call, then restores
// them; first checks that n threads can start and blocks the guarded signals
// on them (signals.h).
class ThreadScope {
 public:
  explicit ThreadScope(int n) : prev_((prepare_threads(n), grntorch::set_threads(n))) {}
  // The thread count in effect inside the scope (what a fit really ran on).
  int in_effect() const { return grntorch::get_threads(); }
  ~ThreadScope() {
    try { grntorch::set_threads(prev_); } catch (...) {}
  }
 private:
  int prev_;
};

// A training loop's wall seconds by phase, as a named numeric vector.
inline Rcpp::NumericVector phase_seconds(const grntorch::PhaseSeconds& s) {
  return Rcpp::NumericVector::create(Rcpp::Named("forward") = s.forward, Rcpp::Named("backward") = s.backward,
                                     Rcpp::Named("step") = s.step, Rcpp::Named("validation") = s.validation);
}

inline Rcpp::NumericMatrix to_r(const grntorch::Matrix& m) {
  Rcpp::NumericMatrix out(m.rows, m.cols);
  for (std::size_t i = 0; i < m.data.size(); ++i) out[i] = m.data[i];
  return out;
}

}  // namespace grnglue


// Every exported glue function wraps its body in these.  Engine exceptions
// become the glue types above (Rcpp raises them as R conditions after the C++
// stack has unwound); messages carry no prefix: R/engine.R adds the wording.
// GRN_TRY also puts the signal policy of signals.h in force for the call.
#define GRN_TRY try { grnglue::pending_r_error.clear(); grnglue::SignalGuard grn_signal_guard_;
#define GRN_CATCH                                                                  \
  }                                                                                \
  catch (Rcpp::LongjumpException&) { throw; }                                      \
  catch (Rcpp::internal::InterruptedException&) { throw grntorch_interrupt(); }    \
  catch (const grntorch_argument_error&) { throw; }                                \
  catch (const grntorch_engine_error&) { throw; }                                  \
  catch (const grntorch_interrupt&) { throw; }                                     \
  catch (const grntorch_r_error&) { throw; }                                       \
  catch (const grntorch::Interrupted&) { grnglue::throw_stopped(); }              \
  catch (const grntorch::InvalidArgument& e) { throw grntorch_argument_error(e.what()); } \
  catch (const grntorch::OutOfMemory& e) { throw grntorch_memory_error(e.what()); } \
  catch (const std::bad_alloc&) {                                                  \
    throw grntorch_memory_error("out of memory (std::bad_alloc)");                      \
  }                                                                                \
  catch (const grntorch::EngineError& e) { throw grntorch_engine_error(e.what()); } \
  catch (const Rcpp::exception& e) { throw grntorch_argument_error(e.what()); }    \
  catch (const std::exception& e) { throw grntorch_engine_error(e.what()); }       \
  catch (...) { throw grntorch_engine_error("unknown C++ error"); }
