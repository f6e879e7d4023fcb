#' scUniGP: unified graph + pairwise supervised GRN inference
#'
#' The scUniGP model (unifying graph-based and pairwise-based representations
#' for GRN inference): a **global branch** (a GAT or GCN over the z-scored
#' expression and the graph of training positives, keeping every layer's
#' embeddings, with TF and target towers whose dot product is the expert score
#' \eqn{s_{ij} = h_i^{(L)} \cdot h_j^{(L)}}), a **pairwise branch** (the TF's
#' and the target's expression projected by one linear layer - once per gene
#' and batch - plus learnable role embeddings, through a Transformer encoder),
#' and **multi-scale fusion** (the paper's Eq. 7: the GNN features of layer
#' \eqn{l} enter fusion step \eqn{l}, the expert score only the last one),
#' followed by a classifier with residual connections, batch norm and PReLU,
#' a sigmoid and binary cross-entropy.
#'
#' With `gnn = "gat"` the global branch is GENELink's network (the paper's
#' appendix C: 3 heads, 128 -> 64 -> 32 -> 16, attention dropout 0.5, tower
#' dropout 0.01).  At the final decision the expert score is added to the
#' classifier's logit with a learnable weight (appendix C: "GNN prediction
#' scores are additionally incorporated during the final decision stage");
#' that weight starts at 1 and the classifier's last layer at 0, so joint
#' training starts from the pre-trained GNN's prediction.
#'
#' Training has two stages: the GNN is pre-trained on the training pairs with
#' GENELink's recipe (BCE on the expert score, Adam 3e-3 decayed by 0.99 per
#' step, up to `pretrain_epochs`, the best validation AUROC kept, stopping
#' after `pretrain_patience` epochs without improvement), then the whole model
#' is fine-tuned jointly (the GNN at `gnn_lr_scale`
#' times the learning rate) with early stopping on validation AUROC (patience
#' `patience`); the model with the best validation AUROC is kept (ties,
#' as on a tiny validation set at AUROC 1, go to the lower validation loss).  Only the
#' `train` and `validation` pairs are ever seen.  When `validation` is
#' `NULL`, `validation_fraction` of the training pairs (stratified by label) is
#' held out.
#'
#' `size = "cpu"` (default) is a transformer of width 64 (2 layers, 4 heads)
#' that trains on a TFs+500 BEELINE dataset in a few minutes on two cores;
#' `size = "paper"` is the paper's configuration (width 1024, 4 layers, 8
#' heads, learning rate 5e-6, batch 512, up to 200 epochs), meant for large
#' machines.  Explicit arguments override the preset.
#'
#' Ablations (the paper's Tables 2-3): `fusion = "none"` drops the global
#' branch (pairwise transformer only), `"early"` concatenates the GNN's
#' output embedding (its last graph layer) to the expression features before
#' the transformer (the paper's "feature concatenation before the
#' Transformer encoder"; no per-layer features, no expert score), `"late"` adds the expert
#' score to the pairwise logit (a decision-level ensemble, no GNN features),
#' `"multiscale"` is the model; `gnn = "gcn"` swaps the GAT for a GCN.
#'
#' Many cells: both branches read each gene's expression over all cells (the
#' GAT's first layer and the pairwise projection), so with more than
#' `cell_features` cells (default 1,000) they read the genes' scores on the
#' top 1,000 principal components of the cell axis instead, as GENELink does
#' (see "Many cells" in [supervised_models]).  On a planted network of 2,500
#' genes x 10,000 cells the default run took 155-162 s on two threads (peak
#' 1.61 GB), against 3,835 s with every cell on one thread beside other jobs.
#'
#' Scores are predicted probabilities for every regulator x gene pair (the
#' mean over the runs of an ensemble, `n_runs > 1`).  The
#' fit information (`igraph::graph_attr(g, "fit")`) holds the validation
#' AUROC per epoch of both stages and `expert_logits`, the global branch's
#' own expert scores (regulators x genes) of the selected model.
#'
#' @templateVar seed_of the first run (torch and batch order; the held-out validation pairs when `validation` is `NULL`, drawn once)
#' @template param-seed
#' @param size `"cpu"` or `"paper"`: preset sizes, see Details.
#' @param gnn `"gat"` or `"gcn"`.
#' @param fusion `"multiscale"`, `"late"`, `"early"` or `"none"`.
#' @param epochs maximum joint-training epochs (default 60 cpu / 200 paper).
#' @param lr Adam learning rate of joint training (1e-3 cpu / 5e-6 paper).
#' @param batch_size training pairs per batch (256 cpu / 512 paper).
#' @template param-threads
#' @param d_model,n_heads,n_layers,dim_feedforward transformer width, heads,
#'   layers and feed-forward width (`NULL`: the preset).
#' @param dropout dropout of the transformer, fusion and classifier.
#' @param patience early-stopping patience (epochs without a better validation AUROC).
#' @param pretrain_epochs maximum GNN pre-training epochs (0 skips pre-training;
#'   GENELink's 90 by default, the paper's appendix says at most 30).
#' @param pretrain_patience pre-training stops after this many epochs without a
#'   better validation AUROC.
#' @param gnn_dims widths of the GNN layers (the first GAT layer concatenates
#'   `gat_heads` heads, so its embedding is `gat_heads * gnn_dims[1]` wide).
#' @param tower_dims widths of the TF and target towers; the last is the
#'   width of the final level \eqn{h^{(L)}}.
#' @param gat_heads attention heads of each GAT layer.
#' @param gnn_lr_scale learning-rate factor of the pre-trained GNN during joint training.
#' @param weight_decay Adam weight decay.
#' @param validation_fraction share of `train` held out for early stopping when
#'   `validation` is `NULL`.
#' @template param-ensemble
#' @param cell_features with more cells than this (default 1,000), the
#'   genes' scores on the top `cell_features` principal components of the
#'   cell axis replace their z-scored expression as the input of the
#'   projection and of the GNN; `NULL` / `Inf` keeps every cell.  Exactly as in
#'   [supervised_models] (`cell_features` there); data with at most 1,000
#'   cells are unchanged, bit for bit.
#' @template param-dots
#' @inheritSection supervised_models What transfers from a known network
#' @return A `grn_method` parameter object for [infer_grn()] (supervised: give
#'   `train` and preferably `validation` pairs, e.g. from [training_pairs()]).
#'   The graph's `fit` attribute holds the per-epoch validation AUROC of both
#'   stages, the kept epochs, `seconds` by stage and `phase_seconds` (both
#'   training loops' wall seconds in the batches' forward pass, backward
#'   pass, optimiser steps and validation).  Edges that are positive `train` pairs get the edge attribute
#'   `known = TRUE` (`grn_edges(g, novel = TRUE)` drops them).
#' @seealso [infer_grn()]
#' @examples
#' ex <- grntorch_example()
#' keep <- rownames(ex$expression)[1:150]
#' sub <- function(p) p[p$from %in% keep & p$to %in% keep, ]
#' g <- infer_grn(ex$expression[keep, ], scunigp(epochs = 2, pretrain_epochs = 2),
#'                tfs = ex$tfs, train = sub(ex$split$train),
#'                validation = sub(ex$split$validation), verbose = FALSE)
#' head(grn_edges(g), 3)
#' @export
scunigp <- function(seed = 1L, size = c("cpu", "paper"), gnn = c("gat", "gcn"),
                    fusion = c("multiscale", "late", "early", "none"), epochs = NULL, lr = NULL,
                    batch_size = NULL, threads = NULL, d_model = NULL, n_heads = NULL, n_layers = NULL,
                    dim_feedforward = NULL, dropout = 0.2, patience = 8L, pretrain_epochs = 90L, pretrain_patience = 10L,
                    gnn_dims = c(128L, 64L), tower_dims = c(32L, 16L), gat_heads = 3L,
                    gnn_lr_scale = 0.1, weight_decay = 1e-5, validation_fraction = 0.1, n_runs = 1, ...,
                    BPPARAM = NULL, stability_k = NULL, keep_runs = FALSE, cell_features = 1000) {
  .check_dots("scunigp", ...)
  size <- .match_choice(size, "size", c("cpu", "paper"))
  gnn <- .match_choice(gnn, "gnn", c("gat", "gcn"))
  fusion <- .match_choice(fusion, "fusion", c("multiscale", "late", "early", "none"))
  preset <- switch(size,
    cpu = list(d_model = 64L, n_heads = 4L, n_layers = 2L, dim_feedforward = 128L, lr = 1e-3,
               batch_size = 256L, epochs = 60L),
    paper = list(d_model = 1024L, n_heads = 8L, n_layers = 4L, dim_feedforward = 2048L, lr = 5e-6,
                 batch_size = 512L, epochs = 200L))
  pick <- function(x, nm) if (is.null(x)) preset[[nm]] else x
  p <- list(
    seed = .check_seed(seed),
    size = size, gnn = gnn, fusion = fusion,
    epochs = .check_scalar_int(pick(epochs, "epochs"), "epochs", min = 1, max = 1e5),
    lr = .check_scalar_num(pick(lr, "lr"), "lr", min = 0, max = 10, open_min = TRUE),
    batch_size = .check_scalar_int(pick(batch_size, "batch_size"), "batch_size", min = 2, max = 1e7),
    threads = .resolve_threads(threads),
    d_model = .check_scalar_int(pick(d_model, "d_model"), "d_model", min = 1, max = 65536),
    n_heads = .check_scalar_int(pick(n_heads, "n_heads"), "n_heads", min = 1, max = 1024),
    n_layers = .check_scalar_int(pick(n_layers, "n_layers"), "n_layers", min = 1, max = 64),
    dim_feedforward = .check_scalar_int(pick(dim_feedforward, "dim_feedforward"), "dim_feedforward",
                                        min = 1, max = 1e6),
    dropout = .check_scalar_num(dropout, "dropout", min = 0, max = 0.95),
    patience = .check_scalar_int(patience, "patience", min = 1, max = 1e5),
    pretrain_epochs = .check_scalar_int(pretrain_epochs, "pretrain_epochs", min = 0, max = 1e5),
    pretrain_patience = .check_scalar_int(pretrain_patience, "pretrain_patience", min = 1, max = 1e5),
    gnn_dims = .check_int_vector(gnn_dims, "gnn_dims"),
    tower_dims = .check_int_vector(tower_dims, "tower_dims"),
    gat_heads = .check_scalar_int(gat_heads, "gat_heads", min = 1, max = 64),
    gnn_lr_scale = .check_scalar_num(gnn_lr_scale, "gnn_lr_scale", min = 0, max = 100),
    weight_decay = .check_scalar_num(weight_decay, "weight_decay", min = 0, max = 1),
    cell_features = .check_cell_features(cell_features),
    validation_fraction = .check_scalar_num(validation_fraction, "validation_fraction", min = 0, max = 0.5,
                                            open_min = TRUE))
  if (p$d_model %% p$n_heads != 0L) .grn_abort("n_heads", sprintf("must divide d_model (%d)", p$d_model))
  new_grn_method("scunigp", params = p, subclass = "grn_scunigp", supervised = TRUE, label = "scUniGP",
                 ensemble = .check_ensemble(n_runs, BPPARAM, stability_k, keep_runs))
}

