#' @param n_runs number of runs to combine (default 1: a single model).  Run
#'   `i` has seed `seed + i - 1`; the edge weight is the mean over the runs and
#'   the edge attribute `stability` the fraction of runs in which the edge is
#'   among that run's `stability_k` strongest.
#' @param BPPARAM optional `BiocParallel` back-end over which the `n_runs`
#'   runs are spread.  Each worker sets its own thread count: `threads`, or 1
#'   with a forking `MulticoreParam` (whose workers cannot reuse the parent's
#'   OpenMP threads).
#' @param stability_k number of top edges per run used by `stability`
#'   (`NULL`: the number of genes).
#' @param keep_runs if `TRUE` and `n_runs > 1`, the fit information (graph
#'   attribute `fit`) keeps each run's regulators x genes score matrix as
#'   `runs`, e.g. to score the single runs of an ensemble with
#'   [evaluate_grn()].
