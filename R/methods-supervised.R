# Supervised graph link predictors: GENELink, GNNLink, scRegNet, scTransNet.
# One engine entry point (.grn_supervised); these constructors set each
# model's reference defaults.

.supervised_method <- function(model, label, epochs, lr, batch_size, lr_decay, weight_decay, dropout, patience,
                               select_best, select_window, select_average, hidden, n_hidden, heads, gnn,
                               embeddings, seed, threads, ens, pair_correlation = FALSE,
                               cell_features = 1000) {
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
    select_window = .check_odd_int(select_window, "select_window", max = 1e5),
    select_average = .check_flag(select_average, "select_average"),
    hidden = .check_hidden(hidden, n_hidden),
    heads = .check_scalar_int(heads, "heads", min = 1, max = 64),
    gnn = gnn,
    pair_correlation = .check_flag(pair_correlation, "pair_correlation"),
    cell_features = .check_cell_features(cell_features),
    seed = .check_seed(seed),
    threads = .resolve_threads(threads)
  )
  if (!is.null(embeddings)) params$embeddings <- embeddings
  new_grn_method(model, params = params, subclass = c(paste0("grn_", model), "grn_supervised"), supervised = TRUE,
                 label = label, ensemble = ens)
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
#' the `validation` pairs: their AUROC, ties broken by their loss (or the
#' means of both over a window of epochs, `select_window`); test pairs are
#' never given to the model.
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
#' @param select_window odd number of epochs \eqn{w} over which the
#'   validation criterion is averaged before it chooses the kept epoch and
#'   drives early stopping.  From epoch \eqn{e \ge w} on, the window of epochs
#'   \eqn{e-w+1, \dots, e} is judged by its mean validation AUROC (ties: the
#'   lower mean validation loss); a better window makes its centre epoch
#'   \eqn{e - (w-1)/2} the kept one.  `patience` counts only complete windows,
#'   so at least `select_window + patience` epochs run; a run shorter than
#'   `select_window` epochs keeps its last epoch.  `1` judges each epoch on its
#'   own (exactly the rule of `select_best`; GENELink's and GNNLink's
#'   default).  Why: a small validation set is a coarse, noisy judge (10 pairs
#'   give 25 AUROC levels and often reach AUROC 1 in the first epochs), so the
#'   per-epoch rule tends to keep one lucky epoch while the model is still
#'   changing quickly.  The default 5 for scRegNet and scTransNet (half their
#'   `patience`) lowered scRegNet's spread over seeds on small splits (see
#'   `select_average`).
#' @param select_average with `select_window > 1` and `select_best`: keep the
#'   mean of the parameters of the selected window's epochs (Polyak /
#'   stochastic weight averaging of the iterates) instead of those of its
#'   centre epoch.  At a constant learning rate (scRegNet's and scTransNet's
#'   default) neighbouring epochs differ by optimiser noise that moves the test
#'   AUROC by several points while the validation set cannot tell them apart;
#'   the average removes most of it.  Measured with scRegNet (GO embeddings,
#'   BEELINE splits, seeds 1-5), test AUROC mean +- sd (min), per-epoch rule
#'   (`1`, `FALSE`) -> the defaults (`5`, `TRUE`): STRING mDC 0.881 +- 0.026
#'   (0.854) -> 0.875 +- 0.007 (0.865); STRING mHSC-L 0.866 +- 0.020 (0.835)
#'   -> 0.873 +- 0.010 (0.860); non-specific mHSC-L 0.717 +- 0.014 -> 0.711
#'   +- 0.020 (the window alone, without the average: 0.874 +- 0.011, 0.865 +-
#'   0.018, 0.707 +- 0.019).  Turned on for GENELink (per-batch learning-rate
#'   decay) it hurt (non-specific mHSC-L 0.672 -> 0.604), hence off there by
#'   default.
#' @param pair_correlation opt-in, not part of any of the papers (default
#'   `FALSE`: the faithful model, bit-identical).  `TRUE` adds
#'   \eqn{10 (a \tilde r_{ij} + b \widetilde{|r_{ij}|})} to the logit of every
#'   pair, where \eqn{r_{ij}} is the Pearson correlation of the two genes'
#'   expression over the cells, the tilde marks standardisation over all
#'   regulator x gene pairs (centred, so that \eqn{|r|}, always positive,
#'   cannot act as an intercept), and \eqn{a}, \eqn{b} are learnt from 0
#'   with the rest of the model (the factor 10 acts as a 10x learning rate
#'   for them: under GENELink's per-batch learning-rate decay Adam can move a
#'   parameter by only about 0.3 over a whole fit).  The faithful decoders
#'   compare what the training edges say about each gene, never the two
#'   genes' co-expression, so on genes without training edges they score by
#'   degree (see "What transfers from a known network"); this term lets the
#'   model weigh the pair's expression directly.  The learnt \eqn{10a, 10b}
#'   are in `grn_fit(g)$info$pair_weights` (per run in `per_run` for
#'   ensembles).
#' @param cell_features a number `k` (default 1,000), or `NULL` / `Inf` for
#'   every cell.  The node features are each gene's z-scored expression, one
#'   input per cell; with more than `k` cells they are instead the genes'
#'   scores on the top `k` principal components of the cell axis (a truncated
#'   SVD of the genes x cells z scores, without further centring: exact when
#'   the genes or the cells number at most 4,096, a seeded randomized SVD
#'   beyond; scaled to the z scores' mean square), so that the cost of the
#'   first layer, run at every step, no longer grows with the cells.  A
#'   linear first layer on these scores is the full model restricted to the
#'   cells' dominant `k`-dimensional subspace; with fewer genes than `k` that
#'   subspace holds all of the data (`min(k, genes)` components are used).
#'   Data with at most `k` cells (every shared BEELINE folder) are unchanged,
#'   bit for bit.  The pair-correlation term always uses every cell.  The
#'   fit's `info` reports `input_features` and `cell_variance_kept` (the share
#'   of the z scores' sum of squares in the kept components).  See "Many
#'   cells" for what it costs and changes.
#' @param hidden layer sizes (see Details for each model).
#' @param heads attention heads (GENELink; scRegNet with `gnn = "gat"`).
#' @param embeddings foundation-model gene embeddings: a genes x d matrix with
#'   gene names as row names, or the result of [fm_embeddings()].  Genes of
#'   the expression without an embedding get the average embedding and are
#'   reported (`attr(g, "fit")$genes_without_embedding`).
#' @param embedding_dim optional expected embedding width (e.g. 200 for
#'   scBERT, 512 scFoundation, 896 Geneformer); a mismatch is an error.
#' @param gnn scRegNet's graph encoder: `"gcn"`, `"gat"` or `"sage"`.
#' @templateVar seed_of the first run (initialisation, batch order, dropout)
#' @template param-seed
#' @template param-threads
#' @template param-ensemble
#' @template param-dots
#' @section Scores and ensembles:
#' The edge `score` (and `weight`) is the model's predicted probability that
#' the pair is an edge, \eqn{\sigma(\mathrm{logit})}, in (0, 1).  With
#' `n_runs > 1` the model is trained `n_runs` times with seeds `seed`,
#' `seed + 1`, ... on the same pairs, and the score is the mean of the runs'
#' probabilities (still a probability); the edge attribute `stability` is the
#' fraction of runs in which the pair is among that run's `stability_k`
#' highest-scored pairs, as for [deepsem()].  `n_runs = 1` is a single model,
#' exactly as before ensembles existed.
#' @section Many cells:
#' Every step encodes the whole graph, and the first layer maps each gene's
#' expression over all cells (GENELink: cells -> 3 x 128), so its cost grows
#' with the cells.  `cell_features` (default 1,000) bounds it: with more cells,
#' the node features are the genes' scores on the top 1,000 principal
#' components of the cell axis.  Data with at most 1,000 cells (every shared
#' BEELINE folder: 383-847 cells) are unchanged, bit for bit.  Measured
#' (`bench/scale.R`, planted network of 2,500 genes x 10,000 cells,
#' `simulate_grn()`, trained on half of its edges and 3 sampled negatives per
#' edge, about 7,100 training pairs, tested on the other half; 2 threads):
#' GENELink took 178-251 s (3 runs; 90 epochs, 2.0-2.8 s each, peak RSS
#' 1.33 GB) and scUniGP 155-162 s (2 runs, 1.61 GB), against 20.3 s per
#' epoch for GENELink with every cell (1,825 s, on one thread beside other
#' jobs).  The planted test cannot show what the reduction costs: the
#' faithful models do not learn these edges with any features (test AUROC
#' GENELink 0.481 on 1,000 components, 0.475 on every cell; scUniGP 0.472,
#' 0.473 and 0.495 on 1,000 components (seeds 1-3), 0.500 on every cell
#' (seed 1); Pearson 1.000, the degree baseline 0.393), because their
#' decoders compare what the training edges say about each gene, not the
#' pair's co-expression (see "What transfers from a known network").
#' On real data, where the models do learn, a reduction as strong as the
#' default's at 10,000 cells (k = 100 components for 383-847 cells,
#' `bench/cell-features.R`, bridge-grn-sample1 splits of the TFs+500
#' folders) moved GENELink's test AUROC by -0.003 to +0.008, paired by seed:
#' hHEP 0.855 -> 0.859 (seed 1), mDC 0.759 / 0.755 -> 0.767 / 0.752, mHSC-L
#' 0.831 / 0.835 -> 0.833 / 0.839 (seeds 1 / 2), mESC 0.894 -> 0.895 (seed 1),
#' against a seed sd of
#' 0.002-0.003 with every cell: no loss beyond the seed spread, and no gain
#' worth the name.  Time per fit (one thread beside other jobs): hHEP 240 ->
#' 238 s, mDC 75-104 -> 53-55 s, mHSC-L 59-61 -> 31-33 s.
#' @section What transfers from a known network:
#' Measured with this package (`bench/known-networks.R`, which prints every
#' figure here; 3 seeds, mean); read every supervised figure beside
#' [degree_baseline()], which [benchmark_grn()] adds automatically.
#'
#' **Across sources** ([cross_source_split()]: trained on a prior network
#' S, scored on the cell-type-specific ChIP-seq edges that are not in S,
#' over every TF x gene pair not in S; BEELINE TFs+500 folders; priors
#' human STRING for hHEP, mouse STRING and mouse non-specific ChIP-seq for
#' mDC, mESC, mHSC-L).  AUROC on the novel edges:
#'
#' | folder, prior | Pearson | DeepSEM | InfoSEM-B | InfoSEM-BC | GENELink | GENELink + `pair_correlation` | scUniGP | degree |
#' |---|---|---|---|---|---|---|---|---|
#' | hHEP, STRING | 0.509 | 0.636 | **0.691** | 0.519 | 0.538 | 0.510 | 0.553 | 0.540 |
#' | mDC, STRING | 0.572 | 0.465 | 0.461 | **0.581** | 0.548 | 0.572 | 0.567 | 0.530 |
#' | mDC, ChIP | 0.588 | 0.447 | 0.437 | **0.726** | 0.690 | 0.689 | 0.705 | 0.547 |
#' | mESC, STRING | 0.609 | 0.492 | 0.498 | 0.578 | 0.619 | **0.626** | 0.612 | 0.581 |
#' | mESC, ChIP | 0.609 | 0.489 | 0.495 | 0.619 | 0.619 | 0.617 | **0.653** | 0.579 |
#' | mHSC-L, STRING | 0.542 | 0.501 | 0.497 | 0.563 | 0.466 | 0.507 | 0.669 | **0.694** |
#' | mHSC-L, ChIP | 0.542 | 0.501 | 0.498 | 0.579 | 0.607 | 0.642 | **0.669** | 0.641 |
#'
#' Bold: the row's best (seed s.e. at most 0.044 for DeepSEM, 0.036 for
#' GENELink, 0.021 for InfoSEM-BC, 0.016 for scUniGP).  So on hHEP the
#' unsupervised models win (InfoSEM-B by 0.14 over the best model trained
#' on the prior, scUniGP 0.553); on the mouse folders DeepSEM and InfoSEM-B
#' with their defaults are at chance (see "Choosing DeepSEM's mode" in
#' [grntorch-package]), and models trained on the prior beat them.  With
#' the non-specific ChIP-seq prior they add to what the prior's degrees
#' say: on mDC InfoSEM-BC 0.726, scUniGP 0.705 and GENELink 0.690 against
#' Pearson 0.588 and the degree baseline 0.547; on mESC scUniGP 0.653
#' against Pearson 0.609 and degree 0.579; on mHSC-L scUniGP 0.669 against
#' degree 0.641.  With the STRING prior the best of them is within 0.02 of
#' Pearson (mDC, mESC), and on mHSC-L the degree baseline alone (0.694) is
#' best.  scUniGP is the best prior-trained model on 4 of the 7 rows (hHEP,
#' mESC with ChIP-seq, both mHSC-L rows) and
#' within 0.025 of the best on the others.
#'
#' **Within one network** (BEELINE's bridge-grn split of the
#' cell-type-specific ChIP-seq network) test AUROC:
#'
#' | folder | GENELink | GENELink + `pair_correlation` | scUniGP | degree |
#' |---|---|---|---|---|
#' | hHEP | 0.857 | 0.855 | 0.895 | 0.730 |
#' | mDC | 0.759 | 0.760 | 0.778 | 0.726 |
#' | mESC | 0.891 | 0.888 | 0.937 | 0.669 |
#' | mHSC-L | 0.833 | 0.837 | 0.870 | 0.687 |
#'
#' (seed s.e. 0.001-0.012).  Inside one network GENELink and scUniGP
#' clearly beat the degree baseline (by 0.03-0.22 and 0.05-0.27; scUniGP
#' is 0.02-0.05 above GENELink), and the opt-in term changes nothing
#' there.  The bundled mESC split with GENELink at 8 epochs and
#' batches of 1024 gives 0.904 against the degree baseline's 0.669
#' (`make demo`).
#'
#' **On a planted network** ([simulate_grn()], 1,000 genes x 1,000 cells,
#' scheme `"genelink_specific"`): with independent TFs, |Pearson| scores
#' AUROC 1.000, GENELink 0.520, scUniGP 0.531 (one seed), the degree
#' baseline 0.480, GENELink with `pair_correlation = TRUE` 1.000; with 5
#' latent cell states, Pearson 0.894, GENELink 0.476, scUniGP 0.664 (one
#' seed), with `pair_correlation` 0.892.  The faithful GENELink decoder
#' ranks pairs by what the training edges say about each gene, not by the
#' two genes' expression; scUniGP's pair transformer, which sees both
#' genes' expression, uses a little of it when cells come from a few
#' states; the opt-in term lets GENELink use all of it.
#'
#' So a prior network trains a model to find more edges *like the prior's*;
#' what it adds on edges of another source depends on the data set and the
#' prior: with STRING little more than Pearson or the degree baseline
#' give, with the non-specific ChIP-seq prior 0.03-0.18 over the degree
#' baseline (scUniGP, InfoSEM-BC).  The opt-in
#' `pair_correlation` makes the supervised models use the expression:
#' decisively on planted data, while on BEELINE it moves the novel-edge
#' AUROC by -0.03 to +0.04 and the within-network AUROC by under 0.005
#' (co-expression itself is weak there: Pearson 0.51-0.61).  To find regulation the
#' prior lacks, compare with an unsupervised model and Pearson, and check
#' every figure against the degree baseline.  `vignette("known-networks",
#' package = "grntorch")` walks through it.
#' @return A supervised `grn_method` object for [infer_grn()].  The fitted
#'   graph's attribute `fit` holds the per-epoch training loss, validation
#'   AUROC, the kept epoch, the number of epochs run and `phase_seconds`
#'   (the training loop's wall seconds in the batches' forward pass,
#'   backward pass, optimiser steps and validation); with `n_runs > 1`,
#'   `fit$seeds`, `fit$per_run` (that information for each run) and
#'   `fit$stability_k`.  Edges that are positive `train` pairs get the edge
#'   attribute `known = TRUE` (`grn_edges(g, novel = TRUE)` drops them).
#'   Training pairs from a prior network: [training_pairs()]; the baseline
#'   to compare with: [degree_baseline()].
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
                     patience = 0, select_best = TRUE, select_window = 1, select_average = FALSE,
                     hidden = c(128, 64, 32, 16), heads = 3, seed = 1, threads = NULL, n_runs = 1, ...,
                     BPPARAM = NULL, stability_k = NULL, keep_runs = FALSE, pair_correlation = FALSE,
                     cell_features = 1000) {
  .check_dots("genelink", ...)
  .supervised_method("genelink", "GENELink", epochs, lr, batch_size, lr_decay, weight_decay, dropout, patience,
                     select_best, select_window, select_average, hidden, 4L, heads, "gcn", NULL, seed, threads,
                     .check_ensemble(n_runs, BPPARAM, stability_k, keep_runs), pair_correlation, cell_features)
}