# Stratified hold-out of `frac` of the pairs (at least one of each class
# stays on each side when possible).
#' @noRd
.holdout_pairs <- function(pairs, frac, seed) {
  val <- logical(nrow(pairs))
  .with_seed(seed, for (lab in c(0L, 1L)) {
    idx <- which(pairs$label == lab)
    k <- min(length(idx) - 1L, max(1L, round(frac * length(idx))))
    if (k >= 1L) val[idx[sample.int(length(idx), k)]] <- TRUE
  })
  list(train = pairs[!val, , drop = FALSE], validation = pairs[val, , drop = FALSE])
}

# The parameters of scunigp() that the engine reads (besides verbose).
.scunigp_engine_options <- c("gnn", "fusion", "gnn_dims", "tower_dims", "gat_heads", "pretrain_epochs",
                             "pretrain_patience", "d_model", "n_heads", "n_layers", "dim_feedforward", "dropout",
                             "epochs", "patience", "lr", "gnn_lr_scale", "weight_decay", "batch_size",
                             "cell_features", "seed", "threads")

#' @noRd
.fit_method.grn_scunigp <- function(method, data) {
  p <- method$params
  train <- data$train
  validation <- data$validation
  if (!all(c(0L, 1L) %in% train$label)) .grn_abort("train", "needs both positive (label 1) and negative (label 0) pairs")
  if (is.null(validation)) {
    if (sum(train$label == 1L) < 2L || sum(train$label == 0L) < 2L) {
      .grn_abort("validation", "is NULL and `train` has too few pairs of each label to hold some out")
    }
    .grn_inform(sprintf("scunigp: no `validation` given; holding out %g of the training pairs for early stopping",
                        p$validation_fraction), data$verbose)
    h <- .holdout_pairs(train, p$validation_fraction, p$seed)
    train <- h$train
    validation <- h$validation
  }
  if (!all(c(0L, 1L) %in% validation$label)) {
    .grn_abort("validation", "needs both positive (label 1) and negative (label 0) pairs (it drives early stopping on AUROC)")
  }
  genes <- rownames(data$expr)
  if (p$fusion != "none" && !any(train$label == 1L & train$from != train$to)) {
    .grn_abort("train", "has no positive pair between two different genes, so the GNN has no graph")
  }
  one <- function(i, seed, threads, verbose) {
    p$seed <- seed
    p$threads <- threads
    data$verbose <- verbose
    fit <- .scunigp_run(data, p, genes, train, validation)
    scores <- stats::plogis(fit$logits)
    fit$logits <- NULL
    if (!is.null(fit$expert_logits)) dimnames(fit$expert_logits) <- list(data$regulators, genes)
    list(scores = scores, info = fit)
  }
  .supervised_ensemble(method, data, one)
}

