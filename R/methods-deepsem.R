#' DeepSEM: a structural-equation VAE for gene regulatory networks
#'
#' DeepSEM (Shu et al. 2021, *Nature Computational Science*) learns an
#' adjacency matrix \eqn{A} inside a beta-VAE whose encoder and decoder are
#' small MLPs shared across genes: the latent of each cell is passed through
#' the linear SEM layer \eqn{(I - A^T)} on the encoder side and its inverse on
#' the decoder side.  This is a faithful C++/LibTorch port of the public
#' reference code (same layers, Xavier-normal initialisation, one-sample KL,
#' \eqn{\alpha\,\mathrm{mean}|A|}, RMSprop, the 1 : 2 alternation of net and A
#' epochs, float32), running on the CPU (or CUDA where LibTorch has it), seeded,
#' and several times faster than the reference on a CPU.
#'
#' Two task modes, as in the reference:
#' * `"celltype"` (cell-type specific ground truth, e.g. ChIP-seq of that cell
#'   type): each gene is z-scored with the mean and sd of its non-zero values,
#'   clipped to \eqn{\pm 10}, and the reconstruction error counts the non-zero
#'   entries only.  Defaults `alpha = 1`, `beta = 0.01`.
#' * `"nonspecific"` (non-specific ground truth, e.g. STRING, DoRothEA): plain
#'   per-gene z-score, unmasked error.  Defaults `alpha = 100`, `beta = 1`.
#'
#' Scores are the learned \eqn{A[target, regulator]}, returned as signed edge
#' scores regulator -> target (weight = |A|).
#'
#' **Ensembles.** With `n_runs > 1` the model is trained with seeds `seed`,
#' `seed + 1`, ...; the edge weight is the mean of \eqn{|A|} over the runs, the
#' sign that of the mean signed \eqn{A}, and the edge attribute `stability` is
#' the fraction of runs in which the edge is among that run's `stability_k`
#' strongest candidate edges (default: as many edges as genes).  Runs are spread
#' over `BPPARAM` (a BiocParallel back-end) when given, else run one after the
#' other.  Each run (each worker) sets its own LibTorch thread count:
#' `threads`, or 1 in the workers of a forking `MulticoreParam`.  The same
#' runner makes the ensembles of [infosem()] and of the supervised models
#' ([genelink()], [scunigp()], ...).
#'
#' **Learning-rate decay.** The reference configures `StepLR(step_size = 0.99,
#' gamma = 0.95)` for the nets: under the PyTorch version its authors pinned this
#' multiplied the nets' learning rate by 0.95 every epoch, under PyTorch >= 1.4 it
#' never fires.  `lr_decay = 1` (default) reproduces the latter, which is how the
#' reference runs today; `lr_decay = 0.95` the former.  A's learning rate never
#' decays.
#'
#' **Many cells.** An epoch of the reference is a pass over every cell, so
#' its cost grows with the cells (157 batches at 10,000 cells against 7 for a
#' BEELINE folder).  `cells_per_epoch` (default 1,000) bounds it: each epoch
#' trains on a fresh random subset of that many cells, so the default 120
#' epochs take at most 120 x 16 steps however many cells there are.  Data
#' with at most 1,000 cells, such as every shared BEELINE folder (383-847
#' cells), get the reference's full passes, bit for bit;
#' `cells_per_epoch = NULL` passes over every cell at any size.  On a
#' planted network of 2,500 genes x 10,000 cells (`bench/scale.R`) the
#' default run took 10 minutes on two threads (15 on one) at a peak of
#' 2.1 GB and recovered
#' the planted edges with AUROC 1.000 and AUPRC 0.9999, so a full-cells run,
#' with about ten times as many steps, cannot do better by more than 0.01%.
#' At 5,000 genes x 50,000 cells the fit peaked at 9.0 GB and took 28 s
#' per epoch on two threads (3 epochs measured: about 55 minutes for the
#' default 120).
#'
#' **Reproducibility.** The same `seed` with `threads = 1` gives bit-identical
#' networks.  With more threads results may differ in the last bits.
#'
#' **Speed.** The engine evaluates the same model in cheaper orders: an LU
#' solve instead of the reference's explicit inverse; in the A-only epochs no
#' gradients for the frozen nets, the encoder run once per block of A epochs,
#' and the frozen decoder (a fixed function of one scalar) tabulated per batch
#' in float64 and interpolated (cubic Hermite, error below float rounding); in
#' the net epochs \eqn{(I - A^T)^{-1}} computed once per epoch; on the CPU the
#' per-gene MLPs run as fused kernels, each thread on its own block of rows
#' with oneDNN's matrix product where the process has it (Debian's LibTorch
#' does; [grntorch_sitrep()] says), and in the A epochs \eqn{I - A^T} and the
#' L1 term are built, and differentiated, in one pass.  These change results
#' only in the last bits.  `bench/deepsem.R` times a full run: on BEELINE
#' mESC (1,120 genes x 421 cells, two cores) about 52-54 s of wall time
#' including R's start-up, against 436 s for the reference.
#'
#' **Precision.** `precision = "bfloat16"` is a lower-precision option for the
#' CPU: the two 128 x 128 products of each per-gene MLP (forward and backward)
#' take bfloat16 inputs (8 significant bits) and accumulate in float32; the
#' parameters, the optimiser, \eqn{A}, the SEM layer and the loss stay float32.
#' Where the CPU has AVX512-BF16 these products run about twice as fast, and the
#' mESC run above takes 41-44 s.  Its accuracy on the shared BEELINE folders
#' stays within the seed spread of the float32 default: seeds 1-3, mean EPR
#' float32 -> bfloat16, mESC 0.993 -> 0.993, hHEP 1.116 -> 1.116, mDC
#' (non-specific) 3.128 -> 3.122, against seed sds of 0.02-0.30.  Without oneDNN it computes the same numbers, no faster.  The
#' default `"float32"` is the faithful port.
#'
#' @param alpha weight of the sparsity term \eqn{\alpha\,\mathrm{mean}|A|}
#'   (`NULL`: 1 in `"celltype"` mode, 100 in `"nonspecific"` mode).
#' @param beta weight of the KL term (`NULL`: 0.01 / 1 by mode).
#' @param epochs number of epochs (default 120, as the reference).
#' @param batch_size cells per batch (64).
#' @param lr RMSprop learning rate of the nets (1e-4).
#' @param lr_adj RMSprop learning rate of \eqn{A} (2e-5, the reference's `0.2 * lr`).
#' @param hidden width of the MLP layers (128).
#' @param mode `"celltype"` or `"nonspecific"`, see Details.
#' @param lr_decay factor applied to the nets' learning rate after every epoch
#'   (1 = none), see Details.
#' @templateVar seed_of the first run (initialisation, batches, sampling)
#' @templateVar seed_note with `threads = 1` (bit for bit)
#' @template param-seed
#' @template param-threads
#' @template param-ensemble
#' @param device `"cpu"`, or `"cuda"` where the LibTorch grntorch was built
#'   against has CUDA (Debian's is CPU-only).
#' @template param-dots
#' @param net_epochs,adj_epochs the alternation: `net_epochs` epochs training the
#'   nets with \eqn{A} frozen, then `adj_epochs` epochs training \eqn{A} with the
#'   nets frozen (reference: 1 and 2).
#' @param cells_per_epoch a number `k` (default 1,000): each epoch trains on
#'   a fresh random subset of `k` cells (the first `k` of that epoch's
#'   shuffle), so an epoch costs `ceiling(k / batch_size)` steps however many
#'   cells there are; data with at most `k` cells get the reference's full
#'   passes, bit for bit.  `NULL`: every epoch passes over all cells at any
#'   size, as the reference.  See "Many cells" in Details.
#' @param precision `"float32"` (default, as the reference) or `"bfloat16"`:
#'   the lower-precision option for the per-gene MLPs' products on the CPU,
#'   see Precision in Details.
#' @return A `grn_method` parameter object for [infer_grn()].  The graph's
#'   attribute `fit` holds, per run, the loss per epoch (`loss`) and its
#'   terms (`loss_parts`: data.frames `mse`, `kl`, `sparse` that sum to the
#'   loss), drawn by [plot_training()].
#' @references Shu H. et al. (2021) Modeling gene regulatory networks using neural
#'   network architectures. *Nature Computational Science* 1, 491-501.
#' @seealso [infer_grn()]
#' @examples
#' ex <- grntorch_example()
#' genes <- unique(c(head(ex$tfs, 20), rownames(ex$expression)[1:60]))
#' g <- infer_grn(ex$expression[genes, 1:150], deepsem(epochs = 6, seed = 1, threads = 1),
#'                tfs = ex$tfs, verbose = FALSE)
#' head(grn_edges(g), 3)
#' @export
deepsem <- function(alpha = NULL, beta = NULL, epochs = 120, batch_size = 64, lr = 1e-4, lr_adj = 2e-5,
                    hidden = 128, mode = c("celltype", "nonspecific"), lr_decay = 1, seed = NULL,
                    threads = NULL, n_runs = 1, device = "cpu", ..., BPPARAM = NULL, stability_k = NULL,
                    net_epochs = 1, adj_epochs = 2, keep_runs = FALSE, cells_per_epoch = 1000,
                    precision = c("float32", "bfloat16")) {
  .check_dots("deepsem", ...)
  mode <- .match_choice(mode, "mode", c("celltype", "nonspecific"))
  if (is.null(alpha)) alpha <- if (mode == "celltype") 1 else 100
  if (is.null(beta)) beta <- if (mode == "celltype") 0.01 else 1
  seed <- .check_seed(seed)
  ens <- .check_ensemble(n_runs, BPPARAM, stability_k, keep_runs)
  params <- c(list(mode = mode), .sem_core_params(alpha, beta, epochs, batch_size, lr, lr_adj, hidden), list(
    lr_decay = .check_scalar_num(lr_decay, "lr_decay", min = 0, max = 1, open_min = TRUE),
    seed = seed,
    threads = .resolve_threads(threads),
    device = .check_device(device),
    net_epochs = .check_scalar_int(net_epochs, "net_epochs", min = 1, max = 1e4),
    adj_epochs = .check_scalar_int(adj_epochs, "adj_epochs", min = 1, max = 1e4),
    cells_per_epoch = if (is.null(cells_per_epoch)) 0L else .check_scalar_int(cells_per_epoch, "cells_per_epoch", min = 1, max = .Machine$integer.max),
    precision = .match_choice(precision, "precision", c("float32", "bfloat16"))
  ))
  if (params$precision == "bfloat16" && !identical(params$device, "cpu")) {
    .grn_abort("precision", "\"bfloat16\" is implemented for the CPU only; use \"float32\" with device = \"cuda\"")
  }
  new_grn_method("deepsem", params = params, subclass = "grn_deepsem", label = "DeepSEM", ensemble = ens)
}

