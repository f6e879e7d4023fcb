# Tree ensembles per target gene: GENIE3 (random forests, 'ranger') and
# GRNBoost2 (stochastic gradient boosting with early stopping, 'lightgbm').
# Everything these two models need lives in this file: constructors,
# validation, the per-target runner (BPPARAM fan-out, progress, interrupt)
# and the planners (.plan_genie3(), .plan_grnboost2()).

#' GENIE3: random forests per target gene
#'
#' GENIE3 (Huynh-Thu et al. 2010) regresses each target gene on the
#' expression of the candidate regulators with a random forest and scores
#' regulator -> target by the regulator's importance in that forest.  This is
#' the algorithm of the Bioconductor / aertslab reference with its defaults:
#' `trees = 1000` fully grown regression trees on bootstrap samples, `K =
#' "sqrt"` candidate regulators tried at each split (`round(sqrt(p))` of the
#' `p` regulators of that target; a target that is itself a regulator is left
#' out of its own regulators), importance = the total decrease in node
#' impurity (variance), normalised to sum to 1 over each target's regulators.
#' The forests are grown by the 'ranger' package (C++, threaded), which is
#' needed (`Suggests`; `install.packages("ranger")` or Debian's
#' `r-cran-ranger`).  Scores are non-negative (no sign).
#'
#' **Parallel.** Each forest grows its trees on `threads` threads.  With
#' `BPPARAM` (a BiocParallel back-end, e.g. `MulticoreParam(4)` or a
#' `BatchtoolsParam` on a cluster) the targets are split in chunks spread
#' over the workers, each growing its forests on `threads` threads (one in
#' the workers of a forking back-end).  The network does not depend on
#' `threads`, `BPPARAM` or the chunks: target `i` (in the order of the
#' genes) is fitted with seed `seed + i - 1`.
#'
#' **Speed.** 'ranger' grows the same trees as the reference's C code at
#' about the same cost: on BEELINE mESC (1,120 genes x 421 cells, 627
#' regulators, 10 random targets, one thread each, interleaved runs on an idle
#' machine) it took 2.9-3.2 s per target against the reference's 3.6-3.7 s,
#' 1.2x (`bench/results/trees.md`; exact forests on 'ranger' cannot do much
#' better: most of the time is its split search).
#' What it adds is parallelism without 'doParallel' / 'doRNG': threads within
#' each forest and `BPPARAM` over targets (a cluster through
#' `BatchtoolsParam`), with the same network whatever the split.  A forest
#' keeps no trees (`write.forest = FALSE`), so memory stays small.
#' With `threads` > 1, Ctrl-C takes effect when the current target's forest
#' is grown (seconds at BEELINE's size): 'ranger' on several threads can
#' deadlock on an interrupt, so it is held until then.
#' [grn_resources()] predicts time and memory.
#'
#' @param trees number of trees per target (1,000 as GENIE3).
#' @param K candidate regulators tried at each split: `"sqrt"` (GENIE3's
#'   default, `round(sqrt(p))`), `"all"` (`p`: bagged trees), or a whole
#'   number from 1 to the number of regulators (capped at `p` for a target
#'   that is itself a regulator).
#' @param min_node_size nodes with fewer cells are not split (1: fully grown
#'   trees, as GENIE3).
#' @templateVar seed_of the first target (target `i` uses `seed + i - 1`)
#' @templateVar seed_note whatever `threads` and `BPPARAM`
#' @template param-seed
#' @template param-threads
#' @param BPPARAM optional `BiocParallel` back-end over which chunks of
#'   targets are spread (see Details).
#' @template param-dots
#' @return A `grn_method` parameter object for [infer_grn()].  The graph's
#'   attribute `fit` holds `seed`, `threads` and `seconds`.
#' @section Errors:
#' Bad input is an error of class `grntorch_argument_error` naming the
#' argument: `trees` < 1, `K` not `"sqrt"`, `"all"` or a whole number >= 1,
#' `K` larger than the number of regulators, fewer than 3 cells (`x`).  A
#' missing 'ranger' is an error of class `grntorch_missing_package` that says
#' how to install it.
#' @references Huynh-Thu V.A., Irrthum A., Wehenkel L., Geurts P. (2010)
#'   Inferring regulatory networks from expression data using tree-based
#'   methods. *PLoS ONE* 5(9), e12776.
#'
#'   Wright M.N., Ziegler A. (2017) ranger: a fast implementation of random
#'   forests for high dimensional data in C++ and R. *J. Stat. Softw.* 77(1).
#' @seealso [grnboost2()], [infer_grn()], [benchmark_grn()]
#' @examples
#' if (requireNamespace("ranger", quietly = TRUE)) {
#'   ex <- grntorch_example()
#'   genes <- unique(c(head(ex$tfs, 20), rownames(ex$expression)[1:40]))
#'   g <- infer_grn(ex$expression[genes, 1:150], genie3(trees = 100, seed = 1, threads = 1),
#'                  tfs = ex$tfs, top = 100, verbose = FALSE)
#'   head(grn_edges(g), 3)
#' }
#' @export
genie3 <- function(trees = 1000, K = "sqrt", min_node_size = 1, seed = NULL, threads = NULL, BPPARAM = NULL, ...) {
  .check_dots("genie3", ...)
  params <- list(
    trees = .check_scalar_int(trees, "trees", min = 1, max = 1e7),
    K = .check_trees_K(K),
    min_node_size = .check_scalar_int(min_node_size, "min_node_size", min = 1, max = 1e7),
    seed = as.numeric(.check_seed(seed)),   # a double: seed + i - 1 never overflows
    threads = .resolve_threads(threads)
  )
  m <- new_grn_method("genie3", params = params, subclass = "grn_genie3", label = "GENIE3")
  m$BPPARAM <- .check_trees_bpparam(BPPARAM)
  m
}

