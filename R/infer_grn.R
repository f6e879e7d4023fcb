#' Infer a gene regulatory network
#'
#' The one entry point of grntorch.  `x` is converted to a dense genes x cells
#' matrix of normalised log expression (only the selected genes are ever made
#' dense), the chosen model scores every candidate regulator -> target pair on
#' the LibTorch engine, and the result is returned as a directed `igraph`.
#'
#' @param x expression, genes x cells: a numeric `matrix`, a `dgCMatrix` (or
#'   other `Matrix`), a `SummarizedExperiment` / `SingleCellExperiment`
#'   (assay chosen by `assay.type`) or a `Seurat` object (chosen by `assay`
#'   and `layer`).  Values should be normalised log expression; grntorch
#'   never logs again.  `x` is never modified.  Values that look like raw
#'   counts give a warning of class `grntorch_counts_warning` naming the
#'   argument (`x`, `layer` or `assay.type`): the selected values are all
#'   non-negative whole numbers and their maximum is 2 or more (a small count
#'   matrix stored as double too: log-normalised values are essentially never
#'   all whole numbers) or they are stored as integers; or
#'   `layer`/`assay.type` is `"counts"`; or a Seurat
#'   object's `"data"` layer still equals its `"counts"` layer.  All-zero and
#'   constant genes are dropped with a message (class
#'   `grntorch_dropped_genes`, shown whatever `verbose` says), as are
#'   `train`/`validation` pairs naming them; no variable gene is an error.
#'   To choose genes from a large matrix see [select_genes()].  A matrix that
#'   looks transposed (cells x genes: `tfs` match its column names and not its
#'   row names, or its column names hold many known TFs, or its row names look
#'   like cell barcodes) gives a warning of class `grntorch_transposed`; gene
#'   names that differ only in case (`Sox2`, `SOX2`) one of class
#'   `grntorch_case_duplicates`, as TFs and pairs are matched
#'   case-insensitively.
#' @param method a method name (`"pearson"`, `"spearman"`, ...) or a parameter
#'   object such as [correlation_method()] or `deepsem(epochs = 120)`.
#' @param tfs character vector of candidate regulators, matched to the gene
#'   names case-insensitively; the overlap is reported when `verbose`.  A
#'   small overlap is no warning (a gene subset holds few of a genome-wide TF
#'   list); a warning of class `grntorch_low_tf_overlap` is given only on
#'   signs of a wrong species or identifier type: the genes and the TFs are
#'   of different ID types (Ensembl `ENS...G...`, Entrez numbers, symbols;
#'   an error of class `grntorch_id_mismatch` when none matches); the genes
#'   are title-case (mouse style) while the TF list is a human one
#'   (upper-case and matching `beeline_tfs("human")` far better than
#'   `beeline_tfs("mouse")`; upper case alone is no sign, as BEELINE
#'   upper-cases mouse symbols); or, among 2,000 genes or more, under 1% are
#'   TFs while under 20% of the TF list is found.  `NULL` lets every gene
#'   regulate.
#' @param genes optional character vector: use only these genes (rows of `x`).
#'   `train` / `validation` pairs naming a gene of `x` left out by `genes`
#'   (e.g. pairs from [training_pairs()] on the whole of `x`) are dropped with
#'   one message (class `grntorch_dropped_pairs`) that gives their number;
#'   none left is an error.  `tfs` none of which is among `genes` is an
#'   error that says so.
#' @param train,validation labelled pairs for supervised models: data.frames
#'   with columns `from`, `to` (gene names) and `label` (0/1).  `validation`
#'   must be disjoint from `train`: a pair in both is an error of class
#'   `grntorch_pairs_overlap` naming `validation`.  A pair listed twice in
#'   one of them with both labels is an error of class
#'   `grntorch_conflicting_labels`.  A pair naming a gene absent from `x`
#'   (a typo, another species) is an error.  See the section Warnings
#'   for pairs given to a method that ignores them, or a supervised fit
#'   without `validation`.
#' @param ... when `method` is a string, arguments for its constructor
#'   (e.g. `infer_grn(x, "pearson", threads = 1)`).  A name that is an
#'   argument neither of `infer_grn()` nor of that constructor is an error
#'   (class `grntorch_argument_error`) naming both, as is any `...` when
#'   `method` is a parameter object.
#' @param assay.type assay of a `SummarizedExperiment` to use.  Without a
#'   `"logcounts"` assay (a counts-only object) the error says how to make
#'   one (`scuttle::logNormCounts()`).
#' @param assay,layer Seurat assay (default: the default assay) and layer
#'   (`"data"`, i.e. log-normalised values).  On SeuratObject < 5 the layer
#'   is the slot given to `GetAssayData()`.  `assay.type` given for an `x`
#'   that is not a `SummarizedExperiment`, or `assay` / `layer` for one that
#'   is not a Seurat object, is ignored with a warning of class
#'   `grntorch_ignored_argument` naming it.
#' @param top keep only the `top` highest-weighted edges (`NULL`: all
#'   candidate pairs with a non-zero score, up to 2 million: with more
#'   candidate pairs, e.g. 2,000 TFs x 10,000 genes, the strongest 2 million
#'   are kept, with a message of class `grntorch_top_capped`); a whole number
#'   from 1 to 2,147,483,647.  More than the candidate pairs keeps them all,
#'   with a message (class `grntorch_top_note`).  The choice of the kept
#'   edges is made in C++ on the score matrix: only the kept pairs become R
#'   rows.
#' @param verbose print progress and the TF overlap.  Trained models show a
#'   progress bar (on stderr) with the elapsed time and the time left; the
#'   supervised models draw it within every epoch, e.g. `GENELink epoch 3/20
#'   [====  ] batch 12/40  loss 0.61  0:25, ~1:10 left`, and scUniGP's
#'   pre-training and joint training are two bars.
#' @section Memory:
#' Before anything is made dense, the peak memory of the fit is predicted
#' ([grn_resources()]); a fit that would not fit in the memory available is
#' refused with an error of class `grntorch_memory_error` that gives the
#' figures and what to reduce.  `options(grntorch.max_memory = <bytes>)` sets
#' the memory available, `options(grntorch.check_memory = FALSE)` skips the
#' check.
#' @section Methods:
#' `method` names a model (case-insensitive) or is the parameter object its
#' constructor returns (to set hyper-parameters):
#'
#' | name | constructor | kind |
#' |---|---|---|
#' | `"pearson"`, `"spearman"` | [correlation_method()] | correlation, no training |
#' | `"deepsem"` | [deepsem()] | unsupervised structural-equation VAE (DeepSEM) |
#' | `"dazzle"` | [dazzle()] | DeepSEM trained with dropout augmentation (DAZZLE) |
#' | `"infosem"` | [infosem()] | DeepSEM with gene-embedding priors (InfoSEM-B; InfoSEM-BC with `prior_edges`) |
#' | `"genie3"` | [genie3()] | random forests per target (GENIE3, on 'ranger') |
#' | `"grnboost2"` | [grnboost2()] | gradient boosting per target with early stopping (GRNBoost2, on 'lightgbm') |
#' | `"regdiffusion"` | [regdiffusion()] | unsupervised diffusion model with a learned adjacency (DeepSEM's successor; many genes) |
#' | `"genelink"` | [genelink()] | supervised: graph attention link predictor |
#' | `"gnnlink"` | [gnnlink()] | supervised: GCN link predictor |
#' | `"scregnet"` | [scregnet()] | supervised: foundation-model embeddings + GNN |
#' | `"sctransnet"` | [sctransnet()] | supervised: embeddings + attention-messaging GNN |
#' | `"scunigp"` | [scunigp()] | supervised: pre-trained GNN fused with a pairwise transformer (scUniGP) |
#' | `"onehot_lr"` | [onehot_lr()] | supervised baseline: logistic regression on one-hot gene identities |
#' | `"matcomp"` | [matcomp()] | supervised baseline: low-rank matrix completion |
#' | `"degree"` | [degree_baseline()] | supervised baseline: the target's degree among the training positives |
#' | `"random"` | [random_baseline()] | random scores |
#'
#' Supervised models need `train` pairs; `validation` pairs steer their early
#' stopping and the choice of the kept epoch.
#' @section Warnings:
#' Classed warnings, given whatever `verbose` says (silence one with
#' `withCallingHandlers()` or `suppressWarnings(classes = )`):
#' * `grntorch_no_validation`: a supervised model with `patience > 0` or
#'   `select_best = TRUE` ([genelink()], [gnnlink()], [scregnet()],
#'   [sctransnet()]) got no `validation` pairs, so early stopping and the
#'   choice of the kept epoch are off and the last epoch is kept.  Set
#'   `patience = 0, select_best = FALSE` to train a fixed number of epochs.
#' * `grntorch_ignored_pairs`: `train` or `validation` given to a method
#'   that does not read it (correlation, DeepSEM, random; InfoSEM reads
#'   `train` only with `prior_edges = "train"`, or with `tune = TRUE` and no
#'   `prior_edges`).
#' * `grntorch_na_embeddings` (from [fm_embeddings()], so also from
#'   [scregnet()] and [sctransnet()]): genes whose embedding holds NA, NaN or
#'   Inf are treated as having none, i.e. given the mean embedding.
#' * `grntorch_counts_warning`, `grntorch_low_tf_overlap`: see `x` and `tfs`.
#' @return A directed `igraph` of class `c("grn_network", "igraph")`: every
#'   igraph function works on it, and `print()` / `summary()` show the method,
#'   its key parameters, the genes, regulators and cells, the number of edges,
#'   the top edges and the training summary ([print.grn_network()]).  Edges
#'   point regulator -> target, with attributes `weight` (`abs(score)`),
#'   `score` (signed) and `rank` (1 = the strongest), plus model-specific ones
#'   (e.g. `stability`).  Vertices carry `is_tf`.  Graph attributes `method`,
#'   `params`, `grntorch_version`, `n_cells`, `seconds` (elapsed seconds of
#'   the model fit) and `fit` (the model's information) record how it was
#'   made.  Use [grn_edges()] for a data.frame and [grn_fit()] for the
#'   training record.
#' @seealso [grn_edges()], [grn_fit()], [correlation_method()], [grntorch_example()]
#' @examples
#' ex <- grntorch_example()
#' g <- infer_grn(ex$expression, "pearson", tfs = ex$tfs)
#' g
#' head(grn_edges(g), 5)
#' # a supervised model: training summary with the kept epoch
#' g2 <- infer_grn(ex$expression, gnnlink(epochs = 2, batch_size = 4096), tfs = ex$tfs,
#'                 train = ex$split$train, validation = ex$split$validation, top = 1000)
#' g2
#' grn_fit(g2)$loss
#' @export
infer_grn <- function(x, method = "pearson", tfs = NULL, genes = NULL, train = NULL, validation = NULL,
                      ..., assay.type = "logcounts", assay = NULL, layer = "data", top = NULL,
                      verbose = interactive()) {
  verbose <- .check_flag(verbose, "verbose")
  method <- .resolve_method(method, ..., .caller = "infer_grn")
  call <- .call_inputs(x, tfs, genes, assay.type, assay, layer, top, verbose,
                       given = c(assay.type = !missing(assay.type), layer = !missing(layer)))
  src <- call$src
  regulators <- call$regulators
  top <- call$top
  if (!is.null(call$capped_pairs)) .note_top_capped(call$capped_pairs)
  .check_resources(method, src, regulators, train, validation, top)
  expr <- .densify_expression(src)
  regulators <- .kept_regulators(regulators, expr)
  dropped <- attr(expr, "grntorch_dropped")
  if (!is.null(dropped)) attr(expr, "grntorch_dropped") <- NULL
  # genes of `x` that `genes =` left out: pairs naming them are dropped (a note), not an error
  outside <- if (!is.null(genes)) rownames(src$m)[-src$rows]
  train <- .check_pairs(train, "train", rownames(expr), dropped = dropped, outside = outside)
  validation <- .check_pairs(validation, "validation", rownames(expr), dropped = dropped, outside = outside)
  .note_top(top, expr, regulators)
  if (isTRUE(method$supervised) && is.null(train)) {
    .grn_abort("train", sprintf("method \"%s\" is supervised and needs labelled training pairs (from, to, label)", method$name))
  }
  .check_pair_overlap(train, validation)
  .warn_ignored_pairs(method, train, validation)
  data <- list(expr = expr, regulators = regulators, train = train, validation = validation,
               verbose = verbose)
  t0 <- proc.time()[["elapsed"]]
  fit <- .fit_method(method, data)
  seconds <- proc.time()[["elapsed"]] - t0
  fit$known <- .known_pairs(method, data)  # training positives -> edge attribute `known` (R/known.R)
  .as_grn_graph(fit, genes = rownames(expr), regulators = regulators, method = method,
                n_cells = ncol(expr), top = top, seconds = seconds)
}


