# Label-noise robustness (scRegNet section 4.4): flip 1-4% of the training
# labels (positives <-> negatives, chosen at random) and report the drop in
# test AUROC / average precision on the bridge-grn-sample1 split.
#
#   Rscript bench/label-noise.R            # GENELink and scRegNet on mESC
# Environment: GRNTORCH_SHARED_DATA, BENCH_THREADS (2), BENCH_MODELS,
# BENCH_DATASET (mESC), BENCH_EPOCHS (model default when unset).
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
source(file.path(dirname(self), "supervised-common.R"))
threads <- as.integer(Sys.getenv("BENCH_THREADS", "2"))
models <- strsplit(Sys.getenv("BENCH_MODELS", "genelink,scregnet"), ",")[[1]]
ds <- Sys.getenv("BENCH_DATASET", "mESC")
epochs <- if (nzchar(Sys.getenv("BENCH_EPOCHS"))) as.integer(Sys.getenv("BENCH_EPOCHS")) else NULL
d <- read_supervised_dataset(ds)
rows <- list()
for (mo in models) {
  m <- make_method(mo, ds, epochs = epochs, threads = threads)
  if (is.null(m)) next
  base <- NULL
  for (p in c(0, 0.01, 0.02, 0.03, 0.04)) {
    set.seed(42)
    tr <- d$train
    flip <- sample.int(nrow(tr), round(p * nrow(tr)))
    tr$label[flip] <- 1L - tr$label[flip]
    r <- fit_and_score(d, m, train = tr)
    if (is.null(base)) base <- r
    rows[[length(rows) + 1]] <- data.frame(model = mo, dataset = ds, flipped = sprintf("%d%%", round(100 * p)),
                                           n_flipped = length(flip), auroc = r$auroc, ap = r$ap,
                                           auroc_drop = base$auroc - r$auroc, ap_drop = base$ap - r$ap,
                                           seconds = r$seconds)
    print(rows[[length(rows)]], row.names = FALSE, digits = 4)
  }
}
cat(sprintf("\nLabel noise on %s (bridge-grn-sample1; test pairs untouched; %d threads):\n", ds, threads))
print(do.call(rbind, rows), row.names = FALSE, digits = 4)
