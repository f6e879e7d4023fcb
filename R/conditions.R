# Classed conditions.  Every user-facing error names the argument at fault.

.grn_abort <- function(arg, message, class = NULL, call = NULL) {
  msg <- if (is.null(arg)) message else sprintf("`%s`: %s", arg, message)
  cond <- structure(
    class = c(class, "grntorch_error", "error", "condition"),
    list(message = msg, call = call, arg = arg)
  )
  stop(cond)
}

.grn_warn <- function(message, class = NULL) {
  cond <- structure(
    class = c(class, "grntorch_warning", "warning", "condition"),
    list(message = message, call = NULL)
  )
  warning(cond)
}

.grn_inform <- function(message, verbose = TRUE) {
  if (isTRUE(verbose)) message(message)
  invisible()
}

.check_scalar_int <- function(x, arg, min = -Inf, max = Inf) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || x != round(x) || x < min || x > max) {
    .grn_abort(arg, sprintf("must be a single whole number in [%s, %s]", format(min), format(max)))
  }
  as.integer(x)
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
