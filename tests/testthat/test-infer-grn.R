test_that("Pearson and Spearman scores equal R's cor() and point TF -> target", {
  ex <- small_example(40, 60)
  m <- ex$expression
  for (type in c("pearson", "spearman")) {
    g <- infer_grn(m, type, tfs = ex$tfs, verbose = FALSE)
    e <- grn_edges(g)
    ref <- suppressWarnings(cor(t(m[ex$tfs, ]), t(m), method = type))
    ref[is.na(ref)] <- 0
    expect_equal(e$score, ref[cbind(e$from, e$to)], tolerance = 1e-5, label = type)
    expect_true(all(e$from %in% ex$tfs))
    expect_false(any(e$from == e$to))
    expect_identical(e$weight, abs(e$score))
    expect_identical(e$rank, seq_len(nrow(e)))
    expect_true(all(diff(e$weight) <= 0))
    # every non-self TF -> gene pair with a non-zero score is there exactly once
    n_nonzero <- sum(ref != 0) - sum(diag(ref[, ex$tfs]) != 0)
    expect_identical(nrow(e), as.integer(n_nonzero))
  }
})

test_that("the igraph carries the documented attributes", {
  ex <- small_example(30, 40)
  g <- infer_grn(ex$expression, "spearman", tfs = ex$tfs, top = 50, verbose = FALSE)
  expect_true(igraph::is_directed(g))
  expect_equal(igraph::ecount(g), 50)
  expect_identical(igraph::vcount(g), 30L)
  expect_identical(igraph::V(g)$is_tf, igraph::V(g)$name %in% ex$tfs)
  expect_identical(igraph::graph_attr(g, "method"), "spearman")
  expect_identical(igraph::graph_attr(g, "params")$type, "spearman")
  expect_identical(igraph::graph_attr(g, "grntorch_version"), as.character(packageVersion("grntorch")))
  expect_identical(igraph::graph_attr(g, "n_cells"), 40L)
  e <- grn_edges(g, top = 5)
  expect_identical(names(e)[1:5], c("from", "to", "weight", "score", "rank"))
  expect_identical(nrow(e), 5L)
  expect_error(grn_edges(list()), "`g`")
})

test_that("a constant gene scores zero and never produces NaN edges", {
  ex <- small_example(20, 30)
  m <- ex$expression
  m[5, ] <- 1
  g <- infer_grn(m, "pearson", verbose = FALSE)
  e <- grn_edges(g)
  expect_false(any(is.na(e$score)))
  expect_false(any(e$from == rownames(m)[5] | e$to == rownames(m)[5]))
})

test_that("string methods take constructor arguments through ...", {
  ex <- small_example(20, 30)
  g <- infer_grn(ex$expression, "pearson", threads = 1, verbose = FALSE)
  expect_identical(igraph::graph_attr(g, "params")$threads, 1L)
})

test_that("Pearson on the full bundled mESC data ranks ChIP-seq edges above chance", {
  ex <- grntorch_example()
  g <- infer_grn(ex$expression, "pearson", tfs = ex$tfs, verbose = FALSE)
  e <- grn_edges(g)
  # universe restricted to ground-truth regulators; the top-k precision vs density
  e <- e[e$from %in% ex$truth$from, ]
  k <- nrow(ex$truth)
  hit <- paste(e$from, e$to) %in% paste(ex$truth$from, ex$truth$to)
  epr <- mean(hit[seq_len(k)]) / mean(hit)
  message(sprintf("bundled mESC, Pearson: EPR over ChIP regulators = %.3f", epr))
  expect_gt(epr, 1.0)
})

test_that("grntorch_sitrep reports an optimised BLAS and LibTorch >= 1.13", {
  info <- grntorch_sitrep(verbose = FALSE)
  expect_true(package_version(info$torch_version) >= "1.13")
  expect_true(info$threads >= 1)
  expect_true(info$blas %in% c("openblas", "mkl", "blis"))
  expect_output(grntorch_sitrep(), "BLAS")
  expect_identical(info$omp_wait_policy, Sys.getenv("OMP_WAIT_POLICY"))
  withr_env <- Sys.getenv("OMP_WAIT_POLICY", unset = NA)
  Sys.setenv(OMP_WAIT_POLICY = "passive")
  on.exit(if (is.na(withr_env)) Sys.unsetenv("OMP_WAIT_POLICY") else Sys.setenv(OMP_WAIT_POLICY = withr_env), add = TRUE)
  expect_output(grntorch_sitrep(), "wait policy passive")
})

