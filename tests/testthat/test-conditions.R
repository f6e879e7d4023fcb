# The error funnel (src/glue.h GRN_CATCH -> R/engine.R .engine_call): every
# failure of the compiled code reaches R as a classed condition.  No test here
# decides anything from a message except to check what the message says.

catch <- function(expr) tryCatch(expr, condition = function(e) e)

deepsem_opts <- function(...) {
  utils::modifyList(list(mode = "celltype", alpha = 1, beta = 0.01, epochs = 2L, batch_size = 8L, lr = 1e-3,
                         lr_adj = 1e-4, hidden = 4L, lr_decay = 1, net_epochs = 1L, adj_epochs = 2L, cells_per_epoch = 0L, precision = "float32", seed = 1,
                         device = "cpu", threads = 1L, verbose = FALSE, label = "test"), list(...))
}

test_that("the glue's option accessor names the option at fault (grntorch_argument_error)", {
  set.seed(1)
  x <- matrix(rnorm(6 * 12), 6, 12)
  run <- function(o) grntorch:::.engine_call(grntorch:::.grn_deepsem(x, o))
  ok <- run(deepsem_opts())
  expect_equal(dim(ok$A), c(6L, 6L))
  classes <- c("grntorch_argument_error", "grntorch_error", "error", "condition")

  # the glue reads types only (the bounds are deepsem()'s)
  e <- catch(run(deepsem_opts(epochs = 2.5)))
  expect_identical(class(e), classes)
  expect_identical(e$arg, "epochs")
  expect_match(conditionMessage(e),
               "`epochs`: must be a single whole number in [-2147483647, 2147483647] (deepsem() option), not 2.5",
               fixed = TRUE)
  e <- catch(run(deepsem_opts(epochs = 3e9)))
  expect_identical(e$arg, "epochs")
  # a value of the right type out of range is the engine's argument error
  e <- catch(run(deepsem_opts(epochs = 0L)))
  expect_identical(class(e), classes)
  expect_match(conditionMessage(e), "epochs must be >= 1", fixed = TRUE)
  # swapped or mistyped values cannot pass silently
  e <- catch(run(deepsem_opts(epochs = "2")))
  expect_identical(e$arg, "epochs")
  expect_match(conditionMessage(e), "not \"2\"", fixed = TRUE)
  e <- catch(run(deepsem_opts(hidden = 2.5)))
  expect_identical(e$arg, "hidden")
  e <- catch(run(deepsem_opts(lr = Inf)))
  expect_identical(e$arg, "lr")
  expect_match(conditionMessage(e), "`lr`: must be a single finite number (deepsem() option), not Inf", fixed = TRUE)
  e <- catch(run(deepsem_opts(lr_decay = NA_real_)))
  expect_identical(e$arg, "lr_decay")
  e <- catch(run(deepsem_opts(verbose = NA)))
  expect_identical(e$arg, "verbose")
  e <- catch(run(deepsem_opts(mode = "cell")))
  expect_identical(e$arg, "mode")
  expect_match(conditionMessage(e), "one of \"celltype\", \"nonspecific\", not \"cell\"", fixed = TRUE)
  e <- catch(run(deepsem_opts(seed = -1)))
  expect_identical(e$arg, "seed")
  # a missing option and an unknown (misspelt) one
  o <- deepsem_opts()
  o$lr_adj <- NULL
  e <- catch(run(o))
  expect_identical(class(e), classes)
  expect_identical(e$arg, "lr_adj")
  expect_match(conditionMessage(e), "is missing")
  e <- catch(run(c(deepsem_opts(), list(epohcs = 3L))))
  expect_s3_class(e, "grntorch_argument_error")
  expect_match(conditionMessage(e), "unknown deepsem() option(s): epohcs", fixed = TRUE)
  e <- catch(run(unname(deepsem_opts())))
  expect_s3_class(e, "grntorch_argument_error")
  # non-finite data is an argument error naming the matrix
  xb <- x
  xb[2, 3] <- NaN
  e <- catch(grntorch:::.engine_call(grntorch:::.grn_deepsem(xb, deepsem_opts())))
  expect_identical(class(e), classes)
  expect_identical(e$arg, "x")
  # the same accessor guards the other entry points
  e <- catch(grntorch:::.engine_call(grntorch:::.grn_correlation(x, 1:2, list(method = "kendall", threads = 1L,
                                                                               verbose = FALSE))))
  expect_identical(e$arg, "method")
  e <- catch(grntorch:::.engine_call(grntorch:::.grn_infosem(x, matrix(0, 6, 0), integer(), integer(), integer(),
                                                             c(deepsem_opts(), list(sigma_w = 1, sigma_l = "0.1", rank = 2L,
                                                                                    lr_logit = 1e-3, offset = FALSE)))))
  expect_identical(e$arg, "sigma_l")
  # the raw glue condition: its C++ type name is the class the funnel maps
  raw <- catch(grntorch:::.grn_deepsem(x, deepsem_opts(epochs = 0L)))
  expect_true(inherits(raw, "grntorch_argument_error") && inherits(raw, "C++Error"))
})

