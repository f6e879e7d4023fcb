# Plots (issue 18): precision-recall and ROC curves, training curves, the
# network itself, and plot() methods.  ggplot2, ggraph and ggrepel are only
# Suggested: every entry point checks for them through .grn_has_package(),
# which the tests mock to see the classed error.

# ---------------------------------------------------------------------------
# Optional packages

# Is package `pkg` installed?  One function, so tests can pretend it is not.
#' @noRd
.grn_has_package <- function(pkg) requireNamespace(pkg, quietly = TRUE)

# Abort (class grntorch_missing_package) unless `pkg` is installed.
#' @noRd
.grn_need_package <- function(pkg, what) {
  if (!.grn_has_package(pkg)) {
    .grn_abort(NULL, sprintf("%s needs the '%s' package: install.packages(\"%s\") (Debian/Ubuntu: apt install r-cran-%s)",
                             what, pkg, pkg, tolower(pkg)), class = "grntorch_missing_package")
  }
  invisible(TRUE)
}

# ---------------------------------------------------------------------------
# Curve points

# PR and ROC points of scores `score` (higher = more confident) against 0/1
# `label`: one point per distinct score (ties form one step, as sklearn's
# precision_recall_curve and roc_curve), highest score first, preceded by the
# start point recall = fpr = tpr = 0, precision = 1 (the curve whose trapezoid
# area is evaluate_grn()'s auprc, and whose ROC area is its auroc).  More than
# `max_points` points are thinned to at most that many, evenly along the
# curves' length (first and last point kept).
#' @noRd
.grn_curves <- function(score, label, max_points = 2000) {
  n <- length(score)
  n_pos <- sum(label)
  if (n == 0L || n_pos == 0 || n_pos == n) {
    .grn_abort("truth", "curves need both positive and negative pairs")
  }
  o <- order(score, decreasing = TRUE, method = "radix")
  s <- score[o]
  tp <- cumsum(as.double(label[o]))
  last <- which(c(s[-1L] != s[-n], TRUE))   # the last pair of each distinct score
  tps <- tp[last]
  fps <- last - tps
  out <- data.frame(threshold = c(Inf, s[last]), recall = c(0, tps / n_pos), precision = c(1, tps / last),
                    fpr = c(0, fps / (n - n_pos)))
  out$tpr <- out$recall
  n_full <- nrow(out)
  if (n_full > max_points) {
    d <- abs(diff(out$recall)) + abs(diff(out$precision)) + abs(diff(out$fpr))
    cum <- c(0, cumsum(d))
    bin <- floor(cum / cum[n_full] * (max_points - 2))
    keep <- !duplicated(bin)
    keep[n_full] <- TRUE
    out <- out[keep, , drop = FALSE]
    rownames(out) <- NULL
  }
  attr(out, "n_points") <- n_full
  attr(out, "density") <- n_pos / n
  out
}

# Trapezoid area under y(x) along the points (in their order).
#' @noRd
.trapezoid <- function(x, y) sum(diff(x) * (utils::head(y, -1L) + utils::tail(y, -1L)) / 2)

#' Precision-recall and ROC curve points of a network
#'
#' Scores `net` against `truth` with the rules of [evaluate_grn()] and
#' returns the points of its precision-recall and ROC curves: one point per
#' distinct score (tied pairs form one step, as sklearn's
#' `precision_recall_curve()` and `roc_curve()`), from the highest score
#' down, after a start point (recall 0, precision 1, false positive rate 0).
#' The trapezoid area under `precision` over `recall` is `evaluate_grn()`'s
#' `auprc`, the one under `tpr` over `fpr` its `auroc` (with every point;
#' thinning changes them slightly).
#'
#' @inheritParams evaluate_grn
#' @param net a network as [evaluate_grn()] takes it (an `igraph` from
#'   [infer_grn()], an edge data.frame or a score matrix), or a named list of
#'   them.
#' @param max_points the most points per network: longer curves (a 700,000
#'   pair universe has up to that many distinct scores) are thinned evenly
#'   along their length, keeping both ends.  `Inf` keeps every point.
#' @param ... passed to [evaluate_grn()] (`mode`, `missing`, `use`).
#' @return A data.frame with columns `threshold` (the score; `Inf` at the
#'   start point), `recall`, `precision`, `fpr`, `tpr` (= `recall`), and for a
#'   list a first column `network`.  Attributes: `evaluation`, the
#'   [evaluate_grn()] result (one row per network for a list), and
#'   `density`, the random level of precision.
#' @seealso [plot_pr()], [plot_roc()], [evaluate_grn()]
#' @examples
#' ex <- grntorch_example()
#' g <- infer_grn(ex$expression, "pearson", tfs = ex$tfs)
#' cv <- grn_curves(g, ex$truth, tfs = ex$tfs)
#' head(cv)
#' attr(cv, "evaluation")$auprc
#' @md
#' @export
grn_curves <- function(net, truth, tfs = NULL, ..., max_points = 2000) {
  if (!is.numeric(max_points) || length(max_points) != 1L || is.na(max_points) || max_points < 2) {
    .grn_abort("max_points", "must be a number >= 2 (Inf for every point)")
  }
  sets <- .curve_sets(net, truth, max_points, arg = "net", tfs = tfs, ...)
  single <- !.is_net_list(net)
  cv <- sets$curves
  if (single) cv$network <- NULL
  rownames(cv) <- NULL
  ev <- sets$evaluation
  if (single) {
    ev$network <- NULL
    class(ev) <- c("grn_evaluation", "data.frame")
  }
  attr(cv, "evaluation") <- ev
  attr(cv, "density") <- if (single) sets$evaluation$density else stats::setNames(sets$evaluation$density, sets$evaluation$network)
  cv
}

