# Signals and threads during engine calls (issue 31).  oneDNN's JIT gemm
# kernels point the stack pointer into the heap while they run, so a signal
# handled on a thread inside one wrote its frame into the heap: Ctrl-C during
# a DeepSEM/InfoSEM fit could kill R.  Each check runs in a fresh R process
# under glibc's malloc checks, where a corrupted heap aborts at once.

rscript <- function() file.path(R.home("bin"), "Rscript")
malloc_debug <- function() Sys.glob("/usr/lib/*/libc_malloc_debug.so.0")

# Runs `code` in a fresh Rscript (with this session's library paths) and
# returns its output and exit status; `signal_after`: send SIGINT that many
# seconds after the child wrote its pid (just before the fit).
run_child <- function(code, signal_after = NULL, malloc_check = TRUE, env = character(), timeout = 120,
                      prefix = "") {
  dir <- tempfile("child")
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE))
  pidfile <- file.path(dir, "pid")
  writeLines(c(sprintf(".libPaths(%s)", paste(deparse(.libPaths()), collapse = "")),
               "suppressPackageStartupMessages(library(grntorch))",
               "ex <- grntorch_example()",
               sprintf("writeLines(as.character(Sys.getpid()), %s)", deparse(pidfile)),
               code), file.path(dir, "child.R"))
  env <- c("OMP_WAIT_POLICY=passive", env)
  if (malloc_check && length(malloc_debug()))
    env <- c(env, paste0("LD_PRELOAD=", malloc_debug()[1]), "GLIBC_TUNABLES=glibc.malloc.check=3")
  cmd <- sprintf("%scd %s && %s %s --vanilla child.R > out 2>&1; echo $? > rc", prefix, shQuote(dir),
                 paste(env, collapse = " "), shQuote(rscript()))
  system(sprintf("sh -c %s", shQuote(cmd)), wait = FALSE)
  deadline <- Sys.time() + timeout
  rcfile <- file.path(dir, "rc")
  sent <- FALSE
  while (Sys.time() < deadline && !file.exists(rcfile)) {
    Sys.sleep(0.05)
    if (!sent && !is.null(signal_after) && file.exists(pidfile)) {
      pid <- suppressWarnings(as.integer(readLines(pidfile, warn = FALSE)))
      if (length(pid) == 1 && !is.na(pid)) {
        Sys.sleep(signal_after)
        tools::pskill(pid, tools::SIGINT)
        sent <- TRUE
      }
    }
  }
  Sys.sleep(0.1)
  out <- if (file.exists(file.path(dir, "out"))) readLines(file.path(dir, "out"), warn = FALSE) else character()
  rc <- if (file.exists(rcfile)) as.integer(readLines(rcfile, warn = FALSE)) else NA_integer_
  list(out = out, rc = rc, text = paste(out, collapse = "\n"))
}

skip_unless_posix_child <- function() {
  skip_on_cran()
  skip_on_os("windows")
  skip_if_not(file.exists(rscript()))
}

# The DeepSEM/InfoSEM fits of these checks: the full bundled data (1,120 genes
# x 421 cells, the per-gene MLP products run through oneDNN) for a few epochs.
sem_fit <- c(
  deepsem = "infer_grn(ex$expression, deepsem(epochs = EPOCHS, seed = 1, threads = 2), tfs = ex$tfs, verbose = FALSE)",
  infosem = "infer_grn(ex$expression, infosem(ex$embeddings, epochs = EPOCHS, seed = 1, threads = 2), tfs = ex$tfs, verbose = FALSE)")

test_that("a SEM fit under Rprof's SIGPROF (every 2 ms) does not corrupt memory", {
  skip_unless_posix_child()
  skip_if(length(malloc_debug()) == 0, "glibc's libc_malloc_debug is not installed")
  # Thousands of handled signals land while the MLP products run: on the code
  # before the signal policy every such child aborted (glibc heap errors).
  for (model in names(sem_fit)) {
    r <- run_child(c("Rprof(tempfile(), interval = 0.002)",
                     paste0("g <- ", sub("EPOCHS", "6", sem_fit[[model]])),
                     "Rprof(NULL)",
                     "cat('EDGES', igraph::ecount(g), '\\n')"))
    expect_identical(r$rc, 0L, info = paste(model, r$text))
    expect_true(any(grepl("^EDGES [1-9]", r$out)), info = paste(model, r$text))
  }
})

