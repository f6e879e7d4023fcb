#' RegDiffusion: a diffusion model with a learned adjacency, for many genes
#'
#' RegDiffusion (Zhu & Slonim 2024, *Journal of Computational Biology*) is the
#' successor of DeepSEM ([deepsem()]) by the same group: it keeps DeepSEM's
#' learned adjacency \eqn{A} but trains it inside a denoising diffusion model,
#' so that no matrix is ever inverted and a training step costs
#' \eqn{O(b\,n^2)} for \eqn{n} genes and \eqn{b} cells per step instead of
#' DeepSEM's \eqn{O(n^3)}.  Pick it when there are many genes (thousands to
#' tens of thousands) or when DeepSEM is too slow; at BEELINE size the two are
#' about as accurate.
#'
#' The model, as the reference code (package 0.0.8; its documentation and
#' code are the specification, no code is copied):
#' * the expression (log values, cells in columns) is scaled per cell to
#'   \eqn{[0, 1]} (min-max) and z-scored per gene;
#' * each step draws `batch_size` cells with replacement (bootstrap), a
#'   diffusion time \eqn{t \in \{0, \dots, T-1\}} per cell and Gaussian noise
#'   \eqn{\epsilon}, and diffuses \eqn{x_t = \sqrt{\bar\alpha_t} x_0 +
#'   \sqrt{1-\bar\alpha_t}\,\epsilon} (linear schedule of \eqn{\beta} from
#'   `start_noise` to `end_noise`, both times \eqn{1000/T});
#' * each gene's value with a learned gene embedding passes through small MLP
#'   blocks (width `hidden`, tanh, dropout 0.1) that also see a sinusoidal time
#'   embedding and a cell-type embedding; the features \eqn{h} are mixed by
#'   \eqn{h (I - C)}, \eqn{C} = the soft-thresholded (at \eqn{1/(2(n-1))}),
#'   diagonal-masked \eqn{A} with `adj_dropout` of its entries dropped, and a
#'   final linear layer predicts \eqn{\epsilon};
#' * loss = mean squared error of the noise + `sparse_loss_coef` x the mean
#'   of the thresholded \eqn{A} (from the 12th step on, as the reference);
#'   Adam (betas 0.9, 0.99) with `lr_nn` / `weight_decay_nn` for the nets and
#'   `lr_adj` (default \eqn{1/(50(n-1))}) / `weight_decay_adj` for \eqn{A}.
#'
#' Scores are the learned, thresholded \eqn{A[regulator, target]} times
#' \eqn{n - 1} (the reference's scale), returned as signed edge scores
#' regulator -> target (weight = |A|).  The dropouts act in training only: the
#' returned adjacency has none.  (The reference 0.0.8 tests `self.train`, a
#' method and so always true, instead of `self.training`, which would keep the
#' adjacency dropout on in evaluation; 0.2.x fixed it; this follows 0.2.x.  The
#' reference reads its adjacency without dropout either way.)  Unlike the
#' reference, the adjacency is not rounded to float16 (which ties edges).
#'
#' **Speed.** The final layer is linear, so it is applied before the mixing:
#' \eqn{z = (h w)(I - C) + b} is the reference's function with a genes x genes
#' product of a batch x genes matrix instead of a batch x genes x hidden
#' tensor (15 times fewer operations); the gradient of \eqn{A} is made tile by
#' tile inside one fused pass that also applies Adam's update and builds the
#' next step's \eqn{C}.  Results differ from the reference's order only by
#' rounding.
#'
#' **Scale.** Memory grows with the square of the genes (four genes x genes
#' float matrices: 1.6 GB at 10,000 genes) and not with the cells: a base
#' double matrix is read where R holds it, normalising only the cells drawn
#' at each step.  Measured on a 2-core, 24 GB machine (2 threads, defaults,
#' `bench/scale.R`): 10,000 genes x 50,000 cells in 13 minutes with a peak
#' of 6.3 GB including the 4 GB input; the real PBMC data with the 8,244
#' genes detected in at least 1% of 3,774 cells in 10 minutes (2.7 GB).  With 2,000
#' TFs, 10,000 genes give 2 x 10^7 candidate pairs, of which `top = NULL`
#' keeps the strongest 2 million (see [infer_grn()]).  [grn_resources()]
#' predicts the memory and time before a run, and refuses a call that does
#' not fit.
#'
#' **Reproducibility.** The same `seed` with `threads = 1` gives bit-identical
#' networks (the dropout masks come from a counter-based generator, so they do
#' not depend on the threads; with more threads matrix products may differ in
#' the last bits).  The random streams differ from the reference's (PyTorch's),
#' so a run matches the reference in distribution, not number for number.
#'
#' **Ensembles.** As [deepsem()]: `n_runs` runs with seeds `seed`,
#' `seed + 1`, ...; weight = mean |A|, sign of the mean A, edge attribute
#' `stability` = the fraction of runs with the edge among that run's
#' `stability_k` strongest; runs spread over `BPPARAM` when given.
#'
#' @param steps training steps (default 1,000, as the reference).
#' @param batch_size cells drawn (with replacement) per step (128); at most the
#'   number of cells.
#' @param lr_nn Adam learning rate of the nets (1e-3).
#' @param lr_adj Adam learning rate of \eqn{A} (`NULL`: \eqn{1/(50(n-1))}).
#' @param weight_decay_nn,weight_decay_adj Adam's L2 weight decay of the nets
#'   (0.1) and of \eqn{A} (0.01).
#' @param sparse_loss_coef weight of the sparsity term (0.25).
#' @param adj_dropout fraction of \eqn{A}'s entries dropped at each step (0.3).
#' @param T number of diffusion steps (5,000).
#' @param start_noise,end_noise the noise schedule's first and last
#'   \eqn{\beta} before scaling by \eqn{1000/T} (1e-4, 0.02).
#' @param time_dim width of the time embedding (64, even).
#' @param hidden width of the gene embedding plus value (16; the reference's
#'   `hidden_dims = c(16, 16, 16)`).
#' @param init_coef \eqn{A} starts at `init_coef` / (n - 1) (5).
#' @templateVar seed_of the first run (initialisation, batches, noise, dropout)
#' @templateVar seed_note with `threads = 1` (bit for bit)
#' @template param-seed
#' @template param-threads
#' @template param-ensemble
#' @param device `"cpu"` (the only device of this version).
#' @template param-dots
#' @return A `grn_method` parameter object for [infer_grn()].  The graph's
#'   attribute `fit` holds, per run, the loss per step (`loss`), its terms
#'   (`loss_parts`: data.frames with `mse` and `sparse`), the change of the
#'   adjacency per step (`adj_change`, the reference's convergence measure)
#'   and the time; [plot_training()] draws the loss.
#' @references Zhu H., Slonim D. (2024) From noise to knowledge: diffusion
#'   probabilistic model-based neural inference of gene regulatory networks.
#'   *Journal of Computational Biology* 31(11), 1087-1103.
#' @seealso [infer_grn()], [deepsem()], [grn_resources()]
#' @examples
#' ex <- grntorch_example()
#' genes <- unique(c(head(ex$tfs, 20), rownames(ex$expression)[1:60]))
#' g <- infer_grn(ex$expression[genes, 1:150], regdiffusion(steps = 100, seed = 1, threads = 1),
#'                tfs = ex$tfs, verbose = FALSE)
#' head(grn_edges(g), 3)
#' @export
regdiffusion <- function(steps = 1000, batch_size = 128, lr_nn = 1e-3, lr_adj = NULL, weight_decay_nn = 0.1,
                         weight_decay_adj = 0.01, sparse_loss_coef = 0.25, adj_dropout = 0.3, T = 5000,
                         start_noise = 1e-4, end_noise = 0.02, time_dim = 64, hidden = 16, init_coef = 5,
                         seed = NULL, threads = NULL, n_runs = 1, device = "cpu", ..., BPPARAM = NULL,
                         stability_k = NULL, keep_runs = FALSE) {
  .check_dots("regdiffusion", ...)
  seed <- .check_seed(seed)
  ens <- .check_ensemble(n_runs, BPPARAM, stability_k, keep_runs)
  params <- list(
    steps = .check_scalar_int(steps, "steps", min = 1, max = 1e7),
    batch_size = .check_scalar_int(batch_size, "batch_size", min = 1, max = 1e7),
    lr_nn = .check_scalar_num(lr_nn, "lr_nn", min = 0, open_min = TRUE),
    lr_adj = if (is.null(lr_adj)) NULL else .check_scalar_num(lr_adj, "lr_adj", min = 0, open_min = TRUE),
    weight_decay_nn = .check_scalar_num(weight_decay_nn, "weight_decay_nn", min = 0),
    weight_decay_adj = .check_scalar_num(weight_decay_adj, "weight_decay_adj", min = 0),
    sparse_loss_coef = .check_scalar_num(sparse_loss_coef, "sparse_loss_coef", min = 0),
    adj_dropout = .check_scalar_num(adj_dropout, "adj_dropout", min = 0, max = 0.99),
    T = .check_scalar_int(T, "T", min = 2, max = 1e7),
    start_noise = .check_scalar_num(start_noise, "start_noise", min = 0, max = 1, open_min = TRUE),
    end_noise = .check_scalar_num(end_noise, "end_noise", min = 0, max = 1, open_min = TRUE),
    time_dim = .check_scalar_int(time_dim, "time_dim", min = 4, max = 1e5),
    hidden = .check_scalar_int(hidden, "hidden", min = 2, max = 1e4),
    init_coef = .check_scalar_num(init_coef, "init_coef", min = 0),
    seed = seed,
    threads = .resolve_threads(threads),
    device = .check_device(device)
  )
  if (params$time_dim %% 2 != 0) .grn_abort("time_dim", "must be an even number")
  if (params$end_noise < params$start_noise) .grn_abort("end_noise", "must be at least `start_noise`")
  if (params$end_noise * 1000 / params$T >= 1) {
    .grn_abort("end_noise", sprintf("times 1000 / T must be below 1 (a variance of the noise schedule); here %g",
                                    params$end_noise * 1000 / params$T))
  }
  if (!identical(params$device, "cpu")) .grn_abort("device", "RegDiffusion runs on the CPU only in this version")
  new_grn_method("regdiffusion", params = params, subclass = "grn_regdiffusion", label = "RegDiffusion",
                 ensemble = ens)
}

