# Scoring a network against a ground truth (BEELINE-compatible, SPEC section 7).
# The ranking work (sort + sweep over tie groups) runs in the C++ engine
# (src/engine/src/metrics.cpp); R only maps gene names to integer pairs.

#' Score an inferred network against a ground truth
#'
#' Two modes, chosen from `truth`:
#'
#' * **universe mode** (`truth` has `from`, `to` and no `label`: the positive
#'   edges of a ground truth).  BEELINE's rules: gene symbols are upper-cased,
#'   self-loops and duplicated rows of `truth` are dropped, the universe is
#'   every pair (regulator of the truth) x (gene of the truth, as regulator or
#'   target) without self-pairs, and universe pairs missing from `net` score 0.
#'   Predicted edges outside the universe are ignored.
#' * **pairs mode** (`truth` has `from`, `to`, `label`, as the test set of a
#'   supervised split).  Metrics are computed on exactly those pairs (exact
#'   duplicated rows are dropped; a pair listed with both labels is an error).
#'   Pairs absent from `net` are an error unless `missing` gives their score
#'   (e.g. `missing = 0`).
#'
#' Metrics (all computed in double precision in the engine):
#' * `auroc`: area under the ROC curve, ties counted 1/2 (equals ROCR's).
#' * `auprc`: BEELINE's AUPRC, the trapezoid area under sklearn's
#'   precision-recall curve (one point per distinct score, starting at recall
#'   0, precision 1).
#' * `average_precision`: sklearn's average precision, sum of
#'   (R(t) - R(t-1)) P(t) over distinct scores t.
#' * `auprc_ratio`: `auprc / density`.
#' * `early_precision`, `epr`: BEELINE's early precision and its ratio to the
#'   density.  With k = number of positives, the pairs taken are those with
#'   score >= max(smallest non-zero score, k-th largest score); zero scores are
#'   never taken (EP is 0 when every score is 0).
#' * `hit_1pct`: Hit@1%, the precision among the top `ceiling(hit * n_pairs)`
#'   pairs; a group of tied scores that straddles the cut counts pro rata
#'   (the expected precision under random tie-breaking).  Its random level is
#'   the density.
#' * `n_pairs`, `n_positive`, `density`: the universe (or pair set) used.
#'
#' @param net the network: an `igraph` from [infer_grn()] (edge attribute
#'   `weight`, else `score`), a data.frame with `from`, `to` and `weight` or
#'   `score`, or a numeric regulators x genes matrix with dimnames.
#' @param truth a data.frame `from`, `to` (universe mode) or `from`, `to`,
#'   `label` (pairs mode).
#' @param tfs optional character vector of candidate regulators: in universe
#'   mode, truth edges whose regulator is not among them are dropped first
#'   (so a network restricted to these TFs is judged on the edges it could
#'   predict).  Ignored in pairs mode.
#' @param ... unused; must be empty.
#' @param mode `"auto"` (from the columns of `truth`), `"universe"` or
#'   `"pairs"`.
#' @param missing pairs mode: score given to pairs absent from `net`; `NULL`
#'   (default) makes them an error.  Universe mode always uses 0.
#' @param use which edge value ranks the pairs: `"weight"` (default, `|score|`
#'   as BEELINE does) or `"score"` (the signed score, e.g. for a supervised
#'   model's logits).
#' @param hit fraction of pairs for the Hit metric (default 0.01: Hit@1%).
#' @param curves `TRUE` (default) to attach the precision-recall and ROC
#'   curve points as the attribute `curves` (a data.frame as [grn_curves()]
#'   returns, thinned to at most 2,000 points, some 80 kB), which `plot()` of
#'   the result draws; a number gives the maximum number of points (`Inf`:
#'   every point); `FALSE` attaches none (a little faster, e.g. in loops:
#'   [benchmark_grn()] uses it).  Pairs of one class (no positive, or only
#'   positives) have no curves: none are attached.
#' @section Warnings:
#' Two classed warnings flag scores that would otherwise look plausible:
#' * `grntorch_truth_mismatch`: the truth's genes (or regulators) hardly
#'   match those of `net` - under half on both sides (of the truth's genes,
#'   and of the net's).  Usually different gene IDs (Ensembl IDs vs symbols,
#'   another species), which leaves every pair unscored: AUROC 0.5, AUPRC
#'   ratio at chance.
#' * `grntorch_undefined_metric`: the pairs scored hold no positive (or only
#'   positives), so the metrics it names (e.g. `auroc`, `auprc_ratio`) are
#'   `NaN`.
#' @return A one-row data.frame of class `grn_evaluation` with columns `mode`,
#'   `auroc`, `auprc`, `average_precision`, `auprc_ratio`, `epr`,
#'   `early_precision`, `hit_1pct`, `n_pairs`, `n_positive`, `density`,
#'   `n_scored` (pairs with a prediction in `net`).  Printing shows it as a
#'   readable table; `plot()` draws its PR and ROC curves.
#' @seealso [read_beeline()], [split_edges()], [benchmark_grn()],
#'   [grn_curves()], [plot_pr()], [plot_roc()]
#' @examples
#' ex <- grntorch_example()
#' g <- infer_grn(ex$expression, "pearson", tfs = ex$tfs)
#' evaluate_grn(g, ex$truth)                 # universe mode (BEELINE)
#' evaluate_grn(g, ex$split$test)            # pairs mode (supervised test set)
#' ev <- evaluate_grn(g, ex$truth)
#' head(attr(ev, "curves"))
#' if (requireNamespace("ggplot2", quietly = TRUE)) plot(ev)   # PR and ROC curves
#' @md
#' @export
evaluate_grn <- function(net, truth, tfs = NULL, ..., mode = c("auto", "universe", "pairs"),
                         missing = NULL, use = c("weight", "score"), hit = 0.01, curves = TRUE) {
  if (...length()) .grn_abort("...", "unused arguments; did you misspell an argument name?")
  mode <- .match_choice(mode, "mode", c("auto", "universe", "pairs"))
  use <- .match_choice(use, "use", c("weight", "score"))
  hit <- .check_scalar_num(hit, "hit", min = 0, max = 1, open_min = TRUE)
  if (!is.null(missing)) missing <- .check_scalar_num(missing, "missing")
  max_points <- .check_curves_arg(curves)
  pred <- .net_edges(net, use)
  truth <- .check_truth(truth)
  if (mode == "auto") mode <- if ("label" %in% names(truth)) "pairs" else "universe"
  if (mode == "pairs" && !"label" %in% names(truth)) .grn_abort("truth", "pairs mode needs a `label` column (0/1)")
  if (!is.null(tfs) && (!is.character(tfs) || anyNA(tfs))) .grn_abort("tfs", "must be a character vector without NA")
  if (mode == "universe") truth <- .universe_truth(truth, tfs)
  .check_truth_match(net, pred, truth)
  ev <- if (mode == "universe") .universe_pairs(pred, truth) else .pairs_pairs(pred, truth, missing)
  m <- .engine_call(.grn_ranking_metrics(ev$score, ev$label, hit))
  density <- m$n_pos / m$n
  out <- data.frame(mode = mode, auroc = m$auroc, auprc = m$auprc,
                    average_precision = m$average_precision, auprc_ratio = m$auprc / density,
                    epr = m$early_precision / density, early_precision = m$early_precision,
                    hit_1pct = m$hit, n_pairs = m$n, n_positive = m$n_pos, density = density,
                    n_scored = ev$n_scored, stringsAsFactors = FALSE)
  .check_defined_metrics(out)
  if (hit != 0.01) names(out)[names(out) == "hit_1pct"] <- sprintf("hit_%gpct", 100 * hit)
  attr(out, "hit") <- hit
  if (max_points > 0 && m$n_pos > 0 && m$n_pos < m$n) attr(out, "curves") <- .grn_curves(ev$score, ev$label, max_points)
  class(out) <- c("grn_evaluation", "data.frame")
  out
}

