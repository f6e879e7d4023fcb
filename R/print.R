# The network users get back: an igraph of class c("grn_network", "igraph")
# with a readable print()/summary() and grn_fit(), the training record in one
# documented structure for every model family.

#' Training record of an inferred network
#'
#' What was fitted and how the training went, in one structure that is the
#' same for every model: correlation and the random baseline have no training
#' (`epochs` `NA`, a zero-row `loss`), the baselines report no epochs,
#' DeepSEM / InfoSEM a loss per epoch, the supervised models per-epoch
#' training loss, validation loss and AUROC, the kept epoch and its validation
#' AUROC; ensembles (`n_runs > 1`) one value per run.  `print(g)` and
#' `summary(g)` show the same information.
#'
#' @param g a network returned by [infer_grn()] (an `igraph` of class
#'   `grn_network`; a plain `igraph` with the same graph attributes works too).
#' @return A list of class `grn_fit` with
#'   \describe{
#'   \item{`method`}{the method name (e.g. `"pearson"`, `"deepsem"`).}
#'   \item{`params`}{the method's hyper-parameters (named list).}
#'   \item{`n_genes`, `n_regulators`, `n_cells`}{genes (vertices), candidate
#'     regulators (vertices with `is_tf`) and cells of the fit.}
#'   \item{`n_edges`}{edges in `g`.}
#'   \item{`n_runs`}{number of runs (1, or the ensemble size).}
#'   \item{`seeds`}{the seed of each run (`NULL` where the model records none).}
#'   \item{`seconds`}{elapsed seconds of the whole fit (model fitting in
#'     [infer_grn()], not the input conversion); `NA` for networks made before
#'     it was recorded.}
#'   \item{`epochs`}{integer, one per run: epochs run (fewer than asked after
#'     early stopping); `NA` for models without epochs.}
#'   \item{`loss`}{data.frame, one row per run and epoch: `run`, `epoch`,
#'     `loss` (the training loss) and the model's other per-epoch values as
#'     columns: `val_loss`, `val_auroc` (GENELink, GNNLink, scRegNet,
#'     scTransNet), `val_auroc` (scUniGP), `mse` (InfoSEM's reconstruction
#'     term).  Zero rows for models without epochs.}
#'   \item{`selected_epoch`}{integer, one per run: the epoch whose parameters
#'     were kept (supervised models; `NA` otherwise).}
#'   \item{`validation_auroc`}{numeric, one per run: the validation AUROC of
#'     the kept epoch; `NA` without validation pairs or for unsupervised
#'     models.}
#'   \item{`info`}{the model's raw fit information (graph attribute `fit`),
#'     whose contents differ by model.}
#'   }
#' @seealso [infer_grn()], [grn_edges()]
#' @examples
#' ex <- grntorch_example()
#' g <- infer_grn(ex$expression, deepsem(epochs = 2, seed = 1), tfs = ex$tfs, top = 1000)
#' f <- grn_fit(g)
#' f$epochs
#' f$loss
#' f$seconds
#' @export
grn_fit <- function(g) {
  if (!inherits(g, "igraph")) .grn_abort("g", "must be a network returned by infer_grn()")
  ga <- igraph::graph_attr(g)
  if (is.null(ga$method)) .grn_abort("g", "has no graph attribute `method`; was it made by infer_grn()?")
  info <- ga$fit
  tr <- .fit_training(ga$method, info)
  is_tf <- igraph::vertex_attr(g)$is_tf
  out <- list(method = ga$method, params = ga$params,
              n_genes = igraph::vcount(g),
              n_regulators = if (is.null(is_tf)) NA_integer_ else sum(is_tf),
              n_cells = if (is.null(ga$n_cells)) NA_integer_ else as.integer(ga$n_cells),
              n_edges = igraph::ecount(g), n_runs = tr$n_runs, seeds = tr$seeds,
              seconds = if (is.null(ga$seconds)) NA_real_ else as.double(ga$seconds),
              epochs = tr$epochs, loss = tr$loss, selected_epoch = tr$selected_epoch,
              validation_auroc = tr$validation_auroc, info = info)
  class(out) <- "grn_fit"
  out
}

