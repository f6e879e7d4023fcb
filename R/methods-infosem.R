#' InfoSEM-B and InfoSEM-BC: DeepSEM with priors from gene embeddings and known edges
#'
#' InfoSEM (Cui et al., ICML 2025) keeps DeepSEM's generative model and
#' training ([deepsem()]: same nets, data scaling, KL, optimiser, alternation)
#' and replaces its zero-mean Laplace prior on the adjacency \eqn{A} by
#' informative priors:
#'
#' * **InfoSEM-B** (`prior_edges = NULL`): \eqn{a_{ik} \sim
#'   \mathrm{Laplace}([h_i, h_k] w^T, \sigma_a)} for regulator \eqn{i} and
#'   target \eqn{k}, where \eqn{h_i} is the embedding of gene \eqn{i} and
#'   \eqn{w = (w_1, w_2) \sim N(0, \sigma_w^2)} is learned by MAP together with
#'   \eqn{A}.  The prior mean is a regulator effect plus a target effect,
#'   \eqn{m_{ik} = h_i \cdot w_1 + h_k \cdot w_2}, so genes with similar
#'   embeddings get similar prior interaction effects.  Known edges are not
#'   used at all: this is an unsupervised model.
#' * **InfoSEM-BC** (`prior_edges` given): \eqn{A = A^e \odot
#'   \sigma(A^l_a A^l_b)} with \eqn{A^l_a A^l_b} of rank `rank` (capped by the
#'   gene count).  \eqn{A^e} keeps the InfoSEM-B prior; the logits get
#'   \eqn{N(\mathrm{logit}(0.95), \sigma_l^2)} where a known pair is positive,
#'   \eqn{N(\mathrm{logit}(0.05), \sigma_l^2)} where it is negative, and no
#'   prior where unknown.  Known edges enter only through this prior, never
#'   as a classification target.
#'
#' @section The loss and the scale of each prior term:
#' DeepSEM minimises the mean-normalised loss `mse + beta * KL + alpha *
#' mean|A|` (means over cells x genes and over the \eqn{n^2} entries of A).
#' InfoSEM minimises, with \eqn{n} genes and \eqn{M} the prior-mean matrix
#' (zero diagonal):
#' \deqn{\mathrm{mse} + \beta\,\mathrm{KL}
#'   + \alpha\,\frac{1}{n^2}\sum_{i \ne k} |a^e_{ik} - m_{ik}|
#'   + \frac{1}{n^2}\frac{\|w\|^2}{2\sigma_w^2}
#'   + \frac{1}{n^2}\sum_{(i,k)\ \mathrm{labelled}} \frac{(a^l_{ik} - \mu_{ik})^2}{2\sigma_l^2}}
#' * The Laplace term is DeepSEM's \eqn{\alpha\,\mathrm{mean}|A|} with the
#'   mean moved to \eqn{M} (\eqn{\alpha} plays the role of \eqn{1/\sigma_a});
#'   with \eqn{w = 0} the loss is exactly DeepSEM's (tested), and
#'   `sigma_w = 0` fixes \eqn{w = 0} and gives DeepSEM's network bit for bit.
#' * The logit prior is a per-entry log density like the Laplace term, so it
#'   shares its \eqn{1/n^2} normalisation: summed over the labelled pairs,
#'   it weighs \eqn{n_{lab}/n^2} times a mean squared logit error of
#'   \eqn{1/(2\sigma_l^2)}; with the paper's \eqn{\sigma_l = 0.1} and the
#'   mESC split (about 50,000 labelled pairs, \eqn{n = 1120}) that is about
#'   \eqn{2 \times} the mean squared error to the prior logits.
#' * The Gaussian prior on \eqn{w} is a log density like the Laplace term and
#'   gets the same \eqn{1/n^2} normalisation, so the joint prior on
#'   \eqn{(A, w)} keeps the relative scale it has in the paper's log posterior.
#'   The Laplace term's gradient on \eqn{w} is then up to \eqn{\alpha} times
#'   the typical embedding norm (scaled to 1, see below), the penalty's
#'   \eqn{w / (n^2 \sigma_w^2)}: across the paper's grid
#'   \eqn{\{0.1, 1, 10, 100\}} \eqn{w} is practically unpenalised at the
#'   scale \eqn{A} lives at (entries of order 0.01); it is shrunk only for
#'   `sigma_w` of order \eqn{1/n} or below, and `sigma_w = 0` fixes
#'   \eqn{w = 0}.  (Earlier development versions omitted the
#'   \eqn{1/n^2}, which kept \eqn{w} near 0 for `sigma_w <= 1`.)
#' * Optimisation: \eqn{A^e} and \eqn{w} with RMSprop at `lr_adj` in A epochs
#'   (as DeepSEM's A); the logit factors with RMSprop at `lr_logit` (default
#'   1e-3; at `lr_adj` they could not move far enough in 120 epochs to reach
#'   the prior's logits), initialised \eqn{N(0, 0.01^2)} (probabilities 0.5).
#'
#' @section Parametrisation (`parametrization`):
#' The MAP objective above can be optimised in two equivalent coordinates.
#' * `"centred"` (default): \eqn{A^e} itself is the trained matrix and
#'   \eqn{w} feels only the Laplace term, whose pull is a fixed-size L1
#'   force of \eqn{\alpha/n^2} per entry: \eqn{M} becomes a robust (median)
#'   regression of \eqn{A^e} on the embeddings, and \eqn{A^e} moves towards
#'   \eqn{M} only where the likelihood is flat.
#' * `"offset"`: \eqn{A^e = M + D} with \eqn{D} trained (started at
#'   DeepSEM's initial A, \eqn{w = 0}) and the Laplace term
#'   \eqn{\alpha\,\mathrm{mean}|D|}; the same objective (tested), but the
#'   likelihood's gradient reaches \eqn{w} through every entry of A, so the
#'   prior mean carries a large part of the network after 120 epochs.
#' On `specific/mESC-tfs500` (one fit, seed 1, average precision on the
#' unseen-genes test pairs of 10 splits, density 0.374; DeepSEM 0.387):
#' centred BioBERT 0.388, centred random 0.388; offset BioBERT 0.343, offset
#' random 768-d 0.427, offset BioBERT PCA-32 0.354, offset random 32-d
#' 0.397.  With `"offset"`, random embeddings of dimension close to the gene
#' count act as free per-gene effects (like one-hot), which already
#' improves DeepSEM's ranking there; it is therefore not a null control,
#' and the default stays `"centred"`.
#'
#' For InfoSEM-BC, `"offset"` lets the known edges reach \eqn{w} through
#' the likelihood (weighted by \eqn{\sigma(A^l)}, about 0.95 on known edges
#' and 0.05 on known non-edges), a path to the genes without labels that
#' `"centred"` lacks.  It is not better: on the same data (sigma_w = 1,
#' sigma_l = 0.1) its unseen-genes average precision over the splits of
#' seeds 1-10 was 0.347 +- 0.023 against 0.376 +- 0.020 for `"centred"`
#' (InfoSEM-B 0.383), and it varies much more from split to split (it was
#' ahead, 0.380 against 0.348, on the four splits of seeds 11-14).  Other
#' InfoSEM-BC settings changed little on seeds 11-14: `lr_logit = 3e-4`
#' 0.353, `rank = 16` 0.351.
#'
#' @section Benchmark on unseen genes (what to expect):
#' `bench/infosem.R`, unseen-genes splits of seeds 1-10, average precision
#' on the pairs between unseen genes (mean +- s.e.):
#' * `specific/mESC-tfs500` with BioBERT (density 0.374): DeepSEM 0.381,
#'   InfoSEM-B 0.383, InfoSEM-BC 0.376, InfoSEM-B with random embeddings
#'   0.380.  The known edges raise InfoSEM-BC's Hit@1% (0.480 against 0.396
#'   for InfoSEM-B) but not its average precision over the whole ranking:
#'   over the splits of seeds 1-20, InfoSEM-BC minus InfoSEM-B is -0.006
#'   +- 0.005.  Variants tried on the splits of seeds 11-20 did not change
#'   this: BioBERT reduced to 64 principal components for both models
#'   (-0.006 +- 0.007), `lr_logit = 1e-4` (-0.005 +- 0.008), and the
#'   `"offset"` parametrisation above.  The paper reports +0.020 (with
#'   standard errors of about 0.02) on this dataset.
#' * `specific/hHEP-tfs500` with [gene_embeddings_go()] (density 0.431):
#'   DeepSEM 0.458, InfoSEM-B 0.470, InfoSEM-BC 0.502 (InfoSEM-BC minus
#'   InfoSEM-B +0.032 +- 0.014, ahead on 9 of 10 splits).
#'
#' @section Embeddings:
#' `embeddings` is anything [read_embeddings()] accepts: a genes x d matrix
#' with gene row names, a data.frame with a gene column, or a `.npy` /
#' `.csv` / `.tsv` / `.rds` file (for `.npy` read it first with
#' [read_embeddings()] to give the gene names).  Rows are matched to the
#' expression genes by symbol, case-insensitively, in any order; genes
#' without an embedding are reported and get the fallback `missing` (default
#' the mean embedding, see [read_embeddings()]).  Before fitting, the
#' embeddings are centred (column means of the matched genes) and scaled so
#' that the mean squared row norm is 1; with the `"mean"` fallback a missing
#' gene has the zero vector, i.e. no gene-specific prior effect.  A constant
#' feature (1 for every gene) is then appended, so that the prior mean has an
#' intercept, \eqn{m_{ik} = b + h_i \cdot w_1 + h_k \cdot w_2}: DeepSEM's
#' \eqn{A} is mostly positive (it starts at \eqn{1/(n-1)}), and without an
#' intercept a centred embedding could only shift half of the genes up and
#' half down, which the Laplace term cannot tell from \eqn{w = 0} while all
#' entries share a sign (in the paper the raw BioBERT vectors carry a large
#' common component that plays this role).
#' With `intercept = FALSE` the embeddings are used as the paper does: not
#' centred and without the constant feature (only rescaled to a mean squared
#' row norm of 1), so any common component of the vectors acts as the
#' intercept.
#' [gene_embeddings_go()] builds embeddings from GO annotations with no download.
#'
#' @section Choosing `sigma_w` and `sigma_l` (`tune = TRUE`):
#' As in the paper, by cross-validation on the training labels only (the
#' labelled pairs of `prior_edges`, or of `infer_grn(train = )` when
#' `prior_edges = "train"` or when InfoSEM-B is tuned and `train` is given).
#' `sigma_w` is chosen over `tune_grid$sigma_w` by fitting InfoSEM-B (which
#' never sees the labels) and scoring the average precision of its |A| on the
#' labelled pairs; then, for InfoSEM-BC, `sigma_l` over `tune_grid$sigma_l` by
#' `tune_folds`-fold cross-validation over the labelled pairs (fit with the
#' other folds as the prior, score the held-out fold).  Tuning runs use
#' `tune_epochs` epochs (default `epochs`) and the first seed; the grid scores
#' are kept in the graph attribute `fit$tune`.
#'
#' @param embeddings gene embeddings (see the Embeddings section), required.
#' @param prior_edges `NULL` (InfoSEM-B), or known pairs for InfoSEM-BC: a
#'   data.frame with columns `from` (regulator), `to` (target) and `label`
#'   (1 known edge, 0 known non-edge); or the string `"train"` to use the
#'   `train` pairs given to [infer_grn()].  Pairs naming genes absent from the
#'   expression are dropped (reported); duplicated pairs keep the positive label.
#' @param sigma_w sd of the Gaussian prior on \eqn{w} (default 1: practically
#'   free, see the section on scales; the prior shrinks \eqn{w} when
#'   `sigma_w` is of order \eqn{1/n} or below).  0 fixes \eqn{w = 0} (plain DeepSEM).
#' @param sigma_l sd of the logit prior (paper: 0.1 or \eqn{\sqrt{0.1}}).
#' @param rank rank of the logit matrix (paper: 128), capped by the gene count.
#' @param tune choose `sigma_w` (and `sigma_l`) by cross-validation on the
#'   training labels, see the section above.
#' @param ... DeepSEM's arguments, passed to [deepsem()] with its defaults
#'   (as the paper keeps them) and validated there: `seed`, `alpha`, `beta`,
#'   `epochs`, `batch_size`, `lr`, `lr_adj`, `hidden`, `mode`, `lr_decay`,
#'   `threads`, `n_runs`, `device`, `BPPARAM`, `stability_k`, `net_epochs`,
#'   `adj_epochs`, `keep_runs`, `cells_per_epoch`, `precision`.  A name that is neither an argument of
#'   `infosem()` nor of [deepsem()] is an error.
#' @param sem alternatively, a [deepsem()] parameter object holding those
#'   arguments (then `...` must be empty), e.g.
#'   `infosem(emb, sem = deepsem(epochs = 60, seed = 1))`.
#' @param missing fallback for genes without an embedding: `"mean"`,
#'   `"zero"` or `"error"` (see [read_embeddings()]).
#' @param parametrization `"centred"` (default) or `"offset"`: how the
#'   optimiser sees \eqn{A^e} (the objective is the same); see the section
#'   Parametrisation.
#' @param intercept centre the embeddings and add a constant feature (default;
#'   see the Embeddings section), or `FALSE` to use them uncentred as the paper.
#' @param lr_logit RMSprop learning rate of the logit factors (InfoSEM-BC).
#' @param tune_grid list with numeric vectors `sigma_w` and `sigma_l`.  The
#'   default `sigma_w` grid spans "w shrunk to 0" to "w free" on this
#'   package's scale (the paper's grid 0.1, 1, 10, 100 was on its own,
#'   unpublished, scale).
#' @param tune_folds folds of the `sigma_l` cross-validation.
#' @param tune_epochs epochs of each tuning run (`NULL`: `epochs`).
#' @return A `grn_method` parameter object for [infer_grn()].  The graph gets
#'   the edge attribute `prob` (\eqn{\sigma(A^l)}) for InfoSEM-BC, and graph
#'   attribute `fit` with the learned \eqn{w}, the parametrisation used,
#'   the loss trace (`loss`, one vector per run, and `loss_parts`, one
#'   data.frame per run of its `mse`, `kl` and `prior` terms per epoch; see
#'   [plot_training()]) and the timings.  InfoSEM-BC marks the edges that are
#'   positive pairs of its `prior_edges` with the edge attribute
#'   `known = TRUE` (`grn_edges(g, novel = TRUE)` drops them; a prior can
#'   come from [training_pairs()]); InfoSEM-B has no `known` attribute.
#' @references Cui T. et al. (2025) InfoSEM: A Deep Generative Model with
#'   Informative Priors for Gene Regulatory Network Inference.  ICML 2025.
#' @seealso [deepsem()], [read_embeddings()], [gene_embeddings_go()], [infer_grn()]
#' @examples
#' ex <- grntorch_example()
#' genes <- unique(c(head(ex$tfs, 20), rownames(ex$expression)[1:60]))
#' m <- infosem(embeddings = ex$embeddings, sigma_w = 1, epochs = 6, seed = 1, threads = 1)
#' g <- infer_grn(ex$expression[genes, 1:150], m, tfs = ex$tfs, verbose = FALSE)
#' head(grn_edges(g), 3)
#' # InfoSEM-BC: known pairs as a prior
#' known <- subset(ex$split$train, from %in% genes & to %in% genes)
#' g2 <- infer_grn(ex$expression[genes, 1:150],
#'                 infosem(ex$embeddings, prior_edges = known, epochs = 6, seed = 1, threads = 1),
#'                 tfs = ex$tfs, verbose = FALSE)
#' head(grn_edges(g2), 3)
#' @export
infosem <- function(embeddings, prior_edges = NULL, sigma_w = 1, sigma_l = 0.1, rank = 128, tune = FALSE, ...,
                    sem = NULL, missing = c("mean", "zero", "error"), lr_logit = 1e-3,
                    tune_grid = list(sigma_w = c(1e-5, 1e-4, 1e-3, 1), sigma_l = c(0.1, sqrt(0.1))),
                    tune_folds = 2, tune_epochs = NULL, intercept = TRUE, parametrization = c("centred", "offset")) {
  if (base::missing(embeddings) || is.null(embeddings)) {
    .grn_abort("embeddings", "InfoSEM needs gene embeddings: a genes x d matrix with gene row names or a file (see read_embeddings(), gene_embeddings_go())")
  }
  missing <- .match_choice(missing, "missing", c("mean", "zero", "error"))
  parametrization <- .match_choice(parametrization, "parametrization", c("centred", "offset"))
  emb <- tryCatch(.read_embedding_source(embeddings),
                  grntorch_error = function(e) .grn_abort("embeddings", sub("^`[a-z_]+`: ", "", conditionMessage(e))))
  # DeepSEM's parameters, validated once, by its own constructor
  base <- .infosem_sem(sem, ...)
  if (!is.null(prior_edges) && !identical(prior_edges, "train")) {
    if (!is.data.frame(prior_edges)) .grn_abort("prior_edges", "must be NULL, \"train\", or a data.frame with columns from, to, label")
    prior_edges <- .check_pairs(prior_edges, "prior_edges")
  }
  tune <- .check_flag(tune, "tune")
  if (!is.list(tune_grid) || !all(c("sigma_w", "sigma_l") %in% names(tune_grid)) ||
      !is.numeric(tune_grid$sigma_w) || !is.numeric(tune_grid$sigma_l) || !length(tune_grid$sigma_w) ||
      !length(tune_grid$sigma_l) || any(!is.finite(c(tune_grid$sigma_w, tune_grid$sigma_l))) ||
      any(tune_grid$sigma_w < 0) || any(tune_grid$sigma_l <= 0)) {
    .grn_abort("tune_grid", "must be a list with non-empty numeric vectors sigma_w (>= 0) and sigma_l (> 0)")
  }
  params <- c(base$params, list(
    sigma_w = .check_scalar_num(sigma_w, "sigma_w", min = 0),
    sigma_l = .check_scalar_num(sigma_l, "sigma_l", min = 0, open_min = TRUE),
    rank = .check_scalar_int(rank, "rank", min = 1, max = 1e6),
    lr_logit = .check_scalar_num(lr_logit, "lr_logit", min = 0, open_min = TRUE),
    missing = missing,
    intercept = .check_flag(intercept, "intercept"),
    parametrization = parametrization,
    tune = tune,
    tune_grid = tune_grid,
    tune_folds = .check_scalar_int(tune_folds, "tune_folds", min = 2, max = 20),
    tune_epochs = if (is.null(tune_epochs)) NULL else .check_scalar_int(tune_epochs, "tune_epochs", min = 1, max = 1e6),
    embeddings = emb,
    prior_edges = prior_edges
  ))
  name <- if (is.null(prior_edges)) "infosem-b" else "infosem-bc"
  new_grn_method(name, params = params, subclass = "grn_infosem",
                 label = if (is.null(prior_edges)) "InfoSEM-B" else "InfoSEM-BC",
                 ensemble = c(base$params[c("n_runs", "stability_k", "keep_runs")], list(BPPARAM = base$BPPARAM)))
}

