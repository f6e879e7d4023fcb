# Interrupt stress test: sends SIGINT (what Ctrl-C sends) at a random moment to
# child R processes fitting a model, and counts how many die instead of
# returning the classed `grntorch_interrupt` (issue 31).  Each child runs under
# glibc's malloc checks (libc_malloc_debug + glibc.malloc.check=3), so a heap
# corruption aborts it even when the damage would otherwise go unnoticed.
#
#   Rscript bench/interrupt-stress.R [--models deepsem,infosem,...] [--n 20]
#           [--parallel 2] [--max-delay 6] [--threads 2] [--no-malloc-check]
#           [--profile] [--dir FOLDER]
#
# Models: deepsem, dazzle, regdiffusion, genie3, grnboost2, infosem, genelink, gnnlink, scregnet, sctransnet, scunigp,
# benchmark (benchmark_grn() running DeepSEM), ensemble (deepsem(n_runs = 4),
# serial), forked (deepsem(n_runs = 2) over MulticoreParam(2); the SIGINT goes
# to the parent and to the forked workers, as a terminal's Ctrl-C does to the
# whole process group).  --profile also runs each fit under Rprof(interval =
# 0.002): a SIGPROF every 2 ms of CPU, the harshest signal load.
#
# A child "survived" when it printed the interrupt's class (benchmark_grn():
# its "benchmark interrupted" warning, as it returns the finished runs) and then fitted a
# small network again in the same R session (so memory is still sound).  It
# "died" when it exited with an error status or a fatal signal, or printed a
# glibc heap error; "hung" when it had not exited 120 s after the signal
# (then killed).  A fit that finished before the signal arrived counts as
# "missed" (no interrupt happened).  Prints one row per model and exits with
# status 1 when any child died.

args <- commandArgs(trailingOnly = TRUE)
opt <- function(name, default) {
  i <- match(paste0("--", name), args)
  if (is.na(i)) return(default)
  if (is.logical(default)) return(TRUE)
  v <- args[i + 1]
  if (is.numeric(default)) as.numeric(v) else v
}
models <- strsplit(opt("models", "deepsem,infosem"), ",")[[1]]
n <- opt("n", 20)
n_par <- opt("parallel", 2)
max_delay <- opt("max-delay", 6)
threads <- opt("threads", 2)
malloc_check <- !opt("no-malloc-check", FALSE)
profile <- opt("profile", FALSE)
seed <- opt("seed", 1)
work <- opt("dir", tempdir())  # the children's folders (those of children that died are kept)
dir.create(work, showWarnings = FALSE, recursive = TRUE)
set.seed(seed)

rscript <- file.path(R.home("bin"), "Rscript")
debug_lib <- Sys.glob("/usr/lib/*/libc_malloc_debug.so.0")
if (malloc_check && !length(debug_lib)) stop("libc_malloc_debug.so.0 not found (glibc >= 2.34 needed); use --no-malloc-check")

# The body of one child: `fit` is an expression that fits the model (takes
# much longer than max_delay), `again` a small fit run after the interrupt.
child_fit <- function(model) {
  switch(model,
    deepsem = "infer_grn(ex$expression, deepsem(seed = 1, threads = THREADS), tfs = ex$tfs, verbose = FALSE)",
    dazzle = "infer_grn(ex$expression, dazzle(seed = 1, threads = THREADS), tfs = ex$tfs, verbose = FALSE)",
    regdiffusion = "infer_grn(ex$expression, regdiffusion(seed = 1, threads = THREADS), tfs = ex$tfs, verbose = FALSE)",
    genie3 = "infer_grn(ex$expression, genie3(trees = 200, seed = 1, threads = THREADS), tfs = ex$tfs, verbose = FALSE)",
    grnboost2 = "infer_grn(ex$expression, grnboost2(seed = 1, threads = THREADS), tfs = ex$tfs, verbose = FALSE)",
    infosem = "infer_grn(ex$expression, infosem(ex$embeddings, seed = 1, threads = THREADS), tfs = ex$tfs, verbose = FALSE)",
    genelink = "infer_grn(ex$expression, genelink(seed = 1, threads = THREADS), tfs = ex$tfs, train = ex$split$train, validation = ex$split$validation, verbose = FALSE)",
    gnnlink = "infer_grn(ex$expression, gnnlink(seed = 1, threads = THREADS), tfs = ex$tfs, train = ex$split$train, validation = ex$split$validation, verbose = FALSE)",
    scregnet = "infer_grn(ex$expression, scregnet(ex$embeddings, seed = 1, threads = THREADS), tfs = ex$tfs, train = ex$split$train, validation = ex$split$validation, verbose = FALSE)",
    sctransnet = "infer_grn(ex$expression, sctransnet(ex$embeddings, seed = 1, threads = THREADS), tfs = ex$tfs, train = ex$split$train, validation = ex$split$validation, verbose = FALSE)",
    scunigp = "infer_grn(ex$expression, scunigp(seed = 1, threads = THREADS), tfs = ex$tfs, train = ex$split$train, validation = ex$split$validation, verbose = FALSE)",
    benchmark = "benchmark_grn(list(mESC = list(expression = ex$expression, truth = ex$truth, tfs = ex$tfs)), list(deepsem = deepsem(threads = THREADS)), seeds = 1:3, verbose = FALSE)",
    ensemble = "infer_grn(ex$expression, deepsem(n_runs = 4, seed = 1, threads = THREADS), tfs = ex$tfs, verbose = FALSE)",
    forked = "infer_grn(ex$expression, deepsem(n_runs = 2, seed = 1, BPPARAM = BiocParallel::MulticoreParam(2)), tfs = ex$tfs, verbose = FALSE)",
    stop("unknown model: ", model))
}