# Training summary from a model's info list; every model family in one shape.
#' @noRd
.fit_training <- function(method, info) {
  none <- function(n = 1L) list(n_runs = n, seeds = info$seeds, epochs = rep(NA_integer_, n),
                                selected_epoch = rep(NA_integer_, n), validation_auroc = rep(NA_real_, n),
                                loss = data.frame(run = integer(), epoch = integer(), loss = numeric()))
  if (is.null(info)) return(none())
  # one run's per-epoch table and kept epoch (supervised models, scUniGP)
  sup_run <- function(r, run) {
    tl <- as.double(r$train_loss)
    n <- length(tl)
    df <- data.frame(run = rep(run, n), epoch = seq_len(n), loss = tl)
    va <- as.double(r$val_auroc)
    if (!is.null(r$val_loss) && length(r$val_loss) == n) df$val_loss <- as.double(r$val_loss)
    if (length(va) == n && n > 0) df$val_auroc <- va
    ep <- if (!is.null(r$epochs_run)) as.integer(r$epochs_run) else n
    best <- if (is.null(r$best_epoch) || !length(r$best_epoch)) NA_integer_ else as.integer(r$best_epoch)
    auc <- if (!is.null(r$best_val_auroc) && is.finite(r$best_val_auroc) && length(va)) as.double(r$best_val_auroc)
           else if (!is.na(best) && best >= 1 && best <= length(va)) va[best] else NA_real_
    list(df = df, epochs = ep, best = best, auc = auc)
  }
  if (!is.null(info$train_loss) || (!is.null(info$per_run) && !is.null(info$per_run[[1]]$train_loss))) {
    runs <- if (!is.null(info$per_run)) info$per_run else list(info)
    rr <- Map(sup_run, runs, seq_along(runs))
    loss <- do.call(rbind, lapply(rr, `[[`, "df"))
    rownames(loss) <- NULL
    return(list(n_runs = length(runs), seeds = info$seeds,
                epochs = vapply(rr, function(x) as.integer(x$epochs), 0L),
                selected_epoch = vapply(rr, function(x) as.integer(x$best), 0L),
                validation_auroc = vapply(rr, function(x) as.double(x$auc), 0), loss = loss))
  }
  if (is.list(info$loss)) {            # DeepSEM, InfoSEM: one loss vector per run
    runs <- info$loss
    loss <- do.call(rbind, lapply(seq_along(runs), function(i) {
      l <- as.double(runs[[i]])
      df <- data.frame(run = rep(i, length(l)), epoch = seq_along(l), loss = l)
      m <- info$mse[[i]]
      if (!is.null(m) && length(m) == length(l)) df$mse <- as.double(m)
      df
    }))
    rownames(loss) <- NULL
    n <- length(runs)
    return(list(n_runs = n, seeds = info$seeds, epochs = vapply(runs, length, 0L),
                selected_epoch = rep(NA_integer_, n), validation_auroc = rep(NA_real_, n), loss = loss))
  }
  none()   # baselines (no epochs)
}

# A numeric parameter for print(): whole numbers (a drawn seed) in full, so the run can be
# repeated with them; anything else to 4 significant digits.
#' @noRd
.format_param <- function(v) {
  if (all(is.finite(v) & v == round(v) & abs(v) < 1e15)) format(v, scientific = FALSE, trim = TRUE)
  else format(v, digits = 4, trim = TRUE)
}

#' @method print grn_fit
#' @export
print.grn_fit <- function(x, ...) {
  cat(sprintf("<grn_fit> %s: %s genes, %s regulators, %s cells, %s edges\n", x$method, .fmt_n(x$n_genes),
              .fmt_n(x$n_regulators), .fmt_n(x$n_cells), .fmt_n(x$n_edges)))
  cat(.fmt_training(x), sep = "\n")
  cat(sprintf("  components: %s\n", paste(names(x), collapse = ", ")))
  invisible(x)
}

#' @noRd
.fmt_n <- function(n) if (length(n) != 1L || is.na(n)) "?" else format(n, big.mark = ",", scientific = FALSE)

# "a, b, c" of at most k values, then ", ..." (or another separator)
#' @noRd
.fmt_vals <- function(v, k = 5, fmt = function(z) format(z), sep = ", ") {
  s <- vapply(utils::head(v, k), function(z) if (is.na(z)) "NA" else fmt(z), "")
  paste0(paste(s, collapse = sep), if (length(v) > k) paste0(sep, "...") else "")
}