# A list of networks (not itself one network)?
#' @noRd
.is_net_list <- function(x) {
  is.list(x) && !is.data.frame(x) && !inherits(x, "igraph") && !inherits(x, "grn_evaluation")
}

# Curves of one network or a named list: list(curves = long data.frame with
# `network`, evaluation = one row per network with `network`).  An element
# may be a grn_evaluation made with curves = TRUE (no truth needed).
#' @noRd
.curve_sets <- function(x, truth, max_points, arg = "x", ...) {
  if (is.null(x)) .grn_abort(arg, "is NULL: give a network from infer_grn(), an edge data.frame, a grn_evaluation made with curves, or a named list of them")
  nets <- if (.is_net_list(x)) x else list(network = x)
  if (!length(nets)) .grn_abort(arg, "is an empty list")
  nm <- names(nets)
  if (is.null(nm) || any(is.na(nm) | !nzchar(nm)) || anyDuplicated(nm)) {
    .grn_abort(arg, "a list of networks must have unique names (they label the curves), e.g. list(pearson = g1, deepsem = g2)")
  }
  cvs <- vector("list", length(nets))
  evs <- vector("list", length(nets))
  for (i in seq_along(nets)) {
    n <- nets[[i]]
    if (is.null(n)) .grn_abort(arg, sprintf("element \"%s\" is NULL", nm[i]))
    if (inherits(n, "grn_evaluation")) {
      ev <- n
      if (is.null(attr(ev, "curves"))) .grn_abort(arg, "is a grn_evaluation without curve points (made with curves = FALSE, or of pairs of one class): evaluate with evaluate_grn(..., curves = TRUE)")
    } else {
      if (is.null(truth)) .grn_abort("truth", "is needed to score a network (a data.frame from, to or from, to, label)")
      ev <- evaluate_grn(n, truth, ..., curves = max_points)
      if (is.null(attr(ev, "curves"))) .grn_abort("truth", "curves need both positive and negative pairs")
    }
    cv <- attr(ev, "curves")
    cvs[[i]] <- cbind(network = nm[i], as.data.frame(cv), stringsAsFactors = FALSE)
    e <- as.data.frame(unclass(ev), stringsAsFactors = FALSE)
    attr(e, "curves") <- NULL
    attr(e, "hit") <- NULL
    evs[[i]] <- cbind(network = nm[i], e, stringsAsFactors = FALSE)
  }
  hits <- unique(vapply(evs, function(e) paste(grep("^hit_", names(e), value = TRUE), collapse = ""), ""))
  if (length(hits) > 1L) evs <- lapply(evs, function(e) e[, !grepl("^hit_", names(e)), drop = FALSE])
  ev <- do.call(rbind, evs)
  rownames(ev) <- NULL
  list(curves = do.call(rbind, cvs), evaluation = ev)
}

# ---------------------------------------------------------------------------
# PR and ROC plots

