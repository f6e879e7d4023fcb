# Argument validators: every check of user input lives here.  Each one names
# the argument at fault in a classed error (.grn_abort(), R/conditions.R) and
# returns the value in the type the engine expects.

.check_scalar_int <- function(x, arg, min = -Inf, max = Inf) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || x != round(x) || x < min || x > max) {
    .grn_abort(arg, sprintf("must be a single whole number in [%s, %s]", format(min), format(max)))
  }
  as.integer(x)
}

# cell_features of the supervised models: NULL or Inf = every cell (the
# engine's 0), else a whole number >= 1.
#' @noRd
.check_cell_features <- function(x) {
  if (is.null(x) || (is.numeric(x) && length(x) == 1L && identical(as.numeric(x), Inf))) return(0L)
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || x != round(x) || x < 1 || x > .Machine$integer.max) {
    .grn_abort("cell_features", "must be a single whole number >= 1 (features per gene), or NULL / Inf for every cell")
  }
  as.integer(x)
}

.check_odd_int <- function(x, arg, max = Inf) {
  x <- .check_scalar_int(x, arg, min = 1, max = max)
  if (x %% 2L != 1L) .grn_abort(arg, sprintf("must be an odd whole number in [1, %s], not %d", format(max), x))
  x
}

.check_scalar_num <- function(x, arg, min = -Inf, max = Inf, open_min = FALSE) {
  if (!is.numeric(x) || length(x) != 1L || !is.finite(x) || x < min || x > max ||
      (open_min && x <= min)) {
    .grn_abort(arg, sprintf("must be a single finite number in %s%s, %s]",
                            if (open_min) "(" else "[", format(min), format(max)))
  }
  as.numeric(x)
}

.check_flag <- function(x, arg) {
  if (!is.logical(x) || length(x) != 1L || is.na(x)) .grn_abort(arg, "must be TRUE or FALSE")
  x
}

.check_string <- function(x, arg, choices = NULL) {
  if (!is.character(x) || length(x) != 1L || is.na(x)) .grn_abort(arg, "must be a single string")
  if (!is.null(choices) && !x %in% choices) {
    .grn_abort(arg, sprintf("must be one of %s, not \"%s\"",
                            paste0("\"", choices, "\"", collapse = ", "), x))
  }
  x
}

# match.arg() that names the argument in its error.
#' @noRd
.match_choice <- function(x, arg, choices) {
  if (identical(x, choices)) return(choices[1L])
  .check_string(x, arg, choices)
}

#' @noRd
.check_int_vector <- function(x, arg) {
  if (!is.numeric(x) || length(x) < 1L || anyNA(x) || any(x != round(x)) || any(x < 1) || any(x > 1e5)) {
    .grn_abort(arg, "must be a vector of whole numbers >= 1")
  }
  as.integer(x)
}

#' @noRd
.check_hidden <- function(hidden, n) {
  if (!is.numeric(hidden) || length(hidden) != n || anyNA(hidden) || any(hidden < 1) || any(hidden != round(hidden))) {
    .grn_abort("hidden", sprintf("must be %d positive whole numbers", n))
  }
  as.integer(hidden)
}

#' @noRd
.check_device <- function(device) {
  device <- .check_string(device, "device")
  if (!grepl("^(cpu|cuda(:[0-9]+)?)$", device)) .grn_abort("device", sprintf("must be \"cpu\" or \"cuda\" (or \"cuda:<index>\"), not \"%s\"", device))
  device
}

#' @noRd
# LibTorch threads: NULL is getOption("grntorch.threads", 2), at most the
# processors this process may use.  A number above them is capped with a
# classed warning (grntorch_threads_warning): more threads than cores only
# time-slice the same cores (a 0.3 s fit took 16 s on 1,000 threads).
.resolve_threads <- function(threads) {
  cores <- .grn_available_cores()
  if (is.null(threads)) {
    threads <- .check_scalar_int(getOption("grntorch.threads", 2L), "threads", min = 1, max = 1024)
    return(min(threads, cores))
  }
  threads <- .check_scalar_int(threads, "threads", min = 1, max = 1024)
  if (threads > cores) {
    .grn_warn(sprintf("`threads` = %d is more than the %d processor(s) this R process may use: using %d",
                      threads, cores, cores), class = "grntorch_threads_warning", arg = "threads")
    threads <- cores
  }
  threads
}