# The DeepSEM parameter object of infosem(): `sem`, or deepsem(...) on the
# DeepSEM arguments given to infosem() (any other name is infosem()'s error).
#' @noRd
.infosem_sem <- function(sem, ...) {
  if (is.null(sem)) {
    f <- .formal_names(deepsem)
    .check_dots("infosem", ..., .allowed = f$all, .partial = f$partial, .also = "deepsem")
    return(deepsem(...))
  }
  if (inherits(sem, "grn_dazzle")) {
    .grn_abort("sem", paste("must be a deepsem() parameter object: InfoSEM's priors are built on DeepSEM's alternating",
                            "training, not on DAZZLE's single-optimiser recipe (use dazzle() on its own)"))
  }
  if (!inherits(sem, "grn_deepsem")) .grn_abort("sem", "must be a deepsem() parameter object, e.g. deepsem(epochs = 60)")
  .check_dots("infosem", ..., .hint = "with `sem`, give DeepSEM's arguments to deepsem()")
  sem
}

# Align, centre and scale the embeddings to the expression genes.
#' @noRd
.infosem_embeddings <- function(emb, genes, missing, verbose, intercept = TRUE) {
  m <- .match_embeddings(emb, genes, missing = missing, verbose = verbose, arg = "embeddings")
  miss <- attr(m, "missing")
  use <- !(genes %in% miss)
  mu <- colMeans(m[use, , drop = FALSE])
  mc <- sweep(m, 2L, mu)
  spread <- sqrt(mean(rowSums(mc[use, , drop = FALSE]^2)))
  if (!is.finite(spread) || spread <= 0) {
    .grn_abort("embeddings", "all matched genes have the same embedding: it carries no information")
  }
  if (intercept) m <- mc
  s <- sqrt(mean(rowSums(m[use, , drop = FALSE]^2)))
  m <- m / s
  if (intercept) m <- cbind(m, intercept = 1)
  attr(m, "missing") <- miss
  m
}

