# scUniGP benchmark: test AUROC / average precision on the bridge-grn-sample1
# splits of the STRING and non-specific BEELINE TFs+500 datasets (hHEP, mDC,
# mESC, mHSC-L), against the package's GENELink, plus the paper's ablations
# (Tables 2-3): no GNN features, GCN vs GAT, early / late / multi-scale fusion.
#
#   Rscript bench/scunigp.R                      # everything (long on 2 cores)
#   Rscript bench/scunigp.R --datasets string/mESC --configs scunigp,genelink
#   Rscript bench/scunigp.R --configs scunigp,none,early,late,gcn --epochs 30
#   Rscript bench/scunigp.R --datasets string/mHSC-L --configs paper
#
# Options: --datasets kind/ds,... (default: the 8), --configs (default
# scunigp,genelink,none,gcn,early,late; also "paper"), --epochs N (cap on
# joint epochs, default the model's), --seed N, --threads N, --out file.csv.
# Every model runs in its own R process so that peak RSS (VmHWM) is its own.
# Scores are supervised test-pair metrics (as the papers report), not the
# full-universe unsupervised metrics.

args <- commandArgs(trailingOnly = TRUE)
opt <- function(name, default) {
  i <- match(paste0("--", name), args)
  if (is.na(i)) default else args[i + 1L]
}
data_dir <- normalizePath(Sys.getenv("GRNTORCH_SHARED_DATA", file.path("..", "shared", "data")), mustWork = TRUE)

all_datasets <- c("string/hHEP", "string/mDC", "string/mESC", "string/mHSC-L",
                  "non-specific/hHEP", "non-specific/mDC", "non-specific/mESC", "non-specific/mHSC-L")

load_dataset <- function(key) {
  d <- file.path(data_dir, "beeline", paste0(key, "-tfs500"))
  expr <- as.matrix(utils::read.csv(gzfile(file.path(d, "BL--ExpressionData.csv.gz")), row.names = 1,
                                    check.names = FALSE))
  genes <- utils::read.csv(file.path(d, "Target.csv"))$Gene
  stopifnot(identical(rownames(expr), genes))
  tfs <- utils::read.csv(file.path(d, "TF.csv"))$TF
  split <- lapply(c(train = "Train_set", validation = "Validation_set", test = "Test_set"), function(f) {
    s <- utils::read.csv(gzfile(file.path(d, "splits", "bridge-grn-sample1", paste0(f, ".csv.gz"))))
    data.frame(from = genes[s$TF + 1L], to = genes[s$Target + 1L], label = as.integer(s$Label),
               stringsAsFactors = FALSE)
  })
  list(expr = expr, tfs = tfs, split = split)
}

auroc <- function(s, y) {
  r <- rank(s); np <- sum(y == 1); nn <- sum(y == 0)
  (sum(r[y == 1]) - np * (np + 1) / 2) / (np * nn)
}
avg_precision <- function(s, y) {
  o <- order(s, decreasing = TRUE); y <- y[o]
  sum((cumsum(y) / seq_along(y))[y == 1]) / sum(y)
}
peak_rss_mb <- function() {
  st <- readLines("/proc/self/status")
  as.numeric(gsub("[^0-9]", "", grep("^VmHWM", st, value = TRUE))) / 1024
}

make_method <- function(config, seed, epochs, threads) {
  ep <- if (is.na(epochs)) NULL else epochs
  switch(config,
    scunigp = grntorch::scunigp(seed = seed, epochs = ep, threads = threads),
    none = grntorch::scunigp(seed = seed, fusion = "none", epochs = ep, threads = threads),
    early = grntorch::scunigp(seed = seed, fusion = "early", epochs = ep, threads = threads),
    late = grntorch::scunigp(seed = seed, fusion = "late", epochs = ep, threads = threads),
    gcn = grntorch::scunigp(seed = seed, gnn = "gcn", epochs = ep, threads = threads),
    paper = grntorch::scunigp(seed = seed, size = "paper", epochs = ep, threads = threads),
    genelink = {
      ns <- asNamespace("grntorch")
      if (!exists("genelink", ns)) stop("this grntorch has no genelink()")
      get("genelink", ns)(seed = seed, threads = threads)
    },
    stop("unknown config ", config))
}

