# GENIE3 and GRNBoost2 against their references (issue 35).
#
#   OMP_WAIT_POLICY=passive R_LIBS=<lib with GENIE3> Rscript bench/trees.R check [folders]
#       genie3() vs the aertslab GENIE3 (R/C): two runs of each (seeds 1, 2) on
#       each folder (default specific/mHSC-L,specific/mDC, TFs+500), Spearman
#       correlation of the edge weights (every regulator x target pair but the
#       self-pairs) ours vs reference beside reference vs reference, and EPR /
#       AUPRC ratio of every run against the folder's ground truth.
#   ... Rscript bench/trees.R speed [folder] [n_targets] [threads]
#       time per target of genie3() and of the reference on one fixed random
#       subset of targets (seed 1; default mESC, 100 targets, 1 thread),
#       interleaved ref, ours, ref, ours; and genie3() through infer_grn() on
#       every target.
#   ... Rscript bench/trees.R arboreto [folders]
#       grnboost2() vs arboreto's GRNBoost2 (Debian's python3, scikit-learn,
#       dask; arboreto from its git snapshot in ARBORETO_PATH, default
#       /tmp/arboreto) as for `check`.
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

if (part == "check") {
  if (!requireNamespace("GENIE3", quietly = TRUE)) stop("install the reference GENIE3 into a library on R_LIBS")
  keys <- strsplit(if (length(args) > 1) args[2] else "specific/mHSC-L,specific/mDC", ",")[[1]]
  cat("| folder | genes x cells, regulators | ours vs ref (Spearman) | ref vs ref | ours vs ours | EPR ref (s1, s2) | EPR ours (s1, s2) | AUPRC ratio ref | AUPRC ratio ours | time ref / ours (s, 1 thread) |\n|---|---|---|---|---|---|---|---|---|---|\n")
  for (key in keys) {
    d <- load(key)
    tr <- to <- list()
    ref <- ours <- list()
    for (s in 1:2) {
      t0 <- proc.time()[["elapsed"]]; ref[[s]] <- ref_genie3(d, s); tr[[s]] <- proc.time()[["elapsed"]] - t0
      t0 <- proc.time()[["elapsed"]]
      g <- infer_grn(d$x, genie3(seed = s, threads = 1), tfs = d$tfs, verbose = FALSE)
      to[[s]] <- proc.time()[["elapsed"]] - t0
      ours[[s]] <- as_mat(g, d$tfs, rownames(d$x))
    }
    er <- sapply(ref, ev, d = d); eo <- sapply(ours, ev, d = d)
    cat(sprintf("| %s | %d x %d, %d | %.3f, %.3f | %.3f | %.3f | %.3f, %.3f | %.3f, %.3f | %.3f, %.3f | %.3f, %.3f | %.0f, %.0f / %.0f, %.0f |\n",
                key, nrow(d$x), ncol(d$x), length(d$tfs), spear(ours[[1]], ref[[1]]), spear(ours[[2]], ref[[2]]),
                spear(ref[[1]], ref[[2]]), spear(ours[[1]], ours[[2]]), er["epr", 1], er["epr", 2], eo["epr", 1], eo["epr", 2],
                er["auprc_ratio", 1], er["auprc_ratio", 2], eo["auprc_ratio", 1], eo["auprc_ratio", 2],
                tr[[1]], tr[[2]], to[[1]], to[[2]]))
  }
}

if (part == "speed") {
  if (!requireNamespace("GENIE3", quietly = TRUE)) stop("install the reference GENIE3 into a library on R_LIBS")
  key <- if (length(args) > 1) args[2] else "specific/mESC"
  n_t <- if (length(args) > 2) as.integer(args[3]) else 100L
  th <- if (length(args) > 3) as.integer(args[4]) else 1L
  d <- load(key)
  set.seed(1)
  targets <- sort(sample(rownames(d$x), n_t))
  ti <- match(targets, rownames(d$x))
  reg_idx <- match(d$tfs, rownames(d$x))
  X <- t(d$x[reg_idx, ]); colnames(X) <- sprintf("r%d", seq_along(reg_idx))
  p <- genie3(seed = 1, threads = th)$params
  cat(sprintf("%s: %d genes x %d cells, %d regulators; %d random targets (seed 1); %d thread(s)\n",
              key, nrow(d$x), ncol(d$x), length(d$tfs), n_t, th))
  for (rep in 1:2) {
    t0 <- proc.time()[["elapsed"]]
    if (th == 1) ref_genie3(d, rep, targets) else {
      set.seed(rep); GENIE3::GENIE3(d$x, regulators = d$tfs, targets = targets, nCores = th)
    }
    t_ref <- proc.time()[["elapsed"]] - t0
    t0 <- proc.time()[["elapsed"]]
    grntorch:::.genie3_chunk(X, d$x, reg_idx, ti, p, th, NULL)
    t_ours <- proc.time()[["elapsed"]] - t0
    cat(sprintf("rep %d: reference %.1f s (%.3f s/target), genie3() %.1f s (%.3f s/target): %.2fx\n",
                rep, t_ref, t_ref / n_t, t_ours, t_ours / n_t, t_ref / t_ours))
  }
  t0 <- proc.time()[["elapsed"]]
  g <- infer_grn(d$x, genie3(seed = 1, threads = th), tfs = d$tfs, verbose = FALSE)
  cat(sprintf("genie3() through infer_grn() on all %d targets: %.1f s; grn_resources() predicts %.1f s\n",
              nrow(d$x), proc.time()[["elapsed"]] - t0,
              grn_resources(d$x, genie3(seed = 1, threads = th), tfs = d$tfs)$seconds))
  t0 <- proc.time()[["elapsed"]]
  g <- infer_grn(d$x, grnboost2(seed = 1, threads = th), tfs = d$tfs, verbose = FALSE)
  cat(sprintf("grnboost2() through infer_grn() on all %d targets: %.1f s (trees kept: median %d, range %d-%d); grn_resources() predicts %.1f s\n",
              nrow(d$x), proc.time()[["elapsed"]] - t0, as.integer(stats::median(grn_fit(g)$info$trees_used)),
              min(grn_fit(g)$info$trees_used), max(grn_fit(g)$info$trees_used),
              grn_resources(d$x, grnboost2(seed = 1, threads = th), tfs = d$tfs)$seconds))
}

