# InfoSEM's benchmark of the trivial baselines (section 4.2, appendix D/F):
# random, one-hot logistic regression and matrix completion (rank 128) under
# the "unseen_genes" split, 10 seeds, on specific/mESC-tfs500.
# Run: Rscript bench/baselines-unseen-genes.R   (needs ../shared/data)
# Expected (the paper's finding): on test_seen one-hot LR and MatComp are far
# above the random density; on test_unseen they are at the random level.
suppressPackageStartupMessages(library(grntorch))
options(width = 200)
dd <- Sys.getenv("GRNTORCH_SHARED_DATA", "../shared/data")
seeds <- as.integer(Sys.getenv("GRNTORCH_BENCH_SEEDS", "10"))
b <- read_beeline(file.path(dd, "beeline", "specific", "mESC-tfs500"))
t0 <- proc.time()[["elapsed"]]
res <- benchmark_grn(list(`specific/mESC-tfs500` = b),
                     methods = list(random = random_baseline(), `one-hot LR` = onehot_lr(), MatComp = matcomp(rank = 128)),
                     schemes = "unseen_genes", seeds = seq_len(seeds), verbose = interactive())
elapsed <- proc.time()[["elapsed"]] - t0
s <- summary(res)
fmt <- function(m, t, k) {
  r <- s[s$method == m & s$test_set == t & s$metric == k, ]
  sprintf("%.3f ± %.3f", r$mean, r$se)
}
tab <- expand.grid(method = unique(res$method), test_set = c("test_seen", "test_unseen"), stringsAsFactors = FALSE)
tab$`AUPRC (avg. precision)` <- mapply(fmt, tab$method, tab$test_set, "average_precision")
tab$`Hit@1%` <- mapply(fmt, tab$method, tab$test_set, "hit_1pct")
tab$`AUPRC (BEELINE trapezoid)` <- mapply(fmt, tab$method, tab$test_set, "auprc")
tab$AUROC <- mapply(fmt, tab$method, tab$test_set, "auroc")
tab$density <- mapply(fmt, tab$method, tab$test_set, "density")
tab$`fit s` <- sprintf("%.1f", mapply(function(m, t) s$seconds[s$method == m & s$test_set == t & s$metric == "auroc"], tab$method, tab$test_set))
cat(sprintf("\nunseen_genes split of specific/mESC-tfs500, %d seeds (mean ± s.e. of the mean); random level = density\n", seeds))
print(tab, row.names = FALSE, right = FALSE)
cat(sprintf("\ntotal %.0f s on %d cores (shared with other jobs)\n", elapsed, parallel::detectCores()))
lr <- s[s$method == "one-hot LR" & s$metric %in% c("average_precision", "density"), ]
seen_gap <- lr$mean[lr$test_set == "test_seen" & lr$metric == "average_precision"] - lr$mean[lr$test_set == "test_seen" & lr$metric == "density"]
unseen_gap <- lr$mean[lr$test_set == "test_unseen" & lr$metric == "average_precision"] - lr$mean[lr$test_set == "test_unseen" & lr$metric == "density"]
cat(sprintf("one-hot LR minus density: test_seen %+.3f, test_unseen %+.3f -> %s\n", seen_gap, unseen_gap,
            if (seen_gap > 0.2 && abs(unseen_gap) < 0.02) "reproduces the paper's finding" else "DOES NOT reproduce the paper's finding"))
if (requireNamespace("ggplot2", quietly = TRUE)) {
  f <- file.path(tempdir(), "baselines-unseen-genes.pdf")
  ggplot2::ggsave(f, plot(res, "average_precision"), width = 7, height = 5)
  cat("plot:", f, "\n")
}
