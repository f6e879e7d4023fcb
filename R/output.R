# From a fitted model's scores to the igraph users get.

#' @noRd
.as_grn_graph <- function(fit, genes, regulators, method, n_cells, top = NULL) {
  if (!is.null(fit$edges)) {
    edges <- fit$edges
  } else {
    s <- fit$scores
    if (!is.matrix(s) || !identical(rownames(s), regulators) || !identical(colnames(s), genes)) {
      stop("internal error: a method returned a score matrix whose dimnames are not regulators x genes")
    }
    nr <- nrow(s)
    edges <- data.frame(from = rep(regulators, times = ncol(s)), to = rep(genes, each = nr),
                        score = as.vector(s), stringsAsFactors = FALSE)
    for (nm in names(fit$attrs)) edges[[nm]] <- as.vector(fit$attrs[[nm]])
  }
  if (any(!is.finite(edges$score))) {
    .grn_abort(NULL, sprintf("method \"%s\" produced non-finite scores; this is a bug or a diverged fit: try other hyper-parameters", method$name),
               class = "grntorch_nonfinite")
  }
  edges <- edges[edges$from != edges$to & edges$score != 0, , drop = FALSE]
  edges$weight <- abs(edges$score)
  ord <- order(-edges$weight, edges$from, edges$to, method = "radix")
  edges <- edges[ord, , drop = FALSE]
  edges$rank <- seq_len(nrow(edges))
  if (!is.null(top) && nrow(edges) > top) edges <- edges[seq_len(top), , drop = FALSE]
  rownames(edges) <- NULL
  extra <- setdiff(names(edges), c("from", "to", "weight", "score", "rank"))
  edges <- edges[, c("from", "to", "weight", "score", "rank", extra), drop = FALSE]
  vertices <- data.frame(name = genes, is_tf = genes %in% regulators, stringsAsFactors = FALSE)
  g <- igraph::graph_from_data_frame(edges, directed = TRUE, vertices = vertices)
  g <- igraph::set_graph_attr(g, "method", method$name)
  g <- igraph::set_graph_attr(g, "params", method$params)
  g <- igraph::set_graph_attr(g, "grntorch_version", as.character(utils::packageVersion("grntorch")))
  g <- igraph::set_graph_attr(g, "n_cells", n_cells)
  if (!is.null(fit$info)) g <- igraph::set_graph_attr(g, "fit", fit$info)
  g
}

#' Edge table of an inferred network
#'
#' @param g an `igraph` returned by [infer_grn()].
#' @param top number of edges to return (the highest-ranked); `NULL` for all.
#' @return A data.frame with columns `from`, `to`, `weight`, `score`, `rank`
#'   and any model-specific edge attributes, sorted by `rank`.
#' @examples
#' ex <- grntorch_example()
#' g <- infer_grn(ex$expression, "pearson", tfs = ex$tfs, top = 100)
#' grn_edges(g, top = 5)
#' @export
grn_edges <- function(g, top = NULL) {
  if (!inherits(g, "igraph")) .grn_abort("g", "must be an igraph returned by infer_grn()")
  e <- igraph::as_data_frame(g, what = "edges")
  if (!"rank" %in% names(e)) .grn_abort("g", "has no edge attribute `rank`; was it made by infer_grn()?")
  e <- e[order(e$rank), , drop = FALSE]
  rownames(e) <- NULL
  if (!is.null(top)) e <- utils::head(e, .check_scalar_int(top, "top", min = 0))
  e
}
