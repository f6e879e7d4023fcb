# Supervised graph link predictors: GENELink, GNNLink, scRegNet, scTransNet.
# One engine entry point (.grn_supervised); these constructors set each
# model's reference defaults.

.check_hidden <- function(hidden, n) {
  if (!is.numeric(hidden) || length(hidden) != n || anyNA(hidden) || any(hidden < 1) || any(hidden != round(hidden))) {
    .grn_abort("hidden", sprintf("must be %d positive whole numbers", n))
  }
  as.integer(hidden)
}

.supervised_method <- function(name, model, epochs, lr, batch_size, lr_decay, weight_decay, dropout, patience,
                               select_best, hidden, n_hidden, heads, gnn, embeddings, seed, threads) {
  params <- list(
    model = model,
    epochs = .check_scalar_int(epochs, "epochs", min = 1, max = 1e5),
    lr = .check_scalar_num(lr, "lr", min = 0, max = 10, open_min = TRUE),
    batch_size = .check_scalar_int(batch_size, "batch_size", min = 1, max = 1e7),
    lr_decay = .check_scalar_num(lr_decay, "lr_decay", min = 0, max = 1, open_min = TRUE),
    weight_decay = .check_scalar_num(weight_decay, "weight_decay", min = 0, max = 1),
    dropout = .check_scalar_num(dropout, "dropout", min = 0, max = 0.95),
    patience = .check_scalar_int(patience, "patience", min = 0, max = 1e5),
    select_best = .check_flag(select_best, "select_best"),
    hidden = .check_hidden(hidden, n_hidden),
    heads = .check_scalar_int(heads, "heads", min = 1, max = 64),
    gnn = gnn,
    seed = .check_scalar_int(seed, "seed", min = 0, max = .Machine$integer.max),
    threads = .resolve_threads(threads)
  )
  if (!is.null(embeddings)) params$embeddings <- embeddings
  new_grn_method(name, params = params, subclass = c(paste0("grn_", model), "grn_supervised"), supervised = TRUE)
}

#' Supervised graph link predictors (GENELink, GNNLink, scRegNet, scTransNet)
#'
#' Supervised models learn from labelled regulator -> target pairs (`train`
#' in [infer_grn()]) and score every candidate TF -> gene pair.  All four
#' share the protocol of GENELink (SPEC section 5): node features are the
#' genes' z-scored expression (one input per cell), the graph holds the
#' training positives as undirected edges (no self-loops), the loss is binary
#' cross-entropy, the optimiser Adam.  Message passing runs on edge lists, so
#' memory grows with the number of edges, not genes squared.  Early stopping
#' (`patience`) and the choice of the kept epoch (`select_best`) look only at
#' the `validation` pairs: their AUROC, ties broken by their loss; test pairs
#' are never given to the model.
#'
#' * `genelink()`: GENELink (Chen & Liu 2022) - GAT 3 heads x 128 (concat) ->
#'   ELU -> GAT 3 heads x 64 (mean), separate TF and target towers
#'   64 -> 32 -> 16 (LeakyReLU), dot-product decoder; the reference `Demo.py`
#'   defaults: 90 epochs, Adam 3e-3 decayed x0.99 after every batch, batch 256,
#'   attention dropout 0.5.  `hidden` = (GAT 1, GAT 2, tower, output).
#' * `gnnlink()`: GNNLink (Mao et al. 2023) - two GCN layers (#cells -> 128 ->
#'   64) over \eqn{D^{-1/2}(A + I)D^{-1/2}}; the decoder weighs the product
#'   of the two genes' embeddings.
#' * `scregnet()`: scRegNet - foundation-model gene embeddings concatenated
#'   with a GNN's gene representations (GCN by default; `gnn = "gat"` or
#'   `"sage"`) -> a shared MLP tower for regulator and target -> a linear
#'   layer on their concatenation -> 2-class softmax.  `hidden` = (GNN 1,
#'   GNN 2, tower 1, tower 2).
#' * `sctransnet()`: scTransNet - as scRegNet but with the attention-messaging
#'   GNN of its section 3.3 (node-type and relation embeddings, hidden 256 and
#'   128, 100 iterations at lr 0.003 in the paper), two separate channels for
#'   regulator and target, and typically attentively pooled embeddings (see
#'   [fm_embeddings()]).
#'
#' @param epochs number of passes over the training pairs.
#' @param lr Adam learning rate.
#' @param batch_size training pairs per step (the whole graph is encoded at
#'   every step, as in GENELink).
#' @param lr_decay factor applied to the learning rate after every batch
#'   (GENELink: 0.99; 1 = constant).
#' @param weight_decay Adam weight decay.
#' @param dropout dropout rate (GENELink: on the attention coefficients).
#' @param patience stop after this many epochs without a better validation
#'   AUROC (0: never stop early).  Needs `validation` pairs.
#' @param select_best keep the parameters of the epoch with the best
#'   validation AUROC, ties broken by the lower validation loss (small
#'   validation sets reach AUROC 1 within an epoch or two); otherwise those of
#'   the last epoch.
#' @param hidden layer sizes (see Details for each model).
#' @param heads attention heads (GENELink; scRegNet with `gnn = "gat"`).
#' @param embeddings foundation-model gene embeddings: a genes x d matrix with
#'   gene names as row names, or the result of [fm_embeddings()].  Genes of
#'   the expression without an embedding get the average embedding and are
#'   reported (`attr(g, "fit")$genes_without_embedding`).
#' @param embedding_dim optional expected embedding width (e.g. 200 for
#'   scBERT, 512 scFoundation, 896 Geneformer); a mismatch is an error.
#' @param gnn scRegNet's graph encoder: `"gcn"`, `"gat"` or `"sage"`.
#' @param seed random seed (initialisation, batch order, dropout).
#' @param threads LibTorch threads; default `getOption("grntorch.threads", 2)`.
#' @return A supervised `grn_method` object for [infer_grn()].  The fitted
#'   graph's attribute `fit` holds the per-epoch training loss, validation
#'   AUROC, the kept epoch and the number of epochs run.
#' @examples
#' ex <- grntorch_example()
#' g <- infer_grn(ex$expression, gnnlink(epochs = 1, batch_size = 4096), tfs = ex$tfs,
#'                train = ex$split$train, validation = ex$split$validation)
#' head(grn_edges(g), 3)
#' @name supervised_models
NULL

