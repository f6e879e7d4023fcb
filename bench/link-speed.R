# Two builds of grntorch side by side on one supervised graph model (issue 37):
# interleaved fits, each in a fresh R process, on a shared TFs+500 folder's
# bridge-grn-sample1 split; prints every fit (seconds in infer_grn(), the
# training loop's phases from fit$phase_seconds, test AUROC) and then the
# ratio old / new of the median seconds, with the range over the pairs of
# neighbouring runs (how much the machine's noise moves it).
#
#   Rscript bench/link-speed.R LIB_OLD LIB_NEW [model] [dataset] [epochs] [reps]
#
# LIB_*: R library folders holding the two builds (e.g. R CMD INSTALL -l).
# Defaults: genelink hHEP 10 epochs, 3 reps.  BENCH_THREADS (default 1) sets
# the fits' threads.  Run it on an otherwise idle machine; when something else
# runs, the ratio (interleaved) still compares like with like, the seconds do
# not.  `Rscript bench/link-speed.R --one MODEL DATASET EPOCHS` is one fit.
args <- commandArgs(trailingOnly = TRUE)
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))

if (length(args) >= 1 && args[1] == "--one") {
  source(file.path(dirname(self), "supervised-common.R"))
  threads <- as.integer(Sys.getenv("BENCH_THREADS", "1"))
  d <- read_supervised_dataset(args[3])
  m <- make_method(args[2], args[3], epochs = as.integer(args[4]), threads = threads)
  t0 <- proc.time()[["elapsed"]]
  g <- infer_grn(d$expression, m, tfs = d$tfs, train = d$train, validation = d$validation, verbose = FALSE)
  secs <- proc.time()[["elapsed"]] - t0
  fit <- igraph::graph_attr(g, "fit")
  ph <- fit$phase_seconds
  if (is.null(ph)) ph <- c(forward = NA_real_, backward = NA_real_, step = NA_real_, validation = NA_real_)
  auc <- evaluate_grn(g, d$test, missing = 0)$auroc
  cat(sprintf("RESULT %.3f %.3f %.3f %.3f %.3f %.5f\n", secs, ph[["forward"]], ph[["backward"]], ph[["step"]],
              ph[["validation"]], auc))
  quit(save = "no")
}

if (length(args) < 2) stop("usage: Rscript bench/link-speed.R LIB_OLD LIB_NEW [model] [dataset] [epochs] [reps]")
libs <- c(old = args[1], new = args[2])
model <- if (length(args) >= 3) args[3] else "genelink"
dataset <- if (length(args) >= 4) args[4] else "hHEP"
epochs <- if (length(args) >= 5) args[5] else "10"
reps <- if (length(args) >= 6) as.integer(args[6]) else 3L
rows <- list()
for (r in seq_len(reps)) {
  for (k in if (r %% 2 == 1) names(libs) else rev(names(libs))) {  # alternate which goes first
    env <- c(paste0("R_LIBS=", libs[[k]], ":", Sys.getenv("R_LIBS")), "OMP_WAIT_POLICY=passive")
    out <- system2("Rscript", c(self, "--one", model, dataset, epochs), stdout = TRUE, stderr = FALSE, env = env)
    v <- suppressWarnings(as.numeric(strsplit(sub("^RESULT ", "", grep("^RESULT", out, value = TRUE)), " ")[[1]]))
    if (length(v) != 6) stop("a fit with ", k, " failed:\n", paste(out, collapse = "\n"))
    rows[[length(rows) + 1]] <- data.frame(rep = r, build = k, seconds = v[1], forward = v[2], backward = v[3],
                                           step = v[4], validation = v[5], test_auroc = v[6])
    print(rows[[length(rows)]], row.names = FALSE)
  }
}
tab <- do.call(rbind, rows)
cat(sprintf("\n%s on %s, %s epochs, %s thread(s), %d interleaved reps:\n", model, dataset, epochs,
            Sys.getenv("BENCH_THREADS", "1"), reps))
med <- function(x) stats::median(x, na.rm = TRUE)  # an old build may not report phases
print(stats::aggregate(cbind(seconds, forward, backward, step, validation, test_auroc) ~ build, tab, med,
                       na.action = stats::na.pass), row.names = FALSE, digits = 4)
per_rep <- tab$seconds[tab$build == "old"] / tab$seconds[tab$build == "new"]
cat(sprintf("old / new (median seconds): %.3f; per rep %s\n",
            stats::median(tab$seconds[tab$build == "old"]) / stats::median(tab$seconds[tab$build == "new"]),
            paste(sprintf("%.3f", per_rep), collapse = ", ")))
