# A planted network: expression simulated from a known TF -> target graph, so
# that any model's accuracy (and its cost at any size) can be measured against
# the truth.

#' Simulate expression from a planted regulatory network
#'
#' A linear structural equation model with a sparse, known TF -> target
#' matrix.  A fraction `tf_fraction` of the genes are TFs; every other gene is
#' a target of `regulators[1]` to `regulators[2]` TFs (drawn uniformly), each
#' with a weight whose size is uniform in `weight` and whose sign is random.
#' TFs are exogenous: standard normal across cells (`states = 0`), or, with
#' `states = k > 0`, drawn around the means of `k` latent cell states (cells
#' split evenly; each TF's state means are normal with standard deviation
#' `state_sd`), which correlates the TFs with one another as real cell types
#' do and makes a regulator hard to tell from its co-expressed TFs.  A target
#' is \eqn{x_t = \sum_k w_{tk} x_k + \epsilon_t} with noise
#' \eqn{\epsilon_t \sim N(0, (\mathrm{noise} \cdot s_t)^2)}, where \eqn{s_t} is
#' the standard deviation of its signal, so `noise` is the noise-to-signal
#' ratio of every target (`noise = 1`: the regulators explain half of a
#' target's variance).  Each gene is then shifted to a minimum of 0 (a
#' log-expression-like scale; correlations are unchanged), and with
#' `dropout > 0` each value is set to 0 with that probability, independently.
#'
#' It is the generator of the scale benchmark (`bench/scale.R`) and of the
#' planted-network checks: a model that uses the expression recovers the
#' truth; one that only learns gene degrees does not.
#'
#' @param n_genes number of genes (at least 10).
#' @param n_cells number of cells (at least 3).
#' @param tf_fraction fraction of the genes that are TFs (at least 1 TF).
#' @param regulators range (min, max) of the number of TF regulators of a target.
#' @param weight range (min, max) of the absolute edge weights.
#' @param noise noise-to-signal ratio of the targets (standard deviations).
#' @param states number of latent cell states (0: independent TFs).
#' @param state_sd standard deviation of the TFs' state means (with `states > 0`).
#' @param dropout probability that a value is set to 0.
#' @templateVar seed_of the simulation
#' @template param-seed
#' @return A list with `expression` (genes x cells double matrix, gene and cell
#'   names set), `tfs` (the TF names), `truth` (a data.frame `from`, `to`,
#'   `weight` of the planted edges, signed weights) and `state` (each cell's
#'   state, or `NULL`).
#' @section A planted-network check:
#' The result is a dataset for [benchmark_grn()] as it is: with a split
#' scheme, every supervised model is trained on part of the planted edges
#' and scored on the rest, beside Pearson and the degree baseline (which
#' `benchmark_grn()` adds wherever training pairs exist), so anyone can see
#' whether a model uses the expression at all.  Measured here (300 genes x
#' 500 cells, `states = 0`, scheme `"genelink_specific"`, seed 1): Pearson
#' test AUROC 1.000, GENELink (5 epochs) 0.512, one-hot logistic regression
#' 0.506, the degree baseline 0.480.  A model near the degree baseline on a
#' planted network, where |Pearson| is perfect, is not reading the
#' expression; `states > 0` makes the check closer to real data (correlated
#' TFs).
#' @seealso [infer_grn()], [evaluate_grn()], [benchmark_grn()]
#' @examples
#' sim <- simulate_grn(n_genes = 200, n_cells = 300, seed = 1)
#' dim(sim$expression)
#' head(sim$truth)
#' g <- infer_grn(sim$expression, "pearson", tfs = sim$tfs)
#' evaluate_grn(g, sim$truth)
#' # The planted-network check: a supervised model beside Pearson and the degree baseline.
#' res <- benchmark_grn(list(planted = sim), list("pearson", lr = onehot_lr(cs = 1, folds = 2)),
#'                      schemes = "genelink_specific", seeds = 1, verbose = FALSE)
#' summary(res, metric = "auroc")[, c("method", "mean")]
#' @md
#' @export
simulate_grn <- function(n_genes = 1000, n_cells = 1000, tf_fraction = 0.2, regulators = c(1, 3),
                         weight = c(0.5, 1.5), noise = 1, states = 0, state_sd = 1.5, dropout = 0, seed = 1) {
  n_genes <- .check_scalar_int(n_genes, "n_genes", min = 10)
  n_cells <- .check_scalar_int(n_cells, "n_cells", min = 3)
  tf_fraction <- .check_scalar_num(tf_fraction, "tf_fraction", min = 0, max = 1, open_min = TRUE)
  n_tfs <- max(1L, as.integer(round(tf_fraction * n_genes)))
  if (n_tfs >= n_genes) .grn_abort("tf_fraction", "leaves no target genes")
  if (!is.numeric(regulators) || length(regulators) != 2L || anyNA(regulators) || any(regulators != round(regulators)) ||
      regulators[1] < 1 || regulators[2] < regulators[1]) {
    .grn_abort("regulators", "must be two whole numbers min <= max, min >= 1")
  }
  if (regulators[2] > n_tfs) .grn_abort("regulators", sprintf("asks for up to %d regulators, but there are %d TFs", regulators[2], n_tfs))
  if (!is.numeric(weight) || length(weight) != 2L || anyNA(weight) || weight[1] <= 0 || weight[2] < weight[1]) {
    .grn_abort("weight", "must be two positive numbers min <= max")
  }
  noise <- .check_scalar_num(noise, "noise", min = 0)
  states <- .check_scalar_int(states, "states", min = 0)
  state_sd <- .check_scalar_num(state_sd, "state_sd", min = 0)
  dropout <- .check_scalar_num(dropout, "dropout", min = 0, max = 0.99)
  seed <- .check_seed(seed)

  .with_seed(seed, {
    n_targets <- n_genes - n_tfs
    tfs <- sprintf("TF%0*d", nchar(n_tfs), seq_len(n_tfs))
    targets <- sprintf("G%0*d", nchar(n_targets), seq_len(n_targets))
    k <- sample.int(regulators[2] - regulators[1] + 1L, n_targets, replace = TRUE) + regulators[1] - 1L
    to <- rep(seq_len(n_targets), k)
    from <- unlist(lapply(k, function(kk) sample.int(n_tfs, kk)), use.names = FALSE)
    w <- stats::runif(length(from), weight[1], weight[2]) * sample(c(-1, 1), length(from), replace = TRUE)

    state <- NULL
    if (states > 0L) {
      state <- rep_len(seq_len(states), n_cells)[sample.int(n_cells)]
      means <- matrix(stats::rnorm(n_tfs * states, sd = state_sd), n_tfs, states)
      tf_x <- means[, state, drop = FALSE] + matrix(stats::rnorm(n_tfs * n_cells), n_tfs, n_cells)
    } else {
      tf_x <- matrix(stats::rnorm(n_tfs * n_cells), n_tfs, n_cells)
    }
    W <- Matrix::sparseMatrix(i = to, j = from, x = w, dims = c(n_targets, n_tfs))
    signal <- as.matrix(W %*% tf_x)
    # Each target's signal sd, from the package's row statistics (two-pass variance, in C++).
    s <- sqrt(pmax(.engine_call(.grn_row_stats_dense(signal, numeric(0), FALSE))$m2 / (n_cells - 1), .Machine$double.eps))
    target_x <- signal + matrix(stats::rnorm(n_targets * n_cells), n_targets, n_cells) * (noise * s)
    x <- rbind(tf_x, target_x)
    rm(signal, target_x, tf_x)
    x <- x - apply(x, 1L, min)
    if (dropout > 0) x[stats::runif(length(x)) < dropout] <- 0
    dimnames(x) <- list(c(tfs, targets), sprintf("cell%0*d", nchar(n_cells), seq_len(n_cells)))
    truth <- data.frame(from = tfs[from], to = targets[to], weight = w, stringsAsFactors = FALSE)
    list(expression = x, tfs = tfs, truth = truth, state = state)
  })
}