test_that("the funnel maps glue classes, and only those, onto the package's conditions", {
  glue_cond <- function(cls) structure(class = c(cls, "C++Error", "error", "condition"),
                                       list(message = "boom", call = NULL))
  via <- function(cls) catch(grntorch:::.engine_call(stop(glue_cond(cls))))
  expect_identical(class(via("grntorch_engine_error")),
                   c("grntorch_engine_error", "grntorch_error", "error", "condition"))
  expect_identical(class(via("grntorch_memory_error")),
                   c("grntorch_memory_error", "grntorch_engine_error", "grntorch_error", "error", "condition"))
  expect_identical(class(via("grntorch_interrupt")),
                   c("grntorch_interrupt", "grntorch_error", "interrupt", "condition"))
  # any other C++ exception is an engine error; R conditions pass untouched
  expect_identical(class(via("std::out_of_range")), class(via("grntorch_engine_error")))
  expect_identical(conditionMessage(via("grntorch_engine_error")), "grntorch engine: boom")
  e <- catch(grntorch:::.engine_call(stop("plain R error")))
  expect_identical(class(e), c("simpleError", "error", "condition"))
  # engine errors are ordinary errors; the interrupt is not an error
  expect_true(tryCatch(grntorch:::.engine_call(stop(glue_cond("grntorch_engine_error"))), error = function(e) TRUE))
  expect_true(tryCatch(tryCatch(grntorch:::.engine_call(stop(glue_cond("grntorch_interrupt"))),
                                error = function(e) FALSE),
                       interrupt = function(e) TRUE))
})

test_that("a failed fit is a grntorch_engine_error, catchable as an ordinary error", {
  ex <- small_example(20, 40)
  e <- catch(infer_grn(ex$expression, deepsem(epochs = 5, hidden = 8, lr = 1e6, lr_adj = 1e6, seed = 1, threads = 1),
                       tfs = ex$tfs, verbose = FALSE))
  expect_s3_class(e, "grntorch_engine_error")
  expect_false(inherits(e, "grntorch_memory_error"))
  expect_identical(class(e), c("grntorch_engine_error", "grntorch_error", "error", "condition"))
  expect_match(conditionMessage(e), "diverged")
  expect_true(tryCatch(infer_grn(ex$expression, deepsem(epochs = 5, hidden = 8, lr = 1e6, lr_adj = 1e6, seed = 1,
                                                       threads = 1), tfs = ex$tfs, verbose = FALSE),
                       error = function(e) TRUE))
})

test_that("a LibTorch failure reaches R without the C++ backtrace", {
  skip_if(isTRUE(grntorch_sitrep(verbose = FALSE)$cuda), "CUDA is available")
  ex <- small_example(20, 40)
  e <- catch(infer_grn(ex$expression, deepsem(epochs = 1, device = "cuda", seed = 1, threads = 1), tfs = ex$tfs,
                       verbose = FALSE))
  expect_s3_class(e, "grntorch_error")
  expect_s3_class(e, "error")
  msg <- conditionMessage(e)
  expect_match(msg, "cuda|CUDA|device")
  expect_false(grepl("Exception raised from", msg, fixed = TRUE))
  expect_false(grepl("frame #", msg, fixed = TRUE))
})