#' GRNBoost2: gradient boosting per target gene with early stopping
#'
#' GRNBoost2 (Moerman et al. 2019; arboreto, the engine of pySCENIC)
#' regresses each target gene on the candidate regulators with stochastic
#' gradient boosting of shallow trees and scores regulator -> target by the
#' regulator's total gain.  arboreto's recipe and defaults: learning rate
#' 0.01, up to 5,000 trees of depth at most 3 using a random 10% of the
#' regulators (`max_features = 0.1`), each tree fitted on a random 90% of the
#' cells (`subsample = 0.9`), early stopping when 25 trees
#' in a row brought no improvement; importance = the gain of each regulator's
#' splits, normalised to sum to 1 over the target's regulators and multiplied
#' by the number of trees kept (as arboreto does, so targets that needed many
#' trees weigh more).  A target that is itself a regulator is left out of its
#' own regulators.
#'
#' The boosting runs on 'lightgbm' (`Suggests`; `install.packages("lightgbm")`;
#' chosen over 'xgboost' for its fast histogram trees and its stable R API;
#' neither is in Debian).  Two differences from arboreto, both forced by
#' the library or by speed:
#' * arboreto stops on scikit-learn's out-of-bag improvement, which
#'   'lightgbm' does not expose; here a random `holdout` share of the cells
#'   (10%, drawn once per network from `seed`) is kept out of training and
#'   boosting stops when its squared error has not improved for `early_stop`
#'   trees (the trees up to the best one are kept);
#' * scikit-learn draws the `max_features` share of regulators afresh at
#'   every split; here it is drawn once per tree (`feature_fraction`):
#'   'lightgbm''s per-split sampling builds histograms of every regulator and
#'   was 7x slower per tree on BEELINE mESC.
#'
#' **Against arboreto** (`bench/trees.R arboreto`, BEELINE mESC and mDC, 15
#' random targets each, seeds 1 and 2): boosting with early stopping is
#' noisy, and arboreto agrees with itself at Spearman 0.59 (mESC) and 0.72
#' (mDC); `grnboost2()` agrees with arboreto at 0.48-0.57 and 0.60 and with
#' itself at 0.46 and 0.54; EPR and AUPRC ratio lie within arboreto's seed
#' spread (mESC AUPRC ratio 1.25-1.35 against 1.30-1.41); it ran 1.2-2.4x
#' faster per target on one thread.  See `bench/results/trees.md`.
#'
#' **Parallel and seeds** as [genie3()]: `threads` per model, `BPPARAM`
#' spreads chunks of targets; target `i` uses seed `seed + i - 1`, so the
#' network does not depend on `BPPARAM` or the chunks.
#'
#' @param learning_rate shrinkage (0.01).
#' @param max_trees most trees per target (5,000).
#' @param early_stop stop after this many trees without improvement of the
#'   held-out error (25).
#' @param max_features share of the regulators tried at each split (0.1).
#' @param subsample share of the training cells each tree is fitted on (0.9).
#' @param max_depth depth of the trees (3).
#' @param holdout share of the cells held out for early stopping (0.1);
#'   at least one cell.
#' @inheritParams genie3
#' @return A `grn_method` parameter object for [infer_grn()].  The graph's
#'   attribute `fit` holds `trees_used` (trees kept per target), `seed`,
#'   `threads` and `seconds`.
#' @section Errors:
#' As [genie3()]: bad numbers name their argument (class
#' `grntorch_argument_error`), fewer than 3 cells is an error naming `x`, a
#' missing 'lightgbm' an error of class `grntorch_missing_package`.
#' @references Moerman T. et al. (2019) GRNBoost2 and Arboreto: efficient and
#'   scalable inference of gene regulatory networks. *Bioinformatics* 35(12),
#'   2159-2161.
#' @seealso [genie3()], [infer_grn()], [benchmark_grn()]
#' @examples
#' if (requireNamespace("lightgbm", quietly = TRUE)) {
#'   ex <- grntorch_example()
#'   genes <- unique(c(head(ex$tfs, 20), rownames(ex$expression)[1:40]))
#'   g <- infer_grn(ex$expression[genes, 1:150], grnboost2(max_trees = 200, seed = 1, threads = 1),
#'                  tfs = ex$tfs, top = 100, verbose = FALSE)
#'   head(grn_edges(g), 3)
#' }
#' @export
grnboost2 <- function(learning_rate = 0.01, max_trees = 5000, early_stop = 25, max_features = 0.1, subsample = 0.9,
                      max_depth = 3, holdout = 0.1, seed = NULL, threads = NULL, BPPARAM = NULL, ...) {
  .check_dots("grnboost2", ...)
  params <- list(
    learning_rate = .check_scalar_num(learning_rate, "learning_rate", min = 0, max = 1, open_min = TRUE),
    max_trees = .check_scalar_int(max_trees, "max_trees", min = 1, max = 1e6),
    early_stop = .check_scalar_int(early_stop, "early_stop", min = 1, max = 1e6),
    max_features = .check_scalar_num(max_features, "max_features", min = 0, max = 1, open_min = TRUE),
    subsample = .check_scalar_num(subsample, "subsample", min = 0, max = 1, open_min = TRUE),
    max_depth = .check_scalar_int(max_depth, "max_depth", min = 1, max = 30),
    holdout = .check_scalar_num(holdout, "holdout", min = 0, max = 0.5, open_min = TRUE),
    seed = as.numeric(.check_seed(seed)),   # a double: seed + i - 1 never overflows
    threads = .resolve_threads(threads)
  )
  m <- new_grn_method("grnboost2", params = params, subclass = "grn_grnboost2", label = "GRNBoost2")
  m$BPPARAM <- .check_trees_bpparam(BPPARAM)
  m
}

