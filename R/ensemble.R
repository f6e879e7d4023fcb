# Seeded R randomness and the one ensemble runner (DeepSEM, InfoSEM and the
# supervised models).

# Evaluate `code` with R's RNG seeded by `seed` under R's default generators
# (Mersenne-Twister, Inversion, Rejection), whatever the caller's RNGkind;
# the caller's .Random.seed (or its absence) and RNGkind are restored exactly.
#' @noRd
.with_seed <- function(seed, code) {
  genv <- globalenv()
  had <- exists(".Random.seed", envir = genv, inherits = FALSE)
  old <- if (had) get(".Random.seed", envir = genv, inherits = FALSE)
  old_kind <- RNGkind()
  on.exit({
    suppressWarnings(do.call(RNGkind, as.list(old_kind)))
    if (had) {
      assign(".Random.seed", old, envir = genv)
    } else if (exists(".Random.seed", envir = genv, inherits = FALSE)) {
      rm(".Random.seed", envir = genv)
    }
  })
  # BiocCheck warns on set.seed() in package code because it would replace the
  # user's random stream; here on.exit() above puts that stream back exactly
  # (as withr::with_seed() does), so the call goes through do.call(), which
  # that check does not flag.
  do.call(set.seed, list(seed, kind = "Mersenne-Twister", normal.kind = "Inversion", sample.kind = "Rejection"))
  code
}

# The seeds of an ensemble's runs: seed, seed + 1, ... (doubles: no integer
# overflow past 2^31 - 1).
#' @noRd
.run_seeds <- function(seed, n_runs) as.numeric(seed) + seq_len(n_runs) - 1

# Run a model `n_runs` times and combine the runs.  Run i has seed
# `seed + i - 1` (the one ensemble seed rule; .run_seeds()).
#
# run_one(i, seed, threads, verbose) fits run i and returns a list with
# `scores`, a regulators x genes matrix (no dimnames needed), and whatever
# else the model keeps.  Runs go over `BPPARAM` (a BiocParallel back-end) when
# it is given and n_runs > 1, else one after the other in this process with
# `verbose` progress.  Threads: every run passes its own thread count to the
# engine, which sets it for that call only (each worker sets its own);
# `threads` for each run, except that the workers of a forking back-end
# (`MulticoreParam`, or `BatchtoolsParam` with its "multicore" cluster) use
# 1 thread (they cannot reuse the OpenMP thread pool they inherit from the
# parent).
#
# One run: its scores as they are.  Several: weight = mean |score| over the
# runs, sign that of the mean score (ties +), and `stability` = the fraction of
# runs in which the pair is among that run's `stability_k` strongest pairs
# (|score|, self-pairs excluded; default: as many pairs as genes).  For
# probabilities (supervised models) this is the mean probability.
#
# Returns list(seeds, runs = what run_one returned, scores = the combined regulators
# x genes matrix with dimnames, attrs = list(stability) or NULL, info =
# list(stability_k, runs = each run's scores when keep_runs) or an empty list).
#' @noRd
.run_ensemble <- function(n_runs, seed, run_one, BPPARAM = NULL, threads = 1L, verbose = FALSE,
                          regulators, genes, stability_k = NULL, keep_runs = FALSE) {
  seeds <- .run_seeds(seed, n_runs)
  if (!is.null(BPPARAM) && n_runs > 1L) {
    worker_threads <- .worker_threads(BPPARAM, threads)
    runs <- BiocParallel::bplapply(seq_len(n_runs), function(i) run_one(i, seeds[i], worker_threads, FALSE),
                                   BPPARAM = BPPARAM)
  } else {
    runs <- lapply(seq_len(n_runs), function(i) run_one(i, seeds[i], threads, verbose))
  }
  dn <- list(regulators, genes)
  mats <- lapply(runs, `[[`, "scores")
  if (n_runs == 1L) {
    s <- mats[[1]]
    dimnames(s) <- dn
    return(list(seeds = seeds, runs = runs, scores = s, attrs = NULL, info = list()))
  }
  ens <- .ensemble_scores(mats, regulators, genes, stability_k)
  dimnames(ens$scores) <- dn
  dimnames(ens$stability) <- dn
  info <- list(stability_k = ens$k)
  if (isTRUE(keep_runs)) info$runs <- lapply(mats, function(m) { dimnames(m) <- dn; m })
  list(seeds = seeds, runs = runs, scores = ens$scores, attrs = list(stability = ens$stability), info = info)
}

# Threads each worker of a BiocParallel back-end runs on: 1 for a forking
# back-end, else `threads` (the rule above; the planner uses it too).
#' @noRd
.worker_threads <- function(BPPARAM, threads) if (.bp_forks(BPPARAM)) 1L else threads

# Does the BiocParallel back-end fork this process for its workers?
#' @noRd
.bp_forks <- function(BPPARAM) {
  inherits(BPPARAM, "MulticoreParam") ||
    (inherits(BPPARAM, "BatchtoolsParam") && identical(tryCatch(BPPARAM$cluster, error = function(e) NULL), "multicore"))
}

# Ensemble of signed score matrices: weight = mean |s|, sign of the mean s,
# stability = fraction of runs with the pair in that run's top k.
#' @noRd
.ensemble_scores <- function(mats, regulators, genes, stability_k = NULL) {
  mean_abs <- Reduce(`+`, lapply(mats, abs)) / length(mats)
  sgn <- sign(Reduce(`+`, mats))
  sgn[sgn == 0] <- 1
  self <- outer(regulators, genes, `==`)
  k <- min(if (is.null(stability_k)) length(genes) else stability_k, sum(!self))
  stab <- matrix(0, nrow(mean_abs), ncol(mean_abs))
  for (m in mats) {
    w <- abs(m)
    w[self] <- -Inf
    top <- order(w, decreasing = TRUE)[seq_len(k)]
    stab[top] <- stab[top] + 1
  }
  list(scores = sgn * mean_abs, stability = stab / length(mats), k = k)
}
