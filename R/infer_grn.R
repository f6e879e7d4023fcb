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
#'   non-negative whole numbers and their maximum exceeds 30 or they are
#'   stored as integers; or `layer`/`assay.type` is `"counts"`; or a Seurat
#'   object's `"data"` layer still equals its `"counts"` layer.  All-zero and
#'   constant genes are dropped with a message (class
#'   `grntorch_dropped_genes`, shown whatever `verbose` says), as are
#'   `train`/`validation` pairs naming them; no variable gene is an error.
#'   To choose genes from a large matrix see [select_genes()].
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
#' @param train,validation labelled pairs for supervised models: data.frames
#'   with columns `from`, `to` (gene names) and `label` (0/1).
#' @param ... when `method` is a string, arguments for its constructor
#'   (e.g. `infer_grn(x, "pearson", threads = 1)`).  A name that is an
#'   argument neither of `infer_grn()` nor of that constructor is an error
#'   (class `grntorch_argument_error`) naming both, as is any `...` when
#'   `method` is a parameter object.
#' @param assay.type assay of a `SummarizedExperiment` to use.
#' @param assay,layer Seurat assay (default: the default assay) and layer
#'   (`"data"`, i.e. log-normalised values).  On SeuratObject < 5 the layer
#'   is the slot given to `GetAssayData()`.
#' @param top keep only the `top` highest-weighted edges (`NULL`: all
#'   candidate pairs with a non-zero score).
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
#' @return A directed `igraph`.  Edges point regulator -> target, with
#'   attributes `weight` (`abs(score)`), `score` (signed) and `rank` (1 = the
#'   strongest), plus model-specific ones (e.g. `stability`).  Vertices carry
#'   `is_tf`.  Graph attributes `method`, `params`, `grntorch_version`,
#'   `n_cells` record how it was made.  Use [grn_edges()] for a data.frame.
#' @seealso [grn_edges()], [correlation_method()], [grntorch_example()]
#' @examples
#' ex <- grntorch_example()
#' g <- infer_grn(ex$expression, "pearson", tfs = ex$tfs)
#' g
#' head(grn_edges(g), 5)
#' @export
infer_grn <- function(x, method = "pearson", tfs = NULL, genes = NULL, train = NULL, validation = NULL,
                      ..., assay.type = "logcounts", assay = NULL, layer = "data", top = NULL,
                      verbose = interactive()) {
  verbose <- .check_flag(verbose, "verbose")
  method <- .resolve_method(method, ..., .caller = "infer_grn")
  if (!is.null(top)) top <- .check_scalar_int(top, "top", min = 1)
  src <- .expression_source(x, genes = genes, assay.type = assay.type, assay = assay, layer = layer)
  regulators <- .match_tfs(tfs, src$genes, verbose = verbose)
  .check_resources(method, src, regulators, train, validation, top)
  expr <- .densify_expression(src)
  regulators <- .kept_regulators(regulators, expr)
  dropped <- attr(expr, "grntorch_dropped")
  attr(expr, "grntorch_dropped") <- NULL
  train <- .check_pairs(train, "train", rownames(expr), dropped = dropped)
  validation <- .check_pairs(validation, "validation", rownames(expr), dropped = dropped)
  if (isTRUE(method$supervised) && is.null(train)) {
    .grn_abort("train", sprintf("method \"%s\" is supervised and needs labelled training pairs (from, to, label)", method$name))
  }
  data <- list(expr = expr, regulators = regulators, train = train, validation = validation,
               verbose = verbose)
  fit <- .fit_method(method, data)
  fit$known <- .known_pairs(method, data)  # training positives -> edge attribute `known` (R/known.R)
  .as_grn_graph(fit, genes = rownames(expr), regulators = regulators, method = method,
                n_cells = ncol(expr), top = top)
}