# Labelled pairs -> 1-based (regulator, target, label) over `genes`, as every pair list crosses to the glue.
#' @noRd
.infosem_labels <- function(pairs, genes, verbose, arg = "prior_edges") {
  up <- toupper(genes)
  fi <- match(toupper(pairs$from), up)
  ti <- match(toupper(pairs$to), up)
  keep <- !is.na(fi) & !is.na(ti) & fi != ti
  if (sum(!keep)) {
    .grn_inform(sprintf("%s: %d of %d pairs dropped (gene absent from the expression, or a self-pair)",
                        arg, sum(!keep), nrow(pairs)), verbose)
  }
  if (!any(keep)) .grn_abort(arg, "no labelled pair has both genes in the expression")
  d <- data.frame(r = fi[keep], t = ti[keep], y = as.integer(pairs$label[keep]))
  d <- d[order(-d$y), , drop = FALSE]          # positive label wins among duplicates
  d <- d[!duplicated(d[, c("r", "t")]), , drop = FALSE]
  d
}

# One engine run: returns the engine's list (A = genes x genes, A[target, regulator]).
#' @noRd
.infosem_run <- function(expr, H, lab, p, sigma_w, sigma_l, seed, epochs, verbose, label) {
  if (is.null(lab)) lab <- data.frame(r = integer(), t = integer(), y = integer())
  p$epochs <- epochs
  p$seed <- seed
  opts <- .engine_opts(p, c(.deepsem_engine_options, "rank", "lr_logit"),
                       sigma_w = sigma_w, sigma_l = sigma_l, offset = identical(p$parametrization, "offset"),
                       verbose = verbose, label = label)
  .engine_call(.grn_infosem(expr, H, as.integer(lab$r), as.integer(lab$t), as.integer(lab$y), opts))
}

