# GENIE3 and GRNBoost2 against their references (issue 35).
#
#   OMP_WAIT_POLICY=passive R_LIBS=<lib with GENIE3> Rscript bench/trees.R check [folders]
#       genie3() vs the aertslab GENIE3 (R/C): two runs of each (seeds 1, 2) on
#       each folder (default specific/mESC,specific/mDC, TFs+500) on a fixed
#       random subset of BENCH_TARGETS targets (default 20; seed
#       BENCH_TARGET_SEED, default 1), all regulators: Spearman correlation of
#       the edge weights (every regulator x subset-target pair but the
#       self-pairs) ours vs reference beside reference vs reference, EPR /
#       AUPRC ratio of every run on those pairs, and seconds per target of
#       both (interleaved ref, ours, ref, ours; BENCH_THREADS, default 1).
#   ... Rscript bench/trees.R arboreto [folders]
#       grnboost2() vs arboreto's GRNBoost2 (Debian's python3, scikit-learn,
#       dask; arboreto from its git snapshot in ARBORETO_PATH, default
#       /tmp/arboreto) as for `check` (arboreto's core.create_graph() on the
#       same target subset).
#   ... Rscript bench/trees.R table [folders] [seeds]
#       benchmark_grn(): Pearson, GENIE3, GRNBoost2, DeepSEM, universe mode.
#
# The reference GENIE3 is not a dependency of grntorch: install it from its
# source (github.com/aertslab/GENIE3) into a private library for this check.
args <- commandArgs(TRUE)
part <- if (length(args)) args[1] else "check"
suppressPackageStartupMessages(library(grntorch))
data_dir <- normalizePath(Sys.getenv("GRNTORCH_SHARED_DATA", file.path("..", "shared", "data")), mustWork = TRUE)
folder <- function(key) file.path(data_dir, "beeline", paste0(key, "-tfs500"))
threads_env <- as.integer(Sys.getenv("BENCH_THREADS", "1"))

load <- function(key) {
  d <- read_beeline(folder(key), splits = FALSE)
  x <- d$expression
  x <- x[apply(x, 1, stats::var) > 0, , drop = FALSE]
  tfs <- intersect(d$tfs, rownames(x))
  list(x = x, tfs = tfs, truth = d$truth, key = key)
}

# Weight matrix regulators x genes of a grntorch network (0 where no edge).
as_mat <- function(g, regs, genes) {
  e <- grn_edges(g)
  m <- matrix(0, length(regs), length(genes), dimnames = list(regs, genes))
  m[cbind(match(e$from, regs), match(e$to, genes))] <- e$weight
  m
}
# Spearman over every regulator x target pair but the self-pairs.
spear <- function(a, b) {
  a <- a[rownames(b), colnames(b)]
  off <- outer(rownames(b), colnames(b), `!=`)
  stats::cor(a[off], b[off], method = "spearman")
}
ev <- function(m, d) {
  r <- evaluate_grn(m, d$truth, tfs = d$tfs, curves = FALSE)
  c(epr = r$epr, auprc_ratio = r$auprc_ratio)
}
ref_genie3 <- function(d, seed, targets = NULL) {
  set.seed(seed)
  w <- GENIE3::GENIE3(d$x, regulators = d$tfs, targets = targets, nCores = 1)
  w[d$tfs, if (is.null(targets)) rownames(d$x) else targets, drop = FALSE]
}

