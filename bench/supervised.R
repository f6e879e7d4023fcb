# Supervised graph models on the bridge-grn-sample1 splits of
# ../shared/data/beeline/specific/*-tfs500: test AUROC / average precision
# (on the split's test pairs, as the papers report), seconds and peak RSS.
# Each model x dataset runs in its own R process so peak RSS is its own.
#
#   Rscript bench/supervised.R                       # all models x datasets
#   Rscript bench/supervised.R genelink hHEP [epochs]  # one fit
# Environment: GRNTORCH_SHARED_DATA (default ../shared/data), BENCH_THREADS (2),
# BENCH_MODELS, BENCH_DATASETS (comma-separated), BENCH_PATIENCE (early stopping),
# BENCH_EPOCHS (epochs for every fit; model default when unset).
args <- commandArgs(trailingOnly = TRUE)
self <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
source(file.path(dirname(self), "supervised-common.R"))
threads <- as.integer(Sys.getenv("BENCH_THREADS", "2"))

if (length(args) >= 2) {
  epochs <- if (length(args) >= 3 && nzchar(args[3])) as.integer(args[3]) else NULL
  d <- read_supervised_dataset(args[2])
  m <- make_method(args[1], args[2], epochs = epochs, threads = threads)
  if (is.null(m)) {
    cat("RESULT NA NA NA NA NA NA\n")
    quit(save = "no")
  }
  gc(reset = TRUE)
  r <- fit_and_score(d, m)
  cat(sprintf("RESULT %.4f %.4f %.1f %.0f %d %d\n", r$auroc, r$ap, r$seconds, peak_rss_mb(), r$epochs, r$best))
  quit(save = "no")
}

models <- strsplit(Sys.getenv("BENCH_MODELS", "genelink,gnnlink,scregnet,sctransnet"), ",")[[1]]
datasets <- strsplit(Sys.getenv("BENCH_DATASETS", "hHEP,mDC,mESC,mHSC-L"), ",")[[1]]
ref <- c(hHEP = 0.852, mDC = 0.71, mESC = 0.88, `mHSC-L` = 0.83)
rows <- list()
for (ds in datasets) for (mo in models) {
  out <- system2("Rscript", c(self, mo, ds, Sys.getenv("BENCH_EPOCHS")), stdout = TRUE, stderr = FALSE)
  r <- strsplit(sub("^RESULT ", "", grep("^RESULT", out, value = TRUE)), " ")[[1]]
  if (length(r) < 6) r <- rep(NA, 6)
  rows[[length(rows) + 1]] <- data.frame(dataset = ds, model = mo, auroc = as.numeric(r[1]), ap = as.numeric(r[2]),
                                         seconds = as.numeric(r[3]), peak_rss_mb = as.numeric(r[4]),
                                         epochs_run = as.integer(r[5]), best_epoch = as.integer(r[6]),
                                         genelink_ref_auroc = unname(ref[ds]))
  print(rows[[length(rows)]], row.names = FALSE)
}
tab <- do.call(rbind, rows)
cat("\nSupervised models, specific TFs+500, bridge-grn-sample1 test pairs (AUROC / average precision of the test split;",
    sprintf("%d threads; scRegNet/scTransNet with BioBERT embeddings, mESC only):\n", threads))
print(tab, row.names = FALSE, digits = 3)
