# grntorch demo: InfoSEM-B on the bundled BEELINE mESC data with its bundled
# BioBERT gene embeddings, compared with DeepSEM on the same run (same seed,
# same epochs), both scored against the bundled cell-type-specific ChIP-seq
# ground truth.
suppressPackageStartupMessages(library(grntorch))
grntorch_sitrep()
ex <- grntorch_example()
cat(sprintf("\nBundled data: mESC (BEELINE TFs+500), %d genes x %d cells, %d candidate TFs, %d ChIP-seq edges;\n",
            nrow(ex$expression), ncol(ex$expression), length(ex$tfs), nrow(ex$truth)))
cat(sprintf("gene embeddings: BioBERT, %d genes x %d dimensions (PCA)\n", nrow(ex$embeddings), ncol(ex$embeddings)))
# Shorter settings so that the demo finishes in under 3 minutes on a 2-core
# machine: 60 epochs instead of the reference's 120 (everything else as DeepSEM).
epochs <- as.integer(Sys.getenv("GRNTORCH_DEMO_EPOCHS", "60"))
seed <- 1
cat(sprintf("\nDEMO SETTINGS: %d epochs (the reference uses 120; set GRNTORCH_DEMO_EPOCHS=120 for full length), seed %d\n",
            epochs, seed))
t0 <- proc.time()[["elapsed"]]
g_ds <- infer_grn(ex$expression, deepsem(epochs = epochs, seed = seed), tfs = ex$tfs, verbose = interactive())
t_ds <- proc.time()[["elapsed"]] - t0
t0 <- proc.time()[["elapsed"]]
g_is <- infer_grn(ex$expression, infosem(embeddings = ex$embeddings, sigma_w = 1, epochs = epochs, seed = seed),
                  tfs = ex$tfs, verbose = interactive())
t_is <- proc.time()[["elapsed"]] - t0
cat(sprintf("DeepSEM: %.1f s; InfoSEM-B: %.1f s\n\nTop 10 InfoSEM-B edges:\n", t_ds, t_is))
print(grn_edges(g_is, top = 10), row.names = FALSE)
if (exists("evaluate_grn", envir = asNamespace("grntorch"))) {
  s_ds <- unclass(evaluate_grn(g_ds, ex$truth, tfs = ex$tfs))
  s_is <- unclass(evaluate_grn(g_is, ex$truth, tfs = ex$tfs))
  keys <- intersect(c("average_precision", "auprc", "auprc_ratio", "epr", "auroc"), names(s_ds))
  tab <- data.frame(metric = keys, DeepSEM = vapply(keys, function(k) as.numeric(s_ds[[k]]), 0),
                    `InfoSEM-B` = vapply(keys, function(k) as.numeric(s_is[[k]]), 0), check.names = FALSE)
  cat("\nScores against the ChIP-seq ground truth (BEELINE universe: ground-truth TFs x genes):\n")
  print(tab, row.names = FALSE, digits = 4)
  cat("(One seed, shortened training: differences of this size are within seed-to-seed noise;\n",
      " bench/infosem.R runs the paper's unseen-genes benchmark over 10 seeds.)\n", sep = "")
}
