# `top =` on a genome-sized Pearson run (issue 16, point 4): 30,000 genes x
# 200 cells, 1,500 TFs, top = 10,000.  Target: under a minute, peak RSS under
# 4 GB.  Each size runs in a fresh Rscript so that its peak RSS (VmHWM) is its own.
#   OMP_WAIT_POLICY=passive Rscript bench/top-k.R [genes cells tfs top]
args <- commandArgs(TRUE)
child <- length(args) && args[1] == "--child"
if (child) {
  suppressPackageStartupMessages(library(grntorch))
  a <- as.numeric(args[-1])
  n_genes <- a[1]; n_cells <- a[2]; n_tfs <- a[3]; top <- a[4]
  set.seed(1)
  tfs <- sprintf("Tf%d", seq_len(n_tfs))
  genes <- c(tfs, sprintf("Gene%d", seq_len(n_genes - n_tfs)))
  # Sparse log expression, 10% non-zero (typical of 10x data), built without a dense copy.
  nnz <- round(0.1 * n_genes * n_cells)
  x <- Matrix::sparseMatrix(i = sample.int(n_genes, nnz, TRUE), j = sample.int(n_cells, nnz, TRUE),
                            x = log1p(rpois(nnz, 3) + 1), dims = c(n_genes, n_cells),
                            dimnames = list(genes, sprintf("c%d", seq_len(n_cells))))
  gc(reset = TRUE)
  t0 <- proc.time()[["elapsed"]]
  g <- infer_grn(x, "pearson", tfs = tfs, top = top, verbose = FALSE)
  sec <- proc.time()[["elapsed"]] - t0
  hwm <- as.numeric(sub("[^0-9]*([0-9]+).*", "\\1", grep("^VmHWM", readLines("/proc/self/status"), value = TRUE))) * 1024
  cat(sprintf("RESULT %d %d %d %d %.1f %.2f %d\n", n_genes, n_cells, n_tfs, top, sec, hwm / 2^30, igraph::ecount(g)))
  quit(save = "no")
}
size <- if (length(args) >= 4) as.numeric(args[1:4]) else c(30000, 200, 1500, 10000)
script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
cat(sprintf("Pearson, top = %d, on %d genes x %d cells with %d TFs (threads: %s)\n",
            size[4], size[1], size[2], size[3], getOption("grntorch.threads", 2)))
for (rep in 1:2) {
  out <- system2(file.path(R.home("bin"), "Rscript"), c(script, "--child", size), stdout = TRUE)
  r <- strsplit(sub("^RESULT ", "", grep("^RESULT", out, value = TRUE)), " ")[[1]]
  cat(sprintf("run %d: %s s for infer_grn(), process peak RSS %s GB, %s edges\n", rep, r[5], r[6], r[7]))
}