# A probability-like option of split_edges() (NULL: the default).
#' @noRd
.opt <- function(opts, name, default) {
  v <- opts[[name]]
  if (is.null(v)) return(default)
  .check_scalar_num(v, name, min = 0, max = 1, open_min = TRUE)
}

# The one check of a 0/1 label column (logical is accepted): integer labels.
#' @noRd
.check_labels <- function(lab, arg) {
  if (is.logical(lab)) lab <- as.integer(lab)
  if (!is.numeric(lab) || anyNA(lab) || !all(lab %in% c(0, 1))) .grn_abort(arg, "column label must be 0/1 (or logical) with no NA")
  as.integer(lab)
}

# Validate labelled pairs (from, to, label); with `genes`, check they name
# genes of the expression and map them to its spelling (case-insensitive).
#' @noRd
.check_pairs <- function(pairs, arg, genes = NULL, need_label = TRUE, dropped = NULL) {
  if (is.null(pairs)) return(NULL)
  if (!is.data.frame(pairs)) .grn_abort(arg, "must be a data.frame with columns from, to, label")
  cols <- c("from", "to", if (need_label) "label")
  miss <- setdiff(cols, names(pairs))
  if (length(miss)) .grn_abort(arg, sprintf("lacks column(s) %s", paste(miss, collapse = ", ")))
  if (nrow(pairs) == 0L) .grn_abort(arg, "has no rows")
  from <- as.character(pairs$from)
  to <- as.character(pairs$to)
  if (!is.null(genes)) {
    up <- toupper(genes)
    if (length(dropped)) {
      # pairs naming a gene the adapter dropped (all-zero or constant): removed, with a note
      gone <- toupper(from) %in% toupper(dropped) | toupper(to) %in% toupper(dropped)
      if (any(gone)) {
        ex <- unique(c(from[gone & toupper(from) %in% toupper(dropped)], to[gone & toupper(to) %in% toupper(dropped)]))
        if (all(gone)) {
          .grn_abort(arg, sprintf("every pair names an all-zero or constant gene that was dropped (%s%s)",
                                  paste(head(ex, 5), collapse = ", "), if (length(ex) > 5) ", ..." else ""))
        }
        .grn_note(sprintf("grntorch: dropped %d of %d `%s` pairs naming all-zero or constant genes (%s%s)",
                          sum(gone), length(gone), arg, paste(head(ex, 5), collapse = ", "),
                          if (length(ex) > 5) ", ..." else ""), class = "grntorch_dropped_pairs")
        pairs <- pairs[!gone, , drop = FALSE]
        from <- from[!gone]
        to <- to[!gone]
      }
    }
    fi <- match(toupper(from), up)
    ti <- match(toupper(to), up)
    bad <- is.na(fi) | is.na(ti)
    if (any(bad)) {
      ex <- unique(c(from[is.na(fi)], to[is.na(ti)]))
      .grn_abort(arg, sprintf("%d pair(s) name genes absent from the expression: %s%s", sum(bad),
                              paste(head(ex, 5), collapse = ", "), if (length(ex) > 5) ", ..." else ""))
    }
    from <- genes[fi]
    to <- genes[ti]
  }
  out <- data.frame(from = from, to = to, stringsAsFactors = FALSE)
  if (need_label) out$label <- .check_labels(pairs$label, arg)
  out
}

# Ground truth of evaluate_grn(): from, to (upper-cased) and an optional label.
#' @noRd
.check_truth <- function(truth) {
  if (!is.data.frame(truth) || !all(c("from", "to") %in% names(truth))) {
    .grn_abort("truth", "must be a data.frame with columns from, to (and label for labelled pairs)")
  }
  if (nrow(truth) == 0L) .grn_abort("truth", "has no rows")
  if (anyNA(truth$from) || anyNA(truth$to)) .grn_abort("truth", "gene names must not be NA")
  out <- data.frame(from = .upper_fast(truth$from), to = .upper_fast(truth$to), stringsAsFactors = FALSE)
  if ("label" %in% names(truth)) out$label <- .check_labels(truth$label, "truth")
  out
}