# `curves` of evaluate_grn(): FALSE -> 0 (none), TRUE -> 2000 points, or a number >= 2.
#' @noRd
.check_curves_arg <- function(curves) {
  if (isFALSE(curves)) return(0)
  if (isTRUE(curves)) return(2000)
  if (is.numeric(curves) && length(curves) == 1L && !is.na(curves) && curves >= 2) return(as.double(curves))
  .grn_abort("curves", "must be TRUE, FALSE or the maximum number of curve points (>= 2, Inf for all)")
}

#' @method print grn_evaluation
#' @md
#' @export
print.grn_evaluation <- function(x, digits = 4, ...) {
  df <- as.data.frame(unclass(x), stringsAsFactors = FALSE)
  attr(df, "hit") <- NULL
  attr(df, "curves") <- NULL
  df <- structure(df, class = "data.frame", row.names = attr(x, "row.names"))
  # a column subset (ev[, c("epr", "auroc")]) keeps the class but not the universe's columns: a plain table
  if (!all(c("mode", "n_pairs", "n_positive", "density", "n_scored") %in% names(df))) {
    print(df, digits = digits, ...)
    return(invisible(x))
  }
  if (nrow(df) == 1L) {
    what <- if (df$mode == "universe") "universe: ground-truth TFs x genes, no self-pairs" else "the given labelled pairs"
    cat(sprintf("<grn_evaluation> %s pairs, %s positive (density %.4g) - %s\n",
                format(df$n_pairs, big.mark = ","), format(df$n_positive, big.mark = ","), df$density, what))
    mets <- setdiff(names(df), c("mode", "n_pairs", "n_positive", "density", "n_scored"))
    vals <- vapply(mets, function(m) formatC(df[[m]], digits = digits, format = "f"), "")
    print(noquote(vals))
    if (df$n_scored < df$n_pairs) {
      cat(sprintf("(%s of the pairs had no prediction and scored 0)\n",
                  format(df$n_pairs - df$n_scored, big.mark = ",")))
    }
  } else {
    print(df, digits = digits)
  }
  invisible(x)
}

