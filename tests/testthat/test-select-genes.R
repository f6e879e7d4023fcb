# select_genes() on the bundled real data (BEELINE mESC).

test_that("select_genes computes the documented statistic and applies the TF rule", {
  ex <- grntorch_example()
  m <- ex$expression
  expect_message(g <- select_genes(m, tfs = ex$tfs, n = 150), "selected [0-9]+ TFs and 150 other genes")
  s <- attr(g, "selection")
  # against a direct dense computation: sample variance across cells, detection fraction
  v <- apply(m, 1, var)
  d <- rowMeans(m != 0)
  expect_equal(s$stats$variance, unname(v[g]), tolerance = 1e-12)
  expect_equal(s$stats$detected, unname(d[g]), tolerance = 1e-12)
  is_tf <- toupper(rownames(m)) %in% toupper(ex$tfs)
  ok <- d >= 0.01 & v > 0
  others <- names(sort(v[ok & !is_tf], decreasing = TRUE))[1:150]
  cutoff <- v[others[150]]
  tfs <- rownames(m)[ok & is_tf & v >= cutoff]
  expect_equal(s$cutoff, unname(cutoff))
  expect_setequal(g, c(others, tfs))
  expect_identical(s$n_other, 150L)
  expect_identical(s$n_tfs, length(tfs))
  expect_gt(s$n_tfs, 5)
  expect_false(is.unsorted(rev(s$stats$variance)))
  expect_identical(s$stats$is_tf, g %in% tfs)
  expect_false(s$log_normalised)
  # tfs = NULL: the n most variable genes
  g0 <- select_genes(m, n = 40, verbose = FALSE)
  expect_identical(as.vector(g0), names(sort(v, decreasing = TRUE))[1:40])
  # min_fraction: a gene detected in too few cells is not expressed
  m2 <- m
  m2[1, ] <- 0
  m2[1, 1:3] <- 50
  expect_false(rownames(m)[1] %in% select_genes(m2, n = 40, min_fraction = 0.05, verbose = FALSE))
  expect_true(rownames(m)[1] %in% select_genes(m2, n = 40, min_fraction = 0, verbose = FALSE))
})

test_that("select_genes gives the same genes for a matrix, dgCMatrix, SCE, Seurat and DelayedArray", {
  ex <- grntorch_example()
  m <- ex$expression[, 1:200]
  ref <- select_genes(m, tfs = ex$tfs, n = 100, verbose = FALSE)
  ins <- list(sparse = Matrix::Matrix(m, sparse = TRUE),
              dgT = methods::as(Matrix::Matrix(m, sparse = TRUE), "TsparseMatrix"))
  if (requireNamespace("SingleCellExperiment", quietly = TRUE)) {
    ins$sce <- SingleCellExperiment::SingleCellExperiment(assays = list(logcounts = m))
  }
  if (requireNamespace("SeuratObject", quietly = TRUE)) ins$seurat <- make_seurat(m)
  if (requireNamespace("DelayedArray", quietly = TRUE)) ins$delayed <- DelayedArray::DelayedArray(m)
  for (nm in names(ins)) {
    got <- select_genes(ins[[nm]], tfs = ex$tfs, n = 100, verbose = FALSE)
    expect_identical(as.vector(got), as.vector(ref), label = nm)
    expect_equal(attr(got, "selection")$stats, attr(ref, "selection")$stats, tolerance = 1e-10, label = nm)
  }
  # DelayedArray in several column blocks: the merged statistics are the same
  if (requireNamespace("DelayedArray", quietly = TRUE)) {
    blocks <- grntorch:::.column_blocks(nrow(m), ncol(m), values = nrow(m) * 7)
    expect_gt(length(blocks), 20)
    acc <- NULL
    for (b in blocks) acc <- grntorch:::.combine_stats(acc, grntorch:::.grn_row_stats_dense(m[, b], numeric(), FALSE), length(b))
    expect_equal(acc$m2 / (ncol(m) - 1), unname(apply(m, 1, var)), tolerance = 1e-10)
  }
})

test_that("raw counts are log-normalised internally as NormalizeData() does, with a message", {
  ex <- grntorch_example()
  cnt <- round(2^ex$expression[, 1:150] * 4) - 4
  cnt[cnt < 0] <- 0
  sp <- Matrix::Matrix(cnt, sparse = TRUE)
  expect_message(g <- select_genes(sp, tfs = ex$tfs, n = 80, verbose = FALSE), "looks like raw counts.*log1p",
                 class = "grntorch_counts_message")
  ln <- log1p(t(t(cnt) / colSums(cnt)) * 1e4)
  v <- apply(ln, 1, var)
  expect_equal(attr(g, "selection")$stats$variance, unname(v[g]), tolerance = 1e-10)
  expect_true(attr(g, "selection")$log_normalised)
  storage.mode(cnt) <- "integer"
  gi <- suppressMessages(select_genes(cnt, tfs = ex$tfs, n = 80, verbose = FALSE))
  expect_identical(as.vector(gi), as.vector(g))
  # a fresh Seurat object (SeuratObject 4: "data" still holds the counts) or its "counts" layer
  skip_if_not_installed("SeuratObject")
  fresh <- suppressWarnings(SeuratObject::CreateSeuratObject(counts = sp))
  gs <- suppressMessages(select_genes(fresh, tfs = ex$tfs, n = 80, layer = "counts", verbose = FALSE))
  expect_identical(as.vector(gs), as.vector(g))
  if (!grntorch:::.seurat_v5()) {
    expect_message(gf <- select_genes(fresh, tfs = ex$tfs, n = 80, verbose = FALSE), class = "grntorch_counts_message")
    expect_identical(as.vector(gf), as.vector(g))
  }
})

test_that("the result works as genes= in infer_grn(); n too large is a message; bad arguments are errors", {
  ex <- grntorch_example()
  m <- ex$expression[1:300, 1:100]
  g <- select_genes(m, tfs = ex$tfs, n = 50, verbose = FALSE)
  net <- infer_grn(m, "pearson", tfs = ex$tfs, genes = g, verbose = FALSE)
  expect_setequal(igraph::V(net)$name, g)
  expect_setequal(igraph::V(net)$name[igraph::V(net)$is_tf], attr(g, "selection")$stats$gene[attr(g, "selection")$stats$is_tf])
  expect_message(all <- select_genes(m, tfs = ex$tfs, n = 5000, verbose = FALSE),
                 "`n` = 5000 but only [0-9]+ non-TF genes", class = "grntorch_fewer_genes")
  v <- apply(m, 1, var)
  is_tf <- toupper(rownames(m)) %in% toupper(ex$tfs)
  expect_identical(attr(all, "selection")$n_other, sum(v > 0 & !is_tf))
  expect_identical(attr(all, "selection")$cutoff, min(v[v > 0 & !is_tf]))
  expect_error(select_genes(m, n = 0), "`n`")
  expect_error(select_genes(m, nn = 3), "`...`.*nn")
  expect_error(select_genes(m, min_fraction = 2), "`min_fraction`")
  z <- m
  z[] <- 0
  expect_error(select_genes(z, verbose = FALSE), "^`x`: has no expressed, variable gene", class = "grntorch_no_variable_genes")
  expect_error(select_genes(m, tfs = "NOPE", verbose = FALSE), "`tfs`")
})