# A fixed random subset of targets (seed 1), the regulators x cells matrix of
# the regulators, and the labelled pairs regulator x subset target (pairs mode
# of evaluate_grn(): EPR and AUPRC ratio on exactly the pairs both methods scored).
subset_targets <- function(d, n_t) {
  set.seed(as.integer(Sys.getenv("BENCH_TARGET_SEED", "1")))
  targets <- sort(sample(rownames(d$x), min(n_t, nrow(d$x))))
  reg_idx <- match(d$tfs, rownames(d$x))
  X <- t(d$x[reg_idx, ]); colnames(X) <- sprintf("r%d", seq_along(reg_idx))
  pairs <- expand.grid(from = d$tfs, to = targets, stringsAsFactors = FALSE)
  pairs <- pairs[pairs$from != pairs$to, ]
  tk <- paste(toupper(d$truth$from), toupper(d$truth$to))
  pairs$label <- as.integer(paste(toupper(pairs$from), toupper(pairs$to)) %in% tk)
  list(targets = targets, ti = match(targets, rownames(d$x)), reg_idx = reg_idx, X = X, pairs = pairs)
}
ev_pairs <- function(m, s) {
  r <- evaluate_grn(m, s$pairs, missing = 0, curves = FALSE)
  c(epr = r$epr, auprc_ratio = r$auprc_ratio)
}
spear_sub <- function(a, b, s) {
  off <- outer(rownames(a), s$targets, `!=`)
  stats::cor(a[, s$targets][off], b[, s$targets][off], method = "spearman")
}
timed <- function(e) { t0 <- proc.time()[["elapsed"]]; v <- e; list(v = v, s = proc.time()[["elapsed"]] - t0) }
report <- function(key, d, s, ref, ours, tr, to, what) {
  er <- sapply(ref, ev_pairs, s = s); eo <- sapply(ours, ev_pairs, s = s)
  cat(sprintf("| %s | %d x %d, %d regulators, %d targets | %.3f, %.3f | %.3f | %.3f | %.2f, %.2f | %.2f, %.2f | %.2f, %.2f | %.2f, %.2f | %.2f, %.2f / %.2f, %.2f | %.2f, %.2f |\n",
              key, nrow(d$x), ncol(d$x), length(d$tfs), length(s$targets),
              spear_sub(ours[[1]], ref[[1]], s), spear_sub(ours[[2]], ref[[2]], s), spear_sub(ref[[1]], ref[[2]], s),
              spear_sub(ours[[1]], ours[[2]], s), er["epr", 1], er["epr", 2], eo["epr", 1], eo["epr", 2],
              er["auprc_ratio", 1], er["auprc_ratio", 2], eo["auprc_ratio", 1], eo["auprc_ratio", 2],
              tr[1] / length(s$targets), tr[2] / length(s$targets), to[1] / length(s$targets), to[2] / length(s$targets),
              tr[1] / to[1], tr[2] / to[2]))
}
header <- function(ref) cat(sprintf("| folder | size | ours vs %s (Spearman, seeds 1, 2) | %s vs %s | ours vs ours | EPR %s | EPR ours | AUPRC ratio %s | AUPRC ratio ours | s/target %s / ours | speed-up |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
                                ref, ref, ref, ref, ref, ref))
n_targets <- as.integer(Sys.getenv("BENCH_TARGETS", "20"))

if (part == "check") {
  if (!requireNamespace("GENIE3", quietly = TRUE)) stop("install the reference GENIE3 into a library on R_LIBS")
  keys <- strsplit(if (length(args) > 1) args[2] else "specific/mESC,specific/mDC", ",")[[1]]
  cat(sprintf("GENIE3 defaults (1,000 trees, K = sqrt), %d thread(s) each, %d random targets (seed %s) per folder; runs interleaved ref, ours, ref, ours\n\n",
              threads_env, n_targets, Sys.getenv("BENCH_TARGET_SEED", "1")))
  header("ref")
  for (key in keys) {
    d <- load(key)
    s <- subset_targets(d, n_targets)
    ref <- ours <- list(); tr <- to <- numeric(2)
    for (sd in 1:2) {
      r <- timed({
        set.seed(sd)
        GENIE3::GENIE3(d$x, regulators = d$tfs, targets = s$targets, nCores = threads_env)
      })
      m <- matrix(0, length(d$tfs), nrow(d$x), dimnames = list(d$tfs, rownames(d$x)))
      m[, s$targets] <- r$v[d$tfs, s$targets]
      ref[[sd]] <- m; tr[sd] <- r$s
      p <- genie3(seed = sd, threads = threads_env)$params
      o <- timed(grntorch:::.genie3_chunk(s$X, d$x, s$reg_idx, s$ti, p, threads_env, NULL))
      m[] <- 0
      m[, s$targets] <- o$v$imp
      ours[[sd]] <- m; to[sd] <- o$s
    }
    report(key, d, s, ref, ours, tr, to)
  }
}