# Edge list of a network as integer-coded names (upper case) + value.
#' @noRd
.net_edges <- function(net, use) {
  if (inherits(net, "igraph")) {
    el <- igraph::as_edgelist(net, names = FALSE)
    vn <- igraph::vertex_attr(net)[["name"]]
    if (is.null(vn)) .grn_abort("net", "the igraph has no vertex names")
    ea <- igraph::edge_attr(net)   # all at once: much faster than edge_attr(net, name) on big graphs
    w <- if (use == "weight" && !is.null(ea$weight)) ea$weight
         else if (!is.null(ea$score)) ea$score
         else if (!is.null(ea$weight)) ea$weight
         else .grn_abort("net", "the igraph has neither a `weight` nor a `score` edge attribute")
    if (!is.numeric(w)) .grn_abort("net", "edge weights/scores must be numeric")
    if (use == "weight") w <- abs(w)
    names_up <- toupper(vn)
    return(.code_edges(names_up[el[, 1]], names_up[el[, 2]], w))
  }
  if (is.matrix(net)) {
    if (!is.numeric(net) || is.null(rownames(net)) || is.null(colnames(net))) {
      .grn_abort("net", "a matrix must be numeric regulators x genes with row and column names")
    }
    w <- as.vector(net)
    if (use == "weight") w <- abs(w)
    rn <- toupper(rownames(net))
    cn <- toupper(colnames(net))
    return(.code_edges(rep(rn, times = ncol(net)), rep(cn, each = nrow(net)), w))
  }
  if (is.data.frame(net)) {
    if (!all(c("from", "to") %in% names(net))) .grn_abort("net", "a data.frame needs columns from, to and weight or score")
    w <- if (use == "weight" && "weight" %in% names(net)) net$weight
         else if ("score" %in% names(net)) net$score
         else if ("weight" %in% names(net)) net$weight
         else .grn_abort("net", "a data.frame needs a `weight` or `score` column")
    if (!is.numeric(w)) .grn_abort("net", "edge weights/scores must be numeric")
    if (use == "weight") w <- abs(w)
    return(.code_edges(.upper_fast(net$from), .upper_fast(net$to), w))
  }
  .grn_abort("net", "must be an igraph from infer_grn(), an edge data.frame (from, to, weight/score) or a regulators x genes matrix")
}