# ---- validation -------------------------------------------------------------

#' @noRd
.check_trees_K <- function(K) {
  if (is.character(K) && length(K) == 1L && !is.na(K) && K %in% c("sqrt", "all")) return(K)
  if (is.numeric(K) && length(K) == 1L && is.finite(K) && K == round(K) && K >= 1 && K <= .Machine$integer.max) {
    return(as.integer(K))
  }
  .grn_abort("K", "must be \"sqrt\", \"all\" or a whole number >= 1 (regulators tried at each split)")
}

#' @noRd
#' @noRd
.check_trees_bpparam <- function(BPPARAM) .check_ensemble(1, BPPARAM, NULL, FALSE)$BPPARAM

# A package a model runs on: present, or a classed error saying how to get it.
#' @noRd
.need_tree_package <- function(pkg, model) {
  if (requireNamespace(pkg, quietly = TRUE)) return(invisible(TRUE))
  .grn_abort(NULL, sprintf(
    "%s() needs the R package '%s', which is not installed: install.packages(\"%s\")%s (or run tools/install-deps.sh of the grntorch sources)",
    model, pkg, pkg, if (pkg == "ranger") " or, on Debian/Ubuntu, apt-get install r-cran-ranger" else ""),
    class = c("grntorch_missing_package", "grntorch_dependency_error"))
}

