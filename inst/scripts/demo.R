# grntorch demo: what the package is for, on the bundled real data (BEELINE
# mESC, 1,120 genes x 421 cells, cell-type-specific ChIP-seq ground truth).
#  1. Unsupervised, BEELINE's protocol: DeepSEM and Pearson against the whole
#     ChIP-seq network.  Honest result: chance level on these cells.
#  2. A known network: GENELink trained on the ChIP-seq split's training pairs,
#     scored on its held-out test pairs, beside the degree baseline (what the
#     training edges' degrees alone give), Pearson and DeepSEM.
#  3. A planted network (simulate_grn()), where the answer is known: the
#     unsupervised models recover it.
# Shortened training keeps the demo under 3 minutes on 2 cores.
suppressPackageStartupMessages(library(grntorch))
grntorch_sitrep()
ex <- grntorch_example()
cat(sprintf("\nBundled data: BEELINE mESC (TFs+500), %d genes x %d cells, %d candidate TFs, %d ChIP-seq edges\n",
            nrow(ex$expression), ncol(ex$expression), length(ex$tfs), nrow(ex$truth)))
epochs <- as.integer(Sys.getenv("GRNTORCH_DEMO_EPOCHS", "40"))
gl_epochs <- as.integer(Sys.getenv("GRNTORCH_DEMO_GENELINK_EPOCHS", "8"))
cat(sprintf("DEMO SETTINGS: DeepSEM %d epochs (paper: 120), GENELink %d epochs (paper: 90), seed 1\n", epochs, gl_epochs))
tm <- function(expr) { t0 <- proc.time()[["elapsed"]]; v <- expr; attr(v, "secs") <- proc.time()[["elapsed"]] - t0; v }
row <- function(name, ev) data.frame(method = name, AUROC = ev$auroc, `AUPRC ratio` = ev$auprc_ratio, EPR = ev$epr,
                                     check.names = FALSE)

cat("\n== 1. No labels: the whole ChIP-seq network (BEELINE universe)\n")
g_ds <- infer_grn(ex$expression, deepsem(epochs = epochs, seed = 1), tfs = ex$tfs, verbose = FALSE)
g_p <- infer_grn(ex$expression, "pearson", tfs = ex$tfs, verbose = FALSE)
print(rbind(row("DeepSEM", evaluate_grn(g_ds, ex$truth, tfs = ex$tfs)),
            row("Pearson", evaluate_grn(g_p, ex$truth, tfs = ex$tfs))), row.names = FALSE, digits = 3)
cat("Both at chance (AUROC 0.5, ratios 1): these cells carry no signal for the ChIP-seq edges, for the\n",
    "reference DeepSEM too (EPR 1.00 over 5 seeds at 120 epochs). On BEELINE's hHEP cells DeepSEM\n",
    "reaches EPR 1.13, on mDC 2.98 (?grntorch).\n", sep = "")

cat("\n== 2. A known network: train on ChIP-seq pairs, score held-out pairs\n")
s <- ex$split
cat(sprintf("split %s: %s training pairs (%s positive), %s validation, %s test pairs (%s positive)\n",
            "bridge-grn-sample1", format(nrow(s$train), big.mark = ","), format(sum(s$train$label), big.mark = ","),
            format(nrow(s$validation), big.mark = ","), format(nrow(s$test), big.mark = ","),
            format(sum(s$test$label), big.mark = ",")))
g_gl <- infer_grn(ex$expression, genelink(epochs = gl_epochs, seed = 1), tfs = ex$tfs,
                  train = s$train, validation = s$validation, verbose = interactive())
g_deg <- infer_grn(ex$expression, "degree", tfs = ex$tfs, train = s$train, verbose = FALSE)
print(g_gl)
test <- function(g, use = "weight") evaluate_grn(g, s$test, missing = 0, use = use)
tab <- rbind(row("GENELink", test(g_gl, "score")), row("degree baseline", test(g_deg, "score")),
             row("DeepSEM", test(g_ds)), row("Pearson", test(g_p)))
cat("\nScores on the held-out test pairs:\n")
print(tab, row.names = FALSE, digits = 3)
cat("The supervised model scores well, but so does the degree baseline, which ranks a pair only by\n",
    "how many training edges its TF and target have: most of a supervised score within one network\n",
    "is degree. Read every supervised figure beside it (benchmark_grn() adds it), and see\n",
    "vignette(\"known-networks\", package = \"grntorch\") for what transfers to another network.\n", sep = "")

cat("\n== 3. A planted network: 300 genes x 600 cells from a linear SEM (4 cell states, 30% dropout)\n")
sim <- simulate_grn(n_genes = 300, n_cells = 600, states = 4, dropout = 0.3, seed = 1)
g_sd <- infer_grn(sim$expression, deepsem(epochs = epochs, seed = 1), tfs = sim$tfs, verbose = FALSE)
g_sp <- infer_grn(sim$expression, "pearson", tfs = sim$tfs, verbose = FALSE)
g_sr <- infer_grn(sim$expression, "random", tfs = sim$tfs, verbose = FALSE)
print(rbind(row("DeepSEM", evaluate_grn(g_sd, sim$truth)), row("Pearson", evaluate_grn(g_sp, sim$truth)),
            row("random", evaluate_grn(g_sr, sim$truth))), row.names = FALSE, digits = 3)
cat("\nTop 5 DeepSEM edges on the planted network (planted = TRUE when the edge was simulated):\n")
top <- grn_edges(g_sd, top = 5)[, c("from", "to", "weight", "rank")]
top$planted <- paste(top$from, top$to) %in% paste(sim$truth$from, sim$truth$to)
print(top, row.names = FALSE, digits = 3)
cat("\nNext: vignette(package = \"grntorch\") lists the vignettes; ?grntorch says which method to use when.\n")