#' @rdname supervised_models
#' @export
genelink <- function(epochs = 90, lr = 3e-3, batch_size = 256, lr_decay = 0.99, weight_decay = 0, dropout = 0.5,
                     patience = 0, select_best = TRUE, hidden = c(128, 64, 32, 16), heads = 3, seed = 1,
                     threads = NULL) {
  .supervised_method("genelink", "genelink", epochs, lr, batch_size, lr_decay, weight_decay, dropout, patience,
                     select_best, hidden, 4L, heads, "gcn", NULL, seed, threads)
}

#' @rdname supervised_models
#' @export
gnnlink <- function(epochs = 100, lr = 3e-3, batch_size = 256, lr_decay = 1, weight_decay = 0, dropout = 0.1,
                    patience = 10, select_best = TRUE, hidden = c(128, 64), seed = 1, threads = NULL) {
  .supervised_method("gnnlink", "gnnlink", epochs, lr, batch_size, lr_decay, weight_decay, dropout, patience,
                     select_best, hidden, 2L, 1L, "gcn", NULL, seed, threads)
}

#' @rdname supervised_models
#' @export
scregnet <- function(embeddings, gnn = c("gcn", "gat", "sage"), epochs = 100, lr = 3e-3, batch_size = 256,
                     lr_decay = 1, weight_decay = 0, dropout = 0.2, patience = 10, select_best = TRUE,
                     hidden = c(256, 128, 128, 64), heads = 3, embedding_dim = NULL, seed = 1, threads = NULL) {
  if (missing(embeddings)) .grn_abort("embeddings", "scRegNet needs foundation-model gene embeddings (a genes x d matrix or fm_embeddings())")
  gnn <- .check_string(gnn[1], "gnn", c("gcn", "gat", "sage"))
  emb <- .as_fm_embeddings(embeddings, embedding_dim)
  .supervised_method("scregnet", "scregnet", epochs, lr, batch_size, lr_decay, weight_decay, dropout, patience,
                     select_best, hidden, 4L, heads, gnn, emb, seed, threads)
}

#' @rdname supervised_models
#' @export
sctransnet <- function(embeddings, epochs = 100, lr = 3e-3, batch_size = 256, lr_decay = 1, weight_decay = 0,
                       dropout = 0.2, patience = 10, select_best = TRUE, hidden = c(256, 128, 128, 64),
                       embedding_dim = NULL, seed = 1, threads = NULL) {
  if (missing(embeddings)) .grn_abort("embeddings", "scTransNet needs foundation-model gene embeddings (a genes x d matrix or fm_embeddings())")
  emb <- .as_fm_embeddings(embeddings, embedding_dim)
  .supervised_method("sctransnet", "sctransnet", epochs, lr, batch_size, lr_decay, weight_decay, dropout, patience,
                     select_best, hidden, 4L, 1L, "gcn", emb, seed, threads)
}

