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
#   ... Rscript bench/trees.R fit <dataset> <method> <seed> <dir>
#       One run of the side-by-side table, resumable (a finished run is
#       skipped): <method> (pearson, genie3, grnboost2, deepsem, infosem_b,
#       dazzle, regdiffusion; deepsem_ns and infosem_b_ns: mode = "nonspecific")
#       with its defaults on <dataset> (hHEP, mDC, mESC, mHSC-L; TFs+500) at
#       BENCH_THREADS, fitted once on the expression of the dataset (the
#       ground-truth folders of one dataset hold the same cells and genes;
#       regulators: the union of their TF lists) and scored in universe mode
#       (evaluate_grn(), tfs = that folder's TFs, as benchmark_grn() does) on
#       every ground-truth kind: specific, non-specific, STRING (and lofgof
#       for mESC).  Writes <dir>/<dataset>-<method>-s<seed>.csv (metrics,
#       seconds) and .rds (the edges).  Run many as lanes:
#         for d in ...; for m in ...; for s in 1 2 3: echo "$d $m $s" > jobs
#         xargs -P 2 -L 1 sh -c 'OMP_WAIT_POLICY=passive Rscript bench/trees.R fit "$0" "$1" "$2" DIR' < jobs
#   ... Rscript bench/trees.R summarise <dir> [seeds]
#       The table of every finished run: mean +- sd over seeds of EPR, AUPRC
#       ratio, AUROC and seconds, per dataset, ground-truth kind and method.
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

# ---- the side-by-side table, one resumable run at a time -------------------
kinds_of <- function(ds) {
  k <- c("specific", "non-specific", "string", "lofgof")
  k[file.exists(file.path(data_dir, "beeline", k, paste0(ds, "-tfs500")))]
}

if (part == "fit") {
  if (length(args) < 5) stop("usage: bench/trees.R fit <dataset> <method> <seed> <dir>")
  ds <- args[2]; mname <- args[3]; seed <- as.integer(args[4]); dir <- args[5]
  dir.create(dir, showWarnings = FALSE, recursive = TRUE)
  base <- file.path(dir, sprintf("%s-%s-s%d", ds, mname, seed))
  if (file.exists(paste0(base, ".csv"))) { cat("done already:", base, "\n"); quit(save = "no") }
  th <- as.integer(Sys.getenv("BENCH_THREADS", "1"))
  kinds <- kinds_of(ds)
  folders <- lapply(kinds, function(k) read_beeline(file.path(data_dir, "beeline", k, paste0(ds, "-tfs500")), splits = FALSE))
  names(folders) <- kinds
  expr <- folders[["string"]]$expression
  for (f in folders) stopifnot(setequal(rownames(f$expression), rownames(expr)), ncol(f$expression) == ncol(expr))
  tfs <- intersect(rownames(expr), Reduce(union, lapply(folders, `[[`, "tfs")))
  m <- switch(mname,
    pearson = "pearson",
    genie3 = genie3(seed = seed, threads = th),
    grnboost2 = grnboost2(seed = seed, threads = th),
    deepsem = deepsem(seed = seed, threads = th),
    deepsem_ns = deepsem(mode = "nonspecific", seed = seed, threads = th),
    dazzle = dazzle(seed = seed, threads = th),
    regdiffusion = regdiffusion(seed = seed, threads = th),
    infosem_b = , infosem_b_ns = {
      ed <- file.path(data_dir, "embeddings", "biobert-scgreat", paste0(ds, "-tfs500"))
      if (!dir.exists(ed)) stop("no embeddings for ", ds)
      emb <- read_embeddings(file.path(ed, "biovect768.npy"), row_names = file.path(ed, "biovect768_rownames.txt"), skip = 1)
      if (mname == "infosem_b") infosem(emb, seed = seed, threads = th) else infosem(emb, mode = "nonspecific", seed = seed, threads = th)
    },
    stop("unknown method ", mname))
  t0 <- proc.time()
  g <- infer_grn(expr, m, tfs = tfs, verbose = FALSE)
  dt <- proc.time() - t0
  secs <- dt[["elapsed"]]
  cpu <- sum(dt[c("user.self", "sys.self")])   # the run's own CPU time: not inflated by a paused or busy machine
  rows <- lapply(kinds, function(k) {
    f <- folders[[k]]
    ev <- suppressWarnings(evaluate_grn(g, f$truth, tfs = f$tfs, curves = FALSE))
    data.frame(dataset = ds, kind = k, method = mname, seed = seed, threads = th, epr = ev$epr,
               auprc_ratio = ev$auprc_ratio, auroc = ev$auroc, seconds = secs, cpu_seconds = cpu, n_edges = nrow(grn_edges(g)),
               load = round(unname(as.numeric(strsplit(readLines("/proc/loadavg"), " ")[[1]][1])), 2))
  })
  out <- do.call(rbind, rows)
  saveRDS(grn_edges(g), paste0(base, ".rds"))
  utils::write.csv(out, paste0(base, ".csv"), row.names = FALSE)
  print(out)
}