test_that("a request that cannot fit in memory is refused at once as grntorch_memory_error", {
  skip_on_cran()
  skip_if_not(file.exists("/proc/sys/vm/overcommit_memory") &&
                identical(readLines("/proc/sys/vm/overcommit_memory"), "0"),
              "needs Linux overcommit heuristic mode 0")
  meminfo <- readLines("/proc/meminfo")
  kb <- function(key) as.numeric(gsub("[^0-9]", "", grep(paste0("^", key, ":"), meminfo, value = TRUE)))
  skip_if(kb("MemTotal") + kb("SwapTotal") > 80e6, "RAM + swap could hold the request")
  # 150,000 genes x 3 cells, every gene a regulator: the score matrix alone is
  # 150,000^2 floats = 90 GB (the engine asks for 180 GB), refused at once.
  n <- 150000L
  set.seed(1)
  x <- matrix(rnorm(n * 3), n, 3)
  peak <- function() {
    s <- grep("^VmHWM:", readLines("/proc/self/status"), value = TRUE)
    as.numeric(gsub("[^0-9]", "", s)) * 1024
  }
  before <- peak()
  t <- system.time(e <- catch(grntorch:::.engine_call(
    grntorch:::.grn_correlation(x, seq_len(n), list(method = "pearson", threads = 1L, verbose = FALSE)))))
  expect_lt(t[["elapsed"]], 30)
  expect_lt(peak() - before, 2e9)  # the request was refused, not paged in
  expect_identical(class(e), c("grntorch_memory_error", "grntorch_engine_error", "grntorch_error", "error",
                               "condition"))
  expect_true(tryCatch(stop(e), error = function(e) TRUE))
  expect_false(grepl("Exception raised from", conditionMessage(e), fixed = TRUE))
  expect_false(grepl("frame #", conditionMessage(e), fixed = TRUE))
})

test_that("benchmark_grn() stops at an interrupt (by class) and returns the finished runs", {
  ex <- small_example(n_genes = 120, n_cells = 40)
  truth <- ex$truth[ex$truth$from %in% rownames(ex$expression) & ex$truth$to %in% rownames(ex$expression), ]
  calls <- 0L
  registerS3method(".fit_method", "grn_test_interrupt", function(method, data) {
    calls <<- calls + 1L
    if (calls == 2L) {  # the second run is interrupted inside the "engine"
      grntorch:::.engine_call(stop(structure(class = c("grntorch_interrupt", "C++Error", "error", "condition"),
                                             list(message = "interrupted by the user", call = NULL))))
    }
    s <- matrix(seq_len(length(data$regulators) * nrow(data$expr)), length(data$regulators),
                dimnames = list(data$regulators, rownames(data$expr)))
    list(scores = s)
  }, envir = asNamespace("grntorch"))
  m <- new_grn_method("fake", subclass = "grn_test_interrupt")
  d <- list(expression = ex$expression, tfs = ex$tfs, truth = truth, name = "toy")
  expect_warning(res <- benchmark_grn(list(d), list(fake = m), schemes = "unseen_genes", seeds = 1:3,
                                      verbose = FALSE),
                 class = "grntorch_warning", regexp = "1 of 3 runs")
  expect_identical(calls, 2L)
  expect_s3_class(res, "grn_benchmark")
  expect_identical(unique(res$seed), 1L)
  # any other error still propagates
  calls <- 1L
  registerS3method(".fit_method", "grn_test_interrupt", function(method, data) {
    grntorch:::.engine_call(stop(structure(class = c("grntorch_engine_error", "C++Error", "error", "condition"),
                                           list(message = "broken", call = NULL))))
  }, envir = asNamespace("grntorch"))
  expect_error(benchmark_grn(list(d), list(fake = m), schemes = "unseen_genes", seeds = 1:2,
                             verbose = FALSE), class = "grntorch_engine_error")
})

