#' grntorch: gene regulatory network inference on a LibTorch engine
#'
#' Infers transcription factor to target networks from single-cell
#' expression held in a matrix, a `dgCMatrix`, a `SummarizedExperiment` /
#' `SingleCellExperiment` or a `Seurat` object, and returns an `igraph`.
#' The entry point is [infer_grn()]; models are chosen by parameter objects.
#' [grntorch_sitrep()] reports the LibTorch, BLAS and threads in use.
#'
#' @keywords internal
#' @useDynLib grntorch, .registration = TRUE
#' @importFrom Rcpp sourceCpp
#' @importFrom methods is
#' @importFrom stats sd
#' @importFrom utils head
"_PACKAGE"