if (part == "arboreto") {
  keys <- strsplit(if (length(args) > 1) args[2] else "specific/mESC,specific/mDC", ",")[[1]]
  arb <- Sys.getenv("ARBORETO_PATH", "/tmp/arboreto")
  py <- Sys.getenv("BENCH_PYTHON", "/usr/bin/python3")
  cat(sprintf("arboreto GRNBoost2 (scikit-learn, dask LocalCluster of 1 worker x %d thread(s)) vs grnboost2() (%d thread(s)), %d random targets (seed 1) per folder; interleaved\n\n", threads_env, threads_env, n_targets))
  header("arboreto")
  for (key in keys) {
    d <- load(key)
    s <- subset_targets(d, n_targets)
    tmp <- tempfile(fileext = ".tsv")
    utils::write.table(t(d$x), tmp, sep = "\t", quote = FALSE, row.names = FALSE)
    tff <- tempfile(); writeLines(d$tfs, tff)
    tgf <- tempfile(); writeLines(s$targets, tgf)
    ref <- ours <- list(); tr <- to <- numeric(2)
    for (sd in 1:2) {
      out <- tempfile(fileext = ".tsv")
      code <- sprintf(paste(
        "import sys, time; sys.path.insert(0, '%s')",
        "import pandas as pd",
        "from distributed import Client, LocalCluster",
        "from arboreto.core import create_graph, SGBM_KWARGS",
        "if __name__ == '__main__':",
        "    ex = pd.read_csv('%s', sep='\\t'); tfs = [l.strip() for l in open('%s')]; tg = [l.strip() for l in open('%s')]",
        "    c = Client(LocalCluster(n_workers=1, threads_per_worker=%d, processes=False))",
        "    t0 = time.time()",
        "    g = create_graph(ex.values, list(ex.columns), tfs, 'GBM', SGBM_KWARGS, c, target_genes=tg, seed=%d)",
        "    net = c.compute(g, sync=True); print('SECONDS', time.time() - t0)",
        "    net.to_csv('%s', sep='\\t', index=False); c.close()", sep = "\n"), arb, tmp, tff, tgf, threads_env, sd, out)
      pyf <- tempfile(fileext = ".py"); writeLines(code, pyf)
      res <- system2(py, pyf, stdout = TRUE, stderr = FALSE)
      tr[sd] <- as.numeric(sub("SECONDS ", "", grep("^SECONDS", res, value = TRUE)))
      net <- utils::read.delim(out)
      m <- matrix(0, length(d$tfs), nrow(d$x), dimnames = list(d$tfs, rownames(d$x)))
      m[cbind(match(net$TF, d$tfs), match(net$target, rownames(d$x)))] <- net$importance
      ref[[sd]] <- m
      p <- grnboost2(seed = sd, threads = threads_env)$params
      o <- timed(grntorch:::.grnboost2_chunk(s$X, d$x, s$reg_idx, s$ti, p, threads_env, NULL))
      m[] <- 0
      m[, s$targets] <- o$v$imp
      ours[[sd]] <- m; to[sd] <- o$s
    }
    report(key, d, s, ref, ours, tr, to)
  }
}

if (part == "table") {
  keys <- strsplit(if (length(args) > 1) args[2] else
    "specific/hHEP,specific/mDC,specific/mESC,specific/mHSC-L", ",")[[1]]
  seeds <- if (length(args) > 2) eval(parse(text = args[3])) else 1
  th <- as.integer(Sys.getenv("BENCH_THREADS", "2"))
  ds <- lapply(keys, function(k) { d <- read_beeline(folder(k), splits = FALSE); d$name <- k; d })
  names(ds) <- keys
  g3_trees <- as.integer(Sys.getenv("BENCH_GENIE3_TREES", "1000"))  # fewer trees when time is short (say so)
  methods <- list(Pearson = "pearson", GENIE3 = genie3(trees = g3_trees, threads = th), GRNBoost2 = grnboost2(threads = th),
                  DeepSEM = deepsem(threads = th))
  only <- Sys.getenv("BENCH_METHODS", "")
  if (nzchar(only)) methods <- methods[strsplit(only, ",")[[1]]]
  res <- benchmark_grn(ds, methods, schemes = "universe", seeds = seeds, verbose = FALSE)
  saveRDS(res, sprintf("/tmp/trees-table-%s.rds", gsub("[^A-Za-z0-9]", "_", paste(names(methods), collapse = "-"))))
  s <- stats::aggregate(value ~ dataset + method + metric, data = as.data.frame(unclass(res)), FUN = mean)
  tm <- stats::aggregate(seconds ~ dataset + method, data = unique(as.data.frame(unclass(res))[, c("dataset", "method", "seed", "seconds")]), FUN = mean)
  cat("| folder | method | EPR | AUPRC ratio | AUROC | seconds |\n|---|---|---|---|---|---|\n")
  for (k in keys) for (mn in names(methods)) {
    v <- function(mt) s$value[s$dataset == k & s$method == mn & s$metric == mt]
    cat(sprintf("| %s | %s | %.3f | %.3f | %.3f | %.1f |\n", k, mn, v("epr"), v("auprc_ratio"), v("auroc"),
                tm$seconds[tm$dataset == k & tm$method == mn]))
  }
}
