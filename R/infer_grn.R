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
#'   never logs again.  `x` is never modified.
#' @param method a method name (`"pearson"`, `"spearman"`, ...) or a parameter
#'   object such as [correlation_method()] or `deepsem(epochs = 120)`.
#' @param tfs character vector of candidate regulators, matched to the gene
#'   names case-insensitively; the overlap is reported and a warning is given
#'   when fewer than 40% are found.  `NULL` lets every gene regulate.
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
#' @param verbose print progress and the TF overlap.
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
  regulators <- regulators[regulators %in% rownames(expr)]
  train <- .check_pairs(train, "train", rownames(expr))
  validation <- .check_pairs(validation, "validation", rownames(expr))
  if (isTRUE(method$supervised) && is.null(train)) {
    .grn_abort("train", sprintf("method \"%s\" is supervised and needs labelled training pairs (from, to, label)", method$name))
  }
  data <- list(expr = expr, regulators = regulators, train = train, validation = validation,
               verbose = verbose)
  fit <- .fit_method(method, data)
  .as_grn_graph(fit, genes = rownames(expr), regulators = regulators, method = method,
                n_cells = ncol(expr), top = top)
}

