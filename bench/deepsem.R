# DeepSEM benchmark: speed and accuracy on BEELINE data (../shared/data).
#
#   Rscript bench/deepsem.R                       # default: mESC (celltype), seed 1, 120 epochs
#   Rscript bench/deepsem.R --datasets all --seeds 1:5 --ensemble 10
#   Rscript bench/deepsem.R --datasets specific/hHEP-tfs500:celltype,non-specific/mDC-tfs500:nonspecific
#   Options: --datasets LIST|all  --seeds 1:5|1,2  --ensemble N (0 = none)  --threads N  --epochs N
#            --lr-decay F  --data-dir PATH  --alpha A --beta B (default: the mode's defaults)
#            --save FILE.rds  (keep every run's regulators x genes scores, per dataset)
#            --precision float32|bfloat16  (deepsem(precision =); default float32)
#
# For every dataset it prints one line per seed (seconds per epoch, total seconds,
# peak RSS of this R process, threads, EPR, AUPRC ratio, AUROC), the mean over
# seeds, and, with --ensemble N, the N-run ensemble (seeds 1..N); when the seeds
# lie within 1..N the single runs are the ensemble's own runs (keep_runs = TRUE).  Scoring is
# BEELINE's universe: ground-truth regulators x ground-truth genes, no
# self-pairs; AUPRC ratio = average precision / density, as in the issue's
# reference table (BEELINE's trapezoid AUPRC ratio is printed beside it); uses
# grntorch::evaluate_grn() when the package has it, else the local scorer below.
suppressPackageStartupMessages(library(grntorch))

args <- commandArgs(trailingOnly = TRUE)
opt <- list(datasets = "specific/mESC-tfs500:celltype", seeds = "1", ensemble = "0", threads = "2",
            epochs = "120", `lr-decay` = "1", `data-dir` = "", alpha = "", beta = "", save = "", precision = "float32")
i <- 1
while (i <= length(args)) {
  key <- sub("^--", "", args[i])
  if (!key %in% names(opt) || i == length(args)) stop("unknown or incomplete option: ", args[i])
  opt[[key]] <- args[i + 1]
  i <- i + 2
}
all_sets <- c("specific/mESC-tfs500:celltype", "specific/hHEP-tfs500:celltype", "non-specific/mDC-tfs500:nonspecific")
sets <- if (opt$datasets == "all") all_sets else strsplit(opt$datasets, ",")[[1]]
seeds <- eval(parse(text = if (grepl(":", opt$seeds)) opt$seeds else paste0("c(", opt$seeds, ")")))
n_ens <- as.integer(opt$ensemble)
threads <- as.integer(opt$threads)
epochs <- as.integer(opt$epochs)
lr_decay <- as.numeric(opt$`lr-decay`)
alpha <- if (nzchar(opt$alpha)) as.numeric(opt$alpha) else NULL
beta <- if (nzchar(opt$beta)) as.numeric(opt$beta) else NULL

data_dir <- opt$`data-dir`
if (!nzchar(data_dir)) {
  for (d in c("../shared/data", "../../shared/data", "/work/shared/data")) if (dir.exists(file.path(d, "beeline"))) { data_dir <- d; break }
}
if (!dir.exists(file.path(data_dir, "beeline"))) stop("BEELINE data not found; pass --data-dir")

peak_rss_mb <- function() {
  st <- readLines("/proc/self/status")
  as.numeric(sub("[^0-9]*([0-9]+).*", "\\1", grep("^VmHWM", st, value = TRUE))) / 1024
}

# Local BEELINE-style scorer (SPEC section 7); replaced by evaluate_grn() when available.
score_local <- function(edges, truth) {
  truth <- unique(data.frame(from = toupper(truth$Gene1), to = toupper(truth$Gene2)))
  truth <- truth[truth$from != truth$to, ]
  regs <- unique(truth$from)
  genes <- unique(c(truth$from, truth$to))
  cand <- expand.grid(from = regs, to = genes, stringsAsFactors = FALSE)
  cand <- cand[cand$from != cand$to, ]
  key <- paste(cand$from, cand$to)
  w <- abs(edges$weight[match(key, paste(toupper(edges$from), toupper(edges$to)))])
  w[is.na(w)] <- 0
  y <- key %in% paste(truth$from, truth$to)
  dens <- mean(y)
  k <- sum(y)
  nz <- w[w > 0]
  thr <- max(if (length(nz)) min(nz) else Inf, sort(w, decreasing = TRUE)[k])
  sel <- w >= thr & w > 0
  epr <- if (any(sel)) mean(y[sel]) / dens else 0
  o <- order(-w)
  yo <- y[o]
  ap <- sum(cumsum(yo)[yo] / which(yo)) / k  # average precision (ties broken by order)
  r <- rank(w)
  auroc <- (sum(r[y]) - k * (k + 1) / 2) / (k * (length(y) - k))
  c(EPR = epr, AUPRC_ratio = ap / dens, AUROC = auroc)
}