#' Precision-recall and ROC curves of inferred networks
#'
#' `plot_pr()` draws the precision-recall curve and `plot_roc()` the ROC
#' curve of a network scored against a ground truth with the rules of
#' [evaluate_grn()] (universe mode for a truth `from`, `to`; pairs mode for
#' labelled pairs), or of several networks overlaid, one colour each, their
#' AUPRC (AUROC) in the legend.  The random level is marked: a dashed
#' horizontal line at the density (the share of positive pairs) for PR, the
#' diagonal for ROC.  Curves have one point per distinct score (ties as
#' sklearn), thinned to at most `max_points` per network (see
#' [grn_curves()]), so a 700,000-pair universe draws quickly.
#'
#' @param x a network ([infer_grn()]'s `igraph`, or anything
#'   [evaluate_grn()] takes), a `grn_evaluation` made with `curves = TRUE`,
#'   or a named list of these (names label the curves).
#' @param truth the ground truth, as for [evaluate_grn()]; not needed when
#'   `x` holds evaluations with curves.
#' @param ... passed to [evaluate_grn()]: `tfs`, `mode`, `missing`, `use`.
#' @param max_points the most points drawn per network.
#' @return A `ggplot` object (printing it draws the plot).
#' @seealso [grn_curves()], [evaluate_grn()]
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'   ex <- grntorch_example()
#'   g1 <- infer_grn(ex$expression, "pearson", tfs = ex$tfs)
#'   g2 <- infer_grn(ex$expression, "spearman", tfs = ex$tfs)
#'   plot_pr(g1, ex$truth, tfs = ex$tfs)
#'   plot_roc(list(pearson = g1, spearman = g2), ex$truth, tfs = ex$tfs)
#'   # a supervised test set (pairs mode): pairs without an edge score 0
#'   plot_pr(list(pearson = g1, spearman = g2), ex$split$test, missing = 0)
#' }
#' @md
#' @export
plot_pr <- function(x, truth = NULL, ..., max_points = 2000) {
  .grn_need_package("ggplot2", "plot_pr()")
  .curve_plot(.curve_sets(x, truth, max_points, ...), "pr")
}

#' @rdname plot_pr
#' @export
plot_roc <- function(x, truth = NULL, ..., max_points = 2000) {
  .grn_need_package("ggplot2", "plot_roc()")
  .curve_plot(.curve_sets(x, truth, max_points, ...), "roc")
}

#' Plot the PR and ROC curves of an evaluation
#'
#' Draws the precision-recall and ROC curves side by side, with their random
#' levels (the density; the diagonal), from the curve points
#' [evaluate_grn()] keeps by default.  An evaluation made with
#' `curves = FALSE`, or of pairs of one class, has none: that is an error
#' that says so.
#'
#' @param x a `grn_evaluation` from [evaluate_grn()].
#' @param ... unused.
#' @return A `ggplot` object.
#' @seealso [plot_pr()], [plot_roc()]
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'   ex <- grntorch_example()
#'   g <- infer_grn(ex$expression, "pearson", tfs = ex$tfs)
#'   plot(evaluate_grn(g, ex$truth, tfs = ex$tfs))
#' }
#' @method plot grn_evaluation
#' @md
#' @export
plot.grn_evaluation <- function(x, ...) {
  if (is.null(attr(x, "curves"))) {
    one_class <- length(x$n_positive) == 1L && (x$n_positive == 0 || x$n_positive == x$n_pairs)
    .grn_abort("x", if (one_class) "has no curves: the pairs scored hold one class (no positive, or only positives)"
                    else "has no curve points to plot: it was made with curves = FALSE; evaluate again with evaluate_grn(..., curves = TRUE)")
  }
  .grn_need_package("ggplot2", "plot() of a grn_evaluation")
  .curve_plot(.curve_sets(x, NULL, Inf), "both")
}

