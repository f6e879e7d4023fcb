# cell_features (issue 17): what the reduction of the cell axis to its top-k
# principal components costs the supervised models where it bites.
#
# Every shared BEELINE folder has at most 1,000 cells, so the default
# (cell_features = 1000) leaves them unchanged, bit for bit (tested).  To see
# the reduction itself on real data, this runs the bridge-grn-sample1 splits of
# specific/*-tfs500 with every cell and with k components, k = BENCH_K
# (default 100: 12-26% of the 383-847 cells, about the ratio of the default
# 1,000 at 10,000 cells).  Test AUROC and average precision on the split's test
# pairs, per seed; then mean and sd per row and the paired difference.
#
#   OMP_WAIT_POLICY=passive Rscript bench/cell-features.R
# Environment: GRNTORCH_SHARED_DATA (default ../shared/data), BENCH_MODELS
# (default genelink; also gnnlink, scunigp), BENCH_DATASETS (hHEP,mDC,mESC,mHSC-L),
# BENCH_SEEDS (default 1:3 as "1,2,3"), BENCH_K (100), BENCH_THREADS (1),
# BENCH_OUT (a folder: each fit cached there as .rds, so a run resumes).
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
source(file.path(dirname(self), "supervised-common.R"))
env_list <- function(name, default) strsplit(Sys.getenv(name, default), ",")[[1]]
models <- env_list("BENCH_MODELS", "genelink")
datasets <- env_list("BENCH_DATASETS", "hHEP,mDC,mESC,mHSC-L")
seeds <- as.integer(env_list("BENCH_SEEDS", "1,2,3"))
k <- as.numeric(Sys.getenv("BENCH_K", "100"))
threads <- as.integer(Sys.getenv("BENCH_THREADS", "1"))
out_dir <- Sys.getenv("BENCH_OUT", "")
if (nzchar(out_dir)) dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

one <- function(model, ds, d, seed, cf) {
  f <- if (nzchar(out_dir)) file.path(out_dir, sprintf("%s-%s-%d-%s.rds", model, ds, seed, format(cf)))
  if (!is.null(f) && file.exists(f)) return(readRDS(f))
  m <- switch(model,
              genelink = genelink(seed = seed, threads = threads, cell_features = cf),
              gnnlink = gnnlink(seed = seed, threads = threads, cell_features = cf),
              scunigp = scunigp(seed = seed, threads = threads, cell_features = cf))
  r <- fit_and_score(d, m)
  r <- data.frame(model = model, dataset = ds, seed = seed, cell_features = cf, cells = ncol(d$expression),
                  auroc = r$auroc, ap = r$ap, seconds = r$seconds)
  if (!is.null(f)) saveRDS(r, f)
  r
}

rows <- list()
for (ds in datasets) {
  d <- read_supervised_dataset(ds)
  for (model in models) for (seed in seeds) for (cf in c(Inf, k)) {
    r <- one(model, ds, d, seed, cf)
    cat(sprintf("%-8s %-7s seed %d  cells %4d  cell_features %5s  AUROC %.4f  AP %.4f  %6.1f s\n", model, ds, seed,
                r$cells, format(cf), r$auroc, r$ap, r$seconds))
    rows[[length(rows) + 1]] <- r
  }
}
res <- do.call(rbind, rows)
cat(sprintf("\nTest AUROC, mean +- sd over seeds %s; k = %g components against every cell\n",
            paste(seeds, collapse = ","), k))
cat(sprintf("%-8s %-7s %5s %16s %16s %18s\n", "model", "dataset", "cells", "every cell", sprintf("k = %g", k),
            "paired diff (sd)"))
for (model in models) for (ds in datasets) {
  a <- res[res$model == model & res$dataset == ds & is.infinite(res$cell_features), ]
  b <- res[res$model == model & res$dataset == ds & res$cell_features == k, ]
  b <- b[match(a$seed, b$seed), ]
  dd <- b$auroc - a$auroc
  sdf <- function(x) if (length(x) > 1) stats::sd(x) else NA
  cat(sprintf("%-8s %-7s %5d %8.4f +- %.3f %8.4f +- %.3f %+9.4f (%.3f)\n", model, ds, a$cells[1], mean(a$auroc),
              sdf(a$auroc), mean(b$auroc), sdf(b$auroc), mean(dd), sdf(dd)))
}