test_that("Ctrl-C (SIGINT) at random moments of a SEM fit: R survives with grntorch_interrupt", {
  skip_unless_posix_child()
  set.seed(31)
  for (model in names(sem_fit)) {
    for (delay in round(stats::runif(3, 0.2, 2.5), 2)) {
      r <- run_child(c(
        "r <- tryCatch(tryCatch({",
        paste0("  ", sub("EPOCHS", "1000", sem_fit[[model]])),
        "  cat('FINISHED\\n')",
        "}, error = function(e) cat('WRONG: an error\\n')),",
        "  interrupt = function(e) cat('CAUGHT:', paste(class(e), collapse = ','), '\\n'))",
        "invisible(gc())",
        # the same session fits again: memory is sound and the engine usable
        "g <- infer_grn(ex$expression[1:40, 1:100], deepsem(epochs = 2, seed = 2, threads = 2), tfs = ex$tfs, verbose = FALSE)",
        "cat('AGAIN', igraph::ecount(g), '\\n')"), signal_after = delay)
      info <- sprintf("%s, SIGINT after %.2f s:\n%s", model, delay, r$text)
      expect_identical(r$rc, 0L, info = info)
      expect_true(any(grepl("CAUGHT: grntorch_interrupt,grntorch_error,interrupt,condition", r$out, fixed = TRUE)),
                  info = info)
      expect_true(any(grepl("^AGAIN [1-9]", r$out)), info = info)
    }
  }
})

test_that("worker threads block the handled signals, even in an OpenMP pool started before the first fit", {
  skip_unless_posix_child()
  skip_if_not(dir.exists("/proc/self/task"), "needs Linux /proc")
  skip_if(grntorch:::.grn_available_cores() < 2, "needs 2 processors")
  # Bit k - 1 of a thread's SigBlk mask is signal k (SIGINT 2, SIGPROF 27, SIGCHLD 17 on Linux).
  r <- run_child(c(
    "blocked <- function(sig) {",
    "  tids <- list.files('/proc/self/task')",
    "  vapply(tids, function(t) {",
    "    h <- sub('^SigBlk:[[:space:]]*', '', grep('^SigBlk:', readLines(file.path('/proc/self/task', t, 'status')), value = TRUE))",
    "    d <- strtoi(substr(h, nchar(h) - (sig - 1) %/% 4, nchar(h) - (sig - 1) %/% 4), 16L)",
    "    bitwAnd(d, bitwShiftL(1L, (sig - 1) %% 4)) != 0",
    "  }, logical(1))",
    "}",
    # an OpenMP team started by other code (OpenBLAS's threads, say) before grntorch runs
    "invisible(grntorch:::.grn_set_threads(2))",
    "m <- matrix(runif(4e6), 2000); invisible(m %*% m)",
    "g <- infer_grn(ex$expression[1:60, 1:120], deepsem(epochs = 2, seed = 1, threads = 2), tfs = ex$tfs, verbose = FALSE)",
    "main <- as.character(Sys.getpid())",
    "for (s in c(INT = 2L, PROF = 27L, CHLD = 17L)) {",
    "  b <- blocked(s)",
    "  cat(sprintf('SIG %d threads=%d workers_blocked=%d main_blocked=%d\\n', s, length(b), sum(b[names(b) != main]), b[[main]]))",
    "}"), malloc_check = FALSE)
  res <- grep("^SIG", r$out, value = TRUE)
  expect_length(res, 3)
  for (line in res) {
    n <- as.integer(regmatches(line, gregexpr("[0-9]+", line))[[1]])
    expect_gt(n[2], 1, label = line)              # a worker thread exists
    expect_identical(n[3], n[2] - 1L, info = line)  # every thread but the main one blocks it
    expect_identical(n[4], 0L, info = line)       # the main thread has its mask back
  }
})

test_that("`threads` above the available processors is capped with a classed warning", {
  cores <- grntorch:::.grn_available_cores()
  expect_true(is.numeric(cores) && cores >= 1)
  expect_warning(m <- deepsem(threads = cores + 1), class = "grntorch_threads_warning")
  expect_identical(m$params$threads, as.integer(cores))
  w <- tryCatch(deepsem(threads = 1000), warning = identity)
  expect_identical(w$arg, "threads")
  expect_match(conditionMessage(w), sprintf("the %d processor", cores))
  expect_warning(correlation_method(threads = cores + 5), class = "grntorch_threads_warning")
  expect_silent(deepsem(threads = cores))
  expect_silent(m <- deepsem())
  expect_lte(m$params$threads, cores)
  expect_error(deepsem(threads = 0), class = "grntorch_argument_error")
})