# The engine's A[target, regulator] (genes x genes) -> the scores matrix
# regulators x genes: scores[r, g] = A[g, r], the effect of regulator r on g.
#' @noRd
.deepsem_scores <- function(A, regs) t(A)[regs, , drop = FALSE]

# The arguments DeepSEM shares with every model on its engine (DAZZLE),
# validated once.
#' @noRd
.sem_core_params <- function(alpha, beta, epochs, batch_size, lr, lr_adj, hidden) {
  list(
    alpha = .check_scalar_num(alpha, "alpha", min = 0),
    beta = .check_scalar_num(beta, "beta", min = 0),
    epochs = .check_scalar_int(epochs, "epochs", min = 1, max = 1e6),
    batch_size = .check_scalar_int(batch_size, "batch_size", min = 1, max = 1e7),
    lr = .check_scalar_num(lr, "lr", min = 0, open_min = TRUE),
    lr_adj = .check_scalar_num(lr_adj, "lr_adj", min = 0, open_min = TRUE),
    hidden = .check_scalar_int(hidden, "hidden", min = 1, max = 1e5)
  )
}

# The engine options of DeepSEM (the glue's deepsem_options() reads them),
# also sent by every model on the DeepSEM engine (InfoSEM).
#' @noRd
.deepsem_engine_options <- c("mode", "alpha", "beta", "epochs", "batch_size", "lr", "lr_adj", "hidden", "lr_decay",
                             "net_epochs", "adj_epochs", "cells_per_epoch", "precision", "seed", "device", "threads")