write_child <- function(dir, model) {
  fit <- gsub("THREADS", threads, child_fit(model), fixed = TRUE)
  script <- file.path(dir, "child.R")
  writeLines(c(
    sprintf(".libPaths(%s)", paste(deparse(.libPaths()), collapse = "")),
    "suppressPackageStartupMessages(library(grntorch))",
    "ex <- grntorch_example()",
    sprintf("writeLines(as.character(Sys.getpid()), %s)", deparse(file.path(dir, "pid"))),
    if (profile) sprintf("Rprof(%s, interval = 0.002)", deparse(file.path(dir, "prof.out"))),
    "r <- tryCatch(tryCatch({",
    paste0("  ", fit, "; cat('FINISHED\\n')"),
    "}, error = function(e) cat('ERROR:', conditionMessage(e), paste(class(e), collapse = ','), '\\n')),",
    "  interrupt = function(e) cat('CAUGHT:', paste(class(e), collapse = ','), '\\n'))",
    if (profile) "Rprof(NULL)",
    "invisible(gc())",
    "g <- infer_grn(ex$expression[1:40, 1:100], deepsem(epochs = 2, seed = 2, threads = 1), tfs = ex$tfs, verbose = FALSE)",
    "cat('AGAIN', igraph::ecount(g), '\\n')"), script)
  script
}

start_child <- function(model, i) {
  dir <- tempfile(sprintf("stress-%s-%03d-", model, i), tmpdir = work)
  dir.create(dir)
  script <- write_child(dir, model)
  env <- "OMP_WAIT_POLICY=passive"
  if (malloc_check) env <- c(env, paste0("LD_PRELOAD=", debug_lib[1]), "GLIBC_TUNABLES=glibc.malloc.check=3")
  # setsid: the R child leads its own process group, so that a group signal
  # (the forked case) reaches it and its workers and not the shell around it.
  cmd <- sprintf("cd %s && %s setsid --wait %s --vanilla child.R > out 2>&1; echo $? > rc", shQuote(dir),
                 paste(env, collapse = " "), shQuote(rscript))
  system(sprintf("sh -c %s", shQuote(cmd)), wait = FALSE)
  list(model = model, i = i, dir = dir, started = Sys.time(), delay = stats::runif(1, 0.2, max_delay),
       pid = NA_integer_, sent = FALSE, t_sent = NA)
}