#' @noRd
.upper_fast <- function(x) {
  x <- as.character(x)
  u <- unique(x)
  toupper(u)[match(x, u)]
}

#' @noRd
.code_edges <- function(from, to, w) {
  if (anyNA(from) || anyNA(to)) .grn_abort("net", "gene names must not be NA")
  if (any(!is.finite(w))) .grn_abort("net", "edge weights/scores must be finite (no NA, NaN or Inf)")
  list(from = from, to = to, w = as.double(w))
}

# Universe mode: the truth without self-loops, duplicates and (with `tfs`)
# regulators outside `tfs`.
#' @noRd
.universe_truth <- function(truth, tfs) {
  truth <- truth[truth$from != truth$to, c("from", "to"), drop = FALSE]
  if (!is.null(tfs)) truth <- truth[truth$from %in% toupper(tfs), , drop = FALSE]
  truth <- truth[!duplicated(truth), , drop = FALSE]
  if (nrow(truth) == 0L) .grn_abort("truth", "has no edges left after dropping self-loops (and regulators outside `tfs`)")
  truth
}

# The genes and regulators a network scores (upper case): an igraph's
# vertices (regulators: `is_tf`), a matrix's dimnames, a table's from/to.
#' @noRd
.net_genes <- function(net, pred) {
  if (inherits(net, "igraph")) {
    vn <- toupper(igraph::vertex_attr(net, "name"))
    tf <- igraph::vertex_attr(net, "is_tf")
    return(list(genes = vn, regs = if (is.logical(tf) && any(tf)) vn[tf] else unique(pred$from)))
  }
  if (is.matrix(net)) return(list(genes = unique(toupper(c(rownames(net), colnames(net)))), regs = toupper(rownames(net))))
  list(genes = unique(c(pred$from, pred$to)), regs = unique(pred$from))
}

# Under half of the genes (or regulators) matching on both sides is the mark
# of different gene IDs (Ensembl vs symbols, another species): the metrics
# would then be those of scores 0 (AUROC 0.5), so say so whatever happens.
# Both sides: a truth restricted to the data's genes matches them all, and a
# top-k table's few genes are mostly in the truth.
#' @noRd
.check_truth_match <- function(net, pred, truth) {
  ng <- .net_genes(net, pred)
  tg <- unique(c(truth$from, truth$to))
  tr <- unique(truth$from)
  frac <- function(a, b) { k <- sum(a %in% b); c(k = k, f = max(k / length(a), k / length(b))) }
  g <- frac(tg, ng$genes)
  r <- frac(tr, ng$regs)
  if (g[["f"]] >= 0.5 && r[["f"]] >= 0.5) return(invisible())
  what <- if (g[["f"]] < 0.5) sprintf("%s of the truth's %s genes are among the %s genes of `net`", .fmt_n(g[["k"]]),
                                      .fmt_n(length(tg)), .fmt_n(length(ng$genes)))
          else sprintf("%s of the truth's %s regulators are among the %s regulators of `net`", .fmt_n(r[["k"]]),
                       .fmt_n(length(tr)), .fmt_n(length(ng$regs)))
  .grn_warn(sprintf(paste("`truth` hardly matches `net`: only %s (e.g. truth %s, net %s); are they the same",
                          "gene IDs (symbols vs Ensembl, species)? Unmatched pairs score 0, which gives chance-level metrics"),
                    what, paste(utils::head(tg, 2), collapse = ", "), paste(utils::head(ng$genes, 2), collapse = ", ")),
            class = "grntorch_truth_mismatch", arg = "truth")
}