# The ggplot of curve sets: kind "pr", "roc" or "both" (two facets).
#' @noRd
.curve_plot <- function(sets, kind) {
  cv <- sets$curves
  ev <- sets$evaluation
  nets <- ev$network
  lab <- switch(kind,
                pr = sprintf("%s (AUPRC %.3f)", nets, ev$auprc),
                roc = sprintf("%s (AUROC %.3f)", nets, ev$auroc),
                both = sprintf("%s (AUPRC %.3f, AUROC %.3f)", nets, ev$auprc, ev$auroc))
  cv$curve <- factor(lab[match(cv$network, nets)], levels = lab)
  pr_name <- "Precision-recall"
  roc_name <- "ROC"
  pr <- data.frame(curve = cv$curve, panel = pr_name, x = cv$recall, y = cv$precision)
  roc <- data.frame(curve = cv$curve, panel = roc_name, x = cv$fpr, y = cv$tpr)
  dens <- unique(ev$density)
  rnd_pr <- data.frame(panel = pr_name, x = rep(c(0, 1), length(dens)), y = rep(dens, each = 2),
                       grp = rep(seq_along(dens), each = 2))
  rnd_roc <- data.frame(panel = roc_name, x = c(0, 1), y = c(0, 1), grp = 0L)
  d <- switch(kind, pr = pr, roc = roc, both = rbind(pr, roc))
  rnd <- switch(kind, pr = rnd_pr, roc = rnd_roc, both = rbind(rnd_pr, rnd_roc))
  d$panel <- factor(d$panel, levels = c(pr_name, roc_name))
  rnd$panel <- factor(rnd$panel, levels = c(pr_name, roc_name))
  rand_lab <- if (length(dens) == 1L) sprintf("random (density %.3g)", dens) else "random (density)"
  txt_pr <- data.frame(panel = pr_name, x = 1, y = max(dens), label = rand_lab, vjust = -0.4)
  txt_roc <- data.frame(panel = roc_name, x = 0.9, y = 0.9, label = "random", vjust = 1.8)
  txt <- switch(kind, pr = txt_pr, roc = txt_roc, both = rbind(txt_pr, txt_roc))
  txt$panel <- factor(txt$panel, levels = c(pr_name, roc_name))
  single <- length(nets) == 1L
  mode <- unique(ev$mode)
  sub <- sprintf("%s pairs, %s positive%s", format(ev$n_pairs[1], big.mark = ","), format(ev$n_positive[1], big.mark = ","),
                 if (identical(mode, "universe")) " (universe: truth TFs x genes)" else if (identical(mode, "pairs")) " (labelled pairs)" else "")
  p <- ggplot2::ggplot(d, ggplot2::aes(x = .data$x, y = .data$y)) +
    ggplot2::geom_path(data = rnd, ggplot2::aes(group = .data$grp), linetype = "dashed", colour = "grey45") +
    ggplot2::geom_text(data = txt, ggplot2::aes(label = .data$label, vjust = .data$vjust), hjust = 1, size = 3, colour = "grey35") +
    ggplot2::geom_path(ggplot2::aes(colour = .data$curve), linewidth = 0.7) +
    ggplot2::coord_cartesian(xlim = c(0, 1), ylim = c(0, 1)) +
    ggplot2::theme_bw() +
    ggplot2::theme(legend.position = "bottom", legend.direction = "vertical")
  if (kind == "both") {
    p <- p + ggplot2::facet_wrap(~panel, labeller = ggplot2::as_labeller(c(
      "Precision-recall" = "Precision-recall (x: recall, y: precision)",
      "ROC" = "ROC (x: false positive rate, y: true positive rate)"))) +
      ggplot2::labs(x = "recall | false positive rate", y = "precision | true positive rate", colour = NULL)
  } else if (kind == "pr") {
    p <- p + ggplot2::labs(x = "recall", y = "precision", colour = NULL, title = "Precision-recall")
  } else {
    p <- p + ggplot2::labs(x = "false positive rate", y = "true positive rate", colour = NULL, title = "ROC")
  }
  if (single) {
    p <- p + ggplot2::guides(colour = "none") + ggplot2::scale_colour_manual(values = "#1f77b4")
    area <- switch(kind, pr = sprintf("AUPRC %.3f", ev$auprc), roc = sprintf("AUROC %.3f", ev$auroc),
                   both = sprintf("AUPRC %.3f, AUROC %.3f", ev$auprc, ev$auroc))
    sub <- paste0(area, " - ", sub)
  }
  p + ggplot2::labs(subtitle = sub)
}

# ---------------------------------------------------------------------------
# The network

#' Draw the strongest edges of an inferred network
#'
#' Draws the `top` highest-ranked edges of an [infer_grn()] network (edge
#' attribute `rank`; only those edges are ever taken out of the graph, so a
#' network of 700,000 edges draws in a second): TFs (vertex attribute
#' `is_tf`) as triangles, targets as circles, arrows from regulator to target,
#' edge width by `weight`, edge colour by the sign of `score` when scores
#' have signs (activation / repression for correlations and DeepSEM), and
#' gene labels placed so that they do not overlap.  With ggraph installed
#' this is a `ggplot` (ggraph, labels by ggrepel); otherwise base graphics
#' through igraph's `plot()`.
#'
#' @param g an `igraph` from [infer_grn()].
#' @param top number of edges to draw (the highest-ranked).
#' @param layout layout: for ggraph a layout name (default `"fr"`,
#'   Fruchterman-Reingold; also `"kk"`, `"stress"`, ...), for the igraph
#'   fallback a layout function such as `igraph::layout_with_kk`; `NULL`
#'   for the default.
#' @param labels draw gene names: `TRUE`, `FALSE` or `"tfs"` (regulators
#'   only).
#' @templateVar seed_of the layout
#' @template param-seed
#' @param ... passed to `plot.igraph()` in the fallback; unused with ggraph.
#' @return With ggraph, a `ggplot` object; with the igraph fallback
#'   (ggraph not installed, or `options(grntorch.plot_engine = "igraph")`),
#'   the subgraph drawn, invisibly.
#' @seealso [grn_edges()]
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'   ex <- grntorch_example()
#'   g <- infer_grn(ex$expression, "pearson", tfs = ex$tfs)
#'   plot_grn(g, top = 40)
#' }
#' @md
#' @export
plot_grn <- function(g, top = 50, layout = NULL, labels = TRUE, seed = 1, ...) {
  if (!inherits(g, "igraph")) .grn_abort("g", "must be an igraph returned by infer_grn()")
  ea <- igraph::edge_attr_names(g)
  if (is.null(igraph::vertex_attr(g, "name")) || !any(c("rank", "weight", "score") %in% ea)) {
    .grn_abort("g", "must be a network returned by infer_grn() (vertex names and an edge attribute `rank`, `weight` or `score`); this igraph has neither")
  }
  top <- .check_top(top)
  if (!(isTRUE(labels) || isFALSE(labels) || identical(labels, "tfs"))) .grn_abort("labels", "must be TRUE, FALSE or \"tfs\"")
  seed <- .check_seed(seed)
  engine <- getOption("grntorch.plot_engine", "ggraph")
  if (!engine %in% c("ggraph", "igraph")) .grn_abort(NULL, "option grntorch.plot_engine must be \"ggraph\" or \"igraph\"")
  use_ggraph <- engine == "ggraph" && .grn_has_package("ggraph") && .grn_has_package("ggplot2")
  .check_layout(layout, use_ggraph)
  sub <- .top_subgraph(g, top)
  if (igraph::ecount(sub) == 0L) .grn_abort("g", "has no edges to draw")
  title <- sprintf("%s: top %d edges", igraph::graph_attr(g, "method") %||% "network", igraph::ecount(sub))
  if (use_ggraph) .plot_grn_ggraph(sub, layout, labels, seed, title)
  else .plot_grn_igraph(sub, layout, labels, seed, title, ...)
}