# The training lines of print()/summary(); several runs' values joined by " / ".
#' @noRd
.fmt_training <- function(f, width = getOption("width", 80)) {
  vals <- function(v, fmt = format) .fmt_vals(v, 5, fmt, sep = " / ")
  secs <- if (is.na(f$seconds)) NULL else sprintf("%.3g s", f$seconds)
  runs <- if (f$n_runs > 1L) {
    sprintf("%d runs%s", f$n_runs, if (length(f$seeds)) sprintf(" (seeds %s)", .fmt_vals(f$seeds, 4, function(z) format(z, scientific = FALSE))) else "")
  }
  if (all(is.na(f$epochs))) {
    what <- if (identical(f$method, "?")) "unknown (the graph attribute `method` is missing)"
            else if (f$method %in% c("pearson", "spearman")) "none (correlation)"
            else if (f$method == "random") "none (random baseline)" else "no epochs (baseline)"
    parts <- c(runs, what, secs)
  } else {
    last <- vapply(split(f$loss$loss, f$loss$run), function(l) l[length(l)], 0)
    asked <- f$params$epochs
    stopped <- is.numeric(asked) && length(asked) == 1L && any(f$epochs < asked)
    ep <- sprintf("%s epochs%s", vals(f$epochs), if (stopped) sprintf(" of %d (early stop)", as.integer(asked)) else "")
    parts <- c(runs, ep, sprintf("final loss %s", vals(last, function(z) format(signif(z, 4)))))
    if (!all(is.na(f$selected_epoch))) {
      auc <- if (all(is.na(f$validation_auroc))) "no validation pairs"
             else sprintf("validation AUROC %s", vals(f$validation_auroc, function(z) sprintf("%.3f", z)))
      parts <- c(parts, sprintf("kept epoch %s (%s)", vals(f$selected_epoch), auc))
    }
    parts <- c(parts, secs)
  }
  strwrap(paste(parts, collapse = ", "), width = width - 2, prefix = "    ", initial = "  training: ")
}

# Key parameters on one (wrapped) line: scalars and short vectors; objects by class.
#' @noRd
.fmt_params <- function(p, width = getOption("width", 80)) {
  if (!length(p)) return("  params: (none)")
  txt <- vapply(names(p), function(nm) {
    v <- p[[nm]]
    val <- if (is.null(v)) return("")
      else if (is.atomic(v) && is.null(dim(v)) && length(v) <= 4)
        paste(if (is.numeric(v)) .format_param(v) else as.character(v), collapse = "/")
      else if (!is.null(dim(v))) sprintf("<%s %s>", class(v)[1], paste(dim(v), collapse = " x "))
      else if (inherits(v, "grn_fm_embeddings")) sprintf("<embeddings %d x %d>", nrow(v$embeddings), ncol(v$embeddings))
      else sprintf("<%s>", class(v)[1])
    paste0(nm, "=", val)
  }, "")
  txt <- txt[nzchar(txt)]
  if (!length(txt)) return("  params: (none set)")
  strwrap(paste(txt, collapse = ", "), width = width - 2, prefix = "    ", initial = "  params: ")
}

# The k highest-ranked edges without copying the edge table: one read of the
# `rank` attribute (an integer vector), then only those k edges.
#' @noRd
.top_edges <- function(g, k) {
  m <- igraph::ecount(g)
  if (m == 0L || k == 0L) return(NULL)
  ea <- igraph::edge_attr(g)   # all at once: edge_attr(g, name) builds the named edge sequence (slow)
  r <- ea$rank
  ids <- if (is.null(r)) seq_len(min(k, m)) else utils::head(order(r, method = "radix"), k)
  el <- igraph::ends(g, ids, names = TRUE)
  df <- data.frame(rank = if (is.null(r)) ids else r[ids], from = el[, 1], to = el[, 2], stringsAsFactors = FALSE)
  for (a in intersect(c("score", "weight", "stability", "prob", "known"), names(ea))) df[[a]] <- ea[[a]][ids]
  if (!is.null(df$weight) && !is.null(df$score) && isTRUE(all.equal(df$weight, df$score))) df$weight <- NULL
  df
}

