# DAZZLE side by side with its reference (issue 34): accuracy, stability and training time.
#
#   OMP_WAIT_POLICY=passive Rscript bench/dazzle.R [--folders string/mESC-tfs500,non-specific/mESC-tfs500]
#       [--seeds 1:3] [--threads 1] [--epochs 120] [--ref yes|no] [--deepsem yes|no]
#       [--score-with non-specific] [--ref-cache DIR] [--csv bench/results/dazzle-runs.csv] [--out FILE.md]
#   Rscript bench/dazzle.R --summarise bench/results/dazzle-runs.csv [--seeds 1:3] [--out FILE.md]
#
# For every folder and seed, one after the other (interleaved, so machine load hits all alike):
#   the reference DAZZLE (../shared/peers/run_dazzle.py, TuftsBCB/dazzle 0.0.2, --seed, --threads),
#   grntorch's dazzle() and grntorch's deepsem(mode = "nonspecific") with the same seed and threads.
# Every network is scored by evaluate_grn() on the same universe (the ground truth's regulators x
# its genes, no self-pairs, score |weight|). Training time: the reference's own train wall time
# (run.json), grntorch's fit seconds (graph attribute "seconds").
#
# --score-with KIND also scores every network against the ground truth of folder KIND/<same dataset>
# (e.g. a run on string/mHSC-L-tfs500 scored against non-specific/mHSC-L-tfs500 too). The BEELINE
# folders of one dataset hold the same expression rows in another order (md5 of the sorted lines is
# equal), so this is the same data; the row `expr_from` says which file a network was learnt from.
# --ref-cache DIR keeps each reference run's output in DIR and reuses it when present (the reference
# is bit-identical for a seed at one thread; its time is then the cached run's).
# Each run appends one row per scored truth to --csv (resumable); --summarise prints, from such a
# file: the side-by-side table (mean +- sd over seeds; "ok" when grntorch's mean EPR and AUPRC ratio
# are >= the reference's mean minus one seed sd), DAZZLE's stability against DeepSEM's (sd of EPR
# over seeds), and the training-time ratios.
suppressPackageStartupMessages(library(grntorch))
args <- commandArgs(trailingOnly = TRUE)
opt <- list(folders = "string/mESC-tfs500,non-specific/mESC-tfs500", seeds = "1:3", threads = "1",
            epochs = "120", ref = "yes", deepsem = "yes", out = "", csv = "bench/results/dazzle-runs.csv",
            `score-with` = "", `ref-cache` = "", summarise = "")
i <- 1
given <- character()
while (i <= length(args)) {
  key <- sub("^--", "", args[i])
  if (!key %in% names(opt) || i == length(args)) stop("unknown or incomplete option: ", args[i])
  opt[[key]] <- args[i + 1]
  given <- c(given, key)
  i <- i + 2
}
seeds <- eval(parse(text = if (grepl(":", opt$seeds)) opt$seeds else paste0("c(", opt$seeds, ")")))

summarise <- function(file, out = "", only_seeds = NULL) {
  res <- utils::read.csv(file, stringsAsFactors = FALSE)
  if (!is.null(only_seeds)) res <- res[res$seed %in% only_seeds, ]
  ms <- function(v) if (length(v) > 1) sprintf("%.3f +- %.3f", mean(v), stats::sd(v)) else sprintf("%.3f", v)
  sdv <- function(v) if (length(v) > 1) stats::sd(v) else NA_real_
  md <- c(sprintf("From `%s` (%d runs). Mean +- sd over seeds.", file, nrow(res)), "",
          "| folder | seeds | EPR reference | EPR grntorch | AUPRC ratio reference | AUPRC ratio grntorch | AUROC reference | AUROC grntorch | EPR DeepSEM | AUPRC ratio DeepSEM | ok |",
          "|---|---|---|---|---|---|---|---|---|---|---|")
  stab <- c("| folder | sd EPR DAZZLE ref | sd EPR DAZZLE grntorch | sd EPR DeepSEM grntorch | mean EPR DAZZLE grntorch - DeepSEM |",
            "|---|---|---|---|---|")
  for (f in unique(res$folder)) {
    x <- res[res$folder == f, ]
    r <- x[x$method == "DAZZLE (reference)", ]
    o <- x[x$method == "DAZZLE (grntorch)", ]
    d <- x[x$method == "DeepSEM (grntorch)", ]
    ok <- if (nrow(r) > 1 && nrow(o))
      mean(o$epr) >= mean(r$epr) - stats::sd(r$epr) && mean(o$auprc_ratio) >= mean(r$auprc_ratio) - stats::sd(r$auprc_ratio)
    else NA
    md <- c(md, sprintf("| %s | %s | %s | %s | %s | %s | %.3f | %.3f | %s | %s | %s |", f,
                        paste(sort(unique(o$seed)), collapse = ","), ms(r$epr), ms(o$epr), ms(r$auprc_ratio),
                        ms(o$auprc_ratio), mean(r$auroc), mean(o$auroc), if (nrow(d)) ms(d$epr) else "",
                        if (nrow(d)) ms(d$auprc_ratio) else "", if (is.na(ok)) "" else if (ok) "yes" else "**no**"))
    if (nrow(d))
      stab <- c(stab, sprintf("| %s | %.3f | %.3f | %.3f | %+.3f |", f, sdv(r$epr), sdv(o$epr), sdv(d$epr),
                              mean(o$epr) - mean(d$epr)))
  }
  tt <- c("| learnt from | seed | train s reference | train s grntorch | reference / grntorch | DeepSEM s |", "|---|---|---|---|---|---|")
  own <- res[res$folder == res$expr_from, ]
  for (f in unique(own$folder)) for (s in sort(unique(own$seed[own$folder == f]))) {
    y <- own[own$folder == f & own$seed == s, ]
    r <- y$seconds[y$method == "DAZZLE (reference)"]
    o <- y$seconds[y$method == "DAZZLE (grntorch)"]
    d <- y$seconds[y$method == "DeepSEM (grntorch)"]
    if (length(r) && length(o))
      tt <- c(tt, sprintf("| %s | %d | %.1f | %.1f | %.1fx | %s |", f, s, r[1], o[1], r[1] / o[1],
                          if (length(d)) sprintf("%.1f", d[1]) else ""))
  }
  txt <- c(md, "", "Stability (sd of EPR over seeds):", "", stab, "", "Training time per run:", "", tt)
  writeLines(txt)
  if (nzchar(out)) {
    writeLines(txt, out)
    cat("wrote", out, "\n")
  }
}
if (nzchar(opt$summarise)) {
  summarise(opt$summarise, opt$out, if ("seeds" %in% given) seeds)
  quit(save = "no")
}

