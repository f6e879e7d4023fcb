# Ensembles and benchmark grids over BiocParallel back-ends, batchtools included.

ens_data <- function() {
  ex <- grntorch_example()
  list(x = ex$expression[1:40, 1:80], tfs = ex$tfs)
}

test_that("an ensemble of 4 DeepSEM runs through BatchtoolsParam: one thread per worker, same network as serial", {
  skip_if_not_installed("BiocParallel")
  skip_if_not_installed("batchtools")
  d <- ens_data()
  m <- function(bp, threads) deepsem(epochs = 2, seed = 3, threads = threads, n_runs = 4, BPPARAM = bp)
  serial <- infer_grn(d$x, m(NULL, 1), tfs = d$tfs, verbose = FALSE)
  expect_identical(igraph::graph_attr(serial, "fit")$threads, rep(1L, 4))
  reg <- tempfile("grntorch-bt-")
  bp <- BiocParallel::BatchtoolsParam(workers = 2, cluster = "multicore",
                                      registryargs = BiocParallel::batchtoolsRegistryargs(file.dir = reg))
  # A forking back-end: every worker runs on one thread whatever `threads` says.
  g <- infer_grn(d$x, m(bp, 2), tfs = d$tfs, verbose = FALSE)
  expect_identical(igraph::graph_attr(g, "fit")$threads, rep(1L, 4))
  expect_identical(grn_edges(g), grn_edges(serial))
})

test_that("batchtools' socket workers and SnowParam keep the model's threads and give the serial network", {
  skip_if_not_installed("BiocParallel")
  skip_if_not_installed("batchtools")
  skip_on_cran()
  d <- ens_data()
  serial <- grn_edges(infer_grn(d$x, deepsem(epochs = 2, seed = 5, threads = 1, n_runs = 2), tfs = d$tfs,
                                verbose = FALSE))
  reg <- tempfile("grntorch-bt-")
  for (bp in list(BiocParallel::BatchtoolsParam(workers = 2, cluster = "socket",
                                                registryargs = BiocParallel::batchtoolsRegistryargs(file.dir = reg)),
                  BiocParallel::SnowParam(2))) {
    g <- infer_grn(d$x, deepsem(epochs = 2, seed = 5, threads = 1, n_runs = 2, BPPARAM = bp), tfs = d$tfs,
                   verbose = FALSE)
    expect_identical(igraph::graph_attr(g, "fit")$threads, c(1L, 1L))
    expect_identical(grn_edges(g), serial)
  }
})

test_that("forked InfoSEM workers run on one thread each", {
  skip_if_not_installed("BiocParallel")
  ex <- grntorch_example()
  x <- ex$expression[1:40, 1:80]
  m <- infosem(ex$embeddings, epochs = 2, seed = 2, threads = 2, n_runs = 2, BPPARAM = BiocParallel::MulticoreParam(2))
  g <- infer_grn(x, m, tfs = ex$tfs, verbose = FALSE)
  expect_identical(igraph::graph_attr(g, "fit")$threads, c(1L, 1L))
  serial <- infer_grn(x, infosem(ex$embeddings, epochs = 2, seed = 2, threads = 1, n_runs = 2), tfs = ex$tfs,
                      verbose = FALSE)
  expect_identical(grn_edges(g), grn_edges(serial))
})

test_that("benchmark_grn over BatchtoolsParam gives the serial results", {
  skip_if_not_installed("BiocParallel")
  skip_if_not_installed("batchtools")
  ex <- grntorch_example()
  genes <- rownames(ex$expression)[1:200]
  small <- list(expression = ex$expression[genes, ], tfs = intersect(ex$tfs, genes),
                truth = ex$truth[ex$truth$from %in% genes & ex$truth$to %in% genes, ])
  meths <- list("pearson", "random")
  serial <- benchmark_grn(list(s = small), meths, seeds = 1:2, verbose = FALSE)
  bp <- BiocParallel::BatchtoolsParam(workers = 2, cluster = "multicore",
                                      registryargs = BiocParallel::batchtoolsRegistryargs(file.dir = tempfile("grntorch-bt-")))
  par <- benchmark_grn(list(s = small), meths, seeds = 1:2, BPPARAM = bp, verbose = FALSE)
  cols <- setdiff(names(serial), "seconds")
  expect_identical(as.data.frame(par)[cols], as.data.frame(serial)[cols])
})

test_that("the SLURM template renders to a job script that asks for the resources given", {
  skip_if_not_installed("brew")
  tmpl <- system.file("batchtools", "slurm.tmpl", package = "grntorch")
  expect_true(nzchar(tmpl))
  env <- new.env()
  env$resources <- list(ncpus = 4, memory = 6000, walltime = 5400, partition = "short")
  env$job.name <- "grn-job"
  env$log.file <- file.path(tempdir(), "job.log")
  env$uri <- "/scratch/reg/jobs/job1.rds"
  out <- capture.output(brew::brew(tmpl, envir = env))
  expect_true("#SBATCH --cpus-per-task=4" %in% out)
  expect_true("#SBATCH --mem=6000M" %in% out)
  expect_true("#SBATCH --time=90" %in% out)
  expect_true("#SBATCH --partition=short" %in% out)
  expect_true("export OMP_NUM_THREADS=4" %in% out)
  expect_true(any(grepl("doJobCollection(\"/scratch/reg/jobs/job1.rds\")", out, fixed = TRUE)))
  env$resources <- list()
  out <- capture.output(brew::brew(tmpl, envir = env))
  expect_true("#SBATCH --cpus-per-task=1" %in% out)
  expect_false(any(grepl("partition", out[grepl("^#SBATCH", out)])))
})

test_that("threads the engine starts never take SIGCHLD, which R's fork-based back-ends handle on the main thread", {
  skip_if_not(dir.exists("/proc/self/task"), "needs Linux /proc")
  skip_on_cran()
  # A fresh R process, so that the engine's threads are started inside this test.
  code <- '
    blocked <- function() {
      tids <- list.files("/proc/self/task")
      setNames(vapply(tids, function(t) {
        st <- readLines(file.path("/proc/self/task", t, "status"))
        h <- sub("^SigBlk:[[:space:]]*", "", grep("^SigBlk:", st, value = TRUE))
        bitwAnd(strtoi(substr(h, nchar(h) - 4, nchar(h) - 4), 16L), 1L) == 1L  # SIGCHLD = 17: bit 16
      }, logical(1)), tids)
    }
    before <- names(blocked())
    suppressPackageStartupMessages(library(grntorch))
    ex <- grntorch_example()
    g <- infer_grn(ex$expression[1:40, 1:80], deepsem(epochs = 2, seed = 1, threads = 2), tfs = ex$tfs,
                   verbose = FALSE)
    b <- blocked()
    new <- setdiff(names(b), before)
    cat(sprintf("RESULT new=%d new_blocked=%d main_blocked=%d\n", length(new), sum(b[new]),
                b[[as.character(Sys.getpid())]]))
  '
  out <- system2(file.path(R.home("bin"), "Rscript"), c("-e", shQuote(code)), stdout = TRUE, stderr = TRUE,
                 env = "OMP_WAIT_POLICY=passive")
  res <- grep("^RESULT", out, value = TRUE)
  expect_length(res, 1)
  n <- as.integer(regmatches(res, gregexpr("[0-9]+", res))[[1]])
  expect_gt(n[1], 0)         # the two-thread fit started at least one thread
  expect_identical(n[2], n[1])  # ... and every one of them has SIGCHLD blocked
  expect_identical(n[3], 0L)    # the main thread gets it back after the call
})