#' @noRd
.print_network <- function(x, n_top, long) {
  # a network whose graph attributes were edited (deleted, or replaced by
  # something else) still prints: what is missing shows as "?"
  f <- tryCatch(grn_fit(x), error = function(e) NULL)
  if (is.null(f)) {
    ga <- igraph::graph_attr(x)
    is_tf <- igraph::vertex_attr(x)$is_tf
    f <- list(method = if (is.character(ga$method) && length(ga$method) == 1L) ga$method else "?",
              params = if (is.list(ga$params)) ga$params else list(), n_genes = igraph::vcount(x),
              n_regulators = if (is.logical(is_tf)) sum(is_tf) else NA_integer_,
              n_cells = if (is.numeric(ga$n_cells) && length(ga$n_cells) == 1L) ga$n_cells else NA_integer_,
              n_edges = igraph::ecount(x), n_runs = 1L, seeds = NULL, seconds = NA_real_,
              epochs = NA_integer_, selected_epoch = NA_integer_, validation_auroc = NA_real_,
              loss = data.frame(run = integer(), epoch = integer(), loss = numeric()))
  }
  if (!is.list(f$params)) f$params <- list()
  cat(sprintf("<grn_network> %s: %s edges (directed igraph)\n", f$method, .fmt_n(f$n_edges)))
  cat(sprintf("  %s genes, %s regulators, %s cells\n", .fmt_n(f$n_genes), .fmt_n(f$n_regulators), .fmt_n(f$n_cells)))
  cat(.fmt_params(f$params), sep = "\n")
  cat(.fmt_training(f), sep = "\n")
  if (long && nrow(f$loss)) {
    cat("  loss per epoch (first and last):\n")
    l <- f$loss
    show <- l[unique(c(utils::head(seq_len(nrow(l)), 3), utils::tail(seq_len(nrow(l)), 3))), , drop = FALSE]
    print(show, row.names = FALSE, digits = 4)
  }
  top <- .top_edges(x, n_top)
  if (!is.null(top)) {
    cat(sprintf("  top %d edges:\n", nrow(top)))
    print(top, row.names = FALSE, digits = 4)
  }
  if (long) {
    v <- igraph::graph_attr(x, "grntorch_version")
    cat(sprintf("  made by grntorch %s; raw fit information: grn_fit(g)$info\n", if (is.null(v)) "?" else v))
  }
  cat("  grn_edges(g): edge table; grn_fit(g): training record; igraph functions apply\n")
  invisible(x)
}

#' Print and summarise an inferred network
#'
#' A network from [infer_grn()] is an `igraph` of class
#' `c("grn_network", "igraph")`: every igraph function works on it.
#' `print()` shows the method and its key parameters, the genes, regulators
#' and cells, the number of edges, the top edges and the training summary
#' (epochs run, final loss, kept epoch and validation AUROC of supervised
#' models, seconds); `summary()` adds the first and last epochs' losses.
#' Neither copies the edge table (a default network holds every
#' regulator x gene pair, e.g. 700,000 edges).  `print(g, igraph = TRUE)`
#' gives igraph's own listing.
#'
#' @param x,object a network from [infer_grn()].
#' @param n number of top edges shown.
#' @param igraph `TRUE` to print as igraph does.
#' @param ... passed to igraph's print method with `igraph = TRUE`.
#' @return `x` / `object`, invisibly.
#' @seealso [grn_fit()], [grn_edges()]
#' @examples
#' ex <- grntorch_example()
#' g <- infer_grn(ex$expression, "pearson", tfs = ex$tfs)
#' g
#' summary(g, n = 3)
#' igraph::ecount(g)
#' @name print.grn_network
#' @method print grn_network
#' @export
print.grn_network <- function(x, n = 5, igraph = FALSE, ...) {
  if (isTRUE(igraph)) {
    print(structure(x, class = setdiff(class(x), "grn_network")), ...)
    return(invisible(x))
  }
  .print_network(x, .check_scalar_int(n, "n", min = 0), long = FALSE)
}

#' @rdname print.grn_network
#' @method summary grn_network
#' @export
summary.grn_network <- function(object, n = 10, ...) {
  .print_network(object, .check_scalar_int(n, "n", min = 0), long = TRUE)
}