#' @rdname plot_grn
#' @param x a network from [infer_grn()] (class `grn_network`).
#' @details `plot(g)` on a network from [infer_grn()] is `plot_grn(g, top =
#'   50)`: a default network holds every regulator x gene pair (700,000
#'   edges on the bundled data), which no drawing of all edges can show.
#'   igraph's own drawing of the whole graph stays available as
#'   `igraph::plot.igraph(g)`.
#' @method plot grn_network
#' @export
plot.grn_network <- function(x, top = 50, ...) {
  p <- plot_grn(x, top = top, ...)
  if (inherits(p, "ggplot")) print(p)
  invisible(p)
}

# `layout` of plot_grn(): NULL; for ggraph a layout name ggraph knows (or a
# function, or a coordinate matrix); for the igraph fallback a layout
# function or a coordinate matrix.
#' @noRd
.check_layout <- function(layout, use_ggraph) {
  if (is.null(layout) || is.function(layout) || is.matrix(layout) && is.numeric(layout) && ncol(layout) == 2L) {
    return(invisible())
  }
  if (use_ggraph && is.character(layout) && length(layout) == 1L && !is.na(layout)) {
    igraph_layouts <- c("auto", "circle", "dh", "drl", "fr", "gem", "graphopt", "grid", "kk", "lgl", "mds", "nicely",
                        "randomly", "sphere", "star", "sugiyama", "tree", "bipartite", "reingold.tilford")
    ns <- asNamespace("ggraph")
    is_igraph <- get0("is.igraphlayout", envir = ns, inherits = FALSE)   # ggraph's own test, when it has one
    known_igraph <- if (is.function(is_igraph)) isTRUE(tryCatch(is_igraph(layout), error = function(e) FALSE))
                    else layout %in% igraph_layouts
    if (known_igraph || exists(paste0("layout_tbl_graph_", layout), envir = ns, inherits = FALSE)) {
      return(invisible())
    }
    known <- sub("^layout_tbl_graph_", "", grep("^layout_tbl_graph_", ls(ns, all.names = TRUE), value = TRUE))
    known <- setdiff(known, "igraph")
    .grn_abort("layout", sprintf("unknown ggraph layout \"%s\"; use e.g. %s, or an igraph layout name (\"fr\", \"kk\", ...)",
                                 layout, paste0("\"", utils::head(sort(known), 8), "\"", collapse = ", ")))
  }
  .grn_abort("layout", if (use_ggraph) "must be NULL, a ggraph layout name (e.g. \"fr\", \"kk\", \"stress\"), a layout function or a 2-column coordinate matrix"
                       else "must be NULL, an igraph layout function (e.g. igraph::layout_with_kk) or a 2-column coordinate matrix (the igraph fallback takes no layout names)")
}

#' @noRd
`%||%` <- function(a, b) if (is.null(a)) b else a