test_that("a thread that cannot be created is a grntorch_engine_error, not an abort of R", {
  skip_unless_posix_child()
  skip_if(grntorch:::.grn_available_cores() < 2, "needs 2 processors")
  # An address-space limit too small for a 64 GiB thread stack: libgomp would
  # abort the process ("Thread creation failed") at the fit's first team.
  r <- run_child(c(
    "e <- tryCatch(infer_grn(ex$expression[1:30, 1:60], deepsem(epochs = 2, seed = 1, threads = 2), tfs = ex$tfs, verbose = FALSE),",
    "              error = identity)",
    "cat('CLASS', paste(class(e), collapse = ','), '\\n')",
    "cat('MESSAGE', conditionMessage(e), '\\n')",
    "g <- infer_grn(ex$expression[1:30, 1:60], deepsem(epochs = 2, seed = 1, threads = 1), tfs = ex$tfs, verbose = FALSE)",
    "cat('ONE THREAD', igraph::ecount(g), '\\n')"),
    malloc_check = FALSE, env = "GOMP_STACKSIZE=64G", prefix = "ulimit -v 16000000; ")
  expect_identical(r$rc, 0L, info = r$text)
  expect_true(any(grepl("^CLASS grntorch_engine_error,grntorch_error,error,condition", r$out)), info = r$text)
  expect_true(any(grepl("^MESSAGE .*could not start 2 threads.*threads", r$out)), info = r$text)
  expect_true(any(grepl("^ONE THREAD [1-9]", r$out)), info = r$text)
})

test_that("setTimeLimit() during a fit stops it with R's own time-limit error, not an interrupt", {
  skip_on_cran()
  ex <- grntorch_example()
  msgs <- character()
  res <- withCallingHandlers(local({
    setTimeLimit(elapsed = 1.5, transient = TRUE)
    on.exit(setTimeLimit(elapsed = Inf))
    tryCatch(infer_grn(ex$expression, deepsem(epochs = 1000, seed = 1, threads = 1), tfs = ex$tfs, verbose = FALSE),
             interrupt = function(e) "interrupt", error = identity)
  }), message = function(m) msgs <<- c(msgs, conditionMessage(m)))
  expect_s3_class(res, "error")
  expect_false(inherits(res, "grntorch_error"))
  expect_match(conditionMessage(res), "time limit")
  # the engine is usable afterwards
  g <- infer_grn(ex$expression[1:40, 1:80], deepsem(epochs = 2, seed = 1, threads = 1), tfs = ex$tfs, verbose = FALSE)
  expect_gt(igraph::ecount(g), 0)
})

test_that("Ctrl-C during a multi-threaded 'ranger' forest (genie3()) is taken, not a deadlock", {
  skip_unless_posix_child()
  skip_if_not_installed("ranger")
  # 'ranger' (0.14) deadlocks when it notices Ctrl-C after one of its threads
  # has grown its share of the trees: here thread 2's trees hold 2 cells each
  # (done at once) while thread 1 grows full trees, and the SIGINT comes
  # meanwhile.  genie3() holds SIGINT pending during each forest
  # (.hold_interrupt()), so R takes it when the forest is done.  Without the
  # hold this child hangs until the timeout (bench/trees.R hang).
  r <- run_child(c(
    "set.seed(1); n <- 4000; X <- matrix(rnorm(n * 40), n, dimnames = list(NULL, paste0('v', 1:40)))",
    "y <- X[, 1] + rnorm(n); nt <- 1200",
    "inbag <- lapply(seq_len(nt), function(i) { v <- integer(n); if (i <= nt / 2) v[sample(n, n, TRUE)] <- 1L else v[1:2] <- 1L; v })",
    "t0 <- proc.time()[[3]]",
    "r <- tryCatch({",
    "  f <- grntorch:::.hold_interrupt(TRUE, ranger::ranger(x = X, y = y, num.trees = nt, inbag = inbag, num.threads = 2,",
    "         importance = 'impurity', write.forest = FALSE, oob.error = FALSE, min.node.size = 1, seed = 1, verbose = FALSE))",
    "  cat('FOREST', proc.time()[[3]] - t0, '\\n')",
    "  for (i in 1:200) Sys.sleep(0.01)",
    "  'finished'",
    "}, interrupt = function(e) 'interrupt')",
    "cat('RESULT', r, '\\n')"), signal_after = 1.5, malloc_check = FALSE, timeout = 60)
  expect_identical(r$rc, 0L, info = r$text)
  expect_true(any(grepl("^FOREST", r$out)), info = r$text)     # the forest was grown to the end ...
  expect_true(any(grepl("^RESULT interrupt", r$out)), info = r$text)  # ... then the Ctrl-C was taken
})