# Average precision of |A| (A[target, regulator]) on labelled pairs, by the
# engine's ranking metrics (the ones evaluate_grn() reports); NaN without a
# positive pair.
#' @noRd
.labels_ap <- function(A, lab) {
  .engine_call(.grn_ranking_metrics(abs(A[cbind(lab$t, lab$r)]), as.integer(lab$y), 0.01))$average_precision
}

#' @noRd
.infosem_tune <- function(expr, H, lab, p, seed, verbose) {
  ep <- if (is.null(p$tune_epochs)) p$epochs else p$tune_epochs
  if (is.null(lab) || !any(lab$y == 1) || !any(lab$y == 0)) {
    .grn_abort("tune", "needs labelled pairs with both labels (prior_edges, or train with prior_edges = \"train\")")
  }
  sw <- p$tune_grid$sigma_w
  score_w <- vapply(seq_along(sw), function(i) {
    r <- .infosem_run(expr, H, NULL, p, sw[i], p$sigma_l, seed, ep, FALSE, "")
    .labels_ap(r$A, lab)
  }, numeric(1))
  best_w <- sw[which.max(score_w)]
  .grn_inform(sprintf("tune: sigma_w = %s (AP on the %d training labels: %s)", format(best_w), nrow(lab),
                      paste(sprintf("%g:%.3f", sw, score_w), collapse = " ")), verbose)
  out <- list(sigma_w = best_w, sigma_l = p$sigma_l,
              grid_w = data.frame(sigma_w = sw, ap = score_w))
  if (!is.null(p$prior_edges)) {
    sl <- p$tune_grid$sigma_l
    k <- p$tune_folds
    fold <- .with_seed(seed %% .Machine$integer.max, sample(rep_len(seq_len(k), nrow(lab))))
    score_l <- vapply(seq_along(sl), function(i) {
      mean(vapply(seq_len(k), function(f) {
        r <- .infosem_run(expr, H, lab[fold != f, , drop = FALSE], p, best_w, sl[i], seed, ep, FALSE, "")
        .labels_ap(r$A, lab[fold == f, , drop = FALSE])
      }, numeric(1)), na.rm = TRUE)
    }, numeric(1))
    out$sigma_l <- sl[which.max(score_l)]
    out$grid_l <- data.frame(sigma_l = sl, ap = score_l)
    .grn_inform(sprintf("tune: sigma_l = %s (%d-fold CV AP: %s)", format(out$sigma_l), k,
                        paste(sprintf("%g:%.3f", sl, score_l), collapse = " ")), verbose)
  }
  out
}

