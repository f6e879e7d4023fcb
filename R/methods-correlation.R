#' Correlation scorers
#'
#' Pearson or Spearman correlation between each regulator and every gene,
#' computed on the LibTorch engine (one matrix product after centring and
#' scaling; Spearman ranks each gene across cells first, ties averaged).
#' A gene with zero variance scores 0 against every gene.  The sign of the
#' correlation is kept as the edge `score`; `weight` is its absolute value.
#'
#' @param type `"pearson"` or `"spearman"`.
#' @template param-threads
#' @template param-dots
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
                 subclass = "grn_correlation", label = c(pearson = "Pearson", spearman = "Spearman")[[type]])
}

#' @noRd
.fit_method.grn_correlation <- function(method, data) {
  regs <- match(data$regulators, rownames(data$expr))
  opts <- list(method = method$params$type, threads = method$params$threads, verbose = isTRUE(data$verbose))
  scores <- .engine_call(.grn_correlation(data$expr, regs, opts))
  dimnames(scores) <- list(data$regulators, rownames(data$expr))
  list(scores = scores)
}

# Pearson / Spearman (correlation.cpp): the engine copies the expression to
# float, centres and scales it (Spearman ranks it first) - about 32 bytes per
# gene x cell at that stage - then takes one product regulators x cells %*%
# cells x genes (float) and hands it back as a double regulators x genes
# matrix (16 bytes per pair on top of ~28 per gene x cell still held).
#' @noRd
.plan_method.grn_correlation <- function(method, dims) {
  g <- dims$genes; c <- dims$cells; r <- dims$regulators
  bytes <- max(32 * g * c, 28 * g * c + 16 * r * g)
  secs <- 1e-10 * r * g * c + (if (identical(method$params$type, "spearman")) 3e-7 else 2e-8) * g * c
  list(bytes = bytes, epoch_seconds = NA_real_, epochs = NA_integer_, seconds = secs,
       advice = c("genes", "tfs", "top"))
}