# A test set of one class leaves metrics undefined (NaN): name them.
#' @noRd
.check_defined_metrics <- function(out) {
  mets <- c("auroc", "auprc", "average_precision", "auprc_ratio", "epr", "early_precision", "hit_1pct")
  mets <- intersect(mets, names(out))
  bad <- mets[!is.finite(unlist(out[1, mets]))]
  if (!length(bad)) return(invisible())
  why <- if (out$n_positive == 0) sprintf("the %s pairs scored hold no positive", .fmt_n(out$n_pairs))
         else if (out$n_positive == out$n_pairs) sprintf("the %s pairs scored are all positive", .fmt_n(out$n_pairs))
         else "they are not finite"
  .grn_warn(sprintf("%s undefined (NaN): %s", paste(bad, collapse = ", "), why),
            class = "grntorch_undefined_metric", arg = "truth")
}

# Universe mode: BEELINE's candidate pairs, scores from the net (0 if absent).
#' @noRd
.universe_pairs <- function(pred, truth) {
  regs <- unique(truth$from)
  genes <- unique(c(truth$from, truth$to))
  nr <- length(regs)
  ng <- as.double(length(genes))
  lab <- matrix(0L, nr, ng)
  lab[cbind(match(truth$from, regs), match(truth$to, genes))] <- 1L
  sc <- matrix(0, nr, ng)
  fi <- match(pred$from, regs)
  ti <- match(pred$to, genes)
  keep <- which(!is.na(fi) & !is.na(ti))
  keep <- keep[!duplicated(fi[keep] + as.double(nr) * (ti[keep] - 1))]   # first prediction of a pair wins (BEELINE)
  sc[cbind(fi[keep], ti[keep])] <- pred$w[keep]
  scored <- matrix(FALSE, nr, ng)
  scored[cbind(fi[keep], ti[keep])] <- TRUE
  self <- cbind(seq_len(nr), match(regs, genes))
  ok <- matrix(TRUE, nr, ng)
  ok[self] <- FALSE
  list(score = sc[ok], label = lab[ok], n_scored = sum(scored[ok]))
}

# Pairs mode: exactly the labelled pairs.
#' @noRd
.pairs_pairs <- function(pred, truth, missing) {
  # Integer-code genes: pair keys are doubles (exact below 2^53), never pasted strings.
  genes <- unique(c(truth$from, truth$to))
  ng <- as.double(length(genes))
  tk <- match(truth$from, genes) + ng * (match(truth$to, genes) - 1)
  dup <- duplicated(tk)
  if (any(dup)) {
    first <- match(tk, tk)
    if (any(truth$label != truth$label[first])) {
      i <- which(truth$label != truth$label[first])[1]
      .grn_abort("truth", sprintf("pair %s -> %s is listed with both labels", truth$from[i], truth$to[i]))
    }
    truth <- truth[!dup, , drop = FALSE]
    tk <- tk[!dup]
  }
  fi <- match(pred$from, genes)
  ti <- match(pred$to, genes)
  ok <- which(!is.na(fi) & !is.na(ti))
  pk <- fi[ok] + ng * (ti[ok] - 1)
  hit <- match(tk, pk)   # first prediction of a pair wins
  score <- pred$w[ok][hit]
  absent <- is.na(hit)
  if (any(absent)) {
    if (is.null(missing)) {
      i <- which(absent)
      .grn_abort("net", sprintf("%d of the %d labelled pairs have no prediction (e.g. %s -> %s); pass `missing = 0` to score them 0",
                                length(i), length(tk), truth$from[i[1]], truth$to[i[1]]))
    }
    score[absent] <- missing
  }
  list(score = as.double(score), label = truth$label, n_scored = sum(!absent))
}
