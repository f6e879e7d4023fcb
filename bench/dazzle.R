# DAZZLE side by side with its reference (issue 34): accuracy, stability and training time.
#
#   OMP_WAIT_POLICY=passive Rscript bench/dazzle.R [--folders string/mESC-tfs500,non-specific/mESC-tfs500]
#       [--seeds 1:3] [--threads 1] [--epochs 120] [--ref yes|no] [--deepsem yes|no] [--out FILE.md]
#
# For every folder and seed, one after the other (interleaved, so machine load hits all alike):
#   the reference DAZZLE (../shared/peers/run_dazzle.py, TuftsBCB/dazzle 0.0.2, --seed, --threads),
#   grntorch's dazzle() and grntorch's deepsem(mode = "nonspecific") with the same seed and threads.
# Every network is scored by evaluate_grn() on the same universe (the ground truth's regulators x
# its genes, no self-pairs, score |weight|). Training time: the reference's own train wall time
# (run.json), grntorch's fit seconds (graph attribute "seconds"). Prints one line per run, then
# per folder and method the mean and sd over seeds of EPR, AUPRC ratio, AUROC and seconds, and
# the ratio of training times; with --out also writes that table as markdown.
suppressPackageStartupMessages(library(grntorch))
args <- commandArgs(trailingOnly = TRUE)
opt <- list(folders = "string/mESC-tfs500,non-specific/mESC-tfs500", seeds = "1:3", threads = "1",
            epochs = "120", ref = "yes", deepsem = "yes", out = "")
i <- 1
while (i <= length(args)) {
  key <- sub("^--", "", args[i])
  if (!key %in% names(opt) || i == length(args)) stop("unknown or incomplete option: ", args[i])
  opt[[key]] <- args[i + 1]
  i <- i + 2
}
seeds <- eval(parse(text = if (grepl(":", opt$seeds)) opt$seeds else paste0("c(", opt$seeds, ")")))
threads <- as.integer(opt$threads)
epochs <- as.integer(opt$epochs)
dd <- NULL
for (d in c(Sys.getenv("GRNTORCH_SHARED_DATA", ""), "../shared/data", "/work/shared/data"))
  if (nzchar(d) && dir.exists(file.path(d, "beeline"))) { dd <- normalizePath(d); break }
if (is.null(dd)) stop("../shared/data not found")
peers <- normalizePath(file.path(dd, "..", "peers"))

score <- function(net, truth) {
  ev <- evaluate_grn(net, truth, curves = FALSE)
  c(epr = ev$epr, auprc_ratio = ev$auprc_ratio, auroc = ev$auroc)
}
rows <- list()
add <- function(folder, method, seed, s, secs) {
  rows[[length(rows) + 1L]] <<- data.frame(folder = folder, method = method, seed = seed, epr = s[["epr"]],
                                          auprc_ratio = s[["auprc_ratio"]], auroc = s[["auroc"]], seconds = secs)
  cat(sprintf("%-26s %-18s seed %d: EPR %.3f  AUPRC ratio %.3f  AUROC %.3f  %7.1f s\n", folder, method, seed,
              s[["epr"]], s[["auprc_ratio"]], s[["auroc"]], secs))
}
for (folder in strsplit(opt$folders, ",")[[1]]) {
  d <- file.path(dd, "beeline", folder)
  ef <- file.path(d, "BL--ExpressionData.csv.gz")
  expr <- as.matrix(utils::read.csv(gzfile(ef), row.names = 1, check.names = FALSE))
  net <- utils::read.csv(file.path(d, "BL--network.csv"))
  truth <- data.frame(from = net$Gene1, to = net$Gene2)
  tfs <- unique(truth$from)
  for (seed in seeds) {
    if (opt$ref == "yes") {
      out <- tempfile("dazzle-ref-")
      st <- system2("/usr/bin/python3", c(file.path(peers, "run_dazzle.py"), ef, out, "--seed", seed, "--threads", threads,
                                          "--epochs", epochs),
                    env = c(sprintf("OMP_NUM_THREADS=%d", threads), "OMP_WAIT_POLICY=passive"), stdout = FALSE, stderr = FALSE)
      if (st != 0) stop("the reference DAZZLE failed (", folder, ", seed ", seed, ")")
      js <- paste(readLines(file.path(out, "run.json")), collapse = "")
      secs <- as.numeric(sub('.*"train": *([0-9.eE+-]+).*', "\\1", js))   # wall_s$train
      e <- utils::read.delim(file.path(out, "edges.tsv"))
      add(folder, "DAZZLE (reference)", seed,
          score(data.frame(from = e$regulator, to = e$target, score = e$score), truth), secs)
      unlink(out, recursive = TRUE)
    }
    g <- infer_grn(expr, dazzle(epochs = epochs, seed = seed, threads = threads), tfs = tfs, verbose = FALSE)
    add(folder, "DAZZLE (grntorch)", seed, score(g, truth), igraph::graph_attr(g, "seconds"))
    if (opt$deepsem == "yes") {
      g <- infer_grn(expr, deepsem(mode = "nonspecific", epochs = epochs, seed = seed, threads = threads), tfs = tfs,
                     verbose = FALSE)
      add(folder, "DeepSEM (grntorch)", seed, score(g, truth), igraph::graph_attr(g, "seconds"))
    }
  }
}
res <- do.call(rbind, rows)
agg <- do.call(rbind, lapply(split(res, list(res$folder, res$method), drop = TRUE), function(x) {
  data.frame(folder = x$folder[1], method = x$method[1], seeds = nrow(x),
             epr = sprintf("%.3f +- %.3f", mean(x$epr), stats::sd(x$epr)),
             auprc_ratio = sprintf("%.3f +- %.3f", mean(x$auprc_ratio), stats::sd(x$auprc_ratio)),
             auroc = sprintf("%.3f +- %.3f", mean(x$auroc), stats::sd(x$auroc)),
             seconds = sprintf("%.1f (%.1f-%.1f)", mean(x$seconds), min(x$seconds), max(x$seconds)))
}))
rownames(agg) <- NULL
cat("\nmean +- sd over seeds (threads =", threads, ", epochs =", epochs, ")\n")
print(agg, right = FALSE)
for (folder in unique(res$folder)) {
  r <- res[res$folder == folder & res$method == "DAZZLE (reference)", "seconds"]
  o <- res[res$folder == folder & res$method == "DAZZLE (grntorch)", "seconds"]
  if (length(r) && length(o)) cat(sprintf("%s: training time reference / grntorch = %.1fx (per seed: %s)\n", folder,
                                          mean(r) / mean(o), paste(sprintf("%.1f", r / o), collapse = ", ")))
}
if (nzchar(opt$out)) {
  md <- c("| folder | method | seeds | EPR | AUPRC ratio | AUROC | train s |", "|---|---|---|---|---|---|---|",
          sprintf("| %s | %s | %d | %s | %s | %s | %s |", agg$folder, agg$method, agg$seeds, agg$epr, agg$auprc_ratio,
                  agg$auroc, agg$seconds))
  writeLines(md, opt$out)
  cat("wrote", opt$out, "\n")
}
