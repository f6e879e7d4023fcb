# grntorch demo: infer a network on the bundled BEELINE mESC data and score it
# against the bundled cell-type-specific ChIP-seq ground truth.
suppressPackageStartupMessages(library(grntorch))
grntorch_sitrep()
ex <- grntorch_example()
cat(sprintf("\nBundled data: mESC (BEELINE TFs+500), %d genes x %d cells, %d candidate TFs, %d ChIP-seq edges\n",
            nrow(ex$expression), ncol(ex$expression), length(ex$tfs), nrow(ex$truth)))
t0 <- proc.time()[["elapsed"]]
g <- infer_grn(ex$expression, method = "pearson", tfs = ex$tfs, verbose = TRUE)
cat(sprintf("Pearson network: %d edges in %.1f s\n\nTop 10 edges:\n", igraph::ecount(g), proc.time()[["elapsed"]] - t0))
print(grn_edges(g, top = 10), row.names = FALSE)
if (exists("evaluate_grn", envir = asNamespace("grntorch"))) {
  s <- grntorch::evaluate_grn(g, ex$truth)
  cat("\nScore against the ChIP-seq ground truth (BEELINE universe):\n")
  print(s)
}