# The inputs every entry point on an expression reads alike (infer_grn(),
# grn_resources()): `top`, the expression source (nothing made dense yet)
# and the regulators among its genes.  `given`: whether assay.type / layer
# were given (missing() in the caller).
#' @noRd
.call_inputs <- function(x, tfs, genes, assay.type, assay, layer, top, verbose, given) {
  if (!is.null(top)) top <- .check_top(top)
  .warn_unused_source_args(x, assay.type = given[["assay.type"]], assay = !is.null(assay), layer = given[["layer"]])
  src <- .expression_source(x, genes = genes, assay.type = assay.type, assay = assay, layer = layer)
  .check_orientation(src, tfs)
  regulators <- .match_tfs(tfs, src$genes, verbose = verbose, all_genes = if (!is.null(genes)) rownames(src$m))
  # `top = NULL` keeps every pair up to .top_default_max; beyond that the
  # strongest .top_default_max (an igraph edge costs ~400 bytes: 2 x 10^7
  # pairs would be 8 GB), with a note from infer_grn().
  capped <- NULL
  if (is.null(top)) {
    n_pairs <- as.double(length(regulators)) * length(src$rows) - length(regulators)
    if (n_pairs > .top_default_max) {
      top <- .top_default_max
      capped <- n_pairs
    }
  }
  list(src = src, regulators = regulators, top = top, capped_pairs = capped)
}