# Labelled pairs of a supervised model must hold both classes (BCE needs
# positives; validation AUROC needs both).
#' @noRd
.check_split_classes <- function(pairs, arg) {
  if (is.null(pairs)) return(invisible())
  if (!any(pairs$label == 1L)) .grn_abort(arg, "contains no positive pairs (label 1); a supervised model cannot learn or be selected without them")
  if (!any(pairs$label == 0L)) .grn_abort(arg, "contains no negative pairs (label 0)")
  invisible()
}

# The ensemble arguments every model with `n_runs` takes (see .run_ensemble()).
#' @noRd
.check_ensemble <- function(n_runs, BPPARAM, stability_k, keep_runs) {
  if (!is.null(BPPARAM)) {
    if (!requireNamespace("BiocParallel", quietly = TRUE)) {
      .grn_abort("BPPARAM", "needs the BiocParallel package (install r-bioc-biocparallel)")
    }
    if (!methods::is(BPPARAM, "BiocParallelParam")) .grn_abort("BPPARAM", "must be a BiocParallel back-end, e.g. BiocParallel::MulticoreParam(2)")
  }
  list(n_runs = .check_scalar_int(n_runs, "n_runs", min = 1, max = 1e4),
       stability_k = if (is.null(stability_k)) NULL else .check_scalar_int(stability_k, "stability_k", min = 1),
       keep_runs = .check_flag(keep_runs, "keep_runs"), BPPARAM = BPPARAM)
}

# Misspelt or unknown arguments caught by a function's `...`: one classed
# error (grntorch_argument_error) naming the function, and the closest
# argument name when one is near.  `.allowed`: names that may pass (e.g. the
# arguments of the constructor infer_grn() forwards `...` to, named in
# `.also`); `.partial`: those of them that R would also match partially;
# `.unnamed`: whether unnamed values may pass.  (Dotted names, so that no
# user argument is taken for one of them.)
#' @noRd
.check_dots <- function(.fn, ..., .allowed = character(), .partial = character(), .also = NULL, .unnamed = FALSE,
                        .hint = NULL) {
  n <- ...length()
  if (!n) return(invisible())
  nms <- names(substitute(list(...)))[-1L]
  if (is.null(nms)) nms <- rep("", n)
  ok <- !nzchar(nms) & .unnamed | nms %in% .allowed |
    vapply(nms, function(x) nzchar(x) && !is.na(pmatch(x, .partial)), logical(1))
  if (all(ok)) return(invisible())
  bad <- nms[!ok & nzchar(nms)]
  own <- tryCatch(setdiff(names(formals(get(.fn, mode = "function"))), "..."), error = function(e) character())
  cand <- unique(c(own, .allowed))
  near <- vapply(bad, function(b) {
    d <- utils::adist(b, cand, ignore.case = TRUE)[1, ]
    if (length(d) && min(d) <= 2 && min(d) < nchar(b)) cand[which.min(d)] else NA_character_
  }, "")
  what <- c(
    if (length(bad)) sprintf("unknown argument%s %s to %s()%s", if (length(bad) > 1) "s" else "",
                             paste0("`", bad, "`", collapse = ", "), .fn,
                             if (length(.also)) sprintf(" (not an argument of %s either)",
                                                                paste0(.also, "()", collapse = " or ")) else ""),
    if (any(!ok & !nzchar(nms))) sprintf("%d unnamed value(s) passed to %s() beyond its arguments",
                                         sum(!ok & !nzchar(nms)), .fn))
  msg <- paste(what, collapse = "; ")
  if (any(!is.na(near))) {
    msg <- paste0(msg, "; did you mean ", paste0("`", unique(near[!is.na(near)]), "`", collapse = " or "), "?")
  }
  if (!is.null(.hint)) msg <- paste0(msg, "; ", .hint)
  .grn_abort("...", msg, class = "grntorch_argument_error")
}

# Names a function accepts: all of them, and those before `...` (which R
# also matches partially).
#' @noRd
.formal_names <- function(f) {
  nm <- names(formals(f))
  dots <- match("...", nm)
  list(all = setdiff(nm, "..."), partial = if (is.na(dots)) nm else nm[seq_len(dots - 1L)])
}