# Every finished run of <dir> for the given seeds, DeepSEM / InfoSEM-B in the
# loss mode that matches the ground truth, as in the DeepSEM paper:
# "celltype" against cell-type-specific ChIP-seq and lofgof, "nonspecific"
# against non-specific ChIP-seq and STRING.
read_runs <- function(dir, seeds) {
  x <- do.call(rbind, lapply(list.files(dir, "\\.csv$", full.names = TRUE), utils::read.csv))
  x <- x[x$seed %in% seeds, ]
  ns_kind <- x$kind %in% c("non-specific", "string")
  x <- x[!(x$method %in% c("deepsem", "infosem_b") & ns_kind) & !(x$method %in% c("deepsem_ns", "infosem_b_ns") & !ns_kind), ]
  x$method <- sub("_ns$", "", x$method)
  x
}
run_labels <- c(pearson = "Pearson", genie3 = "GENIE3", grnboost2 = "GRNBoost2", deepsem = "DeepSEM", infosem_b = "InfoSEM-B",
                dazzle = "DAZZLE", regdiffusion = "RegDiffusion")

if (part == "summarise") {
  dir <- args[2]
  seeds <- if (length(args) > 2) eval(parse(text = args[3])) else 1:3
  x <- read_runs(dir, seeds)
  label <- run_labels
  ms <- intersect(names(label), unique(x$method))
  pm <- function(v) if (length(v) > 1) sprintf("%.3f +- %.3f", mean(v), stats::sd(v)) else sprintf("%.3f", v)
  cat(sprintf("Seeds %s; mean +- sd over the seeds present (n); universe mode, evaluate_grn(tfs = the folder's TFs); time: the fit's own CPU seconds (user + system) at BENCH_THREADS = 1 (not counting time paused or waiting for a core); DeepSEM and InfoSEM-B with mode = \"celltype\" against specific ChIP-seq and lofgof, \"nonspecific\" against non-specific ChIP-seq and STRING\n\n",
              paste(range(seeds), collapse = "-")))
  cat("| dataset | ground truth | method | n | EPR | AUPRC ratio | AUROC | CPU s (1 thread) |\n|---|---|---|---|---|---|---|---|\n")
  for (ds in sort(unique(x$dataset))) for (k in c("specific", "non-specific", "string", "lofgof")) for (mn in ms) {
    r <- x[x$dataset == ds & x$kind == k & x$method == mn, ]
    if (!nrow(r)) next
    cat(sprintf("| %s | %s | %s | %d | %s | %s | %s | %.0f |\n", ds, k, label[[mn]], nrow(r), pm(r$epr), pm(r$auprc_ratio),
                pm(r$auroc), mean(r$cpu_seconds)))
  }
}

