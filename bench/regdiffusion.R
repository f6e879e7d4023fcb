# RegDiffusion beside its reference (../shared/peers/RegDiffusion, package 0.0.8,
# run by ../shared/peers/run_regdiffusion.py): same expression file, same
# threads, one job at a time, reference and grntorch interleaved per folder
# and seed so that machine load hits both; every network scored by
# evaluate_grn() on the same universe (ground-truth TFs x genes, no self-pairs,
# score = |weight|).
#
#   Rscript bench/regdiffusion.R [--folders string/mESC-tfs500,non-specific/mESC-tfs500]
#       [--seeds 1,2,3] [--threads 1] [--steps 1000] [--reference yes|no]
#       [--score-with non-specific] [--out bench/results/regdiffusion-runs.csv]
#
# --score-with KIND also scores each network against the ground truth of KIND/<same dataset>: the
# BEELINE folders of one dataset hold the same expression rows in another order, so a run on
# string/X is a run on non-specific/X's data; the column expr_from names the file a network was
# learnt from.
# Appends one row per (folder, seed, implementation) to --out (so a long
# session can be resumed / extended) and prints it.  Summaries:
#   Rscript bench/regdiffusion.R --summarise bench/results/regdiffusion-runs.csv
suppressPackageStartupMessages(library(grntorch))

args <- commandArgs(trailingOnly = TRUE)
opt <- list(folders = paste0(c("string", "non-specific"), "/", rep(c("mHSC-L", "mDC", "hHEP", "mESC"), each = 2), "-tfs500",
                             collapse = ","),
            seeds = "1", threads = "1", steps = "1000", reference = "yes",
            out = "bench/results/regdiffusion-runs.csv", summarise = "", `score-with` = "", `data-dir` = "", peers = "")
i <- 1
while (i <= length(args)) {
  key <- sub("^--", "", args[i])
  if (!key %in% names(opt) || i == length(args)) stop("unknown or incomplete option: ", args[i])
  opt[[key]] <- args[i + 1]
  i <- i + 2
}
find_dir <- function(given, sub) {
  if (nzchar(given)) return(given)
  for (d in c(file.path("..", "shared", sub), file.path("/work/shared", sub))) if (dir.exists(d)) return(normalizePath(d))
  stop("not found: shared/", sub)
}
data_dir <- find_dir(opt$`data-dir`, "data")
peers <- find_dir(opt$peers, "peers")

summarise <- function(file) {
  r <- utils::read.csv(file, stringsAsFactors = FALSE)
  out <- character()
  for (f in unique(r$folder)) {
    x <- r[r$folder == f, ]
    line <- function(impl) {
      y <- x[x$impl == impl, ]
      if (!nrow(y)) return(NULL)
      sdv <- function(v) if (length(v) > 1) stats::sd(v) else NA_real_
      data.frame(folder = f, impl = impl, seeds = paste(sort(y$seed), collapse = ","),
                 EPR = mean(y$EPR), EPR_sd = sdv(y$EPR), AUPRC_ratio = mean(y$AUPRC_ratio),
                 AUPRC_sd = sdv(y$AUPRC_ratio), AUROC = mean(y$AUROC), train_s = mean(y$train_s),
                 train_s_min = min(y$train_s), train_s_max = max(y$train_s))
    }
    out <- rbind(out, line("reference"), line("grntorch"))
  }
  out
}

if (nzchar(opt$summarise)) {
  s <- summarise(opt$summarise)
  print(s, digits = 4, row.names = FALSE)
  # Markdown: one row per folder, reference beside grntorch, and the time ratio.
  f2 <- function(x) ifelse(is.na(x), "", sprintf("%.3f", x))
  cat("\n| folder | seeds | EPR ref | EPR grntorch | AUPRC ratio ref | AUPRC ratio grntorch | AUROC ref | AUROC grntorch | train s ref | train s grntorch | ref / grntorch |\n")
  cat("|---|---|---|---|---|---|---|---|---|---|---|\n")
  for (f in unique(s$folder)) {
    r <- s[s$folder == f & s$impl == "reference", ]
    g <- s[s$folder == f & s$impl == "grntorch", ]
    if (!nrow(r) || !nrow(g)) next
    sd_txt <- function(m, sdv) if (is.na(sdv)) f2(m) else sprintf("%.3f (sd %.3f)", m, sdv)
    cat(sprintf("| %s | %s | %s | %s | %s | %s | %s | %s | %.1f | %.1f | %.1fx |\n", f, g$seeds, sd_txt(r$EPR, r$EPR_sd),
                sd_txt(g$EPR, g$EPR_sd), sd_txt(r$AUPRC_ratio, r$AUPRC_sd), sd_txt(g$AUPRC_ratio, g$AUPRC_sd),
                f2(r$AUROC), f2(g$AUROC), r$train_s, g$train_s, r$train_s / g$train_s))
  }
  quit(save = "no")
}