# The most edges `top = NULL` keeps (see .call_inputs()).
#' @noRd
.top_default_max <- 2e6

# The note of a capped `top = NULL`.
#' @noRd
.note_top_capped <- function(n_pairs) {
  .grn_note(sprintf(paste0("grntorch: `top = NULL` keeps at most %s edges; the strongest %s of the %s candidate ",
                           "pairs are kept (give `top` to choose: top = %s keeps every pair, at ~400 bytes an edge)"),
                    .fmt_n(.top_default_max), .fmt_n(.top_default_max), .fmt_n(n_pairs), format(n_pairs, scientific = FALSE)),
            class = c("grntorch_top_capped", "grntorch_top_note"))
}

# `validation` must be held out of `train`: a pair in both (whatever its
# labels) would let early stopping judge the model on what it learnt.
#' @noRd
.check_pair_overlap <- function(train, validation) {
  if (is.null(train) || is.null(validation)) return(invisible())
  kt <- paste(toupper(train$from), toupper(train$to), sep = "\r")
  kv <- paste(toupper(validation$from), toupper(validation$to), sep = "\r")
  hit <- match(kv, kt)
  both <- which(!is.na(hit))
  if (!length(both)) return(invisible())
  same <- validation$label[both] == train$label[hit[both]]
  i <- both[1]
  .grn_abort("validation", sprintf(
    "%d of its %d pairs are also `train` pairs (%d with the same label, %d with the other; e.g. %s -> %s)%s; validation pairs must be held out of training (split_edges() and training_pairs() give disjoint sets)",
    length(both), nrow(validation), sum(same), sum(!same), validation$from[i], validation$to[i],
    if (length(both) == nrow(validation)) ": every validation pair is a training pair" else ""),
    class = "grntorch_pairs_overlap")
}