# ---- scale: per-target cost at 2,500 genes x 10,000 cells -------------------
#   ... Rscript bench/trees.R scale <model> [genes cells targets]
# A full GENIE3 run at this size takes about a day on 2 cores, so this times
# a random subset of targets (seed 1) of the same planted data as
# bench/scale.R (simulate_grn(), 20% TFs, seed 1) with the model's defaults
# at BENCH_THREADS: CPU and wall seconds per target, the peak RSS of the fit
# (VmHWM reset after the simulation), the full run extrapolated (targets are
# independent: time = per target x genes) and grn_resources()' prediction.
if (part == "scale") {
  model <- args[2]
  n_genes <- if (length(args) > 2) as.integer(args[3]) else 2500L
  n_cells <- if (length(args) > 3) as.integer(args[4]) else 10000L
  n_t <- if (length(args) > 4) as.integer(args[5]) else 4L
  th <- as.integer(Sys.getenv("BENCH_THREADS", "2"))
  sim <- simulate_grn(n_genes, n_cells, seed = 1)
  m <- switch(model, genie3 = genie3(seed = 1, threads = th), grnboost2 = grnboost2(seed = 1, threads = th), stop("genie3 or grnboost2"))
  plan <- grn_resources(sim$expression, m, tfs = sim$tfs)
  x <- sim$expression
  reg_idx <- match(sim$tfs, rownames(x))
  X <- t(x[reg_idx, ]); colnames(X) <- sprintf("r%d", seq_along(reg_idx))
  set.seed(1); ti <- sort(sample(nrow(x), n_t))
  fun <- if (model == "genie3") grntorch:::.genie3_chunk else grntorch:::.grnboost2_chunk
  gc(reset = TRUE)
  try(suppressWarnings(writeLines("5", "/proc/self/clear_refs")), silent = TRUE)
  t0 <- proc.time()
  o <- fun(X, x, reg_idx, ti, m$params, th, NULL)
  dt <- proc.time() - t0
  s <- readLines("/proc/self/status")
  peak <- as.numeric(gsub("[^0-9]", "", grep("^VmHWM", s, value = TRUE))) * 1024 / 2^30
  per_cpu <- sum(dt[c("user.self", "sys.self")]) / n_t
  per_wall <- dt[["elapsed"]] / n_t
  cat(sprintf("%s, %d genes x %d cells, %d regulators, %d thread(s), %d random targets%s\n", model, n_genes, n_cells,
              length(reg_idx), th, n_t, if (model == "grnboost2") sprintf(" (trees kept: %s)", paste(o$trees, collapse = ", ")) else ""))
  cat(sprintf("per target: %.1f s CPU, %.1f s wall; whole run extrapolated: %.1f h wall at %d thread(s) (%.1f CPU-hours)\n",
              per_cpu, per_wall, per_wall * n_genes / 3600, th, per_cpu * n_genes / 3600))
  cat(sprintf("peak RSS of the fit: %.2f GB (+ %.3f GB for the whole importance matrix)\n", peak, 8 * length(reg_idx) * n_genes / 2^30))
  cat(sprintf("grn_resources(): %.1f h, peak %.2f GB\n", plan$seconds / 3600, plan$peak / 2^30))
}

# The same runs as one row per dataset x ground truth, one column per method
# (EPR / AUPRC ratio, means over the seeds), and the mean CPU seconds per
# dataset: the table of ?grntorch and the benchmarking vignette.
#   ... Rscript bench/trees.R compact <dir> [seeds]
if (part == "compact") {
  dir <- args[2]
  seeds <- if (length(args) > 2) eval(parse(text = args[3])) else 1:3
  x <- read_runs(dir, seeds)
  label <- run_labels
  ms <- intersect(names(label), unique(x$method))
  cat(sprintf("| dataset, ground truth | %s |\n|---|%s\n", paste(label[ms], collapse = " | "), strrep("---|", length(ms))))
  for (ds in sort(unique(x$dataset))) for (k in c("specific", "non-specific", "string", "lofgof")) {
    r <- x[x$dataset == ds & x$kind == k, ]
    if (!nrow(r)) next
    cell <- vapply(ms, function(m) {
      v <- r[r$method == m, ]
      if (!nrow(v)) return("")
      best <- max(tapply(r$epr, r$method, mean))
      s <- sprintf("%.2f / %.2f", mean(v$epr), mean(v$auprc_ratio))
      if (mean(v$epr) == best) paste0("**", s, "**") else s
    }, "")
    cat(sprintf("| %s, %s | %s |\n", ds, k, paste(cell, collapse = " | ")))
  }
  for (ds in sort(unique(x$dataset))) {
    r <- x[x$dataset == ds, ]
    cell <- vapply(ms, function(m) { v <- unique(r[r$method == m, c("seed", "cpu_seconds")]); if (nrow(v)) sprintf("%.0f", mean(v$cpu_seconds)) else "" }, "")
    cat(sprintf("| %s, CPU seconds | %s |\n", ds, paste(cell, collapse = " | ")))
  }
}
