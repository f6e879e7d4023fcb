# The bundled real raw counts (grntorch_example("pbmc-cd34")) and the
# own-data flow on them: raw counts -> log-normalisation -> select_genes() ->
# a network with BEELINE's human TFs.

pbmc_lognorm <- function(counts) {
  logn <- counts
  logn@x <- log1p(logn@x / rep(Matrix::colSums(counts), diff(logn@p)) * 1e4)
  logn
}

test_that("the bundled PBMC CD34+ subset loads as raw counts with its provenance", {
  pb <- grntorch_example("pbmc-cd34")
  expect_named(pb, c("counts", "genes", "source"))
  m <- pb$counts
  expect_s4_class(m, "dgCMatrix")
  expect_identical(dim(m), c(10346L, 687L))
  expect_identical(length(m@x), 877984L)
  # raw UMI counts: positive integers, every cell counted, every gene in >= 1% (7) of the cells
  expect_true(all(m@x >= 1 & m@x == round(m@x)))
  expect_identical(sum(m@x), 2870588)
  expect_true(all(Matrix::colSums(m) > 1000))
  expect_gte(min(Matrix::rowSums(m > 0)), 7)
  expect_false(anyDuplicated(rownames(m)) > 0)
  expect_match(colnames(m), "^[ACGT]{14}-1(\\.1)?$")  # 2 barcodes also used in another population carry ".1"
  expect_false(anyDuplicated(colnames(m)) > 0)
  expect_true(all(c("CD34", "GATA2", "SPI1") %in% rownames(m)))
  expect_identical(pb$genes$symbol, rownames(m))
  expect_match(pb$genes$ensembl, "^ENSG[0-9]{11}$")
  expect_false(anyDuplicated(pb$genes$ensembl) > 0)
  # provenance: the source string and the README beside the files
  expect_match(pb$source, "Zheng et al\\. \\(2017\\)")
  expect_match(pb$source, "fastTopics.*BSD-2-clause")
  readme <- system.file("extdata", "pbmc-cd34", "README.md", package = "grntorch", mustWork = TRUE)
  txt <- paste(readLines(readme), collapse = "\n")
  for (s in c("Zheng et al. (2017)", "10.1038/ncomms14049", "fastTopics 0.7-38", "BSD-2-clause", "10x Genomics",
              "tools/make-pbmc-subset.R")) expect_true(grepl(s, txt, fixed = TRUE), info = s)
  # the default and the choice of dataset
  expect_named(grntorch_example(), c("expression", "tfs", "truth", "split", "embeddings"))
  expect_identical(dim(grntorch_example("pbmc")$counts), dim(m))
  expect_error(grntorch_example("pbmc-cd4"), class = "grntorch_argument_error")
})

test_that("raw counts -> log-normalised -> select_genes() -> a pearson network runs on the PBMC subset", {
  pb <- grntorch_example("pbmc-cd34")
  tfs <- beeline_tfs("human")
  logn <- pbmc_lognorm(pb$counts)
  # select_genes() log-normalises raw counts the same way on the fly
  expect_message(g_raw <- select_genes(pb$counts, tfs = tfs, n = 200, verbose = FALSE),
                 class = "grntorch_counts_message")
  genes <- select_genes(logn, tfs = tfs, n = 200, verbose = FALSE)
  expect_true(attr(g_raw, "selection")$log_normalised)
  expect_false(attr(genes, "selection")$log_normalised)
  expect_identical(as.vector(g_raw), as.vector(genes))
  sel <- attr(genes, "selection")
  expect_identical(sel$n_other, 200L)
  expect_gt(sel$n_tfs, 10)
  expect_true(all(sel$stats$detected >= 0.01))
  # raw counts to infer_grn() are caught
  expect_warning(infer_grn(pb$counts, "pearson", tfs = tfs, genes = genes[1:50], verbose = FALSE),
                 class = "grntorch_counts_warning")
  g <- infer_grn(logn, "pearson", tfs = tfs, genes = genes, top = 300, verbose = FALSE)
  expect_s3_class(g, "grn_network")
  e <- grn_edges(g)
  expect_identical(nrow(e), 300L)
  expect_true(all(e$from %in% intersect(genes, tfs)))
  expect_true(all(e$to %in% genes))
  expect_false(is.unsorted(-abs(e$weight)))
  expect_output(print(g), "pearson: 300 edges")
  expect_equal(igraph::graph_attr(g, "n_cells"), 687)
})

test_that("Seurat's NormalizeData() gives the same values and gene selection as the base-R route", {
  skip_if_not_installed("Seurat")
  skip_if_not_installed("SeuratObject")
  # Seurat 4's own NormalizeData() calls SetAssayData(slot = ), defunct in SeuratObject 5
  skip_if(utils::packageVersion("Seurat") < "5.0.0" && utils::packageVersion("SeuratObject") >= "5.0.0",
          "Seurat 4 cannot run on SeuratObject 5")
  pb <- grntorch_example("pbmc-cd34")
  keep <- Matrix::rowSums(pb$counts > 0) >= 50    # a smaller object: 687 cells, the well-detected genes
  counts <- pb$counts[keep, ]
  seu <- suppressWarnings(Seurat::CreateSeuratObject(counts = counts))
  seu <- Seurat::NormalizeData(seu, verbose = FALSE)
  tfs <- beeline_tfs("human")
  g_seu <- select_genes(seu, tfs = tfs, n = 100, verbose = FALSE)
  g_base <- select_genes(pbmc_lognorm(counts), tfs = tfs, n = 100, verbose = FALSE)
  expect_identical(as.vector(g_seu), as.vector(g_base))
  g <- infer_grn(seu, "pearson", tfs = tfs, genes = g_seu, top = 50, verbose = FALSE)
  expect_identical(nrow(grn_edges(g)), 50L)
})

test_that("the bundled subset is the shared pbmc-facs data's CD34+ cells, unchanged", {
  skip_if_no_shared_data()
  src <- file.path(shared_data_dir(), "realdata", "pbmc-facs")
  skip_if_not(file.exists(file.path(src, "counts.rds")), "realdata/pbmc-facs not in the shared data")
  pb <- grntorch_example("pbmc-cd34")
  all_counts <- readRDS(file.path(src, "counts.rds"))
  cells <- readRDS(file.path(src, "coldata.rds"))
  expect_identical(colnames(pb$counts), cells$barcode[cells$celltype == "CD34+"])
  expect_identical(all_counts[rownames(pb$counts), colnames(pb$counts)], pb$counts)
  # exactly the genes detected in >= 1% of the CD34+ cells
  det <- Matrix::rowSums(all_counts[, colnames(pb$counts)] > 0)
  expect_identical(rownames(pb$counts), rownames(all_counts)[det >= 7])
})