# Pairs given to a method that does not read them (its .pairs_used() hook,
# R/method.R): a warning naming them.  The supervised baselines ignore
# `validation`, which benchmark_grn() gives them on purpose.
#' @noRd
.warn_ignored_pairs <- function(method, train, validation) {
  used <- .pairs_used(method)
  given <- c(train = !is.null(train), validation = !is.null(validation))
  ign <- names(given)[given & !names(given) %in% used]
  if (!length(ign)) return(invisible())
  hint <- if ("train" %in% ign) .pairs_hint(method) else ""
  .grn_warn(sprintf("method \"%s\" does not learn from labelled pairs: %s ignored%s",
                    method$name, paste0("`", ign, "`", collapse = " and "), hint),
            class = "grntorch_ignored_pairs", arg = ign[1])
}


# `top` of infer_grn(), grn_edges(), plot_grn(): NULL (all) or a whole number >= 1.
#' @noRd
.check_top <- function(top, min = 1) {
  .check_scalar_int(top, "top", min = min, hint = "use top = NULL for every edge")
}

# `top` larger than the candidate pairs keeps them all: say so (a note), as
# the user may have expected a cut.
#' @noRd
.note_top <- function(top, expr, regulators) {
  if (is.null(top)) return(invisible())
  n_pairs <- as.double(length(regulators)) * nrow(expr) - length(regulators)
  if (top > n_pairs) {
    .grn_note(sprintf("grntorch: `top` = %s is more than the %s candidate pairs (%s regulators x %s genes, no self-pairs): every pair with a non-zero score is kept",
                      .fmt_n(top), .fmt_n(n_pairs), .fmt_n(length(regulators)), .fmt_n(nrow(expr))),
              class = "grntorch_top_note")
  }
  invisible()
}

# Arguments that choose the matrix of one kind of container, given for
# another: say they are ignored (a warning naming the argument).
#' @noRd
.warn_unused_source_args <- function(x, assay.type = FALSE, assay = FALSE, layer = FALSE) {
  is_seurat <- inherits(x, "Seurat")
  is_se <- methods::is(x, "SummarizedExperiment")
  what <- if (is_seurat) "a Seurat object" else if (is_se) "a SummarizedExperiment" else
    sprintf("a %s (not a Seurat object or SummarizedExperiment)", class(x)[1])
  ign <- c(if (assay.type && !is_se) "assay.type", if (assay && !is_seurat) "assay", if (layer && !is_seurat) "layer")
  for (a in ign) {
    use <- switch(a, assay.type = "it chooses the assay of a SummarizedExperiment / SingleCellExperiment",
                  "it chooses the matrix of a Seurat object")
    .grn_warn(sprintf("`%s` is ignored: `x` is %s, and %s%s", a, what, use,
                      if (is_se && a == "layer") "; use `assay.type` (e.g. \"logcounts\")"
                      else if (is_seurat && a == "assay.type") "; use `layer` (e.g. \"data\") and `assay`" else ""),
              class = "grntorch_ignored_argument", arg = a)
  }
  invisible()
}