test_that("a real Ctrl-C (SIGINT) during a DeepSEM fit is caught by tryCatch(interrupt = )", {
  skip_on_cran()
  skip_on_os("windows")
  rscript <- file.path(R.home("bin"), "Rscript")
  skip_if_not(file.exists(rscript))
  dir <- tempfile("sigint")
  dir.create(dir)
  pidfile <- file.path(dir, "pid")
  outfile <- file.path(dir, "out")
  script <- file.path(dir, "child.R")
  writeLines(c(
    sprintf(".libPaths(%s)", paste(deparse(.libPaths()), collapse = "")),
    "suppressPackageStartupMessages(library(grntorch))",
    "ex <- grntorch_example()",
    "x <- ex$expression[1:30, 1:60]",
    "m <- deepsem(epochs = 1e6, hidden = 8, seed = 1, threads = 1)",
    sprintf("writeLines(as.character(Sys.getpid()), %s)", deparse(pidfile)),
    "t0 <- proc.time()[['elapsed']]",
    "r <- tryCatch(tryCatch(infer_grn(x, m, tfs = ex$tfs, verbose = FALSE),",
    "                       error = function(e) cat('WRONG: caught as error\\n')),",
    "              interrupt = function(e) cat('CAUGHT:', paste(class(e), collapse = ','), '\\n'))",
    "cat(sprintf('AFTER %.1f\\n', proc.time()[['elapsed']] - t0))"), script)
  old <- Sys.getenv("OMP_WAIT_POLICY", NA)
  Sys.setenv(OMP_WAIT_POLICY = "passive")
  on.exit(if (is.na(old)) Sys.unsetenv("OMP_WAIT_POLICY") else Sys.setenv(OMP_WAIT_POLICY = old), add = TRUE)
  system2(rscript, c("--vanilla", shQuote(script)), stdout = outfile, stderr = outfile, wait = FALSE)
  deadline <- Sys.time() + 120
  while (!file.exists(pidfile) && Sys.time() < deadline) Sys.sleep(0.2)
  skip_if_not(file.exists(pidfile), "the child R process did not start in time")
  Sys.sleep(0.5)
  pid <- as.integer(readLines(pidfile))
  Sys.sleep(2)  # well into the fit (1e6 epochs would take many minutes)
  t_kill <- Sys.time()
  tools::pskill(pid, tools::SIGINT)
  done <- function() file.exists(outfile) && any(grepl("^AFTER", readLines(outfile)))
  while (!done() && Sys.time() < t_kill + 60) Sys.sleep(0.2)
  waited <- as.numeric(difftime(Sys.time(), t_kill, units = "secs"))
  out <- if (file.exists(outfile)) readLines(outfile) else character()
  if (!done()) tools::pskill(pid, tools::SIGKILL)
  expect_true(any(grepl("CAUGHT: grntorch_interrupt,grntorch_error,interrupt,condition", out, fixed = TRUE)),
              info = paste(out, collapse = "\n"))
  expect_false(any(grepl("WRONG", out)))
  expect_lt(waited, 20)
})

test_that("an R-side error naming an argument is a grntorch_argument_error with that `arg`", {
  e <- tryCatch(scunigp(lr = -1), error = identity)
  expect_identical(class(e), c("grntorch_argument_error", "grntorch_error", "error", "condition"))
  expect_identical(e$arg, "lr")
  e <- tryCatch(deepsem(epochs = 0), error = identity)
  expect_s3_class(e, "grntorch_argument_error")
  expect_identical(e$arg, "epochs")
  # an error about no single argument stays a plain grntorch_error
  e <- tryCatch(grntorch:::.grn_abort(NULL, "something failed"), error = identity)
  expect_identical(class(e), c("grntorch_error", "error", "condition"))
})
