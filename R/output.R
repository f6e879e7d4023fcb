# From a fitted model's scores to the igraph users get.

#' @noRd
.as_grn_graph <- function(fit, genes, regulators, method, n_cells, top = NULL, seconds = NULL) {
  edges <- if (!is.null(fit$edges)) .edges_from_table(fit$edges, method, top)
           else .edges_from_scores(fit, genes, regulators, method, top)
  if (!is.null(fit$known)) edges$known <- .is_known(edges$from, edges$to, fit$known, genes)
  extra <- setdiff(names(edges), c("from", "to", "weight", "score", "rank"))
  edges <- edges[, c("from", "to", "weight", "score", "rank", extra), drop = FALSE]
  vertices <- data.frame(name = genes, is_tf = genes %in% regulators, stringsAsFactors = FALSE)
  g <- igraph::graph_from_data_frame(edges, directed = TRUE, vertices = vertices)
  g <- igraph::set_graph_attr(g, "method", method$name)
  g <- igraph::set_graph_attr(g, "params", method$params)
  g <- igraph::set_graph_attr(g, "grntorch_version", as.character(utils::packageVersion("grntorch")))
  g <- igraph::set_graph_attr(g, "n_cells", n_cells)
  if (!is.null(fit$info)) g <- igraph::set_graph_attr(g, "fit", fit$info)
  if (!is.null(seconds)) g <- igraph::set_graph_attr(g, "seconds", seconds)
  class(g) <- c("grn_network", class(g))   # still an igraph: print()/summary() of R/print.R
  g
}

# The edge table of a score matrix: the top-k choice (or the full order) is
# made in C++ on the matrix itself, so only the pairs kept become R rows.
#' @noRd
.edges_from_scores <- function(fit, genes, regulators, method, top) {
  s <- fit$scores
  if (!is.matrix(s) || !identical(rownames(s), regulators) || !identical(colnames(s), genes)) {
    stop("internal error: a method returned a score matrix whose dimnames are not regulators x genes")
  }
  if (!is.double(s)) storage.mode(s) <- "double"
  self <- match(regulators, genes)
  key <- function(v) match(v, sort(unique(v), method = "radix"))
  sel <- .engine_call(.grn_top_pairs(s, self, key(regulators), key(genes),
                                     if (is.null(top)) NA_integer_ else as.integer(top)))
  if (sel$n_nonfinite > 0) .nonfinite_abort(method)
  idx <- cbind(sel$row, sel$col)
  edges <- data.frame(from = regulators[sel$row], to = genes[sel$col], score = s[idx], stringsAsFactors = FALSE)
  for (nm in names(fit$attrs)) edges[[nm]] <- fit$attrs[[nm]][idx]
  edges$weight <- abs(edges$score)
  edges$rank <- seq_len(nrow(edges))
  edges
}

# The edge table of a method that returns edges itself.
#' @noRd
.edges_from_table <- function(edges, method, top) {
  if (any(!is.finite(edges$score))) .nonfinite_abort(method)
  edges <- edges[edges$from != edges$to & edges$score != 0, , drop = FALSE]
  edges$weight <- abs(edges$score)
  ord <- order(-edges$weight, edges$from, edges$to, method = "radix")
  edges <- edges[ord, , drop = FALSE]
  edges$rank <- seq_len(nrow(edges))
  if (!is.null(top) && nrow(edges) > top) edges <- edges[seq_len(top), , drop = FALSE]
  rownames(edges) <- NULL
  edges
}

#' @noRd
.nonfinite_abort <- function(method) {
  .grn_abort(NULL, sprintf("method \"%s\" produced non-finite scores; this is a bug or a diverged fit: try other hyper-parameters", method$name),
             class = "grntorch_nonfinite")
}

#' Edge table of an inferred network
#'
#' @param g an `igraph` returned by [infer_grn()].
#' @param top number of edges to return (the highest-ranked); `NULL` for all.
#'   With `novel = TRUE`, the highest-ranked novel edges.
#' @param novel drop the edges that are known to the model: those with edge
#'   attribute `known` TRUE.  Models that learn from known edges mark them:
#'   the supervised models ([genelink()], [gnnlink()], [scregnet()],
#'   [sctransnet()], [scunigp()], [onehot_lr()], [matcomp()],
#'   [degree_baseline()]) mark the positive `train` pairs (label 1; not the
#'   `validation` pairs, which only steer early stopping), and
#'   InfoSEM-BC the positive pairs of its `prior_edges`.  Models that use no
#'   known edges (correlation, DeepSEM, InfoSEM-B, random) have no `known`
#'   attribute: every edge of theirs is novel and all are returned, with a
#'   message (class `grntorch_all_novel`).
#'   `rank` keeps the rank among all edges.
#' @return A data.frame with columns `from`, `to`, `weight`, `score`, `rank`
#'   and any model-specific edge attributes (e.g. `known`), sorted by `rank`.
#' @examples
#' ex <- grntorch_example()
#' g <- infer_grn(ex$expression, "pearson", tfs = ex$tfs, top = 100)
#' grn_edges(g, top = 5)
#' # a supervised model marks its training positives `known`
#' g <- infer_grn(ex$expression, "degree", tfs = ex$tfs, train = ex$split$train, top = 500)
#' table(grn_edges(g)$known)
#' head(grn_edges(g, novel = TRUE), 3)
#' @export
grn_edges <- function(g, top = NULL, novel = FALSE) {
  if (!inherits(g, "igraph")) .grn_abort("g", "must be an igraph returned by infer_grn()")
  novel <- .check_flag(novel, "novel")
  e <- igraph::as_data_frame(g, what = "edges")
  if (!"rank" %in% names(e)) .grn_abort("g", "has no edge attribute `rank`; was it made by infer_grn()?")
  if (!is.null(top)) top <- .check_top(top, min = 0)
  e <- e[order(e$rank), , drop = FALSE]
  if (novel) {
    if ("known" %in% names(e)) {
      e <- e[!e$known, , drop = FALSE]
    } else {
      .grn_note(sprintf("grntorch: method \"%s\" uses no known edges (no edge attribute `known`): every edge is novel, all are returned",
                        igraph::graph_attr(g)$method %||% "?"), class = "grntorch_all_novel")
    }
  }
  rownames(e) <- NULL
  if (!is.null(top)) e <- utils::head(e, top)
  e
}