# Labelled pairs must hold both classes (BCE needs positives; validation
# AUROC needs both).
#' @noRd
.check_split_classes <- function(pairs, arg) {
  if (is.null(pairs)) return(invisible())
  if (!any(pairs$label == 1L)) .grn_abort(arg, "contains no positive pairs (label 1); a supervised model cannot learn or be selected without them")
  if (!any(pairs$label == 0L)) .grn_abort(arg, "contains no negative pairs (label 0)")
  invisible()
}

# Embeddings aligned to the expression's genes (case-insensitive); genes
# without one get the mean embedding.
#' @noRd
.align_embeddings <- function(emb, genes, verbose) {
  m <- emb$embeddings
  idx <- match(toupper(genes), toupper(rownames(m)))
  found <- !is.na(idx)
  if (!any(found)) {
    .grn_abort("embeddings", sprintf("no gene of the expression has an embedding (embedding genes look like: %s)",
                                     paste(utils::head(rownames(m), 3), collapse = ", ")))
  }
  out <- matrix(rep(colMeans(m[idx[found], , drop = FALSE]), each = length(genes)), nrow = length(genes))
  out[found, ] <- m[idx[found], , drop = FALSE]
  missing <- genes[!found]
  if (length(missing)) {
    msg <- sprintf("%d of %d genes have no embedding (given the mean embedding): %s%s", length(missing), length(genes),
                   paste(utils::head(missing, 5), collapse = ", "), if (length(missing) > 5) ", ..." else "")
    if (length(missing) > 0.5 * length(genes)) .grn_warn(msg) else .grn_inform(msg, verbose)
  }
  list(matrix = out, missing = missing)
}

#' @noRd
.fit_method.grn_supervised <- function(method, data) {
  p <- method$params
  genes <- rownames(data$expr)
  .check_split_classes(data$train, "train")
  .check_split_classes(data$validation, "validation")
  if (p$patience > 0 && is.null(data$validation)) {
    .grn_inform("no `validation` pairs: early stopping and model selection are off", data$verbose)
  }
  val <- data$validation
  if (is.null(val)) val <- data.frame(from = character(), to = character(), label = integer())
  emb <- matrix(0, 0, 0)
  missing <- NULL
  if (!is.null(p$embeddings)) {
    al <- .align_embeddings(p$embeddings, genes, data$verbose)
    emb <- al$matrix
    missing <- al$missing
  }
  regs <- match(data$regulators, genes)
  opts <- .engine_opts(p, c("model", "gnn", "epochs", "lr", "lr_decay", "batch_size", "weight_decay", "dropout",
                            "patience", "select_best", "hidden", "heads", "seed", "threads"),
                       verbose = isTRUE(data$verbose))
  res <- .engine_call(.grn_supervised(data$expr, regs, match(data$train$from, genes), match(data$train$to, genes),
                                      as.numeric(data$train$label), match(val$from, genes), match(val$to, genes),
                                      as.numeric(val$label), emb, opts))
  scores <- stats::plogis(res$scores)  # the engine returns logits
  dimnames(scores) <- list(data$regulators, genes)
  info <- list(train_loss = res$train_loss, val_auroc = res$val_auroc, val_loss = res$val_loss, best_epoch = res$best_epoch,
               epochs_run = res$epochs_run)
  if (!is.null(p$embeddings)) info$genes_without_embedding <- missing
  list(scores = scores, info = info)
}

# Test-set AUROC / average precision of a network on labelled pairs (pairs
# missing from the network score 0).  Used by tests and bench/ until
# evaluate_grn() has a pairs mode.
#' @noRd
.pair_metrics <- function(g, pairs) {
  e <- if (inherits(g, "igraph")) grn_edges(g) else g
  if (!is.data.frame(e) || !all(c("from", "to", "score") %in% names(e))) .grn_abort("g", "must be an igraph from infer_grn() or a data.frame from, to, score")
  if (!is.data.frame(pairs) || !all(c("from", "to", "label") %in% names(pairs))) .grn_abort("pairs", "must be a data.frame with columns from, to, label")
  key <- paste(toupper(e$from), toupper(e$to), sep = "\r")
  s <- e$score[match(paste(toupper(pairs$from), toupper(pairs$to), sep = "\r"), key)]
  s[is.na(s)] <- 0
  lab <- as.numeric(pairs$label)
  m <- .engine_call(.grn_pair_metrics(as.numeric(s), lab))
  c(m, n_pairs = length(lab), n_positive = sum(lab == 1))
}
