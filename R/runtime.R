#' What grntorch runs on
#'
#' Reports the LibTorch version, the BLAS library LibTorch actually calls
#' (read from the process's mapped libraries), the number of threads and
#' whether CUDA is available.  A reference BLAS makes every model ~20x
#' slower: install an optimised one (`apt-get install libopenblas0-openmp`).
#'
#' **Shared or busy machines.** LibTorch's OpenMP threads busy-wait for each
#' other by default.  When other processes compete for the cores, a model run
#' with `threads = 2` can then be 20-40 times slower than with one thread.
#' Set `OMP_WAIT_POLICY=passive` in the environment *before R starts* (e.g. in
#' `~/.Renviron`), or use `threads = 1`, on machines that are not idle; the
#' report shows the policy in effect.
#'
#' @param verbose print the report.
#' @return Invisibly, a list with `torch_version`, `threads`, `interop_threads`,
#'   `blas` (`"openblas"`, `"mkl"`, `"blis"`, `"reference"` or `"unknown"`),
#'   `blas_library`, `cuda`, `parallel_info`, `onednn` (whether oneDNN's
#'   matrix products are found in the process: DeepSEM's and InfoSEM's
#'   per-gene MLPs use them, and `precision = "bfloat16"` gets its speed from
#'   them; Debian's LibTorch brings `libdnnl2`) and `omp_wait_policy` (the
#'   environment variable, `""` when unset).
#' @examples
#' info <- grntorch_sitrep()
#' info$blas
#' @export
grntorch_sitrep <- function(verbose = TRUE) {
  verbose <- .check_flag(verbose, "verbose")
  info <- .engine_call(.grn_runtime_info())
  info$omp_wait_policy <- Sys.getenv("OMP_WAIT_POLICY")
  if (isTRUE(verbose)) {
    cat(sprintf("grntorch %s\n", utils::packageVersion("grntorch")))
    cat(sprintf("  LibTorch  %s\n", info$torch_version))
    cat(sprintf("  BLAS      %s (%s)\n", info$blas, info$blas_library))
    cat(sprintf("  oneDNN    %s\n", if (isTRUE(info$onednn)) "found (per-gene MLP products, bfloat16 option)"
                else "not found (the BLAS above does the per-gene MLP products; precision = \"bfloat16\" is not faster)"))
    cat(sprintf("  threads   %d intra-op, %d inter-op (option grntorch.threads = %s)\n",
                info$threads, info$interop_threads, format(getOption("grntorch.threads", 2L))))
    cat(sprintf("  OpenMP    wait policy %s\n",
                if (nzchar(info$omp_wait_policy)) info$omp_wait_policy
                else "default (active: set OMP_WAIT_POLICY=passive before starting R on a busy machine)"))
    cat(sprintf("  CUDA      %s\n", if (isTRUE(info$cuda)) "available" else "not available"))
    if (identical(info$blas, "reference")) {
      cat("  WARNING: LibTorch is using the reference BLAS (~20x slower).\n",
          "          Install an optimised one: apt-get install libopenblas0-openmp\n", sep = "")
    }
  }
  invisible(info)
}
