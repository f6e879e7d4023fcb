test_that("a matrix, a dgCMatrix, an SCE and a Seurat object give the same network", {
  skip_if_not_installed("SingleCellExperiment")
  skip_if_not_installed("SeuratObject")
  ex <- small_example()
  m <- ex$expression
  sp <- Matrix::Matrix(m, sparse = TRUE)
  expect_s4_class(sp, "dgCMatrix")
  sce <- SingleCellExperiment::SingleCellExperiment(assays = list(logcounts = m, counts = round(2^m)))
  seu <- make_seurat(sp)

  nets <- list(
    matrix = infer_grn(m, "pearson", tfs = ex$tfs, verbose = FALSE),
    sparse = infer_grn(sp, "pearson", tfs = ex$tfs, verbose = FALSE),
    sce = infer_grn(sce, "pearson", tfs = ex$tfs, verbose = FALSE),
    seurat = infer_grn(seu, "pearson", tfs = ex$tfs, verbose = FALSE)
  )
  ref <- grn_edges(nets$matrix)
  expect_gt(nrow(ref), 100)
  for (nm in names(nets)[-1]) {
    e <- grn_edges(nets[[nm]])
    expect_identical(e[, c("from", "to")], ref[, c("from", "to")], label = nm)
    expect_equal(e$score, ref$score, tolerance = 1e-6, label = nm)
  }
})

test_that("the Seurat path reads the requested layer (GetAssayData on v4, LayerData on v5)", {
  skip_if_not_installed("SeuratObject")
  ex <- small_example(20, 30)
  seu <- make_seurat(ex$expression)
  message(sprintf("SeuratObject %s: %s path", packageVersion("SeuratObject"),
                  if (grntorch:::.seurat_v5()) "LayerData()" else "GetAssayData(slot =)"))
  got <- grntorch:::.as_expression(seu, layer = "data")
  expect_equal(unname(got), unname(ex$expression), tolerance = 1e-12)
  expect_identical(rownames(got), rownames(ex$expression))
  cnt <- grntorch:::.as_expression(seu, layer = "counts")
  expect_equal(unname(cnt), unname(round(2^ex$expression)))
  expect_error(grntorch:::.as_expression(seu, assay = "ATAC"), "`assay`.*ATAC")
  expect_error(grntorch:::.as_expression(seu, layer = "smoothed"), "`layer`.*smoothed")
})

test_that("sparse input is densified only for the selected genes, in the requested order", {
  ex <- small_example(30, 40)
  sp <- Matrix::Matrix(ex$expression, sparse = TRUE)
  pick <- rev(rownames(ex$expression)[c(3, 7, 11)])
  got <- grntorch:::.as_expression(sp, genes = pick)
  expect_identical(rownames(got), pick)
  expect_equal(unname(got), unname(ex$expression[pick, ]), tolerance = 1e-12)
  # the glue itself: 1-based rows, zeros kept
  d <- grntorch:::.grn_densify_rows(sp, c(5L, 1L))
  expect_equal(d, unname(as.matrix(sp[c(5, 1), ])), ignore_attr = TRUE)
})

test_that("genes= subsets case-insensitively and reports genes that are missing", {
  ex <- small_example(30, 40)
  g <- tolower(rownames(ex$expression)[1:5])
  got <- grntorch:::.as_expression(ex$expression, genes = g)
  expect_identical(rownames(got), rownames(ex$expression)[1:5])
  expect_error(grntorch:::.as_expression(ex$expression, genes = c(g, "NOT_A_GENE")), "`genes`.*NOT_A_GENE")
})

test_that("TF matching is case-insensitive, reported, and warns below 40% overlap", {
  genes <- c("Sox2", "Nanog", "Pou5f1", "Actb", "Gapdh")
  expect_message(r <- grntorch:::.match_tfs(c("SOX2", "NANOG"), genes), "2 of 2 TFs")
  expect_identical(r, c("Sox2", "Nanog"))
  expect_warning(grntorch:::.match_tfs(c("SOX2", paste0("TF", 1:5)), genes, verbose = FALSE),
                 class = "grntorch_low_tf_overlap")
  expect_error(grntorch:::.match_tfs(c("FOO", "BAR"), genes, verbose = FALSE), "`tfs`.*none")
})

test_that("the user's object is never modified", {
  ex <- small_example(25, 30)
  m <- ex$expression
  m_copy <- m + 0
  sp <- Matrix::Matrix(m, sparse = TRUE)
  sp_copy <- sp + 0
  infer_grn(m, "spearman", tfs = ex$tfs, verbose = FALSE)
  infer_grn(sp, "pearson", tfs = ex$tfs, verbose = FALSE)
  expect_identical(m, m_copy)
  expect_identical(sp, sp_copy)
})