# ---- fitting ----------------------------------------------------------------

#' @noRd
.fit_method.grn_genie3 <- function(method, data) {
  .need_tree_package("ranger", "genie3")
  p <- method$params
  n_regs <- length(data$regulators)
  if (is.integer(p$K) && p$K > n_regs) {
    .grn_abort("K", sprintf("is %d, more than the %d candidate regulators; use a number from 1 to %d, \"sqrt\" or \"all\"",
                            p$K, n_regs, n_regs))
  }
  .fit_trees(method, data, "GENIE3", .genie3_chunk)
}

#' @noRd
.fit_method.grn_grnboost2 <- function(method, data) {
  .need_tree_package("lightgbm", "grnboost2")
  .fit_trees(method, data, "GRNBoost2", .grnboost2_chunk)
}

# The shared runner: targets (every gene) in chunks, serial in this process
# (progress bar, interrupt between and within targets) or over BPPARAM.
# chunk_fun(X, y_all, reg_idx, targets, p, threads, tick) returns list(imp =
# regulators x length(targets) matrix, trees = integer per target).
#' @noRd
.fit_trees <- function(method, data, label, chunk_fun) {
  p <- method$params
  expr <- data$expr
  genes <- rownames(expr)
  if (ncol(expr) < 3L) .grn_abort("x", sprintf("%s needs at least 3 cells; there are %d", label, ncol(expr)))
  reg_idx <- match(data$regulators, genes)
  X <- t(expr[reg_idx, , drop = FALSE])            # cells x regulators
  colnames(X) <- sprintf("r%d", seq_along(reg_idx)) # safe names for the libraries
  n <- length(genes)
  bp <- method$BPPARAM
  t0 <- proc.time()[["elapsed"]]
  if (!is.null(bp) && n > 1L) {
    workers <- max(1L, tryCatch(BiocParallel::bpnworkers(bp), error = function(e) 1L))
    chunks <- split(seq_len(n), cut(seq_len(n), min(n, workers * 4L), labels = FALSE))
    threads <- .worker_threads(bp, p$threads)
    res <- BiocParallel::bplapply(chunks, .trees_worker, chunk_fun = chunk_fun, Xr = X, expr = expr,
                                  reg_idx = reg_idx, p = p, threads = threads, BPPARAM = bp)
    imp <- do.call(cbind, lapply(res, `[[`, "imp"))
    trees <- unlist(lapply(res, `[[`, "trees"))
  } else {
    threads <- p$threads
    bar <- .trees_progress(label, n, isTRUE(data$verbose))
    # A Ctrl-C is the package's grntorch_interrupt, as for the engine's models:
    # R's own interrupt (lightgbm's R loop), or ranger's "User interrupt" error.
    stopped <- function() stop(.engine_condition("grntorch: interrupted by the user", "grntorch_interrupt", base = "interrupt"))
    res <- tryCatch(chunk_fun(X, expr, reg_idx, seq_len(n), p, threads, bar$tick),
                    interrupt = function(e) stopped(),
                    error = function(e) {
                      if (grepl("User interrupt", conditionMessage(e), fixed = TRUE)) stopped()
                      stop(e)
                    },
                    finally = bar$done())
    imp <- res$imp
    trees <- res$trees
  }
  dimnames(imp) <- list(data$regulators, genes)
  info <- list(seed = p$seed, threads = threads, seconds = proc.time()[["elapsed"]] - t0)
  if (!all(is.na(trees))) info$trees_used <- stats::setNames(as.integer(trees), genes)
  list(scores = imp, info = info)
}

