# Shared fixtures.  Real data: the bundled mESC example; ../shared/data when
# the tests run from the source tree (make test), skipped elsewhere.

small_example <- function(n_genes = 60, n_cells = 80) {
  ex <- grntorch_example()
  genes <- unique(c(head(ex$tfs, 20), rownames(ex$expression)))[seq_len(n_genes)]
  list(expression = ex$expression[genes, seq_len(n_cells)], tfs = intersect(ex$tfs, genes), truth = ex$truth)
}

shared_data_dir <- function() {
  cands <- c(Sys.getenv("GRNTORCH_SHARED_DATA", ""),
             file.path(testthat::test_path(), "..", "..", "..", "shared", "data"),
             file.path(getwd(), "..", "..", "..", "shared", "data"))
  for (d in cands) if (nzchar(d) && dir.exists(file.path(d, "beeline"))) return(normalizePath(d))
  NULL
}

skip_if_no_shared_data <- function() {
  if (is.null(shared_data_dir())) testthat::skip("../shared/data not found")
}

package_source_dir <- function() {
  cands <- c(file.path(testthat::test_path(), "..", ".."), file.path(getwd(), "..", ".."))
  for (d in cands) if (file.exists(file.path(d, "configure")) && file.exists(file.path(d, "DESCRIPTION"))) return(normalizePath(d))
  NULL
}

# A Seurat object whose "data" layer is `m` (SeuratObject 4 or 5).
make_seurat <- function(m, counts = round(2^m)) {
  seu <- suppressWarnings(SeuratObject::CreateSeuratObject(counts = counts))
  if (utils::packageVersion("SeuratObject") >= "5.0.0") {
    SeuratObject::LayerData(seu, layer = "data") <- m
  } else {
    seu <- SeuratObject::SetAssayData(seu, slot = "data", new.data = m)
  }
  seu
}

# The progress bar's draws in captured stderr (a bar redraws itself with "\r"),
# and the lines it left (one per bar).
progress_draws <- function(err) {
  d <- trimws(unlist(strsplit(paste(err, collapse = "\n"), "[\r\n]")))
  d[nzchar(d)]
}
