// The signal and thread policy of engine calls: see signals.h.
#include "glue.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#ifndef _WIN32
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>
#endif
#ifdef _OPENMP
#include <omp.h>
#endif

namespace grnglue {

#ifndef _WIN32
namespace {

// The set blocked by the outermost guard in effect (main thread only).
sigset_t g_blocked;
int g_depth = 0;

bool synchronous(int s) {
  return s == SIGSEGV || s == SIGBUS || s == SIGFPE || s == SIGILL || s == SIGTRAP || s == SIGSYS || s == SIGABRT ||
         s == SIGKILL || s == SIGSTOP;
}

// Every asynchronous signal whose delivery would run a handler, plus SIGINT,
// SIGCHLD and SIGPROF whatever their disposition now (R installs their
// handlers; parallel's SIGCHLD handler may come later).
sigset_t handled_signals() {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGINT);
  sigaddset(&s, SIGCHLD);
  sigaddset(&s, SIGPROF);
#ifdef SIGRTMAX
  const int last = SIGRTMAX;
#else
  const int last = 31;
#endif
  for (int k = 1; k <= last; ++k) {
    if (synchronous(k)) continue;
    struct sigaction sa;
    if (sigaction(k, nullptr, &sa) != 0) continue;  // glibc's internal signals: EINVAL
    const bool runs_code = (sa.sa_flags & SA_SIGINFO) ? sa.sa_sigaction != nullptr
                                                      : (sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN);
    if (runs_code) sigaddset(&s, k);
  }
  return s;
}

// Parses OMP_STACKSIZE / GOMP_STACKSIZE as libgomp does ("512K", "8M", a
// bare number is KiB); 0 when unset or unreadable.
std::size_t omp_stack_bytes() {
  for (const char* name : {"GOMP_STACKSIZE", "OMP_STACKSIZE"}) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') continue;
    char* end = nullptr;
    errno = 0;
    const double x = std::strtod(v, &end);
    if (errno != 0 || end == v || x <= 0) return 0;
    while (*end == ' ') ++end;
    double unit = 1024;
    switch (*end) {
      case 'B': case 'b': unit = 1; break;
      case 'K': case 'k': case '\0': unit = 1024; break;
      case 'M': case 'm': unit = 1024.0 * 1024; break;
      case 'G': case 'g': unit = 1024.0 * 1024 * 1024; break;
      default: return 0;
    }
    return static_cast<std::size_t>(x * unit);
  }
  return 0;
}

pthread_mutex_t g_probe_gate = PTHREAD_MUTEX_INITIALIZER;
void* probe_body(void*) {
  pthread_mutex_lock(&g_probe_gate);  // waits until every probe thread exists
  pthread_mutex_unlock(&g_probe_gate);
  return nullptr;
}

// Starts n threads that all exist at once (the way an OpenMP team does),
// then joins them.  The error number of the first failure, 0 when all started.
int probe_threads(int n) {
  pthread_attr_t attr;
  pthread_attr_t* pa = nullptr;
  const std::size_t stack = omp_stack_bytes();
  if (stack > 0 && pthread_attr_init(&attr) == 0) {
    if (pthread_attr_setstacksize(&attr, stack) == 0) pa = &attr;
    else pthread_attr_destroy(&attr);
  }
  std::vector<pthread_t> started;
  started.reserve(static_cast<std::size_t>(n));
  int err = 0;
  pthread_mutex_lock(&g_probe_gate);
  for (int i = 0; i < n; ++i) {
    pthread_t t;
    err = pthread_create(&t, pa, probe_body, nullptr);
    if (err != 0) break;
    started.push_back(t);
  }
  pthread_mutex_unlock(&g_probe_gate);
  for (pthread_t t : started) pthread_join(t, nullptr);
  if (pa != nullptr) pthread_attr_destroy(pa);
  return err;
}

}  // namespace

SignalGuard::SignalGuard() {
  sigset_t s = handled_signals();
  ok_ = pthread_sigmask(SIG_BLOCK, &s, &old_) == 0;
  if (ok_ && g_depth++ == 0) g_blocked = s;
}

SignalGuard::~SignalGuard() {
  if (!ok_) return;
  --g_depth;
  pthread_sigmask(SIG_SETMASK, &old_, nullptr);
}

bool stop_signal_pending() {
  if (g_depth == 0) return false;
  sigset_t pending;
  if (sigpending(&pending) != 0) return false;
  if (sigismember(&pending, SIGINT) == 1 && sigismember(&g_blocked, SIGINT) == 1) {
    // Take it: the fit stops with grntorch_interrupt, and R does not see a
    // second interrupt when the mask is restored.
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, SIGINT);
    struct timespec zero = {0, 0};
    sigtimedwait(&only, nullptr, &zero);
    return true;
  }
  for (int k : {SIGTERM, SIGHUP, SIGQUIT})
    if (sigismember(&pending, k) == 1 && sigismember(&g_blocked, k) == 1) return true;
  return false;
}

void prepare_threads(int n) {
  static int checked = 1;  // a team of this many threads has been started in this process
  if (n > checked) {
    const int err = probe_threads(n - 1);
    if (err != 0)
      throw grntorch_engine_error("could not start " + std::to_string(n) + " threads (" + std::strerror(err) +
                                  "): use fewer threads (`threads =`)");
  }
  if (n > 1 && g_depth > 0) {
#ifdef _OPENMP
    // The team LibTorch's parallel loops use (the same OpenMP pool of this thread).
    const pthread_t caller = pthread_self();
    const sigset_t s = g_blocked;
#pragma omp parallel num_threads(n)
    {
      if (!pthread_equal(pthread_self(), caller)) pthread_sigmask(SIG_BLOCK, &s, nullptr);
    }
#endif
  }
  if (n > checked) checked = n;
}

int available_cores() {
#ifdef __linux__
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    const int c = CPU_COUNT(&set);
    if (c > 0) return c;
  }
#endif
  const long c = sysconf(_SC_NPROCESSORS_ONLN);
  return c > 0 ? static_cast<int>(c) : 1;
}

#else  // _WIN32: no POSIX signals; interrupts come through R_CheckUserInterrupt.

SignalGuard::SignalGuard() {}
SignalGuard::~SignalGuard() {}
bool stop_signal_pending() { return false; }
void prepare_threads(int) {}
int available_cores() {
  const unsigned c = std::thread::hardware_concurrency();
  return c > 0 ? static_cast<int>(c) : 1;
}

#endif

}  // namespace grnglue

// Processors this R process may use (its CPU affinity).
// [[Rcpp::export(.grn_available_cores)]]
int grn_available_cores() { return grnglue::available_cores(); }

// Holds SIGINT pending on the R main thread, and on the threads it starts,
// while a library that handles Ctrl-C itself runs: 'ranger' with several
// threads deadlocks when an interrupt is noticed after one of its threads has
// grown its share of trees (that thread never counts itself as aborted, so the
// main thread waits for it forever).  on = TRUE blocks SIGINT, on = FALSE
// unblocks it, and R's handler then takes a Ctrl-C that came meanwhile.
// Returns whether SIGINT was blocked before the call.
// [[Rcpp::export(.grn_hold_interrupt)]]
bool grn_hold_interrupt(bool on) {
#ifndef _WIN32
  sigset_t s, old;
  sigemptyset(&s);
  sigaddset(&s, SIGINT);
  if (pthread_sigmask(on ? SIG_BLOCK : SIG_UNBLOCK, &s, &old) != 0) return false;
  return sigismember(&old, SIGINT) == 1;
#else
  (void)on;
  return false;
#endif
}