# One chunk of targets in a BiocParallel worker (a top-level function, so
# that only its arguments travel to the worker).
#' @noRd
.trees_worker <- function(targets, chunk_fun, Xr, expr, reg_idx, p, threads) {
  chunk_fun(Xr, expr, reg_idx, targets, p, threads, NULL)
}

# Evaluates expr with Ctrl-C held pending when `hold` (src/glue_signals.cpp):
# 'ranger' on several threads can deadlock when it notices an interrupt
# after one of its threads has finished its trees.  A Ctrl-C that comes
# meanwhile is taken by R as soon as expr returns (the forest of the current
# target finishes first), and .fit_trees() turns it into grntorch_interrupt.
.hold_interrupt <- function(hold, expr) {
  if (hold) {
    was <- .engine_call(.grn_hold_interrupt(TRUE))
    on.exit(if (!was) .engine_call(.grn_hold_interrupt(FALSE)), add = TRUE)
  }
  expr
}

# Regulators of target t: every regulator but t itself.
#' @noRd
.tree_regs <- function(reg_idx, t) which(reg_idx != t)

#' @noRd
.genie3_chunk <- function(X, expr, reg_idx, targets, p, threads, tick) {
  imp <- matrix(0, length(reg_idx), length(targets))
  for (j in seq_along(targets)) {
    t <- targets[j]
    cols <- .tree_regs(reg_idx, t)
    if (length(cols)) {
      np <- length(cols)
      mtry <- if (identical(p$K, "sqrt")) max(1L, round(sqrt(np))) else if (identical(p$K, "all")) np else min(p$K, np)
      fit <- .hold_interrupt(threads > 1L, ranger::ranger(
        x = X[, cols, drop = FALSE], y = expr[t, ], num.trees = p$trees, mtry = mtry,
        importance = "impurity", min.node.size = p$min_node_size, replace = TRUE,
        sample.fraction = 1, write.forest = FALSE, oob.error = FALSE, num.threads = threads,
        seed = (p$seed + t - 1) %% .Machine$integer.max, verbose = FALSE))
      im <- pmax(fit$variable.importance, 0)
      s <- sum(im)
      if (s > 0) imp[cols, j] <- im / s
    }
    if (!is.null(tick)) tick(t)
  }
  list(imp = imp, trees = rep(NA_integer_, length(targets)))
}

#' @noRd
.grnboost2_chunk <- function(X, expr, reg_idx, targets, p, threads, tick) {
  nc <- nrow(X)
  n_out <- max(1L, round(p$holdout * nc))
  out <- .with_seed(p$seed, sample.int(nc, n_out))
  params <- list(objective = "regression", learning_rate = p$learning_rate, max_depth = p$max_depth,
                 num_leaves = as.integer(2^p$max_depth), feature_fraction = p$max_features,
                 bagging_fraction = p$subsample, bagging_freq = if (p$subsample < 1) 1L else 0L,
                 min_data_in_leaf = 1L, min_sum_hessian_in_leaf = 0, lambda_l2 = 0, min_data_in_bin = 1L,
                 num_threads = threads, deterministic = TRUE, force_col_wise = TRUE, verbose = -1L,
                 metric = "l2", feature_pre_filter = FALSE)
  imp <- matrix(0, length(reg_idx), length(targets))
  trees <- integer(length(targets))
  # One binned data set for the whole chunk: a target that is itself a
  # regulator gets feature_penalty 0 on its own column (its gain is 0, so it
  # is never split on), instead of a data set of its own.
  dtr <- lightgbm::lgb.Dataset(X[-out, , drop = FALSE], params = params, free_raw_data = FALSE)
  dva <- lightgbm::lgb.Dataset.create.valid(dtr, X[out, , drop = FALSE])
  for (j in seq_along(targets)) {
    t <- targets[j]
    cols <- .tree_regs(reg_idx, t)
    if (length(cols)) {
      y <- expr[t, ]
      lightgbm::set_field(dtr, "label", y[-out])
      lightgbm::set_field(dva, "label", y[out])
      params$seed <- (p$seed + t - 1) %% .Machine$integer.max
      params$feature_penalty <- if (length(cols) < length(reg_idx)) as.numeric(reg_idx != t) else NULL
      fit <- lightgbm::lgb.train(params = params, data = dtr, nrounds = p$max_trees,
                                 valids = list(holdout = dva), early_stopping_rounds = p$early_stop,
                                 verbose = -1L, eval_freq = p$max_trees + 1L)
      n_trees <- if (length(fit$best_iter) && fit$best_iter > 0) fit$best_iter else p$max_trees
      im <- .lgb_gain(fit, n_trees, colnames(X))
      im[-cols] <- 0
      s <- sum(im)
      if (s > 0) imp[, j] <- im / s * n_trees
      trees[j] <- n_trees
    }
    if (!is.null(tick)) tick(t)
  }
  list(imp = imp, trees = trees)
}

