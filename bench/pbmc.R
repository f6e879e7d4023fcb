# Real raw 10x counts, as a user would run them (issue 36): the 3,774 sorted
# human PBMC x 16,791 genes of ../shared/data/realdata/pbmc-facs/ in a
# SingleCellExperiment, log-normalised (Seurat's LogNormalize: log1p of counts
# per 10,000), select_genes() with BEELINE's human TFs, then each model in a
# fresh Rscript: wall time, peak RSS of the fit (VmHWM reset before it) and
# grn_resources()'s prediction for the same call beside them.
#
#   Rscript bench/pbmc.R [models] [threads=1] [epochs=N] [n=1000] [expressed=F]
#
# models: comma-separated from pearson, deepsem, genelink, regdiffusion
# (default the first three); GENELink is trained on the human STRING prior
# (training_pairs()).  epochs=N shortens the epoch-based models (RegDiffusion:
# steps = N; the prediction is for the same N).  expressed=F takes every gene
# detected (count > 0) in at least a fraction F of the cells instead of
# select_genes(n = ) (issue 33: expressed=0.01, RegDiffusion).

args <- commandArgs(TRUE)
kv <- function(name, default) {
  hit <- grep(paste0("^", name, "="), args, value = TRUE)
  if (length(hit)) as.numeric(sub("^[^=]*=", "", hit[1])) else default
}
threads <- kv("threads", 1)
epochs <- kv("epochs", NA)
n_genes <- kv("n", 1000)
expressed <- kv("expressed", NA)

data_dir <- function() {
  cands <- c(Sys.getenv("GRNTORCH_SHARED_DATA", ""), "../shared/data", "../../shared/data")
  for (d in cands) if (nzchar(d) && dir.exists(file.path(d, "realdata", "pbmc-facs"))) return(normalizePath(d))
  stop("../shared/data/realdata/pbmc-facs not found (set GRNTORCH_SHARED_DATA)")
}

peak_gb <- function() {
  s <- readLines("/proc/self/status")
  as.numeric(gsub("[^0-9]", "", grep("^VmHWM", s, value = TRUE))) * 1024 / 2^30
}

if (length(args) && args[1] == "--child") {
  model <- args[2]
  suppressPackageStartupMessages({
    library(grntorch)
    library(SingleCellExperiment)
  })
  counts <- readRDS(file.path(data_dir(), "realdata", "pbmc-facs", "counts.rds"))
  logn <- counts
  logn@x <- log1p(logn@x / rep.int(Matrix::colSums(counts), diff(counts@p)) * 1e4)
  sce <- SingleCellExperiment(list(counts = counts, logcounts = logn))
  tfs <- beeline_tfs("human")
  t0 <- proc.time()[["elapsed"]]
  genes <- if (is.na(expressed)) select_genes(sce, tfs = tfs, n = n_genes, verbose = FALSE)
           else rownames(counts)[Matrix::rowSums(counts > 0) >= expressed * ncol(counts)]
  t_select <- proc.time()[["elapsed"]] - t0
  ep <- if (is.na(epochs)) list() else list(epochs = epochs)
  m <- switch(model,
    pearson = correlation_method("pearson", threads = threads),
    deepsem = do.call(deepsem, c(list(seed = 1, threads = threads), ep)),
    genelink = do.call(genelink, c(list(seed = 1, threads = threads), ep)),
    regdiffusion = do.call(regdiffusion, c(list(seed = 1, threads = threads),
                                           if (is.na(epochs)) list() else list(steps = epochs))),
    stop("unknown model ", model))
  pairs <- NULL
  if (identical(model, "genelink")) {
    # The documented own-data flow: pairs over the whole object, infer_grn(genes = ) keeps those inside.
    pairs <- training_pairs(prior_network("human", "string"), sce, tfs, verbose = FALSE)
  }
  plan <- suppressMessages(grn_resources(sce, m, tfs = tfs, genes = genes, train = pairs$train,
                                         validation = pairs$validation))
  gc(reset = TRUE)
  try(suppressWarnings(writeLines("5", "/proc/self/clear_refs")), silent = TRUE)
  t0 <- proc.time()[["elapsed"]]
  g <- suppressMessages(infer_grn(sce, m, tfs = tfs, genes = genes, train = pairs$train,
                                  validation = pairs$validation, verbose = FALSE))
  wall <- proc.time()[["elapsed"]] - t0
  fit <- igraph::graph_attr(g, "fit")
  ep_run <- if (!is.null(fit$loss)) length(fit$loss[[1]]) else if (!is.null(fit$train_loss)) length(fit$train_loss) else NA
  cat(sprintf("RESULT %s %d %d %d %.1f %.1f %.2f %.2f %.1f %d %d %s\n", model, length(genes), ncol(sce), threads,
              t_select, wall, peak_gb(), plan$peak / 2^30, plan$seconds, igraph::ecount(g), plan$dims$n_train,
              format(ep_run)))
  quit(save = "no")
}

models <- if (length(args) && !grepl("=", args[1])) strsplit(args[1], ",")[[1]] else c("pearson", "deepsem", "genelink")
rest <- args[grepl("=", args)]
script <- sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))
cat(sprintf("PBMC (3,774 cells, raw 10x counts), %s + BEELINE human TFs, %d thread(s)%s\n",
            if (is.na(expressed)) sprintf("select_genes(n = %d)", n_genes)
            else sprintf("every gene detected in >= %g%% of the cells", 100 * expressed),
            threads, if (is.na(epochs)) "" else sprintf(", %d epochs", epochs)))
rows <- list()
for (model in models) {
  out <- system2(file.path(R.home("bin"), "Rscript"), c(script, "--child", model, rest), stdout = TRUE, stderr = TRUE)
  res <- grep("^RESULT", out, value = TRUE)
  if (!length(res)) {
    cat("FAILED:", model, "\n", paste(utils::tail(out, 8), collapse = "\n"), "\n")
    next
  }
  f <- strsplit(res, " ")[[1]][-1]
  rows[[model]] <- data.frame(model = f[1], genes = as.integer(f[2]), cells = as.integer(f[3]),
                              threads = as.integer(f[4]), select_s = as.numeric(f[5]), fit_s = as.numeric(f[6]),
                              peak_GB = as.numeric(f[7]), plan_GB = as.numeric(f[8]), plan_s = as.numeric(f[9]),
                              plan_over_measured = round(as.numeric(f[9]) / as.numeric(f[6]), 2),
                              edges = as.integer(f[10]), train_pairs = as.integer(f[11]), epochs_run = f[12])
  print(rows[[model]], row.names = FALSE)
}
cat("\n")
print(do.call(rbind, rows), row.names = FALSE)
