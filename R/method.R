# Parameter objects: one class per model, all inheriting "grn_method".
# A model file provides a constructor returning new_grn_method(...) and an
# S3 method .fit_method.<subclass>(method, data) that returns a list with
#   scores:  a regulators x genes numeric matrix with dimnames (signed scores), or
#   edges:   a data.frame from, to, score (+ extra attribute columns);
#   attrs:   optional named list of regulators x genes matrices (e.g. stability),
#   info:    optional list stored in the graph attribute "fit".
# `data` holds expr (genes x cells double matrix), regulators (character),
# train / validation (data.frames from, to, label or NULL), verbose, BPPARAM.

#' Create a method parameter object
#'
#' The building block of every model constructor ([deepsem()],
#' [correlation_method()], ...).  Users normally call those instead.
#'
#' @param name short model name, stored in the result.
#' @param params named list of hyper-parameters.
#' @param subclass class that selects the fitting code.
#' @param supervised whether the model needs labelled `train` pairs.
#' @return An object of class `c(subclass, "grn_method")`.
#' @examples
#' m <- correlation_method("pearson")
#' inherits(m, "grn_method")
#' @export
new_grn_method <- function(name, params = list(), subclass = NULL, supervised = FALSE) {
  structure(list(name = name, params = params, supervised = supervised),
            class = c(subclass, "grn_method"))
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
#' @noRd
.resolve_method <- function(method, ...) {
  if (inherits(method, "grn_method")) {
    if (...length()) {
      .grn_abort("...", "extra arguments are only used when `method` is a string; pass them to the method constructor instead")
    }
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
  table[[key]](...)
}

# Methods that may be named by a string in infer_grn(); `...` of infer_grn()
# goes to the constructor.  Add one line per model.
#' @noRd
.grn_method_table <- function() {
  list(
    pearson = function(...) correlation_method("pearson", ...),
    spearman = function(...) correlation_method("spearman", ...),
    deepsem = function(...) deepsem(...),
    infosem = function(...) infosem(...),
    random = function(...) random_baseline(...),
    onehot_lr = function(...) onehot_lr(...),
    matcomp = function(...) matcomp(...),
    scunigp = function(...) scunigp(...),
    genelink = function(...) genelink(...),
    gnnlink = function(...) gnnlink(...),
    scregnet = function(...) scregnet(...),
    sctransnet = function(...) sctransnet(...)
  )
}

#' @noRd
.resolve_threads <- function(threads) {
  if (is.null(threads)) threads <- getOption("grntorch.threads", 2L)
  .check_scalar_int(threads, "threads", min = 1, max = 1024)
}