# Advance a child: send the signal once its fit has started and the delay has
# passed; returns the child with `result` set when it has finished.
step_child <- function(ch) {
  pidf <- file.path(ch$dir, "pid")
  if (is.na(ch$pid) && file.exists(pidf)) {
    p <- suppressWarnings(as.integer(readLines(pidf, warn = FALSE)))
    if (length(p) == 1 && !is.na(p)) {
      ch$pid <- p
      ch$t_pid <- Sys.time()
    }
  }
  if (!ch$sent && !is.na(ch$pid) && difftime(Sys.time(), ch$t_pid, units = "secs") >= ch$delay) {
    if (ch$model == "forked") {
      system(sprintf("/bin/kill -s INT -- -%d 2>/dev/null", ch$pid))
    } else {
      tools::pskill(ch$pid, tools::SIGINT)
    }
    ch$sent <- TRUE
    ch$t_sent <- Sys.time()
  }
  rcf <- file.path(ch$dir, "rc")
  if (file.exists(rcf) && length(rc <- readLines(rcf, warn = FALSE)) == 1) {
    out <- readLines(file.path(ch$dir, "out"), warn = FALSE)
    heap <- any(grepl("corrupted|free\\(\\)|malloc|munmap_chunk|double free|segfault|Thread creation failed", out))
    # benchmark_grn() returns the finished runs with a warning; in the forked
    # case the parent runs BiocParallel's R code and gets R's own interrupt.
    caught <- any(grepl("^CAUGHT: grntorch_interrupt,grntorch_error,interrupt,condition", out)) ||
      (ch$model == "benchmark" && any(grepl("benchmark interrupted", out))) ||
      (ch$model == "forked" && any(grepl("^CAUGHT: .*interrupt", out)))
    again <- any(grepl("^AGAIN", out))
    ch$rc <- as.integer(rc)
    ch$result <- if (ch$rc != 0 || heap || (ch$sent && !again)) "died" else if (caught) "survived" else "missed"
    ch$seconds <- if (ch$sent) as.numeric(difftime(Sys.time(), ch$t_sent, units = "secs")) else NA
    ch$tail <- tail(out, 3)
    if (nzchar(Sys.getenv("STRESS_DEBUG")))
      cat("DEBUG", ch$model, ch$i, ch$result, "rc", ch$rc, "sent", ch$sent, "|", out, sep = "\n")
  } else if (ch$sent && difftime(Sys.time(), ch$t_sent, units = "secs") > 120) {
    tools::pskill(ch$pid, tools::SIGKILL)
    ch$result <- "hung"
    ch$rc <- NA_integer_
    ch$seconds <- as.numeric(difftime(Sys.time(), ch$t_sent, units = "secs"))
    ch$tail <- tail(readLines(file.path(ch$dir, "out"), warn = FALSE), 3)
  }
  ch
}

cat(sprintf("interrupt stress: %d child process(es) per model, %d at a time, SIGINT after 0.2-%.0f s, threads %s, malloc checks %s%s\n",
            n, n_par, max_delay, threads, if (malloc_check) "on" else "off", if (profile) ", under Rprof(interval = 0.002)" else ""))
rows <- list()
for (model in models) {
  queue <- seq_len(n)
  running <- list()
  done <- list()
  while (length(queue) || length(running)) {
    while (length(queue) && length(running) < n_par) {
      running[[length(running) + 1]] <- start_child(model, queue[1])
      queue <- queue[-1]
    }
    Sys.sleep(0.05)
    running <- lapply(running, step_child)
    fin <- vapply(running, function(ch) !is.null(ch$result), TRUE)
    for (ch in running[fin]) {
      if (ch$result %in% c("died", "hung")) {
        cat(sprintf("  %s #%d %s (rc %s, %.1f s after the signal): %s\n", model, ch$i, toupper(ch$result),
                    ch$rc, ch$seconds, paste(ch$tail, collapse = " | ")))
      }
      if (!ch$result %in% c("died", "hung")) unlink(ch$dir, recursive = TRUE)
      done[[length(done) + 1]] <- ch
    }
    running <- running[!fin]
  }
  res <- vapply(done, `[[`, "", "result")
  secs <- unlist(lapply(done, function(ch) if (identical(ch$result, "survived")) ch$seconds))
  rows[[model]] <- data.frame(model = model, runs = length(res), interrupted = sum(res != "missed"),
                              survived = sum(res == "survived"), died = sum(res == "died"), hung = sum(res == "hung"),
                              missed = sum(res == "missed"),
                              s_to_exit = if (length(secs)) round(max(secs), 1) else NA)
  print(rows[[model]], row.names = FALSE)
}
tab <- do.call(rbind, rows)
cat("\n")
print(tab, row.names = FALSE)
cat(sprintf("total: %d interrupted, %d died, %d hung\n", sum(tab$interrupted), sum(tab$died), sum(tab$hung)))
if (sum(tab$died) + sum(tab$hung) > 0) quit(status = 1)