# One run: the engine's list (A = rows x genes, A[regulator, target]; rows =
# the regulators' row numbers, all genes when empty).
#' @noRd
.regdiffusion_run <- function(expr, p, seed, verbose, label, rows = integer()) {
  p$seed <- seed
  # lr_adj = NULL: the reference's 1 / (50 (n - 1)).
  if (is.null(p$lr_adj)) p$lr_adj <- 1 / (50 * (nrow(expr) - 1))
  p$blocks <- 2L
  opts <- .engine_opts(p, c("steps", "batch_size", "T", "start_noise", "end_noise", "time_dim", "hidden", "blocks",
                            "init_coef", "lr_nn", "lr_adj", "weight_decay_nn", "weight_decay_adj", "sparse_loss_coef",
                            "adj_dropout", "seed", "device", "threads"),
                       verbose = verbose, label = label)
  .engine_call(.grn_regdiffusion(expr, opts, as.integer(rows)))
}

#' @noRd
.fit_method.grn_regdiffusion <- function(method, data) {
  p <- method$params
  expr <- data$expr
  genes <- rownames(expr)
  if (nrow(expr) < 2L) .grn_abort("x", "RegDiffusion needs at least 2 genes")
  if (ncol(expr) < 2L) .grn_abort("x", "RegDiffusion needs at least 2 cells")
  if (p$batch_size > ncol(expr)) {
    .grn_abort("batch_size", sprintf("must be at most the number of cells (%d); got %d", ncol(expr), p$batch_size))
  }
  regs <- match(data$regulators, genes)
  one <- function(i, seed, threads, verbose) {
    lab <- if (p$n_runs > 1) sprintf("RegDiffusion run %d/%d", i, p$n_runs) else "RegDiffusion"
    p$threads <- threads
    r <- .regdiffusion_run(expr, p, seed, verbose = verbose, label = lab, rows = regs)
    list(scores = r$A, loss = r$loss,
         loss_parts = data.frame(mse = r$mse, sparse = r$sparse), adj_change = r$adj_change,
         seconds = r$seconds, threads = r$threads)
  }
  ens <- .run_ensemble(p$n_runs, p$seed, one, method$BPPARAM, p$threads, data$verbose, data$regulators, genes,
                       p$stability_k, p$keep_runs)
  info <- list(seeds = ens$seeds, loss = lapply(ens$runs, `[[`, "loss"), loss_parts = lapply(ens$runs, `[[`, "loss_parts"),
               adj_change = lapply(ens$runs, `[[`, "adj_change"),
               seconds = vapply(ens$runs, `[[`, 0, "seconds"),
               threads = vapply(ens$runs, `[[`, 0L, "threads"))
  list(scores = ens$scores, attrs = ens$attrs, info = c(info, ens$info))
}

