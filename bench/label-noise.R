# Label-noise robustness (scRegNet section 4.4): flip 1-4% of the training
# labels (positives <-> negatives, chosen at random) and report the drop in
# test AUROC / average precision on the bridge-grn-sample1 split.  The
# validation and test pairs stay clean.  Within a replicate the flipped sets
# are nested (the 1% flips are among the 2% flips, ...).
#
#   Rscript bench/label-noise.R            # GENELink and scRegNet on mESC
# Environment: GRNTORCH_SHARED_DATA, BENCH_THREADS (2), BENCH_MODELS,
# BENCH_DATASET (mESC), BENCH_EPOCHS (model default when unset; one number
# for every model or per model, e.g. "genelink=5,scregnet=100"),
# BENCH_REPLICATES (noise draws per level, 1; the paper uses 10).
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
source(file.path(dirname(self), "supervised-common.R"))
threads <- as.integer(Sys.getenv("BENCH_THREADS", "2"))
models <- strsplit(Sys.getenv("BENCH_MODELS", "genelink,scregnet"), ",")[[1]]
ds <- Sys.getenv("BENCH_DATASET", "mESC")
reps <- as.integer(Sys.getenv("BENCH_REPLICATES", "1"))
epochs_for <- function(model) {
  e <- Sys.getenv("BENCH_EPOCHS")
  if (!nzchar(e)) return(NULL)
  if (!grepl("=", e, fixed = TRUE)) return(as.integer(e))
  kv <- strsplit(strsplit(e, ",")[[1]], "=")
  v <- setNames(vapply(kv, function(x) x[2], ""), vapply(kv, function(x) x[1], ""))
  if (is.na(v[model])) NULL else as.integer(v[[model]])
}
d <- read_supervised_dataset(ds)
levels <- c(0, 0.01, 0.02, 0.03, 0.04)
rows <- list()
for (mo in models) {
  m <- make_method(mo, ds, epochs = epochs_for(mo), threads = threads)
  if (is.null(m)) {
    cat(sprintf("%s: skipped (no embeddings for %s)\n", mo, ds))
    next
  }
  base <- NULL
  for (p in levels) for (r in seq_len(if (p == 0) 1L else reps)) {
    set.seed(41 + r)
    tr <- d$train
    flip <- sample.int(nrow(tr), round(p * nrow(tr)))
    tr$label[flip] <- 1L - tr$label[flip]
    res <- fit_and_score(d, m, train = tr)
    if (is.null(base)) base <- res
    rows[[length(rows) + 1]] <- data.frame(model = mo, dataset = ds, flipped = sprintf("%d%%", round(100 * p)),
                                           replicate = r, n_flipped = length(flip), auroc = res$auroc, ap = res$ap,
                                           auroc_drop = base$auroc - res$auroc, ap_drop = base$ap - res$ap,
                                           epochs = res$epochs, seconds = res$seconds)
    print(rows[[length(rows)]], row.names = FALSE, digits = 4)
  }
}
tab <- do.call(rbind, rows)
cat(sprintf("\nLabel noise on %s (bridge-grn-sample1; validation and test pairs untouched; %d threads; %d draw(s) per level):\n",
            ds, threads, reps))
print(tab, row.names = FALSE, digits = 4)
if (reps > 1) {
  cat("\nMean drop per level:\n")
  print(stats::aggregate(cbind(auroc_drop, ap_drop) ~ model + flipped, data = tab, FUN = mean), row.names = FALSE, digits = 4)
}