# One run: returns the engine's list (A = genes x genes, A[target, regulator]).
#' @noRd
.deepsem_run <- function(expr, p, seed, verbose, label) {
  p$seed <- seed
  opts <- .engine_opts(p, .deepsem_engine_options, verbose = verbose, label = label)
  .engine_call(.grn_deepsem(expr, opts))
}

#' @noRd
.fit_method.grn_deepsem <- function(method, data) .sem_fit(method, data, .deepsem_run)

# The fit of a model on the DeepSEM engine (DeepSEM, DAZZLE): `run(expr, p,
# seed, verbose, label)` is one engine run; runs make an ensemble.  The loss
# parts are the engine's mse, kl, sparse (and classifier, when it has one).
#' @noRd
.sem_fit <- function(method, data, run) {
  p <- method$params
  expr <- data$expr
  genes <- rownames(expr)
  label <- .method_label(method)
  if (nrow(expr) < 2L) .grn_abort("x", sprintf("%s needs at least 2 genes", label))
  regs <- match(data$regulators, genes)
  one <- function(i, seed, threads, verbose) {
    lab <- if (p$n_runs > 1) sprintf("%s run %d/%d", label, i, p$n_runs) else label
    p$threads <- threads
    r <- run(expr, p, seed, verbose = verbose, label = lab)
    parts <- data.frame(mse = r$mse, kl = r$kl, sparse = r$sparse)
    if (!is.null(r$classifier)) parts$classifier <- r$classifier
    list(scores = .deepsem_scores(r$A, regs), loss = r$loss, loss_parts = parts, seconds = r$seconds,
         threads = r$threads)
  }
  ens <- .run_ensemble(p$n_runs, p$seed, one, method$BPPARAM, p$threads, data$verbose, data$regulators, genes,
                       p$stability_k, p$keep_runs)
  info <- list(seeds = ens$seeds, loss = lapply(ens$runs, `[[`, "loss"), loss_parts = lapply(ens$runs, `[[`, "loss_parts"),
               seconds = vapply(ens$runs, `[[`, 0, "seconds"),
               threads = vapply(ens$runs, `[[`, 0L, "threads"))
  list(scores = ens$scores, attrs = ens$attrs, info = c(info, ens$info))
}

