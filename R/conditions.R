# Classed conditions.  Every user-facing error names the argument at fault.

# An error that names an argument is a grntorch_argument_error (bad input),
# whichever layer found it: R here, the glue's option accessor in R/engine.R.
.grn_abort <- function(arg, message, class = NULL, call = NULL) {
  msg <- if (is.null(arg)) message else sprintf("`%s`: %s", arg, message)
  if (!is.null(arg)) class <- union(class, "grntorch_argument_error")
  cond <- structure(
    class = c(class, "grntorch_error", "error", "condition"),
    list(message = msg, call = call, arg = arg)
  )
  stop(cond)
}

.grn_warn <- function(message, class = NULL, arg = NULL) {
  cond <- structure(
    class = c(class, "grntorch_warning", "warning", "condition"),
    list(message = message, call = NULL, arg = arg)
  )
  warning(cond)
}

# A classed message the user should see whatever `verbose` says (it changes
# what the models are given, e.g. genes dropped); suppressMessages() and
# suppressMessages(classes =) silence it.
.grn_note <- function(message, class = NULL) {
  cond <- structure(
    class = c(class, "grntorch_message", "message", "condition"),
    list(message = paste0(message, "\n"), call = NULL)
  )
  message(cond)
}

.grn_inform <- function(message, verbose = TRUE) {
  if (isTRUE(verbose)) message(message)
  invisible()
}

# Evaluate `expr`; an argument error naming `from` (raised by a function
# that `expr` calls with the user's value) is re-raised naming `to`, the
# argument the user gave it as.  Warnings naming `from` likewise.
#' @noRd
.rename_arg <- function(expr, from, to) {
  relabel <- function(msg) sub(sprintf("`%s`", from), sprintf("`%s`", to), msg, fixed = TRUE)
  withCallingHandlers(
    tryCatch(expr, grntorch_argument_error = function(e) {
      if (!identical(e$arg, from)) stop(e)
      e$arg <- to
      e$message <- relabel(conditionMessage(e))
      stop(e)
    }),
    grntorch_warning = function(w) {
      if (!identical(w$arg, from) && !grepl(sprintf("`%s`", from), conditionMessage(w), fixed = TRUE)) return()
      w$arg <- if (identical(w$arg, from)) to else w$arg
      w$message <- relabel(conditionMessage(w))
      warning(w)
      invokeRestart("muffleWarning")
    })
}
