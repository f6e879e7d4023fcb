# Parameter objects and the model registry.  Every model is one class
# inheriting "grn_method", and its whole R story lives in its own file
# R/methods-<model>.R (DESIGN.md says which files a new model needs):
#
#   <model>()            the exported constructor: validates every argument
#                        once (R/validate.R helpers: a classed error naming
#                        the argument) and returns new_grn_method(name, params,
#                        subclass, supervised, label, ensemble).
#   .fit_method.<class>(method, data)          required: fits, returns a list
#       scores:  a regulators x genes numeric matrix with dimnames (signed scores), or
#       edges:   a data.frame from, to, score (+ extra attribute columns);
#       attrs:   optional named list of regulators x genes matrices (e.g. stability),
#       info:    optional list stored in the graph attribute "fit".
#     `data` holds expr (genes x cells double matrix), regulators (character),
#     train / validation (data.frames from, to, label or NULL), verbose.
#   .plan_method.<class>(method, dims)         the planner (R/resources.R):
#       list(bytes, epoch_seconds, epochs, seconds, advice); default: no model term.
#   .pairs_used.<class>(method)                which of "train" / "validation" it
#       reads; default: both for a supervised model, none otherwise.
#   .pairs_hint.<class>(method)                text added to the warning for pairs
#       it ignores; default "".
#   .known_pairs.<class>(method, data)         the pairs it learnt as known edges
#       (edge attribute `known`); default: a supervised model's positive `train` pairs.
#
# A model that may be named by a string in infer_grn() adds one line to
# .grn_method_table() below.  Compiled code is called only through
# .engine_call() (R/engine.R).

#' Create a method parameter object
#'
#' The building block of every model constructor ([deepsem()],
#' [correlation_method()], ...).  Users normally call those instead.
#'
#' @param name short model name, stored in the result.
#' @param params named list of hyper-parameters.
#' @param subclass class that selects the fitting code.
#' @param supervised whether the model needs labelled `train` pairs.
#' @param label display name of the model (e.g. `"DeepSEM"`), used in
#'   messages and by [grn_resources()]; default `name`.
#' @param ensemble `NULL`, or the validated ensemble arguments of a model
#'   with `n_runs` (a list with `n_runs`, `stability_k`, `keep_runs`,
#'   `BPPARAM`): the first three join `params`, `BPPARAM` is kept beside them.
#' @return An object of class `c(subclass, "grn_method")`.
#' @examples
#' m <- correlation_method("pearson")
#' inherits(m, "grn_method")
#' @export
new_grn_method <- function(name, params = list(), subclass = NULL, supervised = FALSE, label = NULL,
                           ensemble = NULL) {
  if (!is.character(name) || length(name) != 1L || is.na(name) || !nzchar(name)) {
    .grn_abort("name", "must be a single non-empty string (the model's name)")
  }
  if (!is.list(params) || (length(params) && (is.null(names(params)) || any(!nzchar(names(params)))))) {
    .grn_abort("params", "must be a named list of hyper-parameters")
  }
  if (!is.null(subclass) && (!is.character(subclass) || !length(subclass) || anyNA(subclass) || any(!nzchar(subclass)))) {
    .grn_abort("subclass", "must be NULL or a character vector of class names")
  }
  supervised <- .check_flag(supervised, "supervised")
  if (is.null(label)) label <- name
  if (!is.character(label) || length(label) != 1L || is.na(label) || !nzchar(label)) {
    .grn_abort("label", "must be NULL or a single non-empty string (the model's display name)")
  }
  if (!is.null(ensemble)) {
    if (!is.list(ensemble) || !all(c("n_runs", "stability_k", "keep_runs") %in% names(ensemble))) {
      .grn_abort("ensemble", "must be NULL or a list with n_runs, stability_k, keep_runs (and BPPARAM)")
    }
    params[c("n_runs", "stability_k", "keep_runs")] <- ensemble[c("n_runs", "stability_k", "keep_runs")]
  }
  m <- structure(list(name = name, params = params, supervised = supervised, label = label),
                 class = c(subclass, "grn_method"))
  if (!is.null(ensemble)) m$BPPARAM <- ensemble$BPPARAM
  m
}

# The display name of a model ("DeepSEM", "InfoSEM-BC").
#' @noRd
.method_label <- function(method) if (is.null(method$label)) method$name else method$label