# DeepSEM (deepsem.cpp): n x n float matrices A, its gradient and RMSprop
# state, the off-diagonal mask and eye, I - A^T, its inverse / LU factors
# and the autograd buffers of the solve, plus A returned to R as doubles and
# transposed (together ~60 bytes per n^2); per batch the gene-wise MLPs hold
# batch x genes x hidden activations for backward (~31 bytes per element);
# the encoder cache (cells x genes) and the float copies of the data.
#' @noRd
.plan_method.grn_deepsem <- function(method, dims) .plan_sem(method, dims, extra_n2 = 0, emb_dim = 0)

#' @noRd
.plan_sem <- function(method, dims, extra_n2 = 0, emb_dim = 0, t_extra = 0, joint = FALSE) {
  p <- method$params
  n <- dims$genes; c <- dims$cells
  b <- min(p$batch_size, c)
  h <- p$hidden
  one <- (60 + extra_n2) * n^2 + 31 * n * b * h + 31 * n * c + 8 * n * emb_dim
  w <- .plan_workers(method)
  bytes <- w * one + .plan_ensemble_bytes(method, dims)
  # Time per batch (fitted to `deepsem_bench --synthetic <n>x1000 --epochs 3`
  # on 2 threads, n = 500-5,000, batch 64 and 128; within ~15% of the R runs
  # of bench/scale.R and bench/deepsem.R): a net epoch's batch runs the
  # gene-wise MLPs forward and backward (n * batch rows through hidden x hidden
  # products) and the batch's products with the n x n (I - A^T)^-1; an A
  # epoch's batch an LU of I - A^T (n^3), the element-wise n x n passes and
  # the MLPs without their weight gradients.  `t_extra`: InfoSEM's n x n prior
  # terms in A steps, as a share of the n x n passes.  An epoch is a pass
  # over every cell, or over cells_per_epoch of them.
  cpe <- if (is.null(p$cells_per_epoch) || p$cells_per_epoch <= 0) c else min(p$cells_per_epoch, c)
  nb <- cpe / b
  mlp <- as.numeric(n) * b * h * h / 128  # doubles: n * b * h^2 passes 2^31
  net_batch <- 1.05e-8 * mlp + 1.5e-10 * n^2 * b
  adj_batch <- 2.2e-9 * mlp + 1.6e-8 * (1 + t_extra) * n^2 + 3.5e-12 * n^3
  epoch <- if (joint) {
    # DAZZLE's joint step: the nets with their gradients and A's LU solve with its gradient, every batch.
    nb * (net_batch + 1.6e-8 * n^2 + 3.5e-12 * n^3)
  } else {
    nb * (p$net_epochs * net_batch + p$adj_epochs * adj_batch) / (p$net_epochs + p$adj_epochs)
  }
  # Measured on real 10x data (bench/pbmc.R: 1,111 genes x 3,774 PBMC, idle
  # machine) the constants above were 24% short on 2 threads (5,000 x 50,000
  # planted: 12% short), hence 1.15; and 1 thread took 1.25 x the 2-thread
  # time (203 s against 163 s): Amdahl's law with 60% of the time serial.
  epoch <- epoch * 1.15 * .plan_thread_factor(.plan_run_threads(method), serial = 0.6)
  runs <- if (is.null(p$n_runs)) 1L else p$n_runs
  list(bytes = bytes, epoch_seconds = epoch, epochs = p$epochs,
       seconds = epoch * p$epochs * ceiling(runs / w), advice = c("genes", "batch_size", "cells", "n_runs"))
}
