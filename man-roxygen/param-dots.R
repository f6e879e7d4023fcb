#' @param ... not used; a misspelt argument name is an error (class
#'   `grntorch_argument_error`) that names the closest argument.
