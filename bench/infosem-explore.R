# InfoSEM diagnostics (exploration, not the acceptance bench): fit ONE model on
# specific/mESC-tfs500 and score it on the test sets of the 10 unseen-genes
# splits (an unsupervised fit does not depend on the split, so one fit is
# enough to compare configurations cheaply).  For InfoSEM-B it also scores the
# learned prior mean M = h_t w_tgt + h_r w_reg on its own.
#
#   Rscript bench/infosem-explore.R 'infosem(embeddings = emb, sigma_w = 1, seed = 1, threads = 1)'
#   Rscript bench/infosem-explore.R 'deepsem(seed = 1, threads = 1)'
# In the expression: `emb` = BioBERT (768-d), `rnd` = N(0, 1) random 768-d embeddings.
suppressPackageStartupMessages(library(grntorch))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: Rscript bench/infosem-explore.R '<method expression>'")
cfg <- args[1]
dd <- Sys.getenv("GRNTORCH_SHARED_DATA", "../shared/data")
b <- read_beeline(file.path(dd, "beeline", "specific", "mESC-tfs500"))
ed <- file.path(dd, "embeddings", "biobert-scgreat", "mESC-tfs500")
emb <- read_embeddings(file.path(ed, "biovect768.npy"), row_names = file.path(ed, "biovect768_rownames.txt"), skip = 1)
genes <- rownames(b$expression)
rnd <- local({ set.seed(1); matrix(rnorm(length(genes) * 768), length(genes), 768, dimnames = list(genes, NULL)) })
splits <- lapply(1:10, function(s) suppressWarnings(split_edges(b$truth, "unseen_genes", tfs = b$tfs, genes = genes, seed = s)))
m <- eval(parse(text = cfg))
t0 <- proc.time()[[3]]
g <- infer_grn(b$expression, m, tfs = b$tfs, verbose = FALSE)
secs <- proc.time()[[3]] - t0
sc <- function(net) {
  u <- sapply(splits, function(sp) evaluate_grn(net, sp$test_unseen, missing = 0)$average_precision)
  s <- sapply(splits, function(sp) evaluate_grn(net, sp$test_seen, missing = 0)$average_precision)
  d <- sapply(splits, function(sp) mean(sp$test_unseen$label))
  sprintf("unseen AP %.4f ± %.4f (density %.3f) | seen AP %.4f", mean(u), sd(u)/sqrt(10), mean(d), mean(s))
}
cat(sprintf("%s [%d epochs, %.0f s]\n  |A|: %s\n", cfg, m$params$epochs, secs, sc(g)))
f <- igraph::graph_attr(g, "fit")
if (!is.null(f$w_regulator)) {
  H <- grntorch:::.infosem_embeddings(m$params$embeddings, genes, "mean", FALSE, intercept = !isFALSE(m$params$intercept))
  wr <- f$w_regulator[[1]]; wt <- f$w_target[[1]]
  regs <- intersect(genes, b$tfs)
  Mrt <- outer(as.vector(H[regs, ] %*% wr), as.vector(H %*% wt), `+`)
  dimnames(Mrt) <- list(regs, genes)
  cat(sprintf("  |w_reg| %.4g |w_tgt| %.4g; intercept %.4g/%.4g; M range %.4g..%.4g\n", sqrt(sum(wr^2)), sqrt(sum(wt^2)),
              wr[length(wr)], wt[length(wt)], min(Mrt), max(Mrt)))
  cat(sprintf("  M (signed): %s\n", sc(Mrt)))
  cat(sprintf("  |M|       : %s\n", sc(abs(Mrt))))
  e <- grn_edges(g); cat(sprintf("  A range %.4g..%.4g, mean|A| %.4g\n", min(e$score), max(e$score), mean(abs(e$score))))
}
