#' @param threads LibTorch threads (of each run, for an ensemble); default
#'   `getOption("grntorch.threads", 2)`, at most the processors this R process
#'   may use (a larger number is capped, with a warning of class
#'   `grntorch_threads_warning`).  See "Threads, interrupts and signals" in
#'   [grntorch].