#' @rdname supervised_models
#' @export
gnnlink <- function(epochs = 100, lr = 3e-3, batch_size = 256, lr_decay = 1, weight_decay = 0, dropout = 0.1,
                    patience = 10, select_best = TRUE, select_window = 1, select_average = FALSE,
                    hidden = c(128, 64), seed = 1, threads = NULL, n_runs = 1, ..., BPPARAM = NULL,
                    stability_k = NULL, keep_runs = FALSE, pair_correlation = FALSE,
                     cell_features = 1000) {
  .check_dots("gnnlink", ...)
  .supervised_method("gnnlink", "GNNLink", epochs, lr, batch_size, lr_decay, weight_decay, dropout, patience,
                     select_best, select_window, select_average, hidden, 2L, 1L, "gcn", NULL, seed, threads,
                     .check_ensemble(n_runs, BPPARAM, stability_k, keep_runs), pair_correlation, cell_features)
}

#' @rdname supervised_models
#' @export
scregnet <- function(embeddings, gnn = c("gcn", "gat", "sage"), epochs = 100, lr = 3e-3, batch_size = 256,
                     lr_decay = 1, weight_decay = 0, dropout = 0.2, patience = 10, select_best = TRUE,
                     select_window = 5, select_average = TRUE, hidden = c(256, 128, 128, 64), heads = 3,
                     embedding_dim = NULL, seed = 1, threads = NULL, n_runs = 1, ..., BPPARAM = NULL,
                     stability_k = NULL, keep_runs = FALSE, pair_correlation = FALSE,
                     cell_features = 1000) {
  .check_dots("scregnet", ...)
  if (missing(embeddings)) .grn_abort("embeddings", "scRegNet needs foundation-model gene embeddings (a genes x d matrix or fm_embeddings())")
  gnn <- .match_choice(gnn, "gnn", c("gcn", "gat", "sage"))
  emb <- .as_fm_embeddings(embeddings, embedding_dim)
  .supervised_method("scregnet", "scRegNet", epochs, lr, batch_size, lr_decay, weight_decay, dropout, patience,
                     select_best, select_window, select_average, hidden, 4L, heads, gnn, emb, seed, threads,
                     .check_ensemble(n_runs, BPPARAM, stability_k, keep_runs), pair_correlation, cell_features)
}