# The hooks every model may define (see the header of this file).
#' @noRd
.pairs_used <- function(method) UseMethod(".pairs_used")

#' @noRd
.pairs_used.default <- function(method) if (isTRUE(method$supervised)) c("train", "validation") else character()

#' @noRd
.pairs_hint <- function(method) UseMethod(".pairs_hint")

#' @noRd
.pairs_hint.default <- function(method) ""

#' @noRd
.known_pairs <- function(method, data) UseMethod(".known_pairs")

#' @noRd
.known_pairs.default <- function(method, data) {
  if (!isTRUE(method$supervised) || is.null(data$train)) return(NULL)
  data$train[data$train$label == 1L, c("from", "to"), drop = FALSE]
}

#' @method print grn_method
#' @export
print.grn_method <- function(x, ...) {
  cat(sprintf("<grntorch method: %s%s>\n", x$name, if (isTRUE(x$supervised)) " (supervised)" else ""))
  p <- x$params
  for (nm in names(p)) {
    v <- p[[nm]]
    txt <- if (is.null(v)) "NULL" else if (is.atomic(v) && length(v) <= 6) paste(format(v), collapse = ", ")
           else sprintf("<%s%s>", class(v)[1], if (!is.null(dim(v))) paste0(" ", paste(dim(v), collapse = " x ")) else "")
    cat(sprintf("  %-12s %s\n", nm, txt))
  }
  invisible(x)
}

#' @noRd
.fit_method <- function(method, data) UseMethod(".fit_method")

#' @noRd
.fit_method.default <- function(method, data) {
  .grn_abort("method", sprintf("no fitting code for method class \"%s\"", class(method)[1]))
}

# Turn `method` (a string or a parameter object) into a parameter object.
# `...` goes to the constructor of a named method; a name that is neither an
# argument of `caller` nor of that constructor is `caller`'s error.
#' @noRd
.resolve_method <- function(method, ..., .caller = "infer_grn") {
  if (inherits(method, "grn_method")) {
    .check_dots(.caller, ..., .hint = "with a parameter object as `method`, give model arguments to its constructor")
    return(method)
  }
  if (!is.character(method) || length(method) != 1L || is.na(method)) {
    .grn_abort("method", "must be a method name (e.g. \"pearson\") or a parameter object such as deepsem()")
  }
  key <- tolower(method)
  table <- .grn_method_table()
  if (!key %in% names(table)) {
    .grn_abort("method", sprintf("unknown method \"%s\"; available: %s", method,
                                 paste0("\"", names(table), "\"", collapse = ", ")))
  }
  entry <- table[[key]]
  ctor <- get(entry$fun, mode = "function")
  f <- .formal_names(ctor)
  for (fw in entry$forward) {   # a constructor passing its `...` on (infosem() to deepsem())
    g <- .formal_names(get(fw, mode = "function"))
    f <- list(all = c(f$all, g$all), partial = c(f$partial, g$partial))
  }
  fixed <- names(entry$args)
  .check_dots(.caller, ..., .allowed = setdiff(f$all, fixed), .partial = setdiff(f$partial, fixed),
              .also = c(entry$fun, entry$forward), .unnamed = TRUE)
  do.call(ctor, c(entry$args, list(...)))
}

# Methods that may be named by a string in infer_grn(): the constructor
# (`fun`), arguments it is given (`args`) and the constructors it passes its
# `...` to (`forward`); `...` of infer_grn() goes to the constructor.  Add one
# line per model.
#' @noRd
.grn_method_table <- function() {
  m <- function(fun, args = list(), forward = NULL) list(fun = fun, args = args, forward = forward)
  list(
    pearson = m("correlation_method", list(type = "pearson")),
    spearman = m("correlation_method", list(type = "spearman")),
    deepsem = m("deepsem"),
    dazzle = m("dazzle"),
    infosem = m("infosem", forward = "deepsem"),
    regdiffusion = m("regdiffusion"),
    random = m("random_baseline"),
    onehot_lr = m("onehot_lr"),
    matcomp = m("matcomp"),
    degree = m("degree_baseline"),
    scunigp = m("scunigp"),
    genelink = m("genelink"),
    gnnlink = m("gnnlink"),
    scregnet = m("scregnet"),
    sctransnet = m("sctransnet"),
    genie3 = m("genie3"),
    grnboost2 = m("grnboost2")
  )
}
