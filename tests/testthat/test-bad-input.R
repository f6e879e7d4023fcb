test_that("bad expression input gives clear errors naming `x`", {
  ex <- small_example(20, 30)
  m <- ex$expression
  m_na <- m; m_na[2, 3] <- NA
  expect_error(infer_grn(m_na, verbose = FALSE), "`x`.*NA, NaN or infinite", class = "grntorch_error")
  m_nan <- m; m_nan[1, 1] <- NaN
  expect_error(infer_grn(m_nan, verbose = FALSE), "`x`.*NA, NaN or infinite")
  m_inf <- m; m_inf[4, 5] <- Inf
  expect_error(infer_grn(m_inf, verbose = FALSE), "`x`.*NA, NaN or infinite")
  sp_inf <- Matrix::Matrix(m_inf, sparse = TRUE)
  expect_error(infer_grn(sp_inf, verbose = FALSE), "`x`.*NA, NaN or infinite")

  m_dup <- m; rownames(m_dup)[2] <- rownames(m_dup)[1]
  expect_error(infer_grn(m_dup, verbose = FALSE), "`x`.*duplicated gene names")
  m_nonames <- unname(m)
  expect_error(infer_grn(m_nonames, verbose = FALSE), "`x`.*no row names")
  m_empty <- m; rownames(m_empty)[3] <- ""
  expect_error(infer_grn(m_empty, verbose = FALSE), "`x`.*missing")

  expect_error(infer_grn(m[, 1:2], verbose = FALSE), "`x`.*at least 3 cells")
  expect_error(infer_grn(m[1, , drop = FALSE], verbose = FALSE), "`x`.*at least 2 genes")
  expect_error(infer_grn(m, genes = rownames(m)[1], verbose = FALSE), "`genes`.*at least 2 genes")

  m_chr <- matrix(as.character(m), nrow(m), dimnames = dimnames(m))
  expect_error(infer_grn(m_chr, verbose = FALSE), "`x`.*storage mode is \"character\"")
  expect_error(infer_grn(as.data.frame(m), verbose = FALSE), "`x`.*data.frame")
  expect_error(infer_grn(list(1, 2), verbose = FALSE), "`x`.*class \"list\"")
})

test_that("missing assays, layers and TFs give clear errors", {
  skip_if_not_installed("SingleCellExperiment")
  ex <- small_example(20, 30)
  sce <- SingleCellExperiment::SingleCellExperiment(assays = list(counts = round(2^ex$expression)))
  expect_error(infer_grn(sce, verbose = FALSE), "`assay.type`.*logcounts.*available: \"counts\"")
  expect_error(infer_grn(ex$expression, tfs = c("NOPE1", "NOPE2"), verbose = FALSE), "`tfs`.*none of the 2 TFs")
  expect_error(infer_grn(ex$expression, method = "nonsense", verbose = FALSE), "`method`.*unknown method")
  expect_error(infer_grn(ex$expression, method = 3, verbose = FALSE), "`method`")
  expect_error(infer_grn(ex$expression, correlation_method(), threads = 2, verbose = FALSE), "`...`")
  expect_error(correlation_method(threads = 0), "`threads`")
  expect_error(infer_grn(ex$expression, top = -1, verbose = FALSE), "`top`")
})

test_that("labelled pairs are validated against the genes", {
  ex <- small_example(20, 30)
  g <- rownames(ex$expression)
  ok <- data.frame(from = tolower(g[1:3]), to = g[4:6], label = c(1, 0, 1))
  got <- grntorch:::.check_pairs(ok, "train", g)
  expect_identical(got$from, g[1:3])
  expect_error(grntorch:::.check_pairs(data.frame(from = "ZZZ", to = g[1], label = 1), "train", g),
               "`train`.*absent from the expression: ZZZ")
  expect_error(grntorch:::.check_pairs(data.frame(from = g[1], to = g[2]), "train", g), "`train`.*label")
  expect_error(grntorch:::.check_pairs(data.frame(from = g[1], to = g[2], label = 2), "train", g), "`train`.*0/1")
})
