# Argument validators: every check of user input lives here.  Each one names
# the argument at fault in a classed error (.grn_abort(), R/conditions.R) and
# returns the value in the type the engine expects.

.check_scalar_int <- function(x, arg, min = -Inf, max = Inf, hint = NULL) {
  # R integers: at most .Machine$integer.max in size (1e12 or Inf would become NA)
  min <- base::max(min, -.Machine$integer.max)
  max <- base::min(max, .Machine$integer.max)
  if (!is.numeric(x) || length(x) != 1L || !is.finite(x) || x != round(x) || x < min || x > max) {
    .grn_abort(arg, sprintf("must be a single whole number in [%s, %s]%s%s", format(min, scientific = FALSE),
                            format(max, scientific = FALSE), if (!is.null(hint)) "; " else "", hint %||% ""))
  }
  as.integer(x)
}

# The one seed convention of the package (models, simulations, splits,
# plots): `seed` is NULL or a whole number in [0, 2147483647].  NULL draws
# one from R's random stream (so set.seed() makes the call repeatable; the
# drawn seed is recorded, e.g. in the network's params, so the run can be
# repeated exactly).  Ensembles run seeds seed, seed + 1, ... (.run_seeds()).
#' @noRd
.check_seed <- function(seed, arg = "seed") {
  if (is.null(seed)) return(sample.int(.Machine$integer.max, 1L))
  .check_scalar_int(seed, arg, min = 0, max = .Machine$integer.max)
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

# match.arg() that names the argument in its error: the default vector gives
# its first element; a unique prefix is completed, as match.arg() does.
#' @noRd
.match_choice <- function(x, arg, choices) {
  if (identical(x, choices)) return(choices[1L])
  if (is.character(x) && length(x) == 1L && !is.na(x) && nzchar(x) && !x %in% choices) {
    hit <- pmatch(x, choices)
    if (!is.na(hit)) return(choices[hit])
  }
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
  if (!is.numeric(hidden) || length(hidden) != n || anyNA(hidden) || any(hidden < 1) || any(hidden > 1e5) ||
      any(hidden != round(hidden))) {
    .grn_abort("hidden", sprintf("must be %d whole numbers in [1, 100000]", n))
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
  cores <- .engine_call(.grn_available_cores())
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
# Pairs naming a gene the adapter dropped (`dropped`: all-zero or constant)
# or a gene of `x` left out by `genes =` (`outside`) are removed, with one
# note (class grntorch_dropped_pairs); none left is an error.  A gene in
# none of these (a typo, another species) is an error.  A pair listed with
# both labels is an error.
#' @noRd
.check_pairs <- function(pairs, arg, genes = NULL, need_label = TRUE, dropped = NULL, outside = NULL) {
  if (is.null(pairs)) return(NULL)
  if (!is.data.frame(pairs)) .grn_abort(arg, "must be a data.frame with columns from, to, label")
  cols <- c("from", "to", if (need_label) "label")
  miss <- setdiff(cols, names(pairs))
  if (length(miss)) .grn_abort(arg, sprintf("lacks column(s) %s", paste(miss, collapse = ", ")))
  if (nrow(pairs) == 0L) .grn_abort(arg, "has no rows")
  from <- as.character(pairs$from)
  to <- as.character(pairs$to)
  if (anyNA(from) || anyNA(to)) .grn_abort(arg, "has NA gene names in its from / to columns")
  label <- if (need_label) .check_labels(pairs$label, arg)
  if (!is.null(genes)) {
    up <- toupper(genes)
    fu <- .upper_fast(from)
    tu <- .upper_fast(to)
    fi <- match(fu, up)
    ti <- match(tu, up)
    bad <- is.na(fi) | is.na(ti)
    if (any(bad)) {
      # why each unmatched name is unmatched: dropped as constant, outside `genes =`, or absent
      why <- function(u) ifelse(u %in% toupper(dropped), "dropped", ifelse(u %in% toupper(outside), "outside", "absent"))
      fw <- ifelse(is.na(fi), why(fu), "ok")
      tw <- ifelse(is.na(ti), why(tu), "ok")
      absent <- fw == "absent" | tw == "absent"
      if (any(absent)) {
        ex <- unique(c(from[fw == "absent"], to[tw == "absent"]))
        .grn_abort(arg, sprintf("%d pair(s) name genes absent from the expression: %s%s", sum(absent),
                                paste(head(ex, 5), collapse = ", "), if (length(ex) > 5) ", ..." else ""))
      }
      n_out <- sum(fw == "outside" | tw == "outside")
      n_const <- sum(bad) - n_out
      why_txt <- c(if (n_out) sprintf("%s naming genes of `x` outside `genes`", .fmt_n(n_out)),
                   if (n_const) sprintf("%s naming all-zero or constant genes", .fmt_n(n_const)))
      ex <- unique(c(from[fw != "ok"], to[tw != "ok"]))
      ex_txt <- paste0(paste(head(ex, 5), collapse = ", "), if (length(ex) > 5) ", ..." else "")
      if (all(bad)) {
        .grn_abort(arg, sprintf(paste0("every pair names a gene that is not among the %s genes used (%s; e.g. %s)%s"),
                                .fmt_n(length(genes)), paste(why_txt, collapse = ", "), ex_txt,
                                if (n_out) "; make the pairs on the selected genes, e.g. training_pairs(known, genes, tfs)" else ""))
      }
      .grn_note(sprintf("grntorch: dropped %s of %s `%s` pairs (%s; e.g. %s)", .fmt_n(sum(bad)), .fmt_n(length(bad)), arg,
                        paste(why_txt, collapse = ", "), ex_txt), class = "grntorch_dropped_pairs")
      keep <- !bad
      fi <- fi[keep]; ti <- ti[keep]
      if (need_label) label <- label[keep]
    }
    from <- genes[fi]
    to <- genes[ti]
    key <- fi + as.double(length(genes)) * (ti - 1)
  } else {
    gl <- unique(c(.upper_fast(from), .upper_fast(to)))
    key <- match(.upper_fast(from), gl) + as.double(length(gl)) * (match(.upper_fast(to), gl) - 1)
  }
  if (need_label && anyDuplicated(key)) {
    first <- match(key, key)
    both <- which(label != label[first])
    if (length(both)) {
      i <- both[1]
      .grn_abort(arg, sprintf("%d pair(s) are listed with both labels (e.g. %s -> %s is labelled 0 and 1); give each pair one label",
                              length(unique(key[both])), from[i], to[i]), class = "grntorch_conflicting_labels")
    }
  }
  out <- data.frame(from = from, to = to, stringsAsFactors = FALSE)
  if (need_label) out$label <- label
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