#' @rdname supervised_models
#' @export
sctransnet <- function(embeddings, epochs = 100, lr = 3e-3, batch_size = 256, lr_decay = 1, weight_decay = 0,
                       dropout = 0.2, patience = 10, select_best = TRUE, select_window = 5, select_average = TRUE,
                       hidden = c(256, 128, 128, 64), embedding_dim = NULL, seed = 1, threads = NULL, n_runs = 1, ..., BPPARAM = NULL,
                       stability_k = NULL, keep_runs = FALSE, pair_correlation = FALSE,
                     cell_features = 1000) {
  .check_dots("sctransnet", ...)
  if (missing(embeddings)) .grn_abort("embeddings", "scTransNet needs foundation-model gene embeddings (a genes x d matrix or fm_embeddings())")
  emb <- .as_fm_embeddings(embeddings, embedding_dim)
  .supervised_method("sctransnet", "scTransNet", epochs, lr, batch_size, lr_decay, weight_decay, dropout, patience,
                     select_best, select_window, select_average, hidden, 4L, 1L, "gcn", emb, seed, threads,
                     .check_ensemble(n_runs, BPPARAM, stability_k, keep_runs), pair_correlation, cell_features)
}

#' @noRd
.fit_method.grn_supervised <- function(method, data) {
  p <- method$params
  genes <- rownames(data$expr)
  .check_split_classes(data$train, "train")
  .check_split_classes(data$validation, "validation")
  val <- data$validation
  if (is.null(val)) val <- data.frame(from = character(), to = character(), label = integer())
  emb <- matrix(0, 0, 0)
  missing <- NULL
  if (!is.null(p$embeddings)) {
    emb <- .match_embeddings(p$embeddings$embeddings, genes, missing = "mean", verbose = data$verbose)
    missing <- attr(emb, "missing")
  }
  # after the input checks, so that an error is not preceded by this warning
  if (is.null(data$validation) && (p$patience > 0 || p$select_best)) .warn_no_validation(method)
  regs <- match(data$regulators, genes)
  one <- function(i, seed, threads, verbose) {
    p$seed <- seed
    p$threads <- threads
    data$verbose <- verbose
    res <- .supervised_run(data, p, regs, genes, val, emb)
    list(scores = stats::plogis(res$scores),  # the engine returns logits
         info = list(train_loss = res$train_loss, val_auroc = res$val_auroc, val_loss = res$val_loss,
                     best_epoch = res$best_epoch, epochs_run = res$epochs_run,
                     input_features = res$input_features, cell_variance_kept = res$cell_variance_kept,
                     phase_seconds = res$phase_seconds,
                     pair_weights = if (isTRUE(p$pair_correlation)) stats::setNames(res$pair_weights, c("r", "abs_r"))))
  }
  fit <- .supervised_ensemble(method, data, one)
  if (!is.null(p$embeddings)) fit$info$genes_without_embedding <- missing
  fit
}

