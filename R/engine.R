# The R side of the error funnel: every call into the compiled code goes
# through .engine_call(), which turns the glue's conditions into the package's
# classed R conditions.  Classes only: no condition message is ever matched.
#
# The glue (src/glue.h, GRN_CATCH) raises C++ exceptions whose type names are
# the R classes; Rcpp signals them as c("<type>", "C++Error", "error",
# "condition").  They are re-signalled as:
#
#   grntorch_argument_error  c("grntorch_argument_error", "grntorch_error", "error", "condition")
#                            bad input caught by the glue (an option list, non-finite values) or by
#                            the engine's last line of defence; `arg` names the argument.
#   grntorch_engine_error    c("grntorch_engine_error", "grntorch_error", "error", "condition")
#                            the computation failed (a LibTorch error, a diverged fit).
#   grntorch_memory_error    c("grntorch_memory_error", "grntorch_engine_error", "grntorch_error",
#                              "error", "condition"): memory could not be allocated.
#   grntorch_interrupt       c("grntorch_interrupt", "grntorch_error", "interrupt", "condition")
#                            the user interrupted a fit (Ctrl-C / SIGINT).
#   an R error raised while the engine polled R for an interrupt (setTimeLimit()'s
#   "reached elapsed time limit") stops the fit and is re-raised as that plain
#   R error (glue class grntorch_r_error).
#
# The interrupt deliberately does NOT inherit "error": R's own interrupt is
# c("interrupt", "condition"), and code written as tryCatch(..., error = ) -
# a loop over runs that records failures, BiocParallel's per-task error
# capture, a retry wrapper - must not swallow a Ctrl-C and carry on.
# tryCatch(interrupt = ) catches it exactly like an interrupt of R code, and
# tryCatch(grntorch_error = ) catches every condition of the package.  Left
# uncaught it stops the evaluation like an error ("Error: grntorch: ...").
#
# A condition that is not from the glue (an R error or R's own interrupt
# while the arguments are converted) passes through untouched; any other
# C++ exception ("C++Error" without a glue class) becomes an engine error.

#' @noRd
.engine_call <- function(expr) {
  tryCatch(expr, "C++Error" = function(e) .engine_resignal(e))
}

#' @noRd
.engine_resignal <- function(e) {
  msg <- conditionMessage(e)
  if (inherits(e, "grntorch_interrupt")) {
    stop(.engine_condition("grntorch: interrupted by the user", "grntorch_interrupt", base = "interrupt"))
  }
  if (inherits(e, "grntorch_r_error")) {
    # An R error raised while the engine polled R (setTimeLimit()'s limit):
    # R's own error, as if it had come from R code.
    stop(simpleError(msg))
  }
  if (inherits(e, "grntorch_argument_error")) {
    # The glue keeps the argument it named (no message is parsed).
    arg <- .grn_error_arg()
    if (!nzchar(arg)) arg <- NULL
    stop(.engine_condition(msg, "grntorch_argument_error", arg = arg))
  }
  if (inherits(e, "grntorch_memory_error")) {
    stop(.engine_condition(paste0("grntorch engine: ", msg), c("grntorch_memory_error", "grntorch_engine_error")))
  }
  stop(.engine_condition(paste0("grntorch engine: ", msg), "grntorch_engine_error"))
}

#' @noRd
.engine_condition <- function(message, class, arg = NULL, base = "error") {
  structure(class = c(class, "grntorch_error", base, "condition"),
            list(message = message, call = NULL, arg = arg))
}

# The options list of one engine call: the named elements of the method's
# parameters `p` plus run controls (threads, verbose, label, ...).  A name
# absent from `p` is a bug of the caller and stops here, by name.
#' @noRd
.engine_opts <- function(p, names, ...) {
  miss <- setdiff(names, names(p))
  if (length(miss)) stop(sprintf("internal error: parameter(s) %s missing", paste(miss, collapse = ", ")))
  c(p[names], list(...))
}
