# Speed of evaluate_grn(): score every candidate pair of the largest shared
# BEELINE dataset (specific/mESC-tfs500: 627 candidate TFs x 1120 genes).
# Run: Rscript bench/evaluate-speed.R   (needs ../shared/data; R_LIBS to pick the library)
suppressPackageStartupMessages(library(grntorch))
dd <- Sys.getenv("GRNTORCH_SHARED_DATA", "../shared/data")
b <- read_beeline(file.path(dd, "beeline", "specific", "mESC-tfs500"))
g <- infer_grn(b$expression, "pearson", tfs = b$tfs, verbose = FALSE)
e <- grn_edges(g)
cat(sprintf("network: %s edges (all %d TFs x %d genes, no self-pairs)\n", format(nrow(e), big.mark = ","),
            length(b$tfs), nrow(b$expression)))
timeit <- function(expr, reps = 5) {
  f <- substitute(expr); env <- parent.frame()
  eval(f, env)  # warm-up
  t <- vapply(seq_len(reps), function(i) system.time(eval(f, env))[["elapsed"]], 0)
  c(median = median(t), min = min(t), max = max(t))
}
lab <- e[, c("from", "to")]
lab$label <- as.integer(paste(lab$from, lab$to) %in% paste(b$truth$from, b$truth$to))
res <- rbind(
  `universe mode, igraph input` = timeit(evaluate_grn(g, b$truth)),
  `universe mode, data.frame input` = timeit(evaluate_grn(e, b$truth)),
  `pairs mode, all candidate pairs labelled (igraph)` = timeit(evaluate_grn(g, lab)),
  `pairs mode, all candidate pairs labelled (data.frame)` = timeit(evaluate_grn(e, lab))
)
print(evaluate_grn(g, b$truth))
cat(sprintf("\nevaluate_grn timings over 5 runs (s), %d candidate pairs; machine: %d cores, shared with other jobs:\n",
            nrow(lab), parallel::detectCores()))
print(round(res, 3))
# The engine's ranking alone, on 10 million random pairs.
set.seed(1)
n <- 1e7
s <- runif(n); y <- as.integer(runif(n) < 0.05)
t <- system.time(grntorch:::.grn_ranking_metrics(s, y, 0.01))[["elapsed"]]
cat(sprintf("engine ranking metrics on %s pairs: %.2f s\n", format(n, big.mark = ","), t))
cat(sprintf("RESULT: all candidate pairs scored in %.3f s (median, slowest input form) -> %s\n", max(res[, "median"]),
            if (max(res[, "median"]) < 1) "under 1 s" else "NOT under 1 s"))