threads <- as.integer(opt$threads)
epochs <- as.integer(opt$epochs)
dd <- NULL
for (d in c(Sys.getenv("GRNTORCH_SHARED_DATA", ""), "../shared/data", "/work/shared/data"))
  if (nzchar(d) && dir.exists(file.path(d, "beeline"))) { dd <- normalizePath(d); break }
if (is.null(dd)) stop("../shared/data not found")
peers <- normalizePath(file.path(dd, "..", "peers"))
info <- grntorch_sitrep(verbose = FALSE)
cat(sprintf("DAZZLE bench: %d epochs, %d thread(s), BLAS %s, host load %s\n", epochs, threads, info$blas,
            paste(readLines("/proc/loadavg"), collapse = " ")))

read_truth <- function(folder) {
  net <- utils::read.csv(file.path(dd, "beeline", folder, "BL--network.csv"))
  data.frame(from = net$Gene1, to = net$Gene2)
}
score <- function(net, truth) {
  ev <- evaluate_grn(net, truth, curves = FALSE)
  c(epr = ev$epr, auprc_ratio = ev$auprc_ratio, auroc = ev$auroc)
}
add <- function(folder, expr_from, method, seed, s, secs) {
  row <- data.frame(folder = folder, expr_from = expr_from, method = method, seed = seed, threads = threads,
                    epochs = epochs, epr = s[["epr"]], auprc_ratio = s[["auprc_ratio"]], auroc = s[["auroc"]],
                    seconds = secs, load = readLines("/proc/loadavg"))
  if (nzchar(opt$csv)) {
    new <- !file.exists(opt$csv)
    utils::write.table(row, opt$csv, sep = ",", row.names = FALSE, col.names = new, append = !new)
  }
  cat(sprintf("%-26s (from %-26s) %-18s seed %d: EPR %.3f  AUPRC ratio %.3f  AUROC %.3f  %7.1f s\n", folder,
              expr_from, method, seed, s[["epr"]], s[["auprc_ratio"]], s[["auroc"]], secs))
}
with <- strsplit(opt$`score-with`, ",")[[1]]
for (folder in strsplit(opt$folders, ",")[[1]]) {
  d <- file.path(dd, "beeline", folder)
  ef <- file.path(d, "BL--ExpressionData.csv.gz")
  expr <- as.matrix(utils::read.csv(gzfile(ef), row.names = 1, check.names = FALSE))
  tfs <- intersect(utils::read.csv(file.path(d, "TF.csv"))$TF, rownames(expr))
  targets <- c(folder, file.path(with, basename(folder)))
  truths <- lapply(targets, read_truth)
  score_all <- function(method, seed, net, secs)
    for (k in seq_along(targets)) add(targets[k], folder, method, seed, score(net, truths[[k]]), secs)
  for (seed in seeds) {
    if (opt$ref == "yes") {
      cached <- nzchar(opt$`ref-cache`)
      out <- if (cached) file.path(opt$`ref-cache`, sprintf("%s-e%d-t%d-s%d", gsub("/", "_", folder), epochs, threads, seed))
             else tempfile("dazzle-ref-")
      if (!file.exists(file.path(out, "run.json"))) {
        st <- system2("/usr/bin/python3", c(file.path(peers, "run_dazzle.py"), ef, out, "--seed", seed, "--threads",
                                            threads, "--epochs", epochs),
                      env = c(sprintf("OMP_NUM_THREADS=%d", threads), "OMP_WAIT_POLICY=passive"), stdout = FALSE,
                      stderr = FALSE)
        if (st != 0) stop("the reference DAZZLE failed (", folder, ", seed ", seed, ")")
      }
      js <- jsonlite::fromJSON(file.path(out, "run.json"))
      e <- utils::read.delim(file.path(out, "edges.tsv"))
      score_all("DAZZLE (reference)", seed, data.frame(from = e$regulator, to = e$target, score = e$score),
                js$wall_s$train)
      if (!cached) unlink(out, recursive = TRUE)
    }
    g <- infer_grn(expr, dazzle(epochs = epochs, seed = seed, threads = threads), tfs = tfs, verbose = FALSE)
    score_all("DAZZLE (grntorch)", seed, g, igraph::graph_attr(g, "seconds"))
    if (opt$deepsem == "yes") {
      g <- infer_grn(expr, deepsem(mode = "nonspecific", epochs = epochs, seed = seed, threads = threads), tfs = tfs,
                     verbose = FALSE)
      score_all("DeepSEM (grntorch)", seed, g, igraph::graph_attr(g, "seconds"))
    }
  }
}
if (nzchar(opt$csv)) summarise(opt$csv, opt$out)