worker <- function(key, config, seed, epochs, threads) {
  suppressPackageStartupMessages(library(grntorch))
  d <- load_dataset(key)
  m <- make_method(config, seed, epochs, threads)
  t0 <- proc.time()[["elapsed"]]
  g <- infer_grn(d$expr, m, tfs = d$tfs, train = d$split$train, validation = d$split$validation,
                 verbose = nzchar(Sys.getenv("SCUNIGP_BENCH_VERBOSE")))
  secs <- proc.time()[["elapsed"]] - t0
  e <- igraph::as_data_frame(g, what = "edges")
  s <- e$score[match(paste(d$split$test$from, d$split$test$to), paste(e$from, e$to))]
  s[is.na(s)] <- 0
  y <- d$split$test$label
  fit <- igraph::graph_attr(g, "fit")
  best <- if (!is.null(fit$best_epoch)) fit$best_epoch else NA
  nep <- if (!is.null(fit$val_auroc)) length(fit$val_auroc) else NA
  expert <- NA
  if (!is.null(fit$expert_logits)) {
    m <- fit$expert_logits
    expert <- auroc(m[cbind(match(d$split$test$from, rownames(m)), match(d$split$test$to, colnames(m)))], y)
  }
  if (!is.null(fit$seconds)) {
    message(sprintf("%s %s: expert-score (GNN alone) test AUROC %.4f; seconds pretrain %.1f, joint %.1f, predict %.1f; pretrain epochs %d (best %d, val AUROC %.3f); joint epochs %d (best %d, val AUROC %.3f); %s parameters",
                    key, config, expert, fit$seconds[["pretrain"]], fit$seconds[["train"]], fit$seconds[["predict"]],
                    length(fit$pretrain_val_auroc), fit$pretrain_best_epoch,
                    if (length(fit$pretrain_val_auroc)) max(fit$pretrain_val_auroc) else NA,
                    length(fit$val_auroc), fit$best_epoch, fit$best_val_auroc, format(fit$n_parameters, big.mark = ",")))
  }
  cat(sprintf("RESULT\t%s\t%s\t%.4f\t%.4f\t%.1f\t%.0f\t%s\t%s\n", key, config, auroc(s, y),
              avg_precision(s, y), secs, peak_rss_mb(), best, nep))
}

if (identical(opt("worker", NA), "1")) {
  worker(opt("dataset", NA), opt("config", NA), as.integer(opt("seed", "1")),
         as.integer(opt("epochs", NA)), as.integer(opt("threads", "2")))
  quit(save = "no")
}

datasets <- strsplit(opt("datasets", paste(all_datasets, collapse = ",")), ",")[[1]]
configs <- strsplit(opt("configs", "scunigp,genelink,none,gcn,early,late"), ",")[[1]]
seed <- opt("seed", "1"); epochs <- opt("epochs", "NA"); threads <- opt("threads", "2")
out <- opt("out", NA)
script <- normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))
rows <- list()
for (key in datasets) for (config in configs) {
  cmd <- c(script, "--worker", "1", "--dataset", key, "--config", config, "--seed", seed,
           "--epochs", epochs, "--threads", threads)
  res <- suppressWarnings(system2(file.path(R.home("bin"), "Rscript"), shQuote(cmd), stdout = TRUE, stderr = TRUE))
  line <- grep("^RESULT\t", res, value = TRUE)
  message(paste(grep("; seconds pretrain", res, value = TRUE), collapse = "\n"))
  if (!length(line)) {
    message(sprintf("%s %s failed:\n%s", key, config, paste(utils::tail(res, 5), collapse = "\n")))
    next
  }
  f <- strsplit(line, "\t")[[1]]
  row <- data.frame(dataset = f[2], config = f[3], auroc = as.numeric(f[4]), ap = as.numeric(f[5]),
                    seconds = as.numeric(f[6]), peak_rss_mb = as.numeric(f[7]), best_epoch = f[8],
                    epochs_run = f[9], stringsAsFactors = FALSE)
  print(row, row.names = FALSE)
  rows[[length(rows) + 1L]] <- row
  if (!is.na(out)) utils::write.csv(do.call(rbind, rows), out, row.names = FALSE)
}
tab <- do.call(rbind, rows)
cat("\n== test AUROC (supervised test pairs, bridge-grn-sample1)\n")
print(stats::xtabs(auroc ~ dataset + config, tab), digits = 3)
cat("\n== test average precision\n")
print(stats::xtabs(ap ~ dataset + config, tab), digits = 3)
cat("\n== seconds (fit + predict all pairs) / peak RSS MB\n")
print(tab[, c("dataset", "config", "seconds", "peak_rss_mb", "best_epoch", "epochs_run")], row.names = FALSE)
if (all(c("scunigp", "genelink") %in% tab$config)) {
  w <- merge(tab[tab$config == "scunigp", c("dataset", "auroc")], tab[tab$config == "genelink", c("dataset", "auroc")],
             by = "dataset", suffixes = c(".scunigp", ".genelink"))
  cat(sprintf("\nscUniGP beats GENELink on %d of %d datasets\n", sum(w$auroc.scunigp > w$auroc.genelink), nrow(w)))
}
abl <- intersect(c("none", "gcn", "early", "late", "scunigp"), tab$config)
if (length(abl) > 1) {
  cat("\n== ablation means (AUROC)\n")
  print(tapply(tab$auroc[tab$config %in% abl], tab$config[tab$config %in% abl], mean), digits = 4)
}