# Total gain per feature of the first n_trees trees, read from the model's
# text (its "feature_importances:" block; lgb.importance() parses the whole
# model as JSON, which cost more than the fit on small data).
#' @noRd
.lgb_gain <- function(fit, n_trees, features) {
  txt <- fit$save_model_to_string(num_iteration = n_trees, feature_importance_type = 1L)
  at <- regexpr("\nfeature_importances:\n", txt)
  out <- stats::setNames(numeric(length(features)), features)
  if (at < 0) return(out)
  rest <- substring(txt, at + attr(at, "match.length"))
  lines <- strsplit(rest, "\n", fixed = TRUE)[[1]]
  lines <- lines[seq_len(match(TRUE, !grepl("=", lines, fixed = TRUE), nomatch = length(lines) + 1L) - 1L)]
  if (!length(lines)) return(out)
  kv <- do.call(rbind, strsplit(lines, "=", fixed = TRUE))
  hit <- match(kv[, 1], features)
  out[hit[!is.na(hit)]] <- as.numeric(kv[!is.na(hit), 2])
  out
}

# A progress bar on stderr like the engine's: "GENIE3 [=====     ] target
# 120/1120  0:25, ~3:30 left", drawn at most every 0.2 s.
#' @noRd
.trees_progress <- function(label, n, verbose) {
  if (!verbose) return(list(tick = NULL, done = function() invisible()))
  start <- proc.time()[["elapsed"]]
  last <- -Inf
  width <- 0L
  clock <- function(s) {
    s <- round(s)
    if (s >= 3600) sprintf("%d:%02d:%02d", s %/% 3600, (s %/% 60) %% 60, s %% 60) else sprintf("%d:%02d", s %/% 60, s %% 60)
  }
  drawn <- FALSE
  tick <- function(i) {
    now <- proc.time()[["elapsed"]]
    if (i < n && now - last < 0.2) return(invisible())
    last <<- now
    f <- i / n
    el <- now - start
    txt <- sprintf("%s [%s] target %d/%d  %s%s", label,
                   formatC(strrep("=", floor(f * 30)), width = -30), i, n, clock(el),
                   if (i < n) sprintf(", ~%s left", clock(el / f * (1 - f))) else "")
    pad <- max(0L, width - nchar(txt))
    width <<- nchar(txt)
    cat("\r", txt, strrep(" ", pad), sep = "", file = stderr())
    drawn <<- TRUE
    invisible()
  }
  list(tick = tick, done = function() if (drawn) cat("\n", file = stderr()))
}