score <- function(g, truth) {
  ns <- asNamespace("grntorch")
  if (exists("evaluate_grn", envir = ns, inherits = FALSE)) {
    tr <- data.frame(from = truth$Gene1, to = truth$Gene2)
    ev <- get("evaluate_grn", envir = ns)(g, tr)
    # Ranked by the signed A instead of |A| (the reference's edge list is sorted by signed A).
    evs <- get("evaluate_grn", envir = ns)(g, tr, use = "score")
    # The issue's reference table uses AUPRC = average precision; BEELINE's trapezoid ratio is printed too.
    return(c(EPR = ev$epr, AUPRC_ratio = ev$average_precision / ev$density, AUROC = ev$auroc,
             trapezoid_ratio = ev$auprc_ratio, signed_EPR = evs$epr,
             signed_AUPRC_ratio = evs$average_precision / evs$density))
  }
  sc <- score_local(grn_edges(g), truth)
  c(sc, trapezoid_ratio = NA_real_, signed_EPR = NA_real_, signed_AUPRC_ratio = NA_real_)
}

scorer_name <- if (exists("evaluate_grn", envir = asNamespace("grntorch"), inherits = FALSE)) "evaluate_grn()" else "local scorer"
info <- grntorch_sitrep(verbose = FALSE)
cat(sprintf("DeepSEM bench: %d epochs, threads %d, lr_decay %g, alpha %s, beta %s, BLAS %s, LibTorch %s, scorer %s\n",
            epochs, threads, lr_decay, if (is.null(alpha)) "default" else alpha, if (is.null(beta)) "default" else beta,
            info$blas, info$torch_version, scorer_name))