# One engine run of GENELink, GNNLink, scRegNet or scTransNet: the engine's
# list (scores = logits, regulators x genes).
#' @noRd
.supervised_run <- function(data, p, regs, genes, val, emb) {
  opts <- .engine_opts(p, c("model", "gnn", "epochs", "lr", "lr_decay", "batch_size", "weight_decay", "dropout",
                            "patience", "select_best", "select_window", "select_average", "hidden", "heads",
                            "pair_correlation", "cell_features", "seed", "threads"),
                       verbose = isTRUE(data$verbose))
  .engine_call(.grn_supervised(data$expr, regs, match(data$train$from, genes), match(data$train$to, genes),
                               as.numeric(data$train$label), match(val$from, genes), match(val$to, genes),
                               as.numeric(val$label), emb, opts))
}

# The ensemble of a supervised model (GENELink, GNNLink, scRegNet,
# scTransNet, scUniGP): n_runs runs with seeds seed, seed + 1, ... by
# .run_ensemble(); run_one returns list(scores = probabilities, info).  One
# run: its scores and info exactly.  Several: the mean probability, the
# stability attribute, and info = list(seeds, per_run = each run's info,
# stability_k, runs = each run's scores when keep_runs).
#' @noRd
.supervised_ensemble <- function(method, data, run_one) {
  p <- method$params
  ens <- .run_ensemble(p$n_runs, p$seed, run_one, method$BPPARAM, p$threads, data$verbose, data$regulators,
                       rownames(data$expr), p$stability_k, p$keep_runs)
  infos <- lapply(ens$runs, `[[`, "info")
  info <- if (p$n_runs == 1L) infos[[1]] else c(list(seeds = ens$seeds, per_run = infos), ens$info)
  list(scores = ens$scores, attrs = ens$attrs, info = info)
}

