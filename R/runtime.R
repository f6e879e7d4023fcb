#' What grntorch runs on
#'
#' Reports the LibTorch version, the BLAS library LibTorch actually calls
#' (read from the process's mapped libraries), the number of threads and
#' whether CUDA is available.  A reference BLAS makes every model ~20x
#' slower: install an optimised one (`apt-get install libopenblas0-openmp`).
#'
#' @param verbose print the report.
#' @return Invisibly, a list with `torch_version`, `threads`, `interop_threads`,
#'   `blas` (`"openblas"`, `"mkl"`, `"blis"`, `"reference"` or `"unknown"`),
#'   `blas_library`, `cuda` and `parallel_info`.
#' @examples
#' info <- grntorch_sitrep()
#' info$blas
#' @export
grntorch_sitrep <- function(verbose = TRUE) {
  info <- .grn_runtime_info()
  if (isTRUE(verbose)) {
    cat(sprintf("grntorch %s\n", utils::packageVersion("grntorch")))
    cat(sprintf("  LibTorch  %s\n", info$torch_version))
    cat(sprintf("  BLAS      %s (%s)\n", info$blas, info$blas_library))
    cat(sprintf("  threads   %d intra-op, %d inter-op (option grntorch.threads = %s)\n",
                info$threads, info$interop_threads, format(getOption("grntorch.threads", 2L))))
    cat(sprintf("  CUDA      %s\n", if (isTRUE(info$cuda)) "available" else "not available"))
    if (identical(info$blas, "reference")) {
      cat("  WARNING: LibTorch is using the reference BLAS (~20x slower).\n",
          "          Install an optimised one: apt-get install libopenblas0-openmp\n", sep = "")
    }
  }
  invisible(info)
}