saved <- list()
for (s in sets) {
  parts <- strsplit(s, ":")[[1]]
  path <- file.path(data_dir, "beeline", parts[1])
  mode <- if (length(parts) > 1) parts[2] else "celltype"
  t_read <- system.time({
    expr <- as.matrix(utils::read.csv(gzfile(file.path(path, "BL--ExpressionData.csv.gz")), row.names = 1, check.names = FALSE))
  })[["elapsed"]]
  tfs <- utils::read.csv(file.path(path, "TF.csv"))$TF
  truth <- utils::read.csv(file.path(path, "BL--network.csv"))
  cat(sprintf("\n== %s (%s): %d genes x %d cells, read in %.1f s\n", parts[1], mode, nrow(expr), ncol(expr), t_read))
  rows <- list()
  one_line <- function(seed, secs, tot, sc) {
    cat(sprintf("seed %3d: %.3f s/epoch, train %.1f s, total %.1f s, peak RSS %.0f MB, threads %d | EPR %.3f  AUPRC ratio %.3f (AP; trapezoid %.3f)  AUROC %.3f\n",
                seed, secs / epochs, secs, tot, peak_rss_mb(), threads, sc[["EPR"]], sc[["AUPRC_ratio"]],
                sc[["trapezoid_ratio"]], sc[["AUROC"]]))
    cat(sprintf("          ranked by signed score instead of |score|: EPR %.3f  AUPRC ratio %.3f\n",
                sc[["signed_EPR"]], sc[["signed_AUPRC_ratio"]]))
  }
  if (n_ens > 1 && all(seeds %in% seq_len(n_ens))) {
    # One ensemble of seeds 1..N with keep_runs = TRUE: its runs are the single
    # runs (same seeds, same code path), so the seeds are not trained twice.
    t0 <- proc.time()[["elapsed"]]
    g <- infer_grn(expr, deepsem(mode = mode, epochs = epochs, seed = 1, threads = threads, n_runs = n_ens, lr_decay = lr_decay,
                                 alpha = alpha, beta = beta, keep_runs = TRUE, precision = opt$precision),
                   tfs = tfs, verbose = FALSE)
    tot <- proc.time()[["elapsed"]] - t0
    fit <- igraph::graph_attr(g, "fit")
    saved[[parts[1]]] <- fit$runs
    if (nzchar(opt$save)) saveRDS(saved, opt$save)
    for (i in seq_len(n_ens)) {
      sc <- score(fit$runs[[i]], truth)
      rows[[length(rows) + 1]] <- c(seed = i, s_per_epoch = fit$seconds[i] / epochs, train_s = fit$seconds[i],
                                    total_s = fit$seconds[i], sc)
      one_line(i, fit$seconds[i], fit$seconds[i], sc)
    }
    m <- do.call(rbind, rows)
    summ <- function(mm, lab) {
      cat(sprintf("mean over %s (%d runs): EPR %.3f (se %.3f)  AUPRC ratio %.3f (se %.3f)  AUROC %.3f | train s %.1f (range %.1f-%.1f)\n",
                  lab, nrow(mm), mean(mm[, "EPR"]), stats::sd(mm[, "EPR"]) / sqrt(nrow(mm)), mean(mm[, "AUPRC_ratio"]),
                  stats::sd(mm[, "AUPRC_ratio"]) / sqrt(nrow(mm)), mean(mm[, "AUROC"]), mean(mm[, "train_s"]),
                  min(mm[, "train_s"]), max(mm[, "train_s"])))
    }
    summ(m[m[, "seed"] %in% seeds, , drop = FALSE], sprintf("seeds %s", paste(range(seeds), collapse = "-")))
    summ(m, sprintf("seeds 1-%d", n_ens))
    sc <- score(g, truth)
    cat(sprintf("ensemble of %d (seeds 1..%d): total %.1f s | EPR %.3f  AUPRC ratio %.3f  AUROC %.3f\n",
                n_ens, n_ens, tot, sc[["EPR"]], sc[["AUPRC_ratio"]], sc[["AUROC"]]))
    next
  }
  for (seed in seeds) {
    t0 <- proc.time()[["elapsed"]]
    g <- infer_grn(expr, deepsem(mode = mode, epochs = epochs, seed = seed, threads = threads, lr_decay = lr_decay,
                                     alpha = alpha, beta = beta, precision = opt$precision),
                   tfs = tfs, verbose = FALSE)
    tot <- proc.time()[["elapsed"]] - t0
    fit <- igraph::graph_attr(g, "fit")
    sc <- score(g, truth)
    rows[[length(rows) + 1]] <- c(seed = seed, s_per_epoch = fit$seconds / epochs, train_s = fit$seconds, total_s = tot, sc)
    one_line(seed, fit$seconds, tot, sc)
  }
  m <- do.call(rbind, rows)
  if (nrow(m) > 1) {
    cat(sprintf("mean over %d seeds: EPR %.3f (sd %.3f)  AUPRC ratio %.3f (sd %.3f)  AUROC %.3f | total s %.1f (range %.1f-%.1f)\n",
                nrow(m), mean(m[, "EPR"]), stats::sd(m[, "EPR"]), mean(m[, "AUPRC_ratio"]), stats::sd(m[, "AUPRC_ratio"]),
                mean(m[, "AUROC"]), mean(m[, "total_s"]), min(m[, "total_s"]), max(m[, "total_s"])))
  }
  if (n_ens > 1) {
    t0 <- proc.time()[["elapsed"]]
    g <- infer_grn(expr, deepsem(mode = mode, epochs = epochs, seed = 1, threads = threads, n_runs = n_ens, lr_decay = lr_decay,
                                     alpha = alpha, beta = beta, precision = opt$precision),
                   tfs = tfs, verbose = FALSE)
    tot <- proc.time()[["elapsed"]] - t0
    sc <- score(g, truth)
    cat(sprintf("ensemble of %d (seeds 1..%d): total %.1f s | EPR %.3f  AUPRC ratio %.3f  AUROC %.3f\n",
                n_ens, n_ens, tot, sc[["EPR"]], sc[["AUPRC_ratio"]], sc[["AUROC"]]))
  }
}
cat(sprintf("\npeak RSS of this R process: %.0f MB\n", peak_rss_mb()))
