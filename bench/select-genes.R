# select_genes() on a 30,000 genes x 50,000 cells dgCMatrix at 5% density
# (75 million non-zeros, raw-count-like values, so the log-normalisation path
# runs), the "done when" figure of issue 16: under 60 s and under 4 GB peak RSS.
#   R_LIBS=/work/lib-input OMP_WAIT_POLICY=passive Rscript bench/select-genes.R
# Peak RSS is VmHWM of /proc/self/status; it is reset (echo 5 >
# /proc/self/clear_refs) after the matrix is built, so the select_genes()
# figure is the peak of the process while it ran (matrix included).
# Measured (2 shared cores, 2026-12-02): build 38 s (process peak 1.53 GB);
# counts -> internal log-normalisation: select_genes 6.1 s, peak 1.25 GB
# (= the RSS before it: the matrix and R/LibTorch; select_genes adds < 10 MB);
# log values: 1.7 s, peak 1.25 GB.
suppressPackageStartupMessages({ library(grntorch); library(Matrix) })
nr <- as.integer(Sys.getenv("BENCH_GENES", "30000"))
nc <- as.integer(Sys.getenv("BENCH_CELLS", "50000"))
density <- 0.05
status_kb <- function(field) {
  l <- grep(paste0("^", field, ":"), readLines("/proc/self/status"), value = TRUE)
  as.numeric(gsub("[^0-9]", "", l)) / 1024^2
}
reset_hwm <- function() tryCatch({ writeLines("5", "/proc/self/clear_refs"); TRUE }, error = function(e) FALSE)

set.seed(1)
t0 <- proc.time()[["elapsed"]]
k <- rbinom(nc, nr, density)                     # non-zeros per cell
p <- c(0L, cumsum(k))
i <- integer(p[nc + 1L])
for (j in seq_len(nc)) if (k[j]) i[(p[j] + 1L):p[j + 1L]] <- sort.int(sample.int(nr, k[j])) - 1L
x <- as.double(1 + rgeom(length(i), 0.4))        # counts: 1, 2, 3, ... (max ~ 40)
x[sample.int(length(x), 1000)] <- 200            # a few highly expressed entries
m <- new("dgCMatrix", i = i, p = p, x = x, Dim = c(nr, nc),
         Dimnames = list(c(head(beeline_tfs("mouse"), 1000), sprintf("Gene%05d", seq_len(nr - 1000))),
                         sprintf("cell%05d", seq_len(nc))))
rm(i, x); invisible(gc())
t_build <- proc.time()[["elapsed"]] - t0
cat(sprintf("built %d x %d dgCMatrix, %.0f M non-zeros (%.1f%%), %.2f GB, in %.1f s; peak RSS so far %.2f GB\n",
            nr, nc, length(m@x) / 1e6, 100 * length(m@x) / (as.numeric(nr) * nc),
            as.numeric(object.size(m)) / 1024^3, t_build, status_kb("VmHWM")))

rss0 <- status_kb("VmRSS")
reset <- reset_hwm()
t1 <- proc.time()[["elapsed"]]
g <- select_genes(m, tfs = beeline_tfs("mouse"), n = 1000)
t_sel <- proc.time()[["elapsed"]] - t1
s <- attr(g, "selection")
cat(sprintf("select_genes: %.1f s; %d TFs + %d others, cut-off %.4g\n", t_sel, s$n_tfs, s$n_other, s$cutoff))
cat(sprintf("RSS before select_genes %.2f GB; peak RSS %s select_genes %.2f GB (above the matrix: %.2f GB)\n",
            rss0, if (reset) "during" else "of the process up to the end of", status_kb("VmHWM"),
            status_kb("VmHWM") - rss0))

# The same matrix as log values (the usual logcounts / Seurat "data" case):
# no normalisation pass.
m@x <- log1p(m@x)
invisible(gc())
rss0 <- status_kb("VmRSS")
reset <- reset_hwm()
t1 <- proc.time()[["elapsed"]]
g <- select_genes(m, tfs = beeline_tfs("mouse"), n = 1000, verbose = FALSE)
t_sel <- proc.time()[["elapsed"]] - t1
s <- attr(g, "selection")
cat(sprintf("log values: select_genes %.1f s; %d TFs + %d others, cut-off %.4g; RSS before %.2f GB, peak during %.2f GB\n",
            t_sel, s$n_tfs, s$n_other, s$cutoff, rss0, status_kb("VmHWM")))