test_that("top = k keeps exactly the first k edges of the full ranking, chosen on the score matrix", {
  ex <- grntorch_example()
  x <- ex$expression[1:120, ]
  x[7, ] <- x[8, ]            # a duplicated gene: tied scores, broken by name
  tfs <- c(rownames(x)[c(8, 7, 3, 50)], ex$tfs)
  full <- grn_edges(infer_grn(x, "pearson", tfs = tfs, verbose = FALSE))
  # Reference order built in R: weight descending, then from, then to.
  regs <- rownames(x)[toupper(rownames(x)) %in% toupper(tfs)]
  s <- cor(t(x[regs, ]), t(x))
  ref <- data.frame(from = rep(regs, ncol(s)), to = rep(colnames(s), each = nrow(s)), score = as.vector(s))
  ref <- ref[ref$from != ref$to, ]
  ref <- ref[order(-abs(ref$score), ref$from, ref$to, method = "radix"), ]
  expect_identical(nrow(full), nrow(ref))
  expect_identical(full$from, ref$from)
  expect_identical(full$to, ref$to)
  expect_equal(full$score, ref$score, tolerance = 1e-6)
  for (k in c(1L, 37L, 500L)) {
    e <- grn_edges(infer_grn(x, "pearson", tfs = tfs, top = k, verbose = FALSE))
    expect_identical(e, utils::head(full, k))
  }
  # Larger than the number of pairs: all of them.
  expect_identical(grn_edges(infer_grn(x, "pearson", tfs = tfs, top = 1e6, verbose = FALSE)), full)
})

test_that("edge attributes of a score-matrix model follow their edges through top = k", {
  ex <- grntorch_example()
  x <- ex$expression[1:80, 1:60]
  m <- deepsem(epochs = 2, seed = 3, threads = 1, n_runs = 2)
  full <- grn_edges(infer_grn(x, m, tfs = ex$tfs, verbose = FALSE))
  top <- grn_edges(infer_grn(x, m, tfs = ex$tfs, top = 25, verbose = FALSE))
  expect_true("stability" %in% names(top))
  expect_identical(top, utils::head(full, 25))
})

test_that("non-finite scores from a model are an error, not a network", {
  fit <- list(scores = matrix(c(0.5, NaN, 0.1, 0.2), 2, 2, dimnames = list(c("a", "b"), c("a", "b"))))
  expect_error(grntorch:::.as_grn_graph(fit, genes = c("a", "b"), regulators = c("a", "b"),
                                        method = list(name = "toy", params = list()), n_cells = 3L, top = 1L),
               class = "grntorch_nonfinite")
})

test_that("top = NULL keeps at most 2 million edges (the strongest), with a note; a given top is kept", {
  skip_on_cran()
  # 1,420 genes, every one a regulator: 1,420 x 1,419 = 2,014,980 candidate pairs
  set.seed(4)
  n <- 1420
  m <- matrix(rnorm(n * 12), n, 12, dimnames = list(sprintf("g%04d", seq_len(n)), sprintf("c%02d", 1:12)))
  expect_message(g <- infer_grn(m, "pearson", verbose = FALSE), "2,014,980 candidate", class = "grntorch_top_capped")
  expect_equal(igraph::ecount(g), 2e6)
  e <- grn_edges(g, top = 5)
  ref <- abs(cor(t(m)))
  diag(ref) <- 0
  expect_equal(e$weight, sort(ref, decreasing = TRUE)[1:5], tolerance = 1e-6)
  # the weakest edge kept is at the 2-millionth strongest |r|
  expect_equal(min(igraph::E(g)$weight), sort(ref[row(ref) != col(ref)], decreasing = TRUE)[2e6], tolerance = 1e-4)
  expect_silent(g2 <- infer_grn(m, "pearson", top = 2014980, verbose = FALSE))
  expect_equal(igraph::ecount(g2), 2014980)
  rm(g, g2)
  # the planner plans the capped number of edges
  expect_equal(grn_resources(m, "pearson")$pairs_kept, 2e6)
})
