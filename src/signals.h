// The glue's signal and thread policy for engine calls (src/glue_signals.cpp).
//
// Why: oneDNN's JIT gemm kernels (Debian's libdnnl 2.x, used by LibTorch and
// by the engine's per-gene MLP products) point the stack pointer into a heap
// buffer while they run.  A signal handled on a thread inside such a kernel
// writes its signal frame into that heap buffer (oneDNN issue 4845, fixed
// upstream in 3.11): Ctrl-C, Rprof's SIGPROF or R's SIGCHLD handler then
// corrupt the heap and glibc aborts R.  The policy that prevents it:
//
//   * SignalGuard (one per glue entry, GRN_TRY): for the length of the call
//     the R main thread blocks every asynchronous signal that has a handler
//     (always SIGINT, SIGCHLD and SIGPROF).  Signals that would run no code
//     (default action, ignored) and the synchronous faults stay unblocked.
//     A blocked signal stays pending and reaches the main thread, outside any
//     engine code, when the call returns (R's handler then runs as usual).
//   * prepare_threads(n) (ThreadScope): LibTorch's worker threads block the
//     same set for good (R expects signals on its main thread anyway); threads
//     started during the call inherit it from the main thread.  Before a fit
//     first uses n threads, n - 1 threads are started and joined as a probe,
//     so that a thread that cannot be created is a grntorch_engine_error
//     rather than libgomp's process abort.
//   * stop_signal_pending() (RMonitor::interrupted): a pending SIGINT is taken
//     (the fit stops with the classed grntorch_interrupt); a pending SIGTERM,
//     SIGHUP or SIGQUIT that has a handler stops the fit too and is left
//     pending, so that it is handled as usual once the call has unwound.
#pragma once

#ifndef _WIN32
#include <signal.h>
#endif

namespace grnglue {

class SignalGuard {
 public:
  SignalGuard();
  ~SignalGuard();
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

 private:
#ifndef _WIN32
  sigset_t old_;  // the caller's mask, restored on exit
#endif
  bool ok_ = false;
};

// True when a signal that asks the fit to stop is pending (see above).
bool stop_signal_pending();

// Checks that n threads can run (throws grntorch_engine_error otherwise) and
// blocks the guarded signals on LibTorch's worker threads.
void prepare_threads(int n);

// Processors this process may run on (its CPU affinity), at least 1.
int available_cores();

}  // namespace grnglue