# The top-k edges as a small graph with the vertices they touch: the rank
# attribute (or |weight|) picks them; only those edges are copied.
#' @noRd
.top_subgraph <- function(g, top) {
  ea <- igraph::edge_attr(g)   # all at once: fast on big graphs
  m <- igraph::ecount(g)
  if (!is.null(ea$rank)) {
    idx <- which(ea$rank <= top)
    if (length(idx) > top) idx <- idx[order(ea$rank[idx])][seq_len(top)]
    idx <- idx[order(ea$rank[idx])]
  } else {
    w <- if (!is.null(ea$weight)) abs(ea$weight) else if (!is.null(ea$score)) abs(ea$score) else rep(1, m)
    idx <- order(-w)[seq_len(min(top, m))]
  }
  idx <- idx[!is.na(idx)]
  ends <- igraph::ends(g, idx, names = FALSE)
  vid <- sort(unique(c(ends)))
  va <- igraph::vertex_attr(g)
  vdf <- data.frame(name = if (!is.null(va$name)) va$name[vid] else as.character(vid), stringsAsFactors = FALSE)
  vdf$is_tf <- if (!is.null(va$is_tf)) va$is_tf[vid] else vid %in% ends[, 1]
  edf <- data.frame(from = vdf$name[match(ends[, 1], vid)], to = vdf$name[match(ends[, 2], vid)], stringsAsFactors = FALSE)
  for (nm in intersect(c("weight", "score", "rank"), names(ea))) edf[[nm]] <- ea[[nm]][idx]
  if (is.null(edf$weight)) edf$weight <- if (!is.null(edf$score)) abs(edf$score) else 1
  if (is.null(edf$score)) edf$score <- edf$weight
  igraph::graph_from_data_frame(edf, directed = igraph::is_directed(g), vertices = vdf)
}

#' @noRd
.edge_sign <- function(score) {
  if (any(score < 0)) factor(ifelse(score < 0, "negative", "positive"), levels = c("positive", "negative")) else NULL
}

#' @noRd
.plot_grn_ggraph <- function(sub, layout, labels, seed, title) {
  if (is.null(layout)) layout <- "fr"
  sign <- .edge_sign(igraph::edge_attr(sub, "score"))
  is_tf <- igraph::vertex_attr(sub, "is_tf")
  sub <- igraph::set_vertex_attr(sub, "role", value = ifelse(is_tf, "TF", "target"))
  lab <- igraph::vertex_attr(sub, "name")
  if (identical(labels, "tfs")) lab[!is_tf] <- ""
  if (isFALSE(labels)) lab[] <- ""
  sub <- igraph::set_vertex_attr(sub, "label", value = lab)
  lay <- .with_seed(seed, ggraph::create_layout(sub, layout = layout))
  # Edges as ggplot2 curves on the layout's coordinates (ggraph 2.1's edge
  # geoms warn under ggplot2 >= 3.4), ending short of the target's point so
  # the arrow head shows; the curvature separates A -> B from B -> A.
  ends <- igraph::ends(sub, igraph::E(sub), names = FALSE)
  ed <- data.frame(x = lay$x[ends[, 1]], y = lay$y[ends[, 1]], xend = lay$x[ends[, 2]], yend = lay$y[ends[, 2]],
                   weight = igraph::edge_attr(sub, "weight"))
  if (!is.null(sign)) ed$sign <- as.character(sign)
  span <- max(diff(range(lay$x)), diff(range(lay$y)), 1e-9)
  len <- sqrt((ed$xend - ed$x)^2 + (ed$yend - ed$y)^2)
  cut <- ifelse(len > 0, pmin(0.025 * span, len / 3) / len, 0)
  ed$xend <- ed$xend - (ed$xend - ed$x) * cut
  ed$yend <- ed$yend - (ed$yend - ed$y) * cut
  arrow <- ggplot2::arrow(length = ggplot2::unit(2, "mm"), type = "closed")
  eaes <- if (is.null(sign)) ggplot2::aes(x = .data$x, y = .data$y, xend = .data$xend, yend = .data$yend, linewidth = .data$weight)
          else ggplot2::aes(x = .data$x, y = .data$y, xend = .data$xend, yend = .data$yend, linewidth = .data$weight,
                            colour = .data$sign)
  elayer <- if (is.null(sign)) {
    ggplot2::geom_curve(eaes, data = ed, curvature = 0.12, arrow = arrow, alpha = 0.7, colour = "grey40", inherit.aes = FALSE)
  } else {
    ggplot2::geom_curve(eaes, data = ed, curvature = 0.12, arrow = arrow, alpha = 0.7, inherit.aes = FALSE)
  }
  p <- ggraph::ggraph(lay) + elayer +
    ggplot2::scale_linewidth(range = c(0.3, 1.6), name = "weight")
  if (!is.null(sign)) {
    p <- p + ggplot2::scale_colour_manual(values = c(positive = "#b2182b", negative = "#2166ac"), name = "sign")
  }
  p <- p +
    ggraph::geom_node_point(ggplot2::aes(shape = .data$role, fill = .data$role), size = 3, colour = "grey20") +
    ggplot2::scale_shape_manual(values = c(TF = 24, target = 21), name = NULL, drop = FALSE) +
    ggplot2::scale_fill_manual(values = c(TF = "#fdae61", target = "#abd9e9"), name = NULL, drop = FALSE)
  if (!isFALSE(labels)) {
    p <- p + ggraph::geom_node_text(ggplot2::aes(label = .data$label), repel = TRUE, size = 2.8,
                                    max.overlaps = Inf, seed = seed)
  }
  p + ggraph::theme_graph(base_family = "sans") + ggplot2::labs(title = title)
}

