# Shared helpers for bench/supervised.R and bench/label-noise.R: read a
# BEELINE TFs+500 folder and its bridge-grn-sample1 split (MANIFEST 2.6), fit
# one model, score the test pairs.
suppressPackageStartupMessages(library(grntorch))

shared_data <- function() {
  d <- Sys.getenv("GRNTORCH_SHARED_DATA", "../shared/data")
  if (!dir.exists(file.path(d, "beeline"))) stop("shared data not found: set GRNTORCH_SHARED_DATA")
  normalizePath(d)
}

read_supervised_dataset <- function(name, kind = "specific", split = "bridge-grn-sample1") {
  dir <- file.path(shared_data(), "beeline", kind, paste0(name, "-tfs500"))
  expr <- utils::read.csv(gzfile(file.path(dir, "BL--ExpressionData.csv.gz")), row.names = 1, check.names = FALSE)
  expr <- as.matrix(expr)
  target <- utils::read.csv(file.path(dir, "Target.csv"), stringsAsFactors = FALSE)
  gene_of <- function(i) target$Gene[match(i, target$index)]
  rd <- function(f) {
    s <- utils::read.csv(gzfile(file.path(dir, "splits", split, f)), stringsAsFactors = FALSE)
    data.frame(from = gene_of(s$TF), to = gene_of(s$Target), label = s$Label, stringsAsFactors = FALSE)
  }
  tf <- utils::read.csv(file.path(dir, "TF.csv"), stringsAsFactors = FALSE)
  list(expression = expr, tfs = unique(tf[[2]]), train = rd("Train_set.csv.gz"),
       validation = rd("Validation_set.csv.gz"), test = rd("Test_set.csv.gz"))
}

read_biobert <- function(name = "mESC") {
  d <- file.path(shared_data(), "embeddings", "biobert-scgreat", paste0(name, "-tfs500"))
  f <- file.path(d, "biovect768.npy")
  con <- file(f, "rb")
  on.exit(close(con))
  readBin(con, "raw", 128)
  rn <- readLines(file.path(d, "biovect768_rownames.txt"))
  v <- readBin(con, "numeric", length(rn) * 768, size = 4, endian = "little")
  m <- matrix(v, nrow = length(rn), byrow = TRUE)
  rownames(m) <- rn
  m[-1, , drop = FALSE]  # row 0 is the junk embedding of the word "Gene"
}

peak_rss_mb <- function() {
  s <- readLines("/proc/self/status")
  as.numeric(gsub("[^0-9]", "", grep("^VmHWM", s, value = TRUE))) / 1024
}

make_method <- function(model, dataset, epochs = NULL, seed = 1, threads = 2) {
  emb <- if (model %in% c("scregnet", "sctransnet")) {
    if (dataset != "mESC") return(NULL)  # BioBERT embeddings exist for mESC only
    read_biobert(dataset)
  }
  args <- list(seed = seed, threads = threads)
  if (!is.null(epochs)) args$epochs <- epochs
  # BENCH_PATIENCE: early stopping on the validation pairs (GENELink's default is none).
  if (nzchar(Sys.getenv("BENCH_PATIENCE"))) args$patience <- as.integer(Sys.getenv("BENCH_PATIENCE"))
  switch(model,
         genelink = do.call(genelink, args),
         gnnlink = do.call(gnnlink, args),
         scregnet = do.call(scregnet, c(list(embeddings = emb), args)),
         sctransnet = do.call(sctransnet, c(list(embeddings = emb), args)))
}

fit_and_score <- function(d, method, train = d$train) {
  t0 <- proc.time()[["elapsed"]]
  g <- infer_grn(d$expression, method, tfs = d$tfs, train = train, validation = d$validation, verbose = FALSE)
  secs <- proc.time()[["elapsed"]] - t0
  m <- evaluate_grn(g, d$test, missing = 0)
  fit <- igraph::graph_attr(g, "fit")
  list(auroc = m$auroc, ap = m$average_precision, seconds = secs,
       epochs = fit$epochs_run, best = fit$best_epoch)
}
