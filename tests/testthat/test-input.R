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
  expect_warning(expect_message(cnt <- grntorch:::.as_expression(seu, layer = "counts"), class = "grntorch_dropped_genes"),
                 class = "grntorch_counts_warning")
  want <- round(2^ex$expression)
  want <- want[apply(want, 1, var) > 0, ]  # constant genes are dropped
  expect_equal(unname(cnt), unname(want), ignore_attr = TRUE)
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

test_that("TF matching is case-insensitive and reported; a gene subset gives no warning", {
  genes <- c("SOX2", "NANOG", "POU5F1", "ACTB", "GAPDH")
  expect_message(r <- grntorch:::.match_tfs(c("Sox2", "Nanog"), genes), "2 of 2 TFs")
  expect_identical(r, c("SOX2", "NANOG"))
  # a small overlap on a few genes is no sign of a wrong species
  expect_no_warning(grntorch:::.match_tfs(c("Sox2", paste0("Tf", 1:50)), genes, verbose = FALSE))
  expect_error(grntorch:::.match_tfs(c("FOO", "BAR"), genes, verbose = FALSE), "`tfs`.*none")
  # the case from the issue: 500 genes against the genome-wide mouse list
  ex <- grntorch_example()
  expect_no_warning(expect_message(infer_grn(ex$expression[1:500, 1:60], "pearson", tfs = beeline_tfs("mouse"),
                                             verbose = TRUE), "TFs \\([0-9]+%\\) found among 500 genes"))
})

test_that("the TF-overlap warning fires on a species or identifier mismatch", {
  mouse <- c("Sox2", "Nanog", "Pou5f1", "Actb", "Gapdh", "Klf4", "Myc", "Tbx3")
  human_tfs <- c("SOX2", "NANOG", "POU5F1", "KLF4", "GATA6")
  # mouse-style (title-case) genes against the human TF list
  w <- expect_warning(grntorch:::.match_tfs(beeline_tfs("human"), mouse, verbose = FALSE), class = "grntorch_low_tf_overlap")
  expect_match(conditionMessage(w), "^`tfs`:.*looks like human symbols.*title-case like mouse")
  expect_s3_class(w, "grntorch_warning")
  # ... but not against the (upper-cased) mouse list, nor a short list of either case
  expect_no_warning(grntorch:::.match_tfs(beeline_tfs("mouse"), mouse, verbose = FALSE))
  expect_no_warning(grntorch:::.match_tfs(human_tfs, mouse, verbose = FALSE))
  # upper-cased mouse genes (BEELINE's style) with a title-case mouse list, or the human list: fine
  expect_no_warning(grntorch:::.match_tfs(c("Sox2", "Nanog"), toupper(mouse), verbose = FALSE))
  expect_no_warning(grntorch:::.match_tfs(beeline_tfs("human"), toupper(mouse), verbose = FALSE))
  # a genome-scale gene set in which almost no gene is a TF
  genes <- c(paste0("Zz", 1:2990), mouse)
  w <- expect_warning(grntorch:::.match_tfs(c("Sox2", paste0("Tf", 1:200)), genes, verbose = FALSE),
                      class = "grntorch_low_tf_overlap")
  expect_match(conditionMessage(w), "`tfs`.*1 of 2998 genes")
  # Ensembl IDs against symbols: a classed error naming `tfs` and describing `x`
  ens <- sprintf("ENSMUSG%011d", 1:20)
  e <- expect_error(grntorch:::.match_tfs(human_tfs, ens, verbose = FALSE), class = "grntorch_id_mismatch")
  expect_s3_class(e, "grntorch_argument_error")
  expect_match(conditionMessage(e), "^`tfs`:.*`x` look like Ensembl gene IDs.*`tfs` like gene symbols")
  # ... and a warning when a few happen to match
  expect_warning(grntorch:::.match_tfs(c("SOX2", ens[1]), c(ens, "Sox2"), verbose = FALSE),
                 class = "grntorch_low_tf_overlap")
  expect_match(grntorch:::.id_type(c("1234", "5678")), "entrez")
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

test_that("a double matrix used whole is read where it is: no copy, and the user's matrix is unchanged", {
  skip_if_not(capabilities("profmem"), "R without memory profiling (tracemem)")
  ex <- small_example(30, 40)
  m <- ex$expression
  m_copy <- m + 0
  # tracemem() reports every duplicate of `m` (made by R or by grntorch's R code)
  tracemem(m)
  on.exit(untracemem(m), add = TRUE)
  out <- utils::capture.output(g <- infer_grn(m, regdiffusion(steps = 5, batch_size = 8, seed = 1, threads = 1),
                                              tfs = ex$tfs, verbose = FALSE))
  expect_false(any(grepl("tracemem\\[", out)), info = paste(out, collapse = "\n"))
  expect_s3_class(g, "grn_network")
  untracemem(m)
  expect_identical(m, m_copy)
  # the check can see a copy: dimnames with names differ from infer_grn()'s, whose assignment copies
  m2 <- m + 0
  dimnames(m2) <- list(gene = rownames(m), cell = colnames(m))
  tracemem(m2)
  out <- utils::capture.output(infer_grn(m2, "pearson", tfs = ex$tfs, verbose = FALSE))
  untracemem(m2)
  expect_true(any(grepl("tracemem\\[", out)))
  expect_identical(names(dimnames(m2)), c("gene", "cell"))
  # the planner counts no dense copy for it, and one for a subset or a sparse matrix
  r <- grn_resources(m, "pearson", tfs = ex$tfs)
  expect_equal(r$parts[["expression"]], 0)
  expect_match(paste(capture.output(print(r)), collapse = " "), "dense expression none (x is read in place)", fixed = TRUE)
  expect_gt(grn_resources(m, "pearson", genes = rownames(m)[1:20])$parts[["expression"]], 0)
  expect_gt(grn_resources(Matrix::Matrix(m, sparse = TRUE), "pearson")$parts[["expression"]], 0)
})