folders <- strsplit(opt$folders, ",")[[1]]
seeds <- as.integer(strsplit(opt$seeds, ",")[[1]])
threads <- as.integer(opt$threads)
steps <- as.integer(opt$steps)
run_ref <- opt$reference == "yes"
info <- grntorch_sitrep(verbose = FALSE)
cat(sprintf("RegDiffusion bench: %d steps, %d thread(s), BLAS %s, LibTorch %s, host load %s\n", steps, threads,
            info$blas, info$torch_version, paste(readLines("/proc/loadavg"), collapse = " ")))

score <- function(net, truth) {
  ev <- evaluate_grn(net, truth)
  c(EPR = ev$epr, AUPRC_ratio = ev$average_precision / ev$density, AUROC = ev$auroc)
}

append_row <- function(row) {
  dir.create(dirname(opt$out), showWarnings = FALSE, recursive = TRUE)
  new <- !file.exists(opt$out)
  utils::write.table(row, opt$out, sep = ",", row.names = FALSE, col.names = new, append = !new)
  print(row, digits = 4, row.names = FALSE)
}

for (f in folders) {
  path <- file.path(data_dir, "beeline", f)
  expr_file <- file.path(path, "BL--ExpressionData.csv.gz")
  expr <- as.matrix(utils::read.csv(gzfile(expr_file), row.names = 1, check.names = FALSE))
  tfs <- utils::read.csv(file.path(path, "TF.csv"))$TF
  net <- utils::read.csv(file.path(path, "BL--network.csv"))
  truth <- data.frame(from = net$Gene1, to = net$Gene2)
  others <- file.path(strsplit(opt$`score-with`, ",")[[1]], basename(f))
  truths <- c(list(truth), lapply(others, function(o) {
    n <- utils::read.csv(file.path(data_dir, "beeline", o, "BL--network.csv"))
    data.frame(from = n$Gene1, to = n$Gene2)
  }))
  names(truths) <- c(f, others)
  cat(sprintf("\n== %s: %d genes x %d cells\n", f, nrow(expr), ncol(expr)))
  for (seed in seeds) {
    if (run_ref) {
      od <- file.path(tempdir(), sprintf("rd-%s-%d", gsub("/", "_", f), seed))
      t0 <- proc.time()[["elapsed"]]
      st <- system2("/usr/bin/python3", c(file.path(peers, "run_regdiffusion.py"), expr_file, od, "--seed", seed,
                                          "--threads", threads, "--steps", steps),
                    env = c(sprintf("OMP_NUM_THREADS=%d", threads), "OMP_WAIT_POLICY=passive"), stdout = TRUE, stderr = TRUE)
      wall <- proc.time()[["elapsed"]] - t0
      js <- jsonlite::fromJSON(file.path(od, "run.json"))
      ed <- utils::read.delim(file.path(od, "edges.tsv"))
      for (k in names(truths)) {
      sc <- score(data.frame(from = ed$regulator, to = ed$target, weight = abs(ed$score)), truths[[k]])
      append_row(data.frame(folder = k, expr_from = f, impl = "reference", seed = seed, threads = threads, steps = steps,
                            genes = nrow(expr), cells = ncol(expr), train_s = js$wall_s$train, wall_s = wall,
                            peak_mb = js$peak_rss_mib, t(sc), load = readLines("/proc/loadavg")))
      }
      unlink(od, recursive = TRUE)
    }
    t0 <- proc.time()[["elapsed"]]
    g <- infer_grn(expr, regdiffusion(steps = steps, seed = seed, threads = threads), tfs = tfs, verbose = FALSE)
    wall <- proc.time()[["elapsed"]] - t0
    for (k in names(truths)) {
    sc <- score(g, truths[[k]])
    append_row(data.frame(folder = k, expr_from = f, impl = "grntorch", seed = seed, threads = threads, steps = steps,
                          genes = nrow(expr), cells = ncol(expr), train_s = grn_fit(g)$seconds[1], wall_s = wall,
                          peak_mb = NA_real_, t(sc), load = readLines("/proc/loadavg")))
    }
  }
}
