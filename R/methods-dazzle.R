#' DAZZLE: DeepSEM with dropout augmentation
#'
#' DAZZLE (Zhu & Slonim 2025, *PLOS Computational Biology*) keeps DeepSEM's
#' variational autoencoder with the structural-equation layer (the learned
#' adjacency \eqn{A}, see [deepsem()]) and makes it robust to single-cell
#' dropout by *adding* dropout: at every step a fraction `augment` of the
#' batch's entries is set to zero before z-scoring, a small classifier learns
#' from the latent \eqn{z} which entries were zeroed (its class-weighted
#' cross-entropy enters the loss with weight `classifier_weight`), the
#' reconstruction error counts the entries that were non-zero in the data, the
#' sparsity term \eqn{\alpha\,\mathrm{mean}|A|} switches on after
#' `sparse_delay` epochs, and one Adam optimiser (betas 0.9, 0.9) updates the
#' nets (`lr`) and \eqn{A} (`lr_adj`) together at every step, both rates
#' halving at the optimiser steps `lr_milestones`.  The encoder reads the
#' z-scored value alone and the KL term is the closed form against
#' \eqn{N(0, 1)}.  Defaults are the reference's (grn-dazzle 0.0.2,
#' `DEFAULT_DAZZLE_CONFIGS`): 120 epochs of batches of 64 cells, hidden width
#' 128, \eqn{\alpha = 100}, \eqn{\beta = 1}, `augment = 0.1`,
#' `classifier_weight = 0.5`, `sparse_delay = 5`.
#'
#' It runs on DeepSEM's engine (the same epoch driver, per-gene MLP kernels and
#' sparsity kernel), so everything of [deepsem()] that is not its training
#' recipe applies: ensembles with `n_runs` (edge attribute `stability`;
#' DAZZLE's paper sums 10 runs, which ranks edges like their mean),
#' `cells_per_epoch`, `precision`, threads, progress, interrupts and the
#' memory check.  There is no `mode`: DAZZLE has one standardisation (the
#' z-score of every gene over all cells, as DeepSEM's `"nonspecific"` mode) and
#' one loss (on the non-zero entries, as DeepSEM's `"celltype"` mode).  Each
#' step solves with the \eqn{n \times n} matrix \eqn{I - A^T} with a gradient
#' for \eqn{A}, so a DAZZLE epoch costs about one DeepSEM \eqn{A} epoch per
#' batch plus the nets' gradients.
#'
#' `augment = 0` turns the augmentation and the classifier off: what remains
#' is DeepSEM's model trained by the single-optimiser recipe.
#'
#' @section Beside the reference:
#' Measured with `bench/dazzle.R` (`bench/results/dazzle.md`) on BEELINE's
#' TFs+500 data, four datasets scored against their STRING and non-specific
#' ChIP-seq networks, 120 epochs, seeds 1-3, one thread, every network scored
#' by [evaluate_grn()] on the same pairs: `dazzle()` gives the reference
#' implementation's accuracy (mean EPR mESC STRING 3.42 against 3.41, hHEP
#' STRING 3.37 against 3.31, mDC non-specific 3.38 against 3.32, mHSC-L
#' STRING 6.98 against 7.23, within the reference's spread over 5 seeds) with
#' a smaller seed spread, in 3.6 times less training time (idle machine, one
#' thread, mESC).  Against [deepsem()] (`mode = "nonspecific"`, the same
#' seeds): a higher mean EPR on 7 of the 8 folders (by 0.01 to 0.76) and a
#' smaller seed sd on 6 of 8 (mHSC-L STRING 0.15 against 1.05), at about
#' twice DeepSEM's time.  Both implementations spend most of a step in the
#' same float32 products of the per-gene MLPs, which bounds the speed-up (below
#' 5x on this CPU even if nothing else cost time); `precision = "bfloat16"`
#' took 4.6 times less than the reference.
#'
#' @param alpha weight of the sparsity term \eqn{\alpha\,\mathrm{mean}|A|}.
#' @param beta weight of the KL term.
#' @param epochs passes over the cells (or over `cells_per_epoch` of them).
#' @param batch_size cells per step.
#' @param lr,lr_adj Adam learning rates of the nets and of \eqn{A}.
#' @param hidden width of the per-gene MLP layers.
#' @param augment dropout augmentation rate, in \[0, 1): the share of the
#'   batch's entries set to zero at every step.
#' @param classifier_weight weight (>= 0) of the augmentation classifier's loss.
#' @param sparse_delay epochs (>= 0) before the sparsity term enters the loss.
#' @param lr_milestones optimiser steps at which both learning rates halve
#'   (whole numbers >= 1; `NULL` or an empty vector: never).
#' @templateVar seed_of the first run (initialisation, batches, augmentation, sampling)
#' @templateVar seed_note with `threads = 1` (bit for bit)
#' @template param-seed
#' @template param-threads
#' @template param-ensemble
#' @param device `"cpu"`, or `"cuda"` where the LibTorch grntorch was built
#'   against has CUDA (Debian's is CPU-only).
#' @template param-dots
#' @param cells_per_epoch as in [deepsem()]: each epoch trains on a fresh random
#'   subset of this many cells (default 1,000; data with at most that many
#'   cells get full passes, as the reference); `NULL`: every cell.
#' @param precision `"float32"` (default) or `"bfloat16"` for the per-gene MLPs'
#'   products on the CPU, as in [deepsem()].
#' @return A `grn_method` parameter object for [infer_grn()].  The graph's
#'   attribute `fit` holds, per run, the loss per epoch (`loss`) and its terms
#'   (`loss_parts`: `mse`, `kl`, `sparse` (\eqn{\alpha\,\mathrm{mean}|A|},
#'   recorded from the first epoch, in the loss from `sparse_delay` on),
#'   `classifier`), drawn by [plot_training()].
#' @references Zhu H., Slonim D. (2025) Improving gene regulatory network
#'   inference using dropout augmentation.  *PLOS Computational Biology*
#'   21(10), e1013603.
#' @seealso [deepsem()], [infer_grn()]
#' @examples
#' ex <- grntorch_example()
#' genes <- unique(c(head(ex$tfs, 20), rownames(ex$expression)[1:60]))
#' g <- infer_grn(ex$expression[genes, 1:150], dazzle(epochs = 6, seed = 1, threads = 1),
#'                tfs = ex$tfs, verbose = FALSE)
#' head(grn_edges(g), 3)
#' @export
dazzle <- function(alpha = 100, beta = 1, epochs = 120, batch_size = 64, lr = 1e-4, lr_adj = 2e-5, hidden = 128,
                   augment = 0.1, classifier_weight = 0.5, sparse_delay = 5, lr_milestones = c(1000, 2000),
                   seed = NULL, threads = NULL, n_runs = 1, device = "cpu", ..., BPPARAM = NULL,
                   stability_k = NULL, keep_runs = FALSE, cells_per_epoch = 1000,
                   precision = c("float32", "bfloat16")) {
  .check_dots("dazzle", ...)
  seed <- .check_seed(seed)
  ens <- .check_ensemble(n_runs, BPPARAM, stability_k, keep_runs)
  if (is.null(lr_milestones)) lr_milestones <- integer()
  if (!is.numeric(lr_milestones) || anyNA(lr_milestones) || any(lr_milestones != round(lr_milestones)) ||
      any(lr_milestones < 1) || any(lr_milestones > .Machine$integer.max)) {
    .grn_abort("lr_milestones", "must be NULL or whole numbers >= 1 (optimiser steps)")
  }
  params <- c(.sem_core_params(alpha, beta, epochs, batch_size, lr, lr_adj, hidden), list(
    augment = .check_scalar_num(augment, "augment", min = 0, max = 1),
    classifier_weight = .check_scalar_num(classifier_weight, "classifier_weight", min = 0),
    sparse_delay = .check_scalar_int(sparse_delay, "sparse_delay", min = 0, max = 1e6),
    lr_milestones = sort(as.integer(lr_milestones)),
    seed = seed,
    threads = .resolve_threads(threads),
    device = .check_device(device),
    cells_per_epoch = if (is.null(cells_per_epoch)) 0L else .check_scalar_int(cells_per_epoch, "cells_per_epoch", min = 1, max = .Machine$integer.max),
    precision = .match_choice(precision, "precision", c("float32", "bfloat16"))
  ))
  if (params$augment >= 1) .grn_abort("augment", "must be in [0, 1): the share of entries zeroed at every step")
  if (params$precision == "bfloat16" && !identical(params$device, "cpu")) {
    .grn_abort("precision", "\"bfloat16\" is implemented for the CPU only; use \"float32\" with device = \"cuda\"")
  }
  new_grn_method("dazzle", params = params, subclass = "grn_dazzle", label = "DAZZLE", ensemble = ens)
}

# One run: DeepSEM's engine options (DAZZLE's recipe ignores mode, lr_decay
# and the alternation; the glue reads them as for DeepSEM) and DAZZLE's own.
#' @noRd
.dazzle_run <- function(expr, p, seed, verbose, label) {
  p$seed <- seed
  p[c("mode", "lr_decay", "net_epochs", "adj_epochs")] <- list("nonspecific", 1, 1L, 2L)
  opts <- .engine_opts(p, c(.deepsem_engine_options, "augment", "classifier_weight", "sparse_delay", "lr_milestones"),
                       verbose = verbose, label = label)
  .engine_call(.grn_dazzle(expr, opts))
}

#' @noRd
.fit_method.grn_dazzle <- function(method, data) .sem_fit(method, data, .dazzle_run)

# The planner: DeepSEM's memory (plus Adam's two n x n moments of A) and the
# joint step's time (R/methods-deepsem.R, .plan_sem()).
#' @noRd
.plan_method.grn_dazzle <- function(method, dims) .plan_sem(method, dims, extra_n2 = 8, joint = TRUE)
