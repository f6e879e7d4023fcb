#' Correlation scorers
#'
#' Pearson or Spearman correlation between each regulator and every gene,
#' computed on the LibTorch engine (one matrix product after centring and
#' scaling; Spearman ranks each gene across cells first, ties averaged).
#' A gene with zero variance scores 0 against every gene.  The sign of the
#' correlation is kept as the edge `score`; `weight` is its absolute value.
#'
#' @param type `"pearson"` or `"spearman"`.
#' @param threads number of LibTorch threads; default `getOption("grntorch.threads", 2)`,
#'   at most the processors this R process may use (a larger number is capped,
#'   with a warning of class `grntorch_threads_warning`).
#' @param ... not used; misspelt argument names are reported as errors
#'   (class `grntorch_argument_error`).
#' @return A `grn_method` parameter object for [infer_grn()].
#' @seealso [infer_grn()]
#' @examples
#' ex <- grntorch_example()
#' g <- infer_grn(ex$expression[1:100, ], correlation_method("spearman"), tfs = ex$tfs)
#' head(grn_edges(g), 3)
#' @export
correlation_method <- function(type = c("pearson", "spearman"), threads = NULL, ...) {
  .check_dots("correlation_method", ...)
  type <- .match_choice(type, "type", c("pearson", "spearman"))
  new_grn_method(type, params = list(type = type, threads = .resolve_threads(threads)),
                 subclass = "grn_correlation", supervised = FALSE)
}

#' @noRd
.fit_method.grn_correlation <- function(method, data) {
  regs <- match(data$regulators, rownames(data$expr))
  opts <- list(method = method$params$type, threads = method$params$threads, verbose = isTRUE(data$verbose))
  scores <- .engine_call(.grn_correlation(data$expr, regs, opts))
  dimnames(scores) <- list(data$regulators, rownames(data$expr))
  list(scores = scores)
}