# A supervised fit without validation pairs: early stopping and the choice of
# the kept epoch silently off would train blind, so say it whatever `verbose`.
#' @noRd
.warn_no_validation <- function(method) {
  p <- method$params
  off <- c(if (p$patience > 0) sprintf("early stopping (`patience` = %d)", p$patience),
           if (isTRUE(p$select_best)) "the choice of the kept epoch (`select_best`)")
  .grn_warn(sprintf(paste("%s: no `validation` pairs, so %s %s off and the last of the %d epochs is kept;",
                          "give `validation` pairs (split_edges(), training_pairs()) or set patience = 0,",
                          "select_best = FALSE to train a fixed number of epochs"),
                    method$name, paste(off, collapse = " and "), if (length(off) > 1) "are" else "is", p$epochs),
            class = "grntorch_no_validation", arg = "validation")
}

# Supervised graph models (supervised.cpp, graph_layers.cpp).  Two stages,
# the peak is the larger: the node features are made first (.plan_features:
# the float copy of the expression, its z-scored double, and with more cells
# than cell_features the truncated SVD), then the model holds the float copy
# (and the z-scored genes x cells when they are the node features or the
# pair-correlation term needs them), the genes x features node features with
# their gradient path, the first graph layer's projection genes x width
# (GENELink: heads x hidden[1]) with its autograd buffers, per-edge
# attention, Adam state, and the regulators x genes logits (in chunks)
# returned as doubles.
#' @noRd
.plan_method.grn_supervised <- function(method, dims) {
  p <- method$params
  n <- dims$genes; c <- dims$cells
  width <- p$hidden[1] * (if (p$model %in% c("genelink") || identical(p$gnn, "gat")) p$heads else 1)
  emb <- if (!is.null(p$embeddings)) ncol(p$embeddings$embeddings) else 0
  fc <- .plan_cell_features(p, n, c)
  keep_z <- fc == c || isTRUE(p$pair_correlation)
  model <- 4 * n * c + (if (keep_z) 4 * n * c else 0) + 8 * n * fc + 10 * n * width + 8 * n * emb +
    12 * dims$regulators * n
  one <- max(.plan_features_bytes(n, c, fc), model)
  w <- .plan_workers(method)
  bytes <- w * one + .plan_ensemble_bytes(method, dims)
  steps <- max(1, ceiling(dims$n_train / p$batch_size))
  # Per step the first graph layer over every gene (n x features x width) and a
  # fixed cost; fitted to GENELink in bench/scale.R (2,500 x 10,000 with 1,000
  # features: 2.0 s per epoch; 1,000 x 1,000: 0.4 s), then scaled by 0.85 for
  # the faster graph kernels of issue 37 (BEELINE hHEP, 948 genes x 425 cells,
  # 75 steps per epoch, 2 threads: 18.1 ms per step measured, 21.3 predicted
  # by the old constants).
  epoch <- steps * (5.1e-11 * n * fc * width + 1.0e-2) + 2e-9 * dims$n_validation * width
  runs <- p$n_runs
  list(bytes = bytes, epoch_seconds = epoch, epochs = p$epochs,
       seconds = (epoch * p$epochs + .plan_svd_seconds(n, c, fc)) * ceiling(runs / w),
       advice = c("genes", "cells", "tfs", "top"))
}