#' @noRd
.fit_method.grn_infosem <- function(method, data) {
  p <- method$params
  expr <- data$expr
  genes <- rownames(expr)
  if (nrow(expr) < 2L) .grn_abort("x", "InfoSEM needs at least 2 genes")
  H <- .infosem_embeddings(p$embeddings, genes, p$missing, data$verbose, intercept = !isFALSE(p$intercept))
  pe <- p$prior_edges
  if (identical(pe, "train")) {
    if (is.null(data$train)) .grn_abort("prior_edges", "is \"train\" but infer_grn() got no `train` pairs")
    pe <- data$train
  }
  lab <- if (is.null(pe)) NULL else .infosem_labels(pe, genes, data$verbose)
  sigma_w <- p$sigma_w
  sigma_l <- p$sigma_l
  tune_info <- NULL
  if (isTRUE(p$tune)) {
    tl <- lab
    if (is.null(tl) && !is.null(data$train)) tl <- .infosem_labels(data$train, genes, data$verbose, arg = "train")
    tune_info <- .infosem_tune(expr, H, tl, utils::modifyList(p, list(prior_edges = pe)), p$seed, data$verbose)
    sigma_w <- tune_info$sigma_w
    sigma_l <- tune_info$sigma_l
  }
  regs <- match(data$regulators, genes)
  model <- if (is.null(lab)) "InfoSEM-B" else "InfoSEM-BC"
  one <- function(i, seed, threads, verbose) {
    lbl <- if (p$n_runs > 1) sprintf("%s run %d/%d", model, i, p$n_runs) else model
    p$threads <- threads
    r <- .infosem_run(expr, H, lab, p, sigma_w, sigma_l, seed, p$epochs, verbose = verbose, label = lbl)
    list(scores = t(r$A)[regs, , drop = FALSE],
         prob = if (length(r$prob)) t(r$prob)[regs, , drop = FALSE] else NULL,
         w_regulator = r$w_regulator, w_target = r$w_target, loss = r$loss, mse = r$mse,
         loss_parts = data.frame(mse = r$mse, kl = r$kl, prior = r$prior),
         seconds = r$seconds, epoch_seconds = r$epoch_seconds, threads = r$threads)
  }
  ens <- .run_ensemble(p$n_runs, p$seed, one, method$BPPARAM, p$threads, data$verbose, data$regulators, genes,
                       p$stability_k, p$keep_runs)
  runs <- ens$runs
  info <- list(model = model, parametrization = p$parametrization, seeds = ens$seeds, sigma_w = sigma_w,
               sigma_l = if (!is.null(lab)) sigma_l,
               n_labels = if (!is.null(lab)) nrow(lab), missing_embeddings = attr(H, "missing"),
               w_regulator = lapply(runs, `[[`, "w_regulator"), w_target = lapply(runs, `[[`, "w_target"),
               loss = lapply(runs, `[[`, "loss"), loss_parts = lapply(runs, `[[`, "loss_parts"), mse = lapply(runs, `[[`, "mse"),
               seconds = vapply(runs, `[[`, 0, "seconds"), epoch_seconds = lapply(runs, `[[`, "epoch_seconds"), threads = vapply(runs, `[[`, 0L, "threads"),
               tune = tune_info)
  attrs <- list()
  if (!is.null(lab)) {
    pr <- Reduce(`+`, lapply(runs, `[[`, "prob")) / length(runs)
    dimnames(pr) <- list(data$regulators, genes)
    attrs$prob <- pr
  }
  attrs <- c(attrs, ens$attrs)
  list(scores = ens$scores, attrs = if (length(attrs)) attrs, info = c(info, ens$info))
}