#' @noRd
.plot_grn_igraph <- function(sub, layout, labels, seed, title, ...) {
  if (is.null(layout)) layout <- igraph::layout_with_fr
  coords <- .with_seed(seed, if (is.function(layout)) layout(sub) else layout)
  is_tf <- igraph::vertex_attr(sub, "is_tf")
  w <- igraph::edge_attr(sub, "weight")
  sign <- .edge_sign(igraph::edge_attr(sub, "score"))
  ecol <- if (is.null(sign)) "grey40" else ifelse(sign == "negative", "#2166ac", "#b2182b")
  wid <- if (diff(range(w)) > 0) 0.5 + 2.5 * (w - min(w)) / diff(range(w)) else rep(1.5, length(w))
  lab <- igraph::vertex_attr(sub, "name")
  if (identical(labels, "tfs")) lab[!is_tf] <- NA
  if (isFALSE(labels)) lab <- NA
  op <- graphics::par("xpd")   # plot.igraph() leaves par(xpd = TRUE) behind
  on.exit(graphics::par(xpd = op), add = TRUE)
  igraph::plot.igraph(sub, layout = coords, vertex.shape = ifelse(is_tf, "square", "circle"),
                      vertex.color = ifelse(is_tf, "#fdae61", "#abd9e9"), vertex.size = ifelse(is_tf, 7, 5),
                      vertex.label = lab, vertex.label.cex = 0.6, vertex.label.color = "black",
                      vertex.label.dist = 0.8, vertex.label.degree = -pi / 2, vertex.frame.color = "grey20",
                      edge.width = wid, edge.color = ecol, edge.arrow.size = 0.3, edge.curved = 0.1,
                      main = title, ...)
  leg <- c("TF", "target")
  graphics::legend("bottomleft", legend = leg, pch = c(22, 21), pt.bg = c("#fdae61", "#abd9e9"), bty = "n", cex = 0.7)
  if (!is.null(sign)) graphics::legend("bottomright", legend = c("positive", "negative"), col = c("#b2182b", "#2166ac"),
                                       lwd = 2, bty = "n", cex = 0.7)
  invisible(sub)
}

# ---------------------------------------------------------------------------
# Training curves

#' Plot the training curves of a fitted model
#'
#' Draws the per-epoch training record that [infer_grn()] keeps in the
#' graph attribute `fit`:
#' * [deepsem()] and [infosem()]: the loss per epoch and its terms
#'   (DeepSEM: `mse`, `kl`, `sparse`; InfoSEM: `mse`, `kl`, `prior`), one
#'   panel each;
#' * supervised graph models ([genelink()], [gnnlink()], [scregnet()],
#'   [sctransnet()]): the training and validation loss, and the validation
#'   AUROC in its own panel, with the selected epoch (`best_epoch`) marked by
#'   a dashed line;
#' * [scunigp()]: the validation AUROC of both stages (GNN pre-training,
#'   then joint training, numbered on), and the training loss, with each
#'   stage's selected epoch marked.
#'
#' Ensembles (`n_runs > 1`) draw one line per run.  Methods that do not
#' train over epochs (correlations, the baselines) are an error.
#'
#' @param g an `igraph` from [infer_grn()].
#' @param ... unused.
#' @return A `ggplot` object.
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'   ex <- grntorch_example()
#'   genes <- rownames(ex$expression)[1:200]
#'   g <- infer_grn(ex$expression[genes, ], deepsem(epochs = 5, threads = 1),
#'                  tfs = ex$tfs, verbose = FALSE)
#'   plot_training(g)
#' }
#' @md
#' @export
plot_training <- function(g, ...) {
  if (!inherits(g, "igraph")) .grn_abort("g", "must be an igraph returned by infer_grn()")
  .grn_need_package("ggplot2", "plot_training()")
  d <- .training_data(g)
  runs <- length(unique(d$curves$run))
  method <- igraph::graph_attr(g, "method") %||% "model"
  p <- ggplot2::ggplot(d$curves, ggplot2::aes(x = .data$epoch, y = .data$value))
  if (runs > 1L) {
    if (nrow(d$marks)) {
      p <- p + ggplot2::geom_vline(data = d$marks, ggplot2::aes(xintercept = .data$epoch, colour = .data$run),
                                   linetype = "dashed", alpha = 0.6)
    }
    p <- p + ggplot2::geom_line(ggplot2::aes(colour = .data$run, linetype = .data$series,
                                             group = interaction(.data$run, .data$series))) +
      ggplot2::labs(colour = "run", linetype = NULL)
  } else {
    if (nrow(d$marks)) {
      p <- p + ggplot2::geom_vline(data = d$marks, ggplot2::aes(xintercept = .data$epoch), linetype = "dashed",
                                   colour = "grey40")
    }
    p <- p + ggplot2::geom_line(ggplot2::aes(colour = .data$series)) +
      ggplot2::geom_point(ggplot2::aes(colour = .data$series), size = 0.9) +
      ggplot2::labs(colour = NULL)
  }
  p + ggplot2::facet_wrap(~panel, scales = "free_y", ncol = 1L) +
    ggplot2::labs(x = "epoch", y = NULL, title = sprintf("%s: training", method), subtitle = d$subtitle) +
    ggplot2::theme_bw() + ggplot2::theme(legend.position = "bottom")
}