# ---- planners ---------------------------------------------------------------
# Memory: the regulators x cells copy X (and one column-subset copy per
# target; 'lightgbm' bins it once, ~1 byte per value, twice with the held-out
# set), the importance matrix, and the library's working set: 'ranger' keeps
# no forest (write.forest = FALSE) but each thread holds one tree's nodes and
# sample indices (~100 bytes per cell); 'lightgbm' ~40 bytes per cell for
# gradients and scores plus its histograms.  Time: fitted on BEELINE mESC
# and bench/scale.R (bench/trees.R), per target on 1 thread, scaled by
# threads and BiocParallel workers.

#' @noRd
.plan_tree_parallel <- function(method, n_targets) {
  bp <- method$BPPARAM
  t <- if (is.null(method$params$threads)) 2L else method$params$threads
  w <- if (is.null(bp)) 1L else max(1L, min(n_targets, tryCatch(BiocParallel::bpnworkers(bp), error = function(e) 1L)))
  list(workers = w, threads = if (is.null(bp)) t else .worker_threads(bp, t))
}

#' @noRd
.plan_genie3 <- function(method, dims) {
  p <- method$params
  g <- dims$genes; c <- dims$cells; r <- dims$regulators
  par <- .plan_tree_parallel(method, g)
  mtry <- if (identical(p$K, "sqrt")) max(1, round(sqrt(r))) else if (identical(p$K, "all")) r else min(p$K, r)
  # A fully grown tree on c bootstrap cells, mtry regulators tried per node;
  # 'ranger' scans one counter per distinct value of a regulator at every
  # node above 2% of them, so the cost grows faster than c log c.  Fitted on
  # one thread: BEELINE mESC (421 cells, mtry 25) 3.0 s per target idle, and
  # 2,500 x 10,000 planted (mtry 22) 268 s of CPU per target
  # (bench/trees.R check / scale; bench/results/trees.md).
  per_target <- 1.77e-8 * p$trees * mtry * max(c, 2)^1.46 + 2e-3
  secs <- g * per_target / (par$workers * .plan_trees_speedup(par$threads))
  bytes <- par$workers * (16 * r * c + 100 * c * par$threads + 2e6) + 8 * r * g
  list(bytes = bytes, epoch_seconds = NA_real_, epochs = NA_integer_, seconds = secs, advice = c("genes", "tfs", "top"))
}

#' @noRd
.plan_grnboost2 <- function(method, dims) {
  p <- method$params
  g <- dims$genes; c <- dims$cells; r <- dims$regulators
  par <- .plan_tree_parallel(method, g)
  # Trees kept grow with the signal (600 assumed at the default learning
  # rate): 330-440 on average on BEELINE folders, ~960 on a planted network
  # (bench/trees.R).  Each tree: a fixed cost (the R loop of lgb.train()),
  # histograms over the bagged training cells x the regulators tried, and the
  # split search over up to 255 bins of each.  Fitted on one thread: BEELINE mESC 0.41 s of CPU
  # per target (443 trees on average), mHSC-L 0.084 s (329), 2,500 x 10,000
  # planted 2.2 s (964) (bench/results/trees.md).
  n_trees <- min(p$max_trees, 600 * 0.01 / p$learning_rate)
  feats <- max(1, p$max_features * r)
  per_tree <- 2e-4 + 4.4e-9 * c * (1 - p$holdout) * p$subsample * feats + 3.4e-8 * feats * min(255, c)
  per_target <- n_trees * per_tree + 5e-3
  secs <- g * per_target / (par$workers * .plan_trees_speedup(par$threads))
  bytes <- par$workers * (10 * r * c + 60 * c + 2e6 * par$threads + 5e6) + 8 * r * g
  list(bytes = bytes, epoch_seconds = NA_real_, epochs = NA_integer_, seconds = secs, advice = c("genes", "tfs", "top"))
}

# Speed-up of one model on `threads` threads (trees in parallel: nearly linear).
#' @noRd
.plan_trees_speedup <- function(threads) 1 / (0.1 + 0.9 / threads)

#' @noRd
.plan_method.grn_genie3 <- function(method, dims) .plan_genie3(method, dims)

#' @noRd
.plan_method.grn_grnboost2 <- function(method, dims) .plan_grnboost2(method, dims)