# The planner (grn_resources()).  Memory: the engine holds four genes x genes
# float matrices (A, its two Adam moments and C = the thresholded A with
# dropout; the gradient of C is made tile by tile inside the Adam pass, with
# no genes x genes buffer, up to 65,535 genes, and is a fifth matrix beyond);
# the fused per-gene nets keep their activations for backward (about 32 bytes
# per hidden unit per batch x genes row, with the step's batch x genes
# buffers); at the end the regulators' rows of A are read out (floats, while
# the training state is alive) and go back to R as doubles.  The expression
# is read where R holds it (the engine keeps per-cell and per-gene statistics
# and normalises the cells it draws: no genes x cells copy).  Time per step:
# three batch x genes x genes products, the fused passes over A and the
# per-gene nets.  Constants measured on this machine (bench/scale.R,
# bench/regdiffusion.R).
#' @noRd
.plan_regdiffusion <- function(method, dims) {
  p <- method$params
  n <- as.numeric(dims$genes); c <- as.numeric(dims$cells); r <- as.numeric(dims$regulators)
  b <- min(p$batch_size, c)
  h <- p$hidden
  state <- (if (n < 65536) 16 else 20) * n^2
  # training (state + activations), the read-out (state + float rows), or R's copy (float + double rows)
  one <- max(state + 32 * n * b * h, state + 4 * r * n, 12 * r * n)
  w <- .plan_workers(method)
  bytes <- w * one + .plan_ensemble_bytes(method, dims)
  step <- .regdiffusion_time$gemm * 6 * b * n^2 + .regdiffusion_time$pass * n^2 + .regdiffusion_time$mlp * b * n * h
  step <- step * .plan_thread_factor(.plan_run_threads(method), serial = .regdiffusion_time$serial)
  runs <- if (is.null(p$n_runs)) 1L else p$n_runs
  list(bytes = bytes, epoch_seconds = step, epochs = p$steps, seconds = step * p$steps * ceiling(runs / w),
       advice = c("genes", "steps", "batch_size", "n_runs"), unit = "step")
}

# Seconds per flop of the products, per element of the passes over A and per
# batch x genes x hidden element of the nets, on 2 threads, fitted to the
# step times of the idle machine (2026-12-07: 34.7 ms at 1,120 genes, 117 ms
# at 3,000, 745 ms at 10,000; 57.9 ms at 1,120 genes on 1 thread: ~20% of
# the step serial).
#' @noRd
.regdiffusion_time <- list(gemm = 3.8e-12, pass = 2.0e-9, mlp = 1.25e-8, serial = 0.2)

#' @noRd
.plan_method.grn_regdiffusion <- function(method, dims) .plan_regdiffusion(method, dims)