# Long data of a fit's training record: list(curves = data.frame(run, epoch,
# series, panel, value), marks = data.frame(run, epoch, mark, panel), subtitle).
#' @noRd
.training_data <- function(g) {
  fit <- igraph::graph_attr(g, "fit")
  method <- igraph::graph_attr(g, "method") %||% "this method"
  infos <- if (!is.null(fit$per_run)) fit$per_run else list(fit)
  cur <- list()
  marks <- list()
  sub <- NULL
  add <- function(run, epoch, series, panel, value) {
    if (length(value)) cur[[length(cur) + 1L]] <<- data.frame(run = run, epoch = epoch, series = series, panel = panel,
                                                              value = as.double(value), stringsAsFactors = FALSE)
  }
  mark <- function(run, epoch, what, panels) {
    if (length(epoch) == 1L && !is.na(epoch) && epoch >= 1) {
      marks[[length(marks) + 1L]] <<- data.frame(run = run, epoch = epoch, mark = what, panel = panels, stringsAsFactors = FALSE)
    }
  }
  if (is.list(fit$loss) && length(fit$loss) && is.numeric(fit$loss[[1]])) {
    # DeepSEM / InfoSEM: one loss vector (and one parts table) per run
    for (i in seq_along(fit$loss)) {
      run <- as.character(i)
      l <- fit$loss[[i]]
      add(run, seq_along(l), "loss", "loss", l)
      parts <- fit$loss_parts[[i]]
      for (nm in names(parts)) add(run, seq_along(parts[[nm]]), nm, sprintf("loss term: %s", nm), parts[[nm]])
    }
    if (is.null(fit$loss_parts)) sub <- "(this network's fit information has no loss terms: refit with a newer grntorch)"
    else sub <- "the loss per epoch (mean over batches) and its terms, which sum to it"
  } else if (!is.null(infos[[1]]$pretrain_val_auroc)) {
    # scUniGP: GNN pre-training, then joint training
    for (i in seq_along(infos)) {
      f <- infos[[i]]
      run <- as.character(i)
      np <- length(f$pretrain_val_auroc)
      add(run, seq_len(np), "GNN pre-training", "validation AUROC", f$pretrain_val_auroc)
      add(run, np + seq_along(f$val_auroc), "joint training", "validation AUROC", f$val_auroc)
      add(run, np + seq_along(f$train_loss), "joint training", "training loss", f$train_loss)
      mark(run, f$pretrain_best_epoch, "selected pre-training epoch", "validation AUROC")
      mark(run, np + f$best_epoch, "selected epoch", c("validation AUROC", "training loss"))
    }
    sub <- "joint-training epochs are numbered after the pre-training epochs; dashed: the selected epoch of each stage"
  } else if (!is.null(infos[[1]]$train_loss)) {
    # supervised graph models
    for (i in seq_along(infos)) {
      f <- infos[[i]]
      run <- as.character(i)
      add(run, seq_along(f$train_loss), "training", "loss", f$train_loss)
      add(run, seq_along(f$val_loss), "validation", "loss", f$val_loss)
      add(run, seq_along(f$val_auroc), "validation", "validation AUROC", f$val_auroc)
      if (length(f$val_auroc)) mark(run, f$best_epoch, "selected epoch", c("loss", "validation AUROC"))
    }
    sub <- if (length(marks)) "dashed: the epoch whose model was kept" else "no validation pairs: the last epoch was kept"
  }
  if (!length(cur)) {
    .grn_abort("g", sprintf("method \"%s\" has no training record to plot (it does not train over epochs); plot_training() draws DeepSEM, InfoSEM, the supervised graph models and scUniGP",
                            method), class = "grntorch_no_training")
  }
  cur <- do.call(rbind, cur)
  lev <- unique(cur$panel)
  cur$panel <- factor(cur$panel, levels = lev)
  cur$run <- factor(cur$run, levels = unique(cur$run))
  cur$series <- factor(cur$series, levels = unique(cur$series))
  marks <- if (length(marks)) do.call(rbind, marks) else data.frame(run = character(), epoch = numeric(), mark = character(), panel = character())
  marks$panel <- factor(marks$panel, levels = lev)
  list(curves = cur, marks = marks, subtitle = sub)
}