if (part == "arboreto") {
  keys <- strsplit(if (length(args) > 1) args[2] else "specific/mHSC-L,specific/mDC", ",")[[1]]
  arb <- Sys.getenv("ARBORETO_PATH", "/tmp/arboreto")
  py <- Sys.getenv("BENCH_PYTHON", "/usr/bin/python3")
  cat("| folder | ours vs arboreto (Spearman) | arboreto vs arboreto | ours vs ours | EPR arboreto (s1, s2) | EPR ours (s1, s2) | AUPRC ratio arboreto | AUPRC ratio ours | time arboreto / ours (s) |\n|---|---|---|---|---|---|---|---|---|\n")
  for (key in keys) {
    d <- load(key)
    tmp <- tempfile(fileext = ".tsv")
    utils::write.table(t(d$x), tmp, sep = "\t", quote = FALSE, row.names = FALSE)
    tff <- tempfile(); writeLines(d$tfs, tff)
    ref <- ours <- tr <- to <- list()
    for (s in 1:2) {
      out <- tempfile(fileext = ".tsv")
      code <- sprintf(paste(
        "import sys, time; sys.path.insert(0, '%s')",
        "import pandas as pd",
        "from distributed import Client, LocalCluster",
        "from arboreto.algo import grnboost2",
        "if __name__ == '__main__':",
        "    ex = pd.read_csv('%s', sep='\\t'); tfs = [l.strip() for l in open('%s')]",
        "    c = Client(LocalCluster(n_workers=1, threads_per_worker=%d, processes=False))",
        "    t0 = time.time(); net = grnboost2(ex, tf_names=tfs, client_or_address=c, seed=%d); print('SECONDS', time.time() - t0)",
        "    net.to_csv('%s', sep='\\t', index=False); c.close()", sep = "\n"), arb, tmp, tff, threads_env, s, out)
      pyf <- tempfile(fileext = ".py"); writeLines(code, pyf)
      res <- system2(py, pyf, stdout = TRUE, stderr = FALSE)
      tr[[s]] <- as.numeric(sub("SECONDS ", "", grep("^SECONDS", res, value = TRUE)))
      net <- utils::read.delim(out)
      m <- matrix(0, length(d$tfs), nrow(d$x), dimnames = list(d$tfs, rownames(d$x)))
      m[cbind(match(net$TF, d$tfs), match(net$target, rownames(d$x)))] <- net$importance
      ref[[s]] <- m
      t0 <- proc.time()[["elapsed"]]
      g <- infer_grn(d$x, grnboost2(seed = s, threads = threads_env), tfs = d$tfs, verbose = FALSE)
      to[[s]] <- proc.time()[["elapsed"]] - t0
      ours[[s]] <- as_mat(g, d$tfs, rownames(d$x))
    }
    er <- sapply(ref, ev, d = d); eo <- sapply(ours, ev, d = d)
    cat(sprintf("| %s | %.3f, %.3f | %.3f | %.3f | %.3f, %.3f | %.3f, %.3f | %.3f, %.3f | %.3f, %.3f | %.0f, %.0f / %.0f, %.0f |\n",
                key, spear(ours[[1]], ref[[1]]), spear(ours[[2]], ref[[2]]), spear(ref[[1]], ref[[2]]), spear(ours[[1]], ours[[2]]),
                er["epr", 1], er["epr", 2], eo["epr", 1], eo["epr", 2], er["auprc_ratio", 1], er["auprc_ratio", 2],
                eo["auprc_ratio", 1], eo["auprc_ratio", 2], tr[[1]], tr[[2]], to[[1]], to[[2]]))
  }
}

if (part == "table") {
  keys <- strsplit(if (length(args) > 1) args[2] else
    "specific/hHEP,specific/mDC,specific/mESC,specific/mHSC-L", ",")[[1]]
  seeds <- if (length(args) > 2) eval(parse(text = args[3])) else 1
  th <- as.integer(Sys.getenv("BENCH_THREADS", "2"))
  ds <- lapply(keys, function(k) { d <- read_beeline(folder(k), splits = FALSE); d$name <- k; d })
  names(ds) <- keys
  methods <- list(Pearson = "pearson", GENIE3 = genie3(threads = th), GRNBoost2 = grnboost2(threads = th),
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
