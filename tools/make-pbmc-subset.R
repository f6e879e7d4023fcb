# Builds inst/extdata/pbmc-cd34/ from ../shared/data/realdata/pbmc-facs (the
# 10x PBMC populations of Zheng et al. 2017 as shipped by fastTopics).
# Run from the package root: Rscript tools/make-pbmc-subset.R
# Keeps the 687 CD34+ (stem / progenitor) cells and the genes with a count in
# at least 1% of them (7 cells), raw UMI counts unchanged, in the source order.
suppressPackageStartupMessages(library(Matrix))
shared <- Sys.getenv("GRNTORCH_SHARED_DATA", file.path("..", "shared", "data"))
src <- normalizePath(file.path(shared, "realdata", "pbmc-facs"), mustWork = TRUE)
out <- file.path("inst", "extdata", "pbmc-cd34")
dir.create(out, recursive = TRUE, showWarnings = FALSE)

counts <- readRDS(file.path(src, "counts.rds"))     # dgCMatrix, genes x cells
cells <- readRDS(file.path(src, "coldata.rds"))     # barcode, celltype, subpop
genes <- readRDS(file.path(src, "rowdata.rds"))     # ensembl, symbol
stopifnot(is(counts, "dgCMatrix"), identical(colnames(counts), cells$barcode),
          nrow(genes) == nrow(counts), all(counts@x == round(counts@x)))

keep_cells <- which(cells$celltype == "CD34+")
stopifnot(length(keep_cells) == 687L)
x <- counts[, keep_cells]
keep_genes <- which(Matrix::rowSums(x > 0) >= ceiling(0.01 * ncol(x)))
x <- x[keep_genes, ]
x <- methods::as(x, "CsparseMatrix")
stopifnot(is(x, "dgCMatrix"))
# Ensembl ids in row order (row names: symbols, made unique upstream)
ensembl <- genes$ensembl[keep_genes]
stopifnot(!anyNA(ensembl), !anyDuplicated(ensembl))

saveRDS(x, file.path(out, "counts.rds"), compress = "xz")
saveRDS(ensembl, file.path(out, "ensembl.rds"), compress = "xz")
cat(sprintf("pbmc-cd34: %d genes x %d cells, %d non-zero (%.1f%%), %.0f median UMIs per cell; counts.rds %.0f KB, ensembl.rds %.0f KB\n",
            nrow(x), ncol(x), length(x@x), 100 * length(x@x) / prod(dim(x)), stats::median(Matrix::colSums(x)),
            file.size(file.path(out, "counts.rds")) / 1024, file.size(file.path(out, "ensembl.rds")) / 1024))