# One engine run of scUniGP: the engine's list (logits, expert_logits, ...).
#' @noRd
.scunigp_run <- function(data, p, genes, train, validation) {
  .engine_call(.grn_scunigp(data$expr, match(data$regulators, genes),
                            match(train$from, genes), match(train$to, genes), as.numeric(train$label),
                            match(validation$from, genes), match(validation$to, genes), as.numeric(validation$label),
                            .engine_opts(p, .scunigp_engine_options, verbose = isTRUE(data$verbose))))
}

# scUniGP (scunigp.cpp): the node-feature stage of the graph models
# (.plan_features_bytes), then the float copy of the expression, the genes x
# features input of the projection and the GNN, the GAT branch's per-gene
# features of every layer with their autograd buffers (measured ~56 kB per
# gene at the default widths, i.e. ~146 bytes per gene and unit of the first
# GAT layer), the pairwise branch's projection of every gene (genes x d_model
# per batch), the prediction over all regulators x genes pairs (pair indices,
# logits and expert logits, ~97 bytes per pair) and a transformer workspace
# (~87 MB, measured at d_model = 64).
#' @noRd
.plan_method.grn_scunigp <- function(method, dims) {
  p <- method$params
  n <- dims$genes; c <- dims$cells
  width <- p$gnn_dims[1] * p$gat_heads
  fc <- .plan_cell_features(p, n, c)
  model <- 4 * n * c + 6 * n * fc + 146 * n * width + 8 * n * p$d_model + 97 * dims$regulators * n +
    8.7e7 * p$d_model / 64
  one <- max(.plan_features_bytes(n, c, fc), model)
  w <- .plan_workers(method)
  bytes <- w * one + .plan_ensemble_bytes(method, dims)
  # Time: the transformer per pair (forward ~1.5e-4 s at the cpu size, ~3x
  # with backward) and the GAT over the whole graph once per step.
  scale <- (p$d_model * p$dim_feedforward) / (64 * 128) * p$n_layers / 2
  steps <- max(1, ceiling(dims$n_train / p$batch_size))
  # (bench/scale.R at 2,500 x 10,000, 1,000 features: 3.0 s per epoch measured.)
  epoch <- 2.5e-4 * scale * dims$n_train + 1.5e-4 * scale * dims$n_validation + steps * 6e-11 * n * fc * width
  predict <- 1.5e-4 * scale * dims$regulators * n
  runs <- p$n_runs
  list(bytes = bytes, epoch_seconds = epoch, epochs = p$epochs + p$pretrain_epochs,
       seconds = (epoch * (p$epochs + p$pretrain_epochs) + predict + .plan_svd_seconds(n, c, fc)) * ceiling(runs / w),
       advice = c("genes", "tfs", "top"))
}