# The hooks of R/method.R.  InfoSEM reads `train` with prior_edges =
# "train", or to tune without a prior; InfoSEM-BC's known edges are the
# positive pairs of its prior.
#' @noRd
.pairs_used.grn_infosem <- function(method) {
  p <- method$params
  if (identical(p$prior_edges, "train") || (isTRUE(p$tune) && is.null(p$prior_edges))) "train" else character()
}

#' @noRd
.pairs_hint.grn_infosem <- function(method) " (InfoSEM reads `train` only with prior_edges = \"train\")"

#' @noRd
.known_pairs.grn_infosem <- function(method, data) {
  pe <- method$params$prior_edges
  if (is.null(pe)) return(NULL)
  if (identical(pe, "train")) pe <- data$train
  if (is.null(pe)) return(NULL)
  pe[pe$label == 1L, c("from", "to"), drop = FALSE]
}

# InfoSEM (infosem.cpp): DeepSEM's training plus the n x n prior mean
# M = H_r w1 + H_t w2 (and its gradient path) in every A step; InfoSEM-BC
# adds the n x n logits La %*% Lb, their sigmoid and gradients.
#' @noRd
.plan_method.grn_infosem <- function(method, dims) {
  p <- method$params
  d <- if (is.matrix(p$embeddings)) ncol(p$embeddings) else 0
  bc <- !is.null(p$prior_edges)
  # Time: InfoSEM-B measured 1.05-1.13 x DeepSEM at 2,500 x 10,000 (bench/scale.R);
  # InfoSEM-BC's low-rank logits are not timed (taken as twice DeepSEM's n x n passes).
  r <- .plan_sem(method, dims, extra_n2 = if (bc) 60 else 20, emb_dim = d + 1, t_extra = if (bc) 1 else 0.3)
  if (isTRUE(p$tune)) {
    k <- length(p$tune_grid$sigma_w) + if (bc) length(p$tune_grid$sigma_l) * p$tune_folds else 0
    ep <- if (is.null(p$tune_epochs)) p$epochs else p$tune_epochs
    r$seconds <- r$seconds + k * ep * r$epoch_seconds
  }
  r
}
