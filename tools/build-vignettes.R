# Builds the vignettes with the installed grntorch and stages them as
# `R CMD build` does (inst/doc + build/vignette.rds), so that the next
# `R CMD INSTALL` of this directory installs them and
# vignette(package = "grntorch") lists them.  Run by `make install`.
# Prints the seconds each vignette took.
args <- commandArgs(trailingOnly = TRUE)
quiet <- !("--verbose" %in% args)
vigns <- tools::pkgVignettes(dir = ".", check = TRUE)
if (is.null(vigns) || !length(vigns$docs)) quit(status = 0)
invisible(tools:::loadVignetteBuilder(".", mustwork = TRUE))
Sys.setenv(OMP_WAIT_POLICY = Sys.getenv("OMP_WAIT_POLICY", "passive"))
for (f in vigns$docs) {
  t0 <- proc.time()[["elapsed"]]
  log <- if (quiet) tempfile("vignette-", fileext = ".log") else ""  # kept to show why it failed
  ok <- tryCatch({
    # one vignette at a time, each in a fresh R process (as R CMD build does)
    res <- system2(file.path(R.home("bin"), "Rscript"),
                   c("-e", shQuote(sprintf("tools::buildVignette(%s, dir = %s, tangle = TRUE, quiet = %s)",
                                           deparse(f), deparse(dirname(f)), quiet))),
                   stdout = log, stderr = log)
    res == 0
  }, error = function(e) FALSE)
  cat(sprintf("   vignette %-20s %s (%.0f s)\n", basename(f), if (ok) "built" else "FAILED",
              proc.time()[["elapsed"]] - t0))
  if (!ok && nzchar(log) && file.exists(log)) {
    cat("   its last output:\n", paste0("   | ", utils::tail(readLines(log, warn = FALSE), 20), "\n"), sep = "")
  }
  if (nzchar(log)) unlink(log)
  if (!ok) {
    cat("   re-run with: Rscript tools/build-vignettes.R --verbose\n")
    quit(status = 1)
  }
}
vigns <- tools::pkgVignettes(dir = ".", output = TRUE, source = TRUE)
doc_dir <- file.path("inst", "doc")
unlink(doc_dir, recursive = TRUE)
dir.create(doc_dir, recursive = TRUE, showWarnings = FALSE)
stopifnot(all(file.copy(unique(c(vigns$docs, vigns$outputs, unlist(vigns$sources))), doc_dir, copy.date = TRUE)))
dir.create("build", showWarnings = FALSE)
saveRDS(tools:::.build_vignette_index(vigns), file.path("build", "vignette.rds"))
